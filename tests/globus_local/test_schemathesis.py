"""Property-based API test: schemathesis drives each service's OpenAPI document against a
live server, with a valid token, and no response may be a 5xx.

Our documents are loose (most bodies are free-form JSON, Auth's forms are undeclared), so
only ``not_a_server_error`` is checked, and schemathesis's own cases alone would stop at
the first "not a document" or 404. So each operation also gets cases whose path ids name
things the test user owns, and, where the service reads a body or query the document does
not describe, cases built from a valid one (:data:`TEMPLATES`) with one value replaced by
arbitrary JSON or left out: every field's validation is reached, and must answer a 4xx.
"""

from __future__ import annotations

import base64
import datetime as dt
import os
import secrets
import typing as t
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

schemathesis = pytest.importorskip("schemathesis", reason="schemathesis is not installed")

from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.errors import FailureGroup  # noqa: E402

from globus_local.services.actions.providers import PROVIDERS  # noqa: E402
from globus_local.services.auth.scopes import (  # noqa: E402
    BUILTIN_SCOPES,
    FLOWS_ALL,
    FLOWS_RS,
    GROUPS_ALL,
    SEARCH_ALL,
    TIMER,
    TIMER_RS,
    TRANSFER_ALL,
)
from globus_local.services.gcs.connectors import POSIX, S3  # noqa: E402
from globus_local.testing import LocalServer  # noqa: E402

