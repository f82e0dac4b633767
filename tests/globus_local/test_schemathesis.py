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
import os
import secrets
import typing as t
from dataclasses import dataclass

import pytest
import requests

schemathesis = pytest.importorskip("schemathesis", reason="schemathesis is not installed")

from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.errors import FailureGroup  # noqa: E402

from globus_local.testing import LocalServer  # noqa: E402

SERVICES = ("auth", "transfer", "groups", "search")
TRANSFER_ALL = "urn:globus:auth:scope:transfer.api.globus.org:all"
GROUPS_ALL = "urn:globus:auth:scope:groups.api.globus.org:all"
SEARCH_ALL = "urn:globus:auth:scope:search.api.globus.org:all"
# The resource server whose token each service takes.
RESOURCE_SERVERS = {
    "auth": "auth.globus.org",
    "transfer": "transfer.api.globus.org",
    "groups": "groups.api.globus.org",
    "search": "search.api.globus.org",
}
# Examples per operation: the whole run stays within a couple of minutes per database on
# two cores. GLOBUS_LOCAL_SCHEMATHESIS_EXAMPLES raises it for a deeper hunt (run that with
# pytest --timeout=0: the per-test limit is sized for the default).
MAX_EXAMPLES = int(os.environ.get("GLOBUS_LOCAL_SCHEMATHESIS_EXAMPLES", "80"))
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
}

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


@dataclass
class Seed:
    """The test user's tokens and client, and the ids of the things it owns."""

    tokens: dict[str, str]
    client_basic: str
    ids: dict[str, str]

    def headers(self, service: str) -> list[dict[str, str]]:
        """The Authorization headers to draw from: Auth also takes client credentials."""
        bearer = {"Authorization": f"Bearer {self.tokens[RESOURCE_SERVERS[service]]}"}
        if service == "auth":
            return [bearer, {"Authorization": f"Basic {self.client_basic}"}]
        return [bearer]


def _tokens(server: LocalServer, username: str) -> dict[str, str]:
    scopes = ["openid", "profile", "email", TRANSFER_ALL, GROUPS_ALL, SEARCH_ALL]
    response = server.token(username, scopes)
    return {d["resource_server"]: d["access_token"] for d in [response, *response["other_tokens"]]}


def _identity_id(server: LocalServer, prefix: str) -> str:
    return str(server.create_user(f"{prefix}-{secrets.token_hex(4)}@example.org")["id"])


@pytest.fixture(scope="module")
def seed(platform_server: LocalServer, tmp_path_factory: pytest.TempPathFactory) -> Seed:
    """A fresh user owning one of each kind of thing, made through the admin API and HTTP."""
    from globus_local.services.transfer.admin import create_endpoint

    server = platform_server
    username = f"schemathesis-{secrets.token_hex(4)}@example.org"
    identity_id = str(server.create_user(username)["id"])
    tokens = _tokens(server, username)
    client = server.create_client(
        "confidential", "schemathesis portal", ["https://app.example.org/callback"]
    )
    basic = base64.b64encode(f"{client['client_id']}:{client['client_secret']}".encode())
    root = tmp_path_factory.mktemp("schemathesis-endpoint")
    (root / "file.txt").write_bytes(b"abcd")
    (root / "dir").mkdir()
    endpoint_id = create_endpoint(server.db, username, "schemathesis", str(root))["id"]

    def call(service: str, method: str, path: str, body: t.Any = None) -> dict[str, t.Any]:
        headers = {"Authorization": f"Bearer {tokens[RESOURCE_SERVERS[service]]}"}
        url = server.service_url(service) + path
        response = requests.request(
            method, url, headers=headers, json=body, timeout=REQUEST_TIMEOUT
        )
        assert response.status_code < 300, response.text
        return t.cast(dict[str, t.Any], response.json())

    ids = {
        "username": username,
        "identity_id": identity_id,
        "other_identity_id": _identity_id(server, "other"),
        "third_identity_id": _identity_id(server, "third"),
        "fourth_identity_id": _identity_id(server, "fourth"),
        "client_id": str(client["client_id"]),
        "auth_token": tokens[RESOURCE_SERVERS["auth"]],
        "spare_token": server.token(username, ["openid"])["access_token"],
        "endpoint_id": endpoint_id,
        "submission_id": call("transfer", "GET", "v0.10/submission_id")["value"],
    }
    submission = _fill(TEMPLATES["POST /v0.10/transfer"].body, ids)
    ids["task_id"] = call("transfer", "POST", "v0.10/transfer", submission)["task_id"]
    ids["bookmark_id"] = call(
        "transfer", "POST", "v0.10/bookmark", _fill(TEMPLATES["POST /v0.10/bookmark"].body, ids)
    )["id"]
    endpoint = f"v0.10/endpoint/{endpoint_id}"
    ids["server_id"] = str(call("transfer", "POST", f"{endpoint}/server", {"hostname": "h"})["id"])
    role = {"principal_type": "identity", "principal": identity_id, "role": "activity_monitor"}
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
    ids["access_rule_id"] = str(
        call("transfer", "POST", f"v0.10/endpoint/{ids['share_id']}/access", rule)["access_id"]
    )
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
    return Seed(tokens, basic.decode(), {k: str(v) for k, v in ids.items()})


# Path parameters whose id is not the seed's of the same name: named alike in two services,
# or (Auth's client_id) a client apart from the one whose credentials the requests carry.
_SERVICE_PATH_IDS = {
    "auth": {"client_id": "managed_client_id"},
    "search": {"task_id": "search_task_id", "role_id": "search_role_id"},
}


def _path_ids(service: str, operation: t.Any, seed: Seed) -> dict[str, str]:
    """Ids the user owns for the operation's path parameters."""
    renames = _SERVICE_PATH_IDS.get(service, {})
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
        case.body = body
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
    """DELETEs last, deepest first: a deleted parent would leave the operations after it
    only 404s."""
    return operation.method.upper() == "DELETE", -operation.path.count("/")


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
) -> list[str]:
    """Run the operation's cases; one report (a curl command) per 5xx status it answered."""
    reports: dict[int, str] = {}

    @settings(
        max_examples=MAX_EXAMPLES,
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
                failures += explore(operation, strategy, seed.headers(service), base_url, session)
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