SERVICES = ("auth", "transfer", "groups", "search", "flows", "actions", "timer", "gcs")
# The resource server whose token each service takes (Actions: each provider its scope's;
# GCS: each endpoint its own id; Flows also each flow's own, see _resource_servers).
RESOURCE_SERVERS = {
    "auth": "auth.globus.org",
    "transfer": "transfer.api.globus.org",
    "groups": "groups.api.globus.org",
    "search": "search.api.globus.org",
    "flows": FLOWS_RS,
    "timer": TIMER_RS,
}
# Every scope the test user consents to at once: each service's, and every provider's.
SCOPES = (
    "openid",
    "profile",
    "email",
    TRANSFER_ALL,
    GROUPS_ALL,
    SEARCH_ALL,
    FLOWS_ALL,
    TIMER,
    *sorted({p.scope for p in PROVIDERS.values()}),
)
# Examples per operation: the whole run stays within a few minutes per database on two
# cores. GLOBUS_LOCAL_SCHEMATHESIS_EXAMPLES raises it for a deeper hunt (run that with
# pytest --timeout=0: the per-test limit is sized for the default).
MAX_EXAMPLES = int(os.environ.get("GLOBUS_LOCAL_SCHEMATHESIS_EXAMPLES", "80"))
# Actions serves the same operations for each of its providers, from one implementation:
# starting an action (the provider's own input) gets a quarter of the examples, the others
# a sixteenth, so all of them together cost less than Transfer's (see docs/testing.md).
ACTION_START_EXAMPLES = max(1, MAX_EXAMPLES // 4)
ACTION_EXAMPLES = max(1, MAX_EXAMPLES // 16)
# Flows and GCS requests make runs, flow scopes, collections with their Transfer faces:
# half the examples keep their share of the file's time near the other services'.
HALVED = frozenset({"flows", "gcs"})
# No request may hang the test: a route slower than this fails as surely as a 500.
REQUEST_TIMEOUT = 30.0
# Operations left out, each with the reason. None so far: every DELETE runs after the
# operations that still need what it may delete (see _run_order).
EXCLUDED: dict[str, str] = {}
JSON = "application/json"
FORM = "application/x-www-form-urlencoded"


@dataclass(frozen=True)
class Template:
    """A valid request for one operation, in ``{name}`` placeholders for the seed's ids."""

    body: t.Any = None
    query: dict[str, str] | None = None
    media_type: str = JSON
    path: dict[str, str] | None = None  # path ids where the name alone is ambiguous


_ENTRY = {"subject": "s2", "visible_to": ["public"], "content": {"a": 1, "t": "x"}}
# A pause rule that pauses nothing: the seed's tasks and listings go on.
_PAUSE_FLAGS = dict.fromkeys(
    (
        "pause_ls",
        "pause_mkdir",
        "pause_rename",
        "pause_task_delete",
        "pause_task_transfer_write",
        "pause_task_transfer_read",
    ),
    False,
)
_ACCESS_PATH = {"endpoint_id": "{share_id}", "rule_id": "{access_rule_id}"}
_IDENTITY = "urn:globus:auth:identity:{identity_id}"
_OTHER = "urn:globus:auth:identity:{other_identity_id}"
# A flow whose runs wait a day (so the seed's run is still ACTIVE when cancelled) before
# saying hello: a Choice, a Wait and an Action, whose provider's scope the flow's depends on.
_DEFINITION = {
    "StartAt": "Choose",
    "States": {
        "Choose": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.n", "NumericGreaterThan": 5, "Next": "Hello"}],
            "Default": "Wait",
        },
        "Wait": {"Type": "Wait", "Seconds": 86400, "Next": "Hello"},
        "Hello": {
            "Type": "Action",
            "ActionUrl": "https://actions.globus.org/hello_world",
            "Parameters": {"echo_string.$": "$.echo"},
            "ResultPath": "$.hello",
            "End": True,
        },
    },
}
_INPUT_SCHEMA = {
    "type": "object",
    "properties": {"n": {"type": "integer", "maximum": 5}, "echo": {"type": "string"}},
    "required": ["n"],
}
_RUN = Template(
    {
        "body": {"n": 1, "echo": "hi"},
        "label": "schemathesis",
        "tags": ["a", "b"],
        "run_managers": [_OTHER],
        "run_monitors": [_OTHER],
        "activity_notification_policy": {"status": ["INACTIVE", "FAILED"]},
    }
)
_RUN_LIST = {
    "filter_roles": "run_owner,run_managers",
    "filter_status": "ACTIVE,SUCCEEDED",
    "filter_flow_id": "{flow_id}",
    "filter_label": "schemathesis",
    "filter_start_time": "2000-01-01T00:00:00,",
    "filter_completion_time": ",2100-01-01T00:00:00",
    "orderby": "start_time DESC",
    "per_page": "5",
}
_RUN_LOG = Template(query={"limit": "5", "reverse_order": "true"})
# A Transfer document for timers: a future copy on the seed's endpoint.
_TIMER_TRANSFER = {
    "DATA_TYPE": "transfer",
    "source_endpoint": "{endpoint_id}",
    "destination_endpoint": "{endpoint_id}",
    "label": "timer",
    "sync_level": "checksum",
    "verify_checksum": True,
    "filter_rules": [{"DATA_TYPE": "filter_rule", "method": "exclude", "name": "*.x"}],
    "DATA": [{"source_path": "/file.txt", "destination_path": "/dir/t.txt", "recursive": False}],
}
_GCS = "/{endpoint_id}/api"  # labels: GCS paths as its OpenAPI document writes them
_RESTRICT_PATHS = {"DATA_TYPE": "path_restrictions#1.0.0", "read": ["/"], "read_write": ["/rw"]}
_GATEWAY = {
    "DATA_TYPE": "storage_gateway#1.2.0",
    "display_name": "gateway",
    "connector_id": POSIX,
    "root": "/",
    "allowed_domains": ["example.org"],
    "identity_mappings": [
        {
            "DATA_TYPE": "expression_identity_mapping#1.0.0",
            "mappings": [
                {
                    "source": "{{username}}",
                    "match": r"(\w+)-[0-9a-f]+@example\.org",
                    "output": "{{1}}",
                }
            ],
        }
    ],
    "users_allow": [],
    "users_deny": ["blocked"],
    "restrict_paths": _RESTRICT_PATHS,
    "policies": {
        "DATA_TYPE": "posix_storage_policies#1.0.0",
        "groups_allow": [],
        "groups_deny": [],
    },
    "high_assurance": False,
    "authentication_timeout_mins": 60,
}
_MAPPED = {
    "DATA_TYPE": "collection#1.15.0",
    "collection_type": "mapped",
    "display_name": "mapped",
    "storage_gateway_id": "{gateway_id}",
    "collection_base_path": "/",
    "public": True,
    "allow_guest_collections": True,
    "sharing_restrict_paths": _RESTRICT_PATHS,
    "sharing_users_deny": ["blocked"],
    "keywords": ["a"],
    "description": "d",
    "default_directory": "/",
    "delete_protected": False,
}
_GUEST = {
    "DATA_TYPE": "collection#1.15.0",
    "collection_type": "guest",
    "display_name": "guest",
    "mapped_collection_id": "{collection_id}",
    "user_credential_id": "{credential_id}",
    "collection_base_path": "/rw",
}
_CREDENTIAL = {
    "DATA_TYPE": "user_credential#1.0.0",
    "storage_gateway_id": "{gateway_id}",
    "identity_id": "{identity_id}",
    "username": "schemathesis",
    "display_name": "mine",
}

# Valid bodies and queries for what the documents leave undescribed, by operation label.
TEMPLATES: dict[str, Template] = {
    # Auth: forms. No login or consent: without the page's CSRF token they stop at once.
    "POST /v2/oauth2/token": Template(
        {"grant_type": "client_credentials", "scope": "openid email"}, media_type=FORM
    ),
    "POST /v2/oauth2/token/introspect": Template(
        {"token": "{auth_token}", "include": "identity_set"}, media_type=FORM
    ),
    "POST /v2/oauth2/token/validate": Template(
        {"token": "{auth_token}", "client_id": "{client_id}"}, media_type=FORM
    ),
    # A token of its own: revoking the one the other requests carry would leave them 401s.
    "POST /v2/oauth2/token/revoke": Template({"token": "{spare_token}"}, media_type=FORM),
    "GET /v2/oauth2/authorize": Template(
        query={
            "client_id": "{client_id}",
            "redirect_uri": "https://app.example.org/callback",
            "scope": "openid email",
            "response_type": "code",
            "state": "s",
            "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            "code_challenge_method": "S256",
            "access_type": "offline",
        }
    ),
    "GET /v2/web/logout": Template(
        query={"redirect_uri": "https://app.example.org/", "redirect_name": "app"}
    ),
    "GET /v2/api/identities": Template(
        query={"usernames": "{username}", "ids": "{identity_id}", "provision": "false"}
    ),
    "POST /v2/api/clients": Template(
        {"client": {"name": "c", "public_client": False, "redirect_uris": ["https://a.example/"]}}
    ),
    "PUT /v2/api/clients/{client_id}": Template(
        {"client": {"name": "c2", "redirect_uris": ["https://app.example.org/callback"]}}
    ),
    "POST /v2/api/clients/{client_id}/credentials": Template({"credential": {"name": "k"}}),
    # Transfer.
    "POST /v0.10/transfer": Template(
        {
            "DATA_TYPE": "transfer",
            "submission_id": "{submission_id}",
            "source_endpoint": "{endpoint_id}",
            "destination_endpoint": "{endpoint_id}",
            "label": "l",
            "sync_level": 1,
            "verify_checksum": True,
            "deadline": "2100-01-01T00:00:00+00:00",
            "filter_rules": [{"DATA_TYPE": "filter_rule", "method": "exclude", "name": "*.x"}],
            "DATA": [
                {
                    "DATA_TYPE": "transfer_item",
                    "source_path": "/file.txt",
                    "destination_path": "/dir/f.txt",
                    "recursive": False,
                }
            ],
        }
    ),
    "POST /v0.10/delete": Template(
        {
            "DATA_TYPE": "delete",
            "submission_id": "{submission_id}",
            "endpoint": "{endpoint_id}",
            "recursive": False,
            "DATA": [{"DATA_TYPE": "delete_item", "path": "/dir/absent.txt"}],
        }
    ),
    "GET /v0.10/task_list": Template(
        query={
            "limit": "5",
            "offset": "0",
            "filter": "status:ACTIVE,SUCCEEDED/type:TRANSFER",
            "filter_task_id": "{task_id}",
            "filter_request_time": "2000-01-01,2100-01-01",
            "orderby": "request_time DESC",
        }
    ),
    "PUT /v0.10/task/{task_id}": Template(
        {"DATA_TYPE": "task", "label": "l2", "deadline": "2100-01-01T00:00:00+00:00"}
    ),
    "GET /v0.10/task/{task_id}/event_list": Template(
        query={"limit": "5", "offset": "0", "filter": "is_error:1"}
    ),
    "GET /v0.10/endpoint_manager/task_list": Template(
        query={
            "limit": "5",
            "filter_status": "ACTIVE",
            "filter_task_id": "{task_id}",
            "filter_endpoint": "{endpoint_id}",
            "filter_completion_time": "2000-01-01,2100-01-01",
            "filter_is_paused": "false",
            "last_key": "2000-01-01T00:00:00,{task_id}",
        }
    ),
    "POST /v0.10/endpoint_manager/admin_cancel": Template(
        {"task_id_list": ["{task_id}"], "message": "m"}
    ),
    "POST /v0.10/endpoint_manager/admin_pause": Template(
        {"task_id_list": ["{task_id}"], "message": "m"}
    ),
    "POST /v0.10/endpoint_manager/admin_resume": Template({"task_id_list": ["{task_id}"]}),
    "GET /v0.10/endpoint_manager/pause_rule_list": Template(
        query={"filter_endpoint": "{endpoint_id}"}
    ),
    "POST /v0.10/endpoint_manager/pause_rule": Template(
        {
            "DATA_TYPE": "pause_rule",
            "endpoint_id": "{endpoint_id}",
            "message": "m",
            "identity_id": "{identity_id}",
            "start_time": "2100-01-01T00:00:00",
            **_PAUSE_FLAGS,
        }
    ),
    "PUT /v0.10/endpoint_manager/pause_rule/{rule_id}": Template(
        {"message": "m2", "start_time": None, **_PAUSE_FLAGS}
    ),
    "PUT /v0.10/endpoint/{endpoint_id}": Template(
        {
            "DATA_TYPE": "endpoint",
            "display_name": "renamed",
            "description": "d",
            "organization": "o",
            "keywords": "a,b",
            "public": False,
            "default_directory": "/~/",
            "force_encryption": False,
        }
    ),
    "POST /v0.10/endpoint": Template(
        {
            "DATA_TYPE": "endpoint",
            "display_name": "gcs",
            "is_globus_connect": False,
            "public": False,
            "DATA": [{"DATA_TYPE": "server", "hostname": "gridftp.example.org", "port": 2811}],
        }
    ),
    "PUT /v0.10/endpoint/{endpoint_id}/subscription": Template({"subscription_id": None}),
    "GET /v0.10/endpoint_search": Template(
        query={"filter_fulltext": "schemathesis", "filter_scope": "my-endpoints", "limit": "5"}
    ),
    "POST /v0.10/shared_endpoint": Template(
        {
            "DATA_TYPE": "shared_endpoint",
            "host_endpoint": "{endpoint_id}",
            "host_path": "/dir/",
            "display_name": "share",
        }
    ),
    "PUT /v0.10/endpoint/{endpoint_id}/server/{server_id}": Template(
        {"DATA_TYPE": "server", "hostname": "h2.example", "port": 2812, "scheme": "gsiftp"}
    ),
    "POST /v0.10/endpoint/{endpoint_id}/server": Template(
        {"DATA_TYPE": "server", "hostname": "h3.example", "port": 2811, "subject": "/CN=x"}
    ),
    "POST /v0.10/endpoint/{endpoint_id}/role": Template(
        {
            "DATA_TYPE": "role",
            "principal_type": "identity",
            "principal": "{identity_id}",
            "role": "access_manager",
        }
    ),
    "GET /v0.10/endpoint/{endpoint_id}/access_list": Template(path=_ACCESS_PATH),
    "GET /v0.10/endpoint/{endpoint_id}/access/{rule_id}": Template(path=_ACCESS_PATH),
    "DELETE /v0.10/endpoint/{endpoint_id}/access/{rule_id}": Template(path=_ACCESS_PATH),
    "PUT /v0.10/endpoint/{endpoint_id}/access/{rule_id}": Template(
        {"DATA_TYPE": "access", "permissions": "rw", "notify_email": None}, path=_ACCESS_PATH
    ),
    "POST /v0.10/endpoint/{endpoint_id}/access": Template(
        {
            "DATA_TYPE": "access",
            "principal_type": "identity",
            "principal": "{identity_id}",
            "path": "/sub/",
            "permissions": "r",
            "expiration_date": "2100-01-01T00:00:00+00:00",
        },
        path=_ACCESS_PATH,
    ),
    "GET /v0.10/endpoint_manager/endpoint/{endpoint_id}/access_list": Template(path=_ACCESS_PATH),
    "POST /v0.10/bookmark": Template(
        {"DATA_TYPE": "bookmark", "name": "b2", "endpoint_id": "{endpoint_id}", "path": "/dir/"}
    ),
    "PUT /v0.10/bookmark/{bookmark_id}": Template({"name": "b3", "pinned": True}),
    "GET /v0.10/operation/endpoint/{endpoint_id}/ls": Template(
        query={
            "path": "/dir/",
            "show_hidden": "true",
            "orderby": "name ASC",
            "filter": "type:file/name:~*.txt",
            "limit": "10",
            "offset": "0",
        }
    ),
    "GET /v0.10/operation/endpoint/{endpoint_id}/stat": Template(query={"path": "/file.txt"}),
    "POST /v0.10/operation/endpoint/{endpoint_id}/mkdir": Template(
        {"DATA_TYPE": "mkdir", "path": "/dir/new"}
    ),
    "POST /v0.10/operation/endpoint/{endpoint_id}/rename": Template(
        {"DATA_TYPE": "rename", "old_path": "/dir/none", "new_path": "/dir/other"}
    ),
    "POST /v0.10/operation/endpoint/{endpoint_id}/symlink": Template(
        {"DATA_TYPE": "symlink", "symlink_target": "/file.txt", "path": "/dir/link"}
    ),
    # Groups.
    "POST /v2/groups": Template(
        {
            "name": "g",
            "description": "d",
            "parent_id": "{group_id}",
            "policies": {"group_visibility": "private", "join_requests": False},
        }
    ),
    "PUT /v2/groups/{group_id}": Template({"name": "g2", "description": "d2"}),
    "POST /v2/groups/{group_id}": Template(
        {
            "add": [{"identity_id": "{other_identity_id}", "role": "member"}],
            "invite": [{"identity_id": "{third_identity_id}", "invite_email_address": "a@b.c"}],
        }
    ),
    "PUT /v2/groups/{group_id}/policies": Template(
        {
            "is_high_assurance": False,
            "group_visibility": "private",
            "group_members_visibility": "managers",
            "join_requests": False,
            "signup_fields": ["department"],
            "authentication_assurance_timeout": 28800,
        }
    ),
    "PUT /v2/groups/{group_id}/membership_fields": Template(
        {"{identity_id}": {"first_name": "A", "department": "D"}}
    ),
    "PUT /v2/preferences": Template({"{identity_id}": {"allow_add": True}}),
    "GET /v2/groups/{group_id}": Template(query={"include": "memberships,policies"}),
    # Search.
    "POST /v1/index": Template({"display_name": "i", "description": "d"}),
    "PATCH /v1/index/{index_id}": Template({"display_name": "i2", "description": "d2"}),
    "POST /v1/index/{index_id}/role": Template(
        {"role_name": "writer", "principal": "urn:globus:auth:identity:{other_identity_id}"}
    ),
    "GET /v1/index/{index_id}/search": Template(
        query={"q": "x", "limit": "5", "offset": "0", "advanced": "false"}
    ),
    "POST /v1/index/{index_id}/search": Template(
        {
            "q": "content.t:x",
            "advanced": True,
            "limit": 5,
            "offset": 0,
            "filters": [{"type": "match_any", "field_name": "content.t", "values": ["x"]}],
            "facets": [{"name": "f", "type": "terms", "field_name": "content.t", "size": 3}],
            "sort": [{"field_name": "content.a", "order": "asc"}],
            "boosts": [{"field_name": "content.t", "factor": 2}],
        }
    ),
    "POST /v1/index/{index_id}/ingest": Template(
        {"ingest_type": "GMetaList", "ingest_data": {"gmeta": [_ENTRY]}}
    ),
    "POST /v1/index/{index_id}/delete_by_query": Template(
        {"q": "nothing-matches", "advanced": False}
    ),
    "POST /v1/index/{index_id}/batch_delete_by_subject": Template({"subjects": ["none"]}),
    "PUT /v1/index/{index_id}/entry": Template(_ENTRY),
    "POST /v1/index/{index_id}/entry": Template(_ENTRY),
    "GET /v1/index/{index_id}/entry": Template(query={"subject": "s", "entry_id": "null"}),
    "DELETE /v1/index/{index_id}/entry": Template(query={"subject": "none"}),
    "GET /v1/index/{index_id}/subject": Template(
        query={"subject": "s", "bypass_visible_to": "false"}
    ),
    "DELETE /v1/index/{index_id}/subject": Template(query={"subject": "none"}),
    # Flows. Runs name the seed's flow; the flow's own token is among the headers drawn.
    "POST /flows": Template(
        {
            "title": "schemathesis",
            "subtitle": "s",
            "description": "d",
            "keywords": ["k"],
            "definition": _DEFINITION,
            "input_schema": _INPUT_SCHEMA,
            "flow_viewers": ["public"],
            "flow_starters": ["all_authenticated_users"],
            "flow_administrators": [_OTHER],
            "run_managers": [_OTHER],
            "run_monitors": [_OTHER],
            "subscription_id": None,
        }
    ),
    "PUT /flows/{flow_id}": Template(
        {
            "title": "schemathesis",
            "keywords": ["k2"],
            "definition": _DEFINITION,
            "input_schema": _INPUT_SCHEMA,
            "flow_viewers": ["public", _OTHER],
            "run_monitors": [_OTHER],
        }
    ),
    "POST /flows/validate": Template({"definition": _DEFINITION, "input_schema": _INPUT_SCHEMA}),
    "POST /flows/dry-run": Template({"definition": _DEFINITION, "input_schema": _INPUT_SCHEMA}),
    "GET /flows": Template(
        query={
            "filter_roles": "flow_owner,flow_viewers",
            "filter_fulltext": "schemathesis",
            "filter_title": "schema",
            "filter_keywords": "k",
            "orderby": "title ASC",
            "per_page": "5",
        }
    ),
    "GET /flows/{flow_id}/runs": Template(query=_RUN_LIST),
    "GET /flows/{flow_id}/actions": Template(query=_RUN_LIST),
    "GET /runs": Template(query=_RUN_LIST),
    "GET /runs/{run_id}": Template(query={"include_flow_description": "true"}),
    "PUT /runs/{run_id}": Template(
        {"label": "relabelled", "tags": ["c"], "run_managers": [_OTHER], "run_monitors": []}
    ),
    "GET /runs/{run_id}/log": _RUN_LOG,
    # Each way to release a run has an ended run of its own.
    "POST /runs/{run_id}/release": Template(path={"run_id": "{ended_run_1}"}),
    "POST /flows/{flow_id}/{run_id}/release": Template(path={"run_id": "{ended_run_2}"}),
    "POST /{flow_id}/{run_id}/release": Template(path={"run_id": "{ended_run_3}"}),
    "GET /flows/{flow_id}/{run_id}/log": _RUN_LOG,
    "GET /flows/{flow_id}/runs/{run_id}/log": _RUN_LOG,
    "GET /{flow_id}/{run_id}/log": _RUN_LOG,
    **{
        label: _RUN
        for label in (
            "POST /flows/{flow_id}/run",
            "POST /flows/{flow_id}/validate_run",
            "POST /flows/{flow_id}/dry-run",
            "POST /flows/{flow_id}/run/dry-run",
            "POST /{flow_id}/run",
            "POST /{flow_id}/run/dry-run",
            "POST /{flow_id}/dry-run",
        )
    },
    # Timers: each starts in the future, so none runs while the test does.
    "POST /v2/timer": Template(
        {
            "timer": {
                "timer_type": "transfer",
                "name": "schemathesis",
                "resource_server": "transfer.api.globus.org",
                "schedule": {"type": "once", "datetime": "{later}"},
                "body": _TIMER_TRANSFER,
            }
        }
    ),
    "POST /jobs/": Template(
        {
            "name": "legacy",
            "start": "{later}",
            "interval": 86400,
            "stop_after_n": 3,
            "callback_url": "https://actions.automate.globus.org/transfer/transfer/run",
            "callback_body": {
                "body": {
                    "source_endpoint_id": "{endpoint_id}",
                    "destination_endpoint_id": "{endpoint_id}",
                    "transfer_items": [
                        {"source_path": "/file.txt", "destination_path": "/dir/j.txt"}
                    ],
                    "notify_on_succeeded": False,
                }
            },
            "scope": TIMER,
        }
    ),
    "GET /jobs/": Template(
        query={
            "filter_status": "active,inactive",
            "filter_name": "schema",
            "submitted_after": "2000-01-01T00:00:00",
            "order": "name desc",
            "result_count": "3",
        }
    ),
    "GET /jobs/{job_id}": Template(query={"page_size": "5"}),
    "PATCH /jobs/{job_id}": Template({"name": "renamed"}),
    "POST /jobs/{job_id}/resume": Template({"update_credentials": True}),
    # GCS: the seed's endpoint, gateway, collections, role and credential.
    f"PATCH {_GCS}/endpoint": Template(
        {
            "DATA_TYPE": "endpoint#1.2.0",
            "display_name": "gcs",
            "network_use": "custom",
            "max_concurrency": 4,
            "preferred_concurrency": 2,
            "max_parallelism": 4,
            "preferred_parallelism": 2,
            "public": True,
            "allow_udt": False,
            "keywords": ["k"],
            "contact_email": "a@example.org",
            "subscription_id": None,
        },
        query={"include": "endpoint"},
    ),
    f"GET {_GCS}/storage_gateways": Template(
        query={"include": "private_policies", "page_size": "5"}
    ),
    f"POST {_GCS}/storage_gateways": Template(_GATEWAY),
    f"GET {_GCS}/storage_gateways/{{gateway_id}}": Template(query={"include": "private_policies"}),
    # Changes go to a gateway of their own, so the seed's collections keep theirs.
    f"PATCH {_GCS}/storage_gateways/{{gateway_id}}": Template(
        {"display_name": "spare", "users_deny": ["nobody"], "restrict_paths": _RESTRICT_PATHS},
        path={"gateway_id": "{spare_gateway_id}"},
    ),
    f"DELETE {_GCS}/storage_gateways/{{gateway_id}}": Template(
        path={"gateway_id": "{spare_gateway_id}"}
    ),
    f"GET {_GCS}/collections": Template(
        query={
            "filter": "mapped_collections,managed_by_me",
            "include": "private_policies",
            "mapped_collection_id": "{collection_id}",
            "storage_gateway_id": "{gateway_id}",
            "page_size": "5",
        }
    ),
    f"POST {_GCS}/collections": Template(_MAPPED),
    f"GET {_GCS}/collections/{{collection_id}}": Template(query={"include": "private_policies"}),
    f"PATCH {_GCS}/collections/{{collection_id}}": Template(
        {"display_name": "renamed", "keywords": ["b"], "sharing_users_allow": None}
    ),
    f"GET {_GCS}/roles": Template(
        query={"collection_id": "{collection_id}", "include": "all_roles", "page_size": "5"}
    ),
    f"POST {_GCS}/roles": Template(
        {
            "DATA_TYPE": "role#1.0.0",
            "collection": "{collection_id}",
            "principal": _OTHER,
            "role": "activity_monitor",
        }
    ),
    f"GET {_GCS}/user_credentials": Template(
        query={"storage_gateway": "{gateway_id}", "page_size": "5"}
    ),
    f"POST {_GCS}/user_credentials": Template(
        {**_CREDENTIAL, "storage_gateway_id": "{spare_gateway_id}"}
    ),
    f"PUT {_GCS}/user_credentials/{{credential_id}}": Template(
        {"username": "schemathesis", "display_name": "put"}
    ),
    f"PATCH {_GCS}/user_credentials/{{credential_id}}": Template({"display_name": "patched"}),
}

# Further valid requests for operations with more than one shape of document.
MORE_TEMPLATES: dict[str, tuple[Template, ...]] = {
    "POST /v2/oauth2/token": (
        Template(
            {
                "grant_type": "authorization_code",
                "code": "c",
                "redirect_uri": "https://app.example.org/callback",
                "code_verifier": "v" * 43,
            },
            media_type=FORM,
        ),
        Template({"grant_type": "refresh_token", "refresh_token": "r"}, media_type=FORM),
        Template(
            {
                "grant_type": "urn:globus:auth:grant_type:dependent_token",
                "token": "{auth_token}",
                "access_type": "offline",
            },
            media_type=FORM,
        ),
    ),
    "POST /v2/api/clients": (Template({"client": {"name": "t", "template_id": "{client_id}"}}),),
    "POST /v0.10/transfer": (
        Template(
            {
                "DATA_TYPE": "transfer",
                # From the share (the endpoint's /dir/) to outside it: a copy into its own
                # source would grow with every run.
                "source_endpoint": "{share_id}",
                "destination_endpoint": "{endpoint_id}",
                "sync_level": "checksum",
                "preserve_timestamp": True,
                "encrypt_data": False,
                "skip_source_errors": True,
                "fail_on_quota_errors": True,
                "delete_destination_extra": True,
                "recursive_symlinks": "ignore",
                "notify_on_succeeded": False,
                "DATA": [
                    {
                        "DATA_TYPE": "transfer_item",
                        "source_path": "/",
                        "destination_path": "/copy/",
                        "recursive": True,
                        "external_checksum": "d41d8cd98f00b204e9800998ecf8427e",
                        "checksum_algorithm": "MD5",
                    }
                ],
            }
        ),
    ),
    "POST /v2/groups/{group_id}": (
        Template(
            {
                "change_role": [{"identity_id": "{other_identity_id}", "role": "manager"}],
                "remove": [{"identity_id": "{third_identity_id}"}],
                "approve": [{"identity_id": "{fourth_identity_id}", "status_reason": "ok"}],
            }
        ),
        Template({"join": [{"identity_id": "{identity_id}"}]}),
    ),
    "POST /v1/index/{index_id}/search": (
        Template(
            {
                "q": "*",
                "filters": [
                    {
                        "type": "and",
                        "filters": [
                            {
                                "type": "range",
                                "field_name": "content.a",
                                "values": [{"from": 0, "to": 9}],
                            },
                            {
                                "type": "not",
                                "filter": {"type": "exists", "field_name": "content.z"},
                            },
                            {"type": "like", "field_name": "content.t", "value": "x*"},
                        ],
                    }
                ],
                "facets": [
                    {
                        "type": "numeric_histogram",
                        "field_name": "content.a",
                        "size": 4,
                        "histogram_range": {"low": 0, "high": 8},
                    },
                    {
                        "type": "date_histogram",
                        "field_name": "content.d",
                        "date_interval": "month",
                        "histogram_range": {"low": "2020-01-01", "high": "2021-01-01"},
                    },
                    {"type": "avg", "field_name": "content.a", "missing": 0},
                ],
                "post_facet_filters": [
                    {"type": "match_all", "field_name": "content.t", "values": ["x"]}
                ],
                "bypass_visible_to": False,
                "result_format_version": "2019-08-27",
            }
        ),
    ),
    "POST /v2/timer": (
        Template(
            {
                "timer": {
                    "timer_type": "transfer",
                    "schedule": {
                        "type": "recurring",
                        "interval_seconds": 86400,
                        "start": "{later}",
                        "end": {"condition": "iterations", "count": 2},
                    },
                    "body": _TIMER_TRANSFER,
                }
            }
        ),
    ),
    f"POST {_GCS}/storage_gateways": (
        Template(
            {
                "DATA_TYPE": "storage_gateway#1.2.0",
                "display_name": "bucket",
                "connector_id": S3,
                "allowed_domains": ["example.org"],
                "policies": {
                    "DATA_TYPE": "s3_storage_policies#1.0.0",
                    "s3_endpoint": "http://127.0.0.1:9",
                    "s3_buckets": ["bucket"],
                    "s3_user_credential_required": True,
                },
            }
        ),
    ),
    f"POST {_GCS}/collections": (Template(_GUEST),),
}

# Actions: every provider's input, each case starting a fresh action ("{fresh}" becomes a
# new request_id), and its other operations on the action the seed started with it.
_TRANSFER_TASK = {
    "source_endpoint_id": "{endpoint_id}",
    "destination_endpoint_id": "{endpoint_id}",
    "transfer_items": [
        {"source_path": "/file.txt", "destination_path": "/dir/a.txt", "recursive": False}
    ],
    "label": "action",
    "sync_level": 1,
    "verify_checksum": True,
    "deadline": "{soon}",
}
_DELETE_TASK = {
    "endpoint_id": "{endpoint_id}",
    "items": ["/dir/absent.txt"],
    "ignore_missing": True,
}
_LS = {
    "endpoint_id": "{endpoint_id}",
    "path": "/dir/",
    "show_hidden": True,
    "filter": "type:file",
    "orderby": "name ASC",
    "limit": 10,
    "offset": 0,
}
_MKDIR = {"endpoint_id": "{endpoint_id}", "path": "/dir/made"}
# On the share, with a rule of the actions' own (the Transfer run keeps the seed's).
_PERMISSION = (
    {
        "endpoint_id": "{share_id}",
        "operation": "CREATE",
        "path": "/sub/",
        "principal_type": "identity",
        "principal": "{other_identity_id}",
        "permissions": "r",
        "expiration_date": "{soon}",
    },
    {
        "endpoint_id": "{share_id}",
        "operation": "UPDATE",
        "rule_id": "{action_rule_id}",
        "permissions": "rw",
    },
)
_INFO = {"endpoint_id": "{endpoint_id}"}
PROVIDER_INPUTS: dict[str, tuple[dict[str, t.Any], ...]] = {
    # Asleep for an hour: the seed's is still running when cancelled.
    "actions.globus.org/hello_world": ({"echo_string": "hi", "sleep_time": 3600},),
    "actions.globus.org/transfer/transfer": (_TRANSFER_TASK,),
    "actions.globus.org/transfer/delete": (_DELETE_TASK,),
    "actions.globus.org/transfer/ls": (_LS,),
    "actions.globus.org/transfer/mkdir": (_MKDIR,),
    "actions.globus.org/transfer/set_permission": _PERMISSION,
    "actions.globus.org/transfer/collection_info": (_INFO,),
    "transfer.actions.globus.org/transfer": (_TRANSFER_TASK,),
    "transfer.actions.globus.org/delete": (_DELETE_TASK,),
    "transfer.actions.globus.org/ls": (_LS,),
    "transfer.actions.globus.org/stat": ({"endpoint_id": "{endpoint_id}", "path": "/file.txt"},),
    "transfer.actions.globus.org/mkdir": (_MKDIR,),
    "transfer.actions.globus.org/manage_permission": _PERMISSION,
    "transfer.actions.globus.org/collection_info": (_INFO,),
    "actions.globus.org/search/ingest": (
        {
            "search_index": "{index_id}",
            "subject": "s3",
            "id": None,
            "visible_to": ["public"],
            "content": {"a": 2},
        },
    ),
    "actions.globus.org/search/delete": (
        {"delete_by": "subject", "search_index": "{index_id}", "subject": "none"},
        {"delete_by": "entry", "search_index": "{index_id}", "subject": "none", "entry_id": None},
    ),
    "actions.globus.org/notification/notify": (
        {
            "destination": ["a@example.org"],
            "sender": "flows@example.org",
            "subject": "s",
            "body_template": "Hello $name",
            "body_mimetype": "text/plain",
            "body_variables": {"name": "x"},
            "notification_method": "email",
            "notification_priority": "low",
        },
        {
            "destination": "a@example.org",
            "body_template": "Hi",
            # Nothing listens there: the refusal is the action's failure.
            "send_credentials": [
                {
                    "credential_type": "smtp",
                    "credential_value": {"hostname": "127.0.0.1", "port": 9, "use_ssl": False},
                }
            ],
        },
    ),
    "actions.globus.org/expression_eval": (
        {"expression": "x + 1", "arguments": {"x": 1}, "result_path": "out"},
        {"expressions": [{"expression": "a * 2", "arguments": {"a": 3}, "result_path": "r"}]},
    ),
}


def _action_request(body: dict[str, t.Any]) -> Template:
    return Template(
        {
            "request_id": "{fresh}",
            "body": body,
            "label": "schemathesis",
            "monitor_by": [_OTHER],
            "manage_by": [_IDENTITY],
            "allowed_clients": [],
            "deadline": "{soon}",
            "release_after": "P30D",
            "tags": ["t"],
        }
    )


def _add_action_templates() -> None:
    for key, inputs in PROVIDER_INPUTS.items():
        first, *more = (_action_request(body) for body in inputs)
        for label in (f"POST /{key}/run", f"POST /{key}/actions"):
            TEMPLATES[label] = first
            MORE_TEMPLATES[label] = tuple(more)
        TEMPLATES[f"GET /{key}/actions"] = Template(
            query={"status": "active,succeeded,failed", "roles": "creator_id,manage_by"}
        )
        for label in (f"GET /{key}/{{action_id}}/log", f"GET /{key}/actions/{{action_id}}/log"):
            TEMPLATES[label] = Template(query={"limit": "5", "reverse_order": "true"})


_add_action_templates()

# The values validation most often trips on: integers past SQL's, empty and very long text,
# NUL, digits int() cannot read, look-alike dates and paths. (No lone surrogate:
# schemathesis cannot validate a body holding one before sending it.)
_EDGE_VALUES = [
    "",
    " ",
    "\x00",
    "x" * 5000,
    "../../etc",
    "2024-13-45T25:61:00",
    "-1",
    "\u00b2",  # a digit to str.isdigit, not to int()
    "\u0661\u0662",  # Arabic-Indic digits, which int() reads
    2**31,
    2**63,
    -(2**63) - 1,
    10**40,
    -1,
    0,
    1e308,
    True,
]
_LEAVES = st.one_of(
    st.sampled_from(_EDGE_VALUES),
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
)
JSON_VALUES = st.recursive(
    _LEAVES,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)
# What a corrupted JSON value becomes: an edge value half the time, else any JSON.
CORRUPTIONS = st.one_of(st.sampled_from(_EDGE_VALUES), JSON_VALUES)
# Query and form values are text: no surrogates, which no URL can carry.
_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=30)
TEXT_VALUES = st.one_of(
    st.sampled_from(
        ["", " ", "\x00", "x" * 5000, "-1", "1e3", str(2**63), "true", ",", "\u00b2", "\u0661"]
    ),
    st.integers().map(str),
    _TEXT,
    st.lists(_TEXT, min_size=2, max_size=3),  # a repeated parameter
)
_DROP = object()


def _paths(value: t.Any, prefix: tuple[t.Any, ...] = ()) -> list[tuple[t.Any, ...]]:
    """Every place in a JSON document a value sits, the whole document first."""
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


def _replace(value: t.Any, path: tuple[t.Any, ...], new: t.Any) -> t.Any:
    """``value`` with the item at ``path`` replaced by ``new`` (left out when _DROP; the
    whole document left out is a JSON null)."""
    if not path:
        return None if new is _DROP else new
    return _replace_in(value, path, new)


def _replace_in(value: t.Any, path: tuple[t.Any, ...], new: t.Any) -> t.Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        out = {k: v for k, v in value.items() if k != head}
        child = _replace_in(value[head], rest, new)
        if child is not _DROP:
            out[head] = child
        return {k: out[k] for k in value if k in out}
    items = list(value)
    child = _replace_in(items[head], rest, new)
    if child is _DROP:
        del items[head]
    else:
        items[head] = child
    return items


def corrupted(
    document: t.Any, values: st.SearchStrategy[t.Any], *, whole: bool = True
) -> st.SearchStrategy[t.Any]:
    """``document`` as it is, or with one of its values replaced by one of ``values`` or
    left out; with ``whole`` False the document itself stays a mapping (a query, a form)."""
    places = _paths(document)[0 if whole else 1 :]
    return st.one_of(
        st.just(document),
        st.tuples(st.sampled_from(places), st.one_of(values, st.just(_DROP))).map(
            lambda change: _replace(document, *change)
        ),
    )


def _fill(value: t.Any, ids: dict[str, str]) -> t.Any:
    """A template with its ``{name}`` placeholders (keys included) set from ``ids``."""
    if isinstance(value, str):
        return value.format_map(ids)
    if isinstance(value, dict):
        return {_fill(k, ids): _fill(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    return value


# What "{fresh}" is filled with, and each case then sends a new id in its place.
FRESH = "fresh-request-id"


def _freshened(value: t.Any) -> t.Any:
    """``value`` with every ``FRESH`` made a new id: each case starts an action of its own
    rather than meeting the one an earlier case started with the same request_id."""
    if value == FRESH:
        return str(uuid.uuid4())
    if isinstance(value, dict):
        return {k: _freshened(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_freshened(v) for v in value]
    return value


def _provider_key(path: str) -> str:
    """The Actions provider an operation's path belongs to (the longest key it starts with)."""
    inside = path.lstrip("/")
    return max((k for k in PROVIDERS if inside == k or inside.startswith(k + "/")), key=len)


def _resource_servers(service: str, path: str, ids: dict[str, str]) -> list[str]:
    """The resource servers whose tokens an operation is sent with, one drawn per case:
    Flows also takes the flow's own token (starting a run needs it), a provider its
    scope's, a GCS endpoint its own."""
    if service == "flows":
        return [FLOWS_RS, *([ids["flow_id"]] if "flow_id" in ids else [])]
    if service == "actions":
        return [BUILTIN_SCOPES[PROVIDERS[_provider_key(path)].scope].resource_server]
    if service == "gcs":
        return [ids["gcs_endpoint_id"]]
    return [RESOURCE_SERVERS[service]]


@dataclass
class Seed:
    """The test user's tokens and client, and the ids of the things it owns."""

    tokens: dict[str, str]
    client_basic: str
    ids: dict[str, str]

    def headers(self, service: str, path: str) -> list[dict[str, str]]:
        """The Authorization headers to draw from: Auth also takes client credentials."""
        bearers = [
            {"Authorization": f"Bearer {self.tokens[rs]}"}
            for rs in _resource_servers(service, path, self.ids)
        ]
        if service == "auth":
            return [*bearers, {"Authorization": f"Basic {self.client_basic}"}]
        return bearers


def _tokens(server: LocalServer, username: str, scopes: t.Sequence[str]) -> dict[str, str]:
    response = server.token(username, scopes)
    return {d["resource_server"]: d["access_token"] for d in [response, *response["other_tokens"]]}


def _identity_id(server: LocalServer, prefix: str) -> str:
    return str(server.create_user(f"{prefix}-{secrets.token_hex(4)}@example.org")["id"])


Call = t.Callable[..., dict[str, t.Any]]


def _caller(server: LocalServer, tokens: dict[str, str], ids: dict[str, str]) -> Call:
    """``call(service, method, path, body=None, rs=None)``: a request as the test user with
    its token for ``rs`` (by default the service's), which must succeed; its JSON document."""

    def call(
        service: str, method: str, path: str, body: t.Any = None, rs: str | None = None
    ) -> dict[str, t.Any]:
        token = tokens[rs or _resource_servers(service, "/" + path, ids)[0]]
        url = server.service_url(service) + path
        response = requests.request(
            method,
            url,
            headers={"Authorization": f"Bearer {token}"},
            json=body,
            timeout=REQUEST_TIMEOUT,
        )
        assert response.status_code < 300, response.text
        return t.cast(dict[str, t.Any], response.json())

    return call


def _seed_transfer(call: Call, ids: dict[str, str]) -> None:
    endpoint_id = ids["endpoint_id"]
    ids["submission_id"] = call("transfer", "GET", "v0.10/submission_id")["value"]
    submission = _fill(TEMPLATES["POST /v0.10/transfer"].body, ids)
    ids["task_id"] = call("transfer", "POST", "v0.10/transfer", submission)["task_id"]
    ids["bookmark_id"] = call(
        "transfer", "POST", "v0.10/bookmark", _fill(TEMPLATES["POST /v0.10/bookmark"].body, ids)
    )["id"]
    endpoint = f"v0.10/endpoint/{endpoint_id}"
    ids["server_id"] = str(call("transfer", "POST", f"{endpoint}/server", {"hostname": "h"})["id"])
    role = {
        "principal_type": "identity",
        "principal": ids["identity_id"],
        "role": "activity_monitor",
    }
    ids["role_id"] = call("transfer", "POST", f"{endpoint}/role", role)["id"]
    ids["rule_id"] = call(
        "transfer",
        "POST",
        "v0.10/endpoint_manager/pause_rule",
        {"endpoint_id": endpoint_id, "message": "m", **_PAUSE_FLAGS},
    )["id"]
    share = _fill(TEMPLATES["POST /v0.10/shared_endpoint"].body, ids)
    ids["share_id"] = call("transfer", "POST", "v0.10/shared_endpoint", share)["id"]
    rule = _fill(TEMPLATES["POST /v0.10/endpoint/{endpoint_id}/access"].body, ids)
    access = f"v0.10/endpoint/{ids['share_id']}/access"
    ids["access_rule_id"] = str(call("transfer", "POST", access, rule)["access_id"])
    # The permission actions change a rule of their own.
    rule = {**rule, "path": "/actions/"}
    ids["action_rule_id"] = str(call("transfer", "POST", access, rule)["access_id"])


def _seed_auth_groups_search(call: Call, ids: dict[str, str]) -> None:
    # A client of the user's own, for the client management routes: their corruptions would
    # otherwise leave the portal, whose credentials the other Auth requests carry, unusable.
    managed = {"client": {"name": "managed", "redirect_uris": ["https://app.example.org/m"]}}
    ids["managed_client_id"] = call("auth", "POST", "v2/api/clients", managed)["client"]["id"]
    ids["group_id"] = call("groups", "POST", "v2/groups", {"name": "schemathesis"})["id"]
    index = {"display_name": "schemathesis", "description": "d"}
    ids["index_id"] = index_id = call("search", "POST", "v1/index", index)["id"]
    ingest = {"ingest_type": "GMetaEntry", "ingest_data": {**_ENTRY, "subject": "s"}}
    ingested = call("search", "POST", f"v1/index/{index_id}/ingest", ingest)
    roles = call("search", "GET", f"v1/index/{index_id}/role_list")["role_list"]
    ids["search_task_id"], ids["search_role_id"] = ingested["task_id"], roles[0]["id"]


def _seed_flows(server: LocalServer, call: Call, ids: dict[str, str], tokens: dict) -> None:
    """The user's flow, a token for its scope, a run of it (waiting a day) and three
    cancelled ones (for the three ways to release a run)."""
    flow = call("flows", "POST", "flows", _fill(TEMPLATES["POST /flows"].body, ids))
    ids["flow_id"] = flow["id"]
    tokens.update(_tokens(server, ids["username"], [flow["globus_auth_scope"]]))
    run = _fill(TEMPLATES["POST /flows/{flow_id}/run"].body, ids)
    for name in ("run_id", "ended_run_1", "ended_run_2", "ended_run_3"):
        ids[name] = call("flows", "POST", f"flows/{flow['id']}/run", run, rs=flow["id"])["run_id"]
        if name.startswith("ended"):
            call("flows", "POST", f"runs/{ids[name]}/cancel")


def _seed_actions(server: LocalServer, call: Call, ids: dict[str, str], root: Path) -> None:
    """Two actions of each provider, ``action <provider key>`` and ``spare action <key>``
    (for the second of the two ways to release one). They act on an endpoint whose tasks a
    pause rule holds, so the Transfer providers' actions are still running when cancelled."""
    from globus_local.services.transfer.admin import create_endpoint

    (root / "file.txt").write_bytes(b"abcd")
    (root / "dir").mkdir()
    paused = create_endpoint(server.db, ids["username"], "paused", str(root))["id"]
    flags = {**_PAUSE_FLAGS, "pause_task_transfer_read": True, "pause_task_delete": True}
    rule = {"endpoint_id": paused, "message": "held", **flags}
    call("transfer", "POST", "v0.10/endpoint_manager/pause_rule", rule)
    for key, inputs in PROVIDER_INPUTS.items():
        for name in (f"action {key}", f"spare action {key}"):
            body = _fill(_action_request(inputs[0]).body, {**ids, "endpoint_id": paused})
            ids[name] = call("actions", "POST", f"{key}/run", _freshened(body))["action_id"]


def _seed_timer(call: Call, ids: dict[str, str]) -> None:
    ids["job_id"] = call("timer", "POST", "v2/timer", _fill(TEMPLATES["POST /v2/timer"].body, ids))[
        "timer"
    ]["job_id"]


def _seed_gcs(
    server: LocalServer, call: Call, ids: dict[str, str], tokens: dict, root: Path
) -> None:
    """A GCS endpoint of the user's, with two POSIX gateways (one for changes to go to), a
    user credential, a mapped collection, a guest collection on it and a role."""
    from globus_local.services.gcs.admin import create_gcs_endpoint

    endpoint = create_gcs_endpoint(
        server.db,
        ids["username"],
        "schemathesis",
        manager_root=server.settings.gcs_manager_root,
        storage_dir=str(root),
    )
    ids["gcs_endpoint_id"] = gcs_id = endpoint["id"]
    (root / gcs_id / "rw").mkdir()
    tokens.update(
        _tokens(server, ids["username"], [f"urn:globus:auth:scope:{gcs_id}:manage_collections"])
    )
    api = f"{gcs_id}/api/"

    def create(what: str, document: dict[str, t.Any]) -> str:
        return str(call("gcs", "POST", api + what, _fill(document, ids))["data"][0]["id"])

    ids["gateway_id"] = create("storage_gateways", _GATEWAY)
    ids["spare_gateway_id"] = create("storage_gateways", {**_GATEWAY, "display_name": "spare"})
    ids["credential_id"] = create("user_credentials", _CREDENTIAL)
    ids["collection_id"] = create("collections", _MAPPED)
    ids["guest_collection_id"] = create("collections", _GUEST)
    # On the endpoint: a collection's roles go with it, and collections are deleted first.
    role = {k: v for k, v in TEMPLATES[f"POST {_GCS}/roles"].body.items() if k != "collection"}
    ids["gcs_role_id"] = create("roles", role)


@pytest.fixture(scope="module")
def seed(platform_server: LocalServer, tmp_path_factory: pytest.TempPathFactory) -> Seed:
    """A fresh user owning one of each kind of thing, made through the admin API and HTTP."""
    from globus_local.services.transfer.admin import create_endpoint

    server = platform_server
    username = f"schemathesis-{secrets.token_hex(4)}@example.org"
    identity_id = str(server.create_user(username)["id"])
    tokens = _tokens(server, username, SCOPES)
    client = server.create_client(
        "confidential", "schemathesis portal", ["https://app.example.org/callback"]
    )
    basic = base64.b64encode(f"{client['client_id']}:{client['client_secret']}".encode())
    root = tmp_path_factory.mktemp("schemathesis-endpoint")
    (root / "file.txt").write_bytes(b"abcd")
    (root / "dir").mkdir()
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    ids = {
        "username": username,
        "identity_id": identity_id,
        "other_identity_id": _identity_id(server, "other"),
        "third_identity_id": _identity_id(server, "third"),
        "fourth_identity_id": _identity_id(server, "fourth"),
        "client_id": str(client["client_id"]),
        "auth_token": tokens[RESOURCE_SERVERS["auth"]],
        "spare_token": server.token(username, ["openid"])["access_token"],
        "endpoint_id": create_endpoint(server.db, username, "schemathesis", str(root))["id"],
        "fresh": FRESH,
        "soon": (now + dt.timedelta(days=1)).isoformat(),  # within an action's deadline
        "later": (now + dt.timedelta(days=200)).isoformat(),  # within a timer's first year
    }
    call = _caller(server, tokens, ids)
    _seed_transfer(call, ids)
    _seed_auth_groups_search(call, ids)
    _seed_flows(server, call, ids, tokens)
    _seed_actions(server, call, ids, tmp_path_factory.mktemp("schemathesis-paused"))
    _seed_timer(call, ids)
    _seed_gcs(server, call, ids, tokens, tmp_path_factory.mktemp("schemathesis-gcs"))
    return Seed(tokens, basic.decode(), {k: str(v) for k, v in ids.items()})


# Path parameters whose id is not the seed's of the same name: named alike in two services,
# or (Auth's client_id) a client apart from the one whose credentials the requests carry.
_SERVICE_PATH_IDS = {
    "auth": {"client_id": "managed_client_id"},
    "search": {"task_id": "search_task_id", "role_id": "search_role_id"},
    "gcs": {"endpoint_id": "gcs_endpoint_id", "role_id": "gcs_role_id"},
}


def _path_ids(service: str, operation: t.Any, seed: Seed) -> dict[str, str]:
    """Ids the user owns for the operation's path parameters."""
    renames = _SERVICE_PATH_IDS.get(service, {})
    if service == "actions":  # each provider its own action; DELETE releases the spare
        spare = "spare " if operation.method.upper() == "DELETE" else ""
        renames = {"action_id": f"{spare}action {_provider_key(operation.path)}"}
    template = TEMPLATES.get(operation.label)
    chosen: dict[str, str] = {}
    for parameter in operation.path_parameters:
        name = parameter.name
        if template is not None and template.path and name in template.path:
            chosen[name] = _fill(template.path[name], seed.ids)
        elif renames.get(name, name) in seed.ids:
            chosen[name] = seed.ids[renames.get(name, name)]
    return chosen


def _with_template(case: t.Any, template: Template, body: t.Any, query: t.Any) -> t.Any:
    if template.body is not None:
        case.body = _freshened(body)
        case.media_type = template.media_type
    if template.query is not None:
        case.query = {**(case.query or {}), **query}
    return case


def _templated(
    operation: t.Any, template: Template, path_ids: dict[str, str], ids: dict[str, str]
) -> st.SearchStrategy[t.Any]:
    """Cases of ``template``, one of its values corrupted."""
    form = template.media_type == FORM
    body = _fill(template.body, ids)
    query = _fill(template.query, ids) or {}
    return st.builds(
        lambda case, b, q: _with_template(case, template, b, q),
        operation.as_strategy(path_parameters=path_ids),
        corrupted(body, TEXT_VALUES if form else CORRUPTIONS, whole=not form)
        if template.body is not None
        else st.none(),
        corrupted(query, TEXT_VALUES, whole=False) if template.query is not None else st.none(),
    )


def cases(service: str, operation: t.Any, seed: Seed) -> st.SearchStrategy[t.Any]:
    """Schemathesis's cases; with the user's ids in the path; and, for an operation with
    templates, each template with one value corrupted."""
    path_ids = _path_ids(service, operation, seed)
    strategies = [operation.as_strategy()]
    if path_ids:
        strategies.append(operation.as_strategy(path_parameters=path_ids))
    first = TEMPLATES.get(operation.label)
    templated = [
        _templated(operation, template, path_ids, seed.ids)
        for template in (*([first] if first else []), *MORE_TEMPLATES.get(operation.label, ()))
        if template.body is not None or template.query is not None
    ]
    if templated:  # where a template reaches deeper, two cases in three come from it
        strategies = [st.one_of(strategies), st.one_of(templated), st.one_of(templated)]
    return st.one_of(strategies)


def _run_order(operation: t.Any) -> tuple[bool, int]:
    """DELETEs and releases (a released run or action is gone) last, deepest first: a
    deleted parent would leave the operations after it only 404s."""
    gone = operation.method.upper() == "DELETE" or operation.path.endswith("/release")
    return gone, -operation.path.count("/")


def _examples(service: str, operation: t.Any) -> int:
    if service in HALVED:
        return max(1, MAX_EXAMPLES // 2)
    if service != "actions":
        return MAX_EXAMPLES
    starts = operation.method.upper() == "POST" and operation.path.endswith(("/run", "/actions"))
    return ACTION_START_EXAMPLES if starts else ACTION_EXAMPLES


def endpoint_reported(response: requests.Response) -> bool:
    """A 502 with an ``ExternalError.*`` code is how Globus Transfer reports the endpoint's
    own refusal (mkdir of an existing path, ls of a file): the API's shape, not a crash."""
    if response.status_code != 502:
        return False
    try:
        code = response.json().get("code", "")
    except ValueError:
        return False
    return isinstance(code, str) and code.startswith("ExternalError.")


def explore(
    operation: t.Any,
    strategy: st.SearchStrategy[t.Any],
    headers: list[dict[str, str]],
    base_url: str,
    session: requests.Session,
    examples: int = MAX_EXAMPLES,
) -> list[str]:
    """Run the operation's cases; one report (a curl command) per 5xx status it answered."""
    reports: dict[int, str] = {}

    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,  # the same cases on every run, here and in CI
        database=None,
        phases=[Phase.explicit, Phase.generate],  # every 5xx is collected: nothing to shrink
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy, auth=st.sampled_from(headers))
    def run(case: t.Any, auth: dict[str, str]) -> None:
        response = case.call(
            base_url=base_url,
            session=session,
            headers=auth,
            timeout=REQUEST_TIMEOUT,
            allow_redirects=False,  # Auth redirects to the clients' own (unreachable) sites
        )
        if endpoint_reported(response):
            return
        try:
            case.validate_response(response, checks=[not_a_server_error], headers=auth)
        except FailureGroup:
            reports.setdefault(
                response.status_code,
                f"{operation.label} -> {response.status_code}\n"
                f"  {case.as_curl_command(headers=auth)}\n  {response.text[:300]}",
            )

    run()
    return list(reports.values())


@pytest.mark.parametrize("service", SERVICES)
def test_no_server_errors(platform_server: LocalServer, seed: Seed, service: str) -> None:
    base_url = platform_server.service_url(service).rstrip("/")
    schema = schemathesis.openapi.from_url(base_url + "/openapi.json", timeout=REQUEST_TIMEOUT)
    operations = sorted((result.ok() for result in schema.get_all_operations()), key=_run_order)
    failures: list[str] = []
    with requests.Session() as session:
        for operation in operations:
            if operation.label not in EXCLUDED:
                strategy = cases(service, operation, seed)
                headers = seed.headers(service, operation.path)
                examples = _examples(service, operation)
                failures += explore(operation, strategy, headers, base_url, session, examples)
    assert not failures, "\n".join(failures)


def test_corrupted_touches_one_place() -> None:
    """The corruption helper replaces or drops exactly the item at a path, nothing else."""
    doc = {"a": 1, "b": [{"c": 2}, 3]}
    assert _replace(doc, ("b", 0, "c"), "x") == {"a": 1, "b": [{"c": "x"}, 3]}
    assert _replace(doc, ("a",), _DROP) == {"b": [{"c": 2}, 3]}
    assert _replace(doc, ("b", 1), _DROP) == {"a": 1, "b": [{"c": 2}]}
    assert doc == {"a": 1, "b": [{"c": 2}, 3]}
    assert ("b", 0, "c") in _paths(doc)
    assert _fill({"{x}": ["{x}"]}, {"x": "1"}) == {"1": ["1"]}


def test_every_provider_has_inputs() -> None:
    """A provider added to Actions needs its input here, or its start is never reached."""
    assert set(PROVIDER_INPUTS) == set(PROVIDERS)
    assert _provider_key("/transfer.actions.globus.org/transfer/actions/x") == (
        "transfer.actions.globus.org/transfer"
    )
    assert _freshened({"a": [FRESH]}) != {"a": [FRESH]}
