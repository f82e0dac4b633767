"""Every TransferClient method: the verb, path, query string and body it sends."""

from __future__ import annotations

import datetime
import typing as t
import uuid
from dataclasses import dataclass, field

import pytest

import globus_sdk
from globus_sdk.response import GlobusHTTPResponse
from globus_sdk.services.transfer.response import (
    ActivationRequirementsResponse,
    IterableTransferResponse,
)
from tests.globus_sdk.services.transfer.conftest import PREFIX
from tests.support.http_stub import HTTPStub

EP = "aa752cea-8222-5bc8-acd9-555b090c0ccb"
EP_UUID = uuid.UUID("bb752cea-8222-5bc8-acd9-555b090c0ccb")
TASK = "42277910-0c18-11ec-ba76-138ac5bdb19f"


@dataclass
class Case:
    call: t.Callable[[globus_sdk.TransferClient], t.Any]
    method: str
    path: str
    query: dict[str, list[str]] = field(default_factory=dict)
    body: t.Any = None  # None: no body expected
    returns: type[GlobusHTTPResponse] = GlobusHTTPResponse


CASES: dict[str, Case] = {
    # endpoints
    "get_endpoint": Case(lambda tc: tc.get_endpoint(EP), "GET", f"/endpoint/{EP}"),
    "get_endpoint__uuid_qp": Case(
        lambda tc: tc.get_endpoint(EP_UUID, query_params={"fields": "id"}),
        "GET",
        f"/endpoint/{EP_UUID}",
        {"fields": ["id"]},
    ),
    "update_endpoint": Case(
        lambda tc: tc.update_endpoint(EP, {"display_name": "new"}),
        "PUT",
        f"/endpoint/{EP}",
        body={"display_name": "new"},
    ),
    "update_endpoint__myproxy_clears_oauth": Case(
        lambda tc: tc.update_endpoint(EP, {"myproxy_server": "mp.example.org"}),
        "PUT",
        f"/endpoint/{EP}",
        body={"myproxy_server": "mp.example.org", "oauth_server": None},
    ),
    "update_endpoint__oauth_clears_myproxy": Case(
        lambda tc: tc.update_endpoint(EP, {"oauth_server": "oa.example.org"}),
        "PUT",
        f"/endpoint/{EP}",
        body={"oauth_server": "oa.example.org", "myproxy_server": None},
    ),
    "create_endpoint": Case(
        lambda tc: tc.create_endpoint({"DATA_TYPE": "endpoint", "display_name": "x"}),
        "POST",
        "/endpoint",
        body={"DATA_TYPE": "endpoint", "display_name": "x"},
    ),
    "delete_endpoint": Case(lambda tc: tc.delete_endpoint(EP), "DELETE", f"/endpoint/{EP}"),
    "endpoint_search": Case(
        lambda tc: tc.endpoint_search(
            "tutorial",
            filter_scope="my-endpoints",
            filter_owner_id="owner-1",
            filter_host_endpoint=EP_UUID,
            filter_non_functional=False,
            limit=10,
            offset=20,
            query_params={"fields": "id"},
        ),
        "GET",
        "/endpoint_search",
        {
            "filter_fulltext": ["tutorial"],
            "filter_scope": ["my-endpoints"],
            "filter_owner_id": ["owner-1"],
            "filter_host_endpoint": [str(EP_UUID)],
            "filter_non_functional": ["0"],
            "limit": ["10"],
            "offset": ["20"],
            "fields": ["id"],
        },
        returns=IterableTransferResponse,
    ),
    "endpoint_search__minimal": Case(
        lambda tc: tc.endpoint_search(filter_scope="in-use", filter_non_functional=True),
        "GET",
        "/endpoint_search",
        {"filter_scope": ["in-use"], "filter_non_functional": ["1"]},
        returns=IterableTransferResponse,
    ),
    "endpoint_autoactivate": Case(
        lambda tc: tc.endpoint_autoactivate(EP, if_expires_in=60),
        "POST",
        f"/endpoint/{EP}/autoactivate",
        {"if_expires_in": ["60"]},
    ),
    "endpoint_autoactivate__plain": Case(
        lambda tc: tc.endpoint_autoactivate(EP), "POST", f"/endpoint/{EP}/autoactivate"
    ),
    "endpoint_deactivate": Case(
        lambda tc: tc.endpoint_deactivate(EP), "POST", f"/endpoint/{EP}/deactivate"
    ),
    "endpoint_activate": Case(
        lambda tc: tc.endpoint_activate(EP, requirements_data={"DATA": [{"type": "myproxy"}]}),
        "POST",
        f"/endpoint/{EP}/activate",
        body={"DATA": [{"type": "myproxy"}]},
    ),
    "endpoint_get_activation_requirements": Case(
        lambda tc: tc.endpoint_get_activation_requirements(EP),
        "GET",
        f"/endpoint/{EP}/activation_requirements",
        returns=ActivationRequirementsResponse,
    ),
    "my_effective_pause_rule_list": Case(
        lambda tc: tc.my_effective_pause_rule_list(EP),
        "GET",
        f"/endpoint/{EP}/my_effective_pause_rule_list",
        returns=IterableTransferResponse,
    ),
    # shares
    "my_shared_endpoint_list": Case(
        lambda tc: tc.my_shared_endpoint_list(EP),
        "GET",
        f"/endpoint/{EP}/my_shared_endpoint_list",
        returns=IterableTransferResponse,
    ),
    "get_shared_endpoint_list": Case(
        lambda tc: tc.get_shared_endpoint_list(EP, max_results=5, next_token="tok1"),
        "GET",
        f"/endpoint/{EP}/shared_endpoint_list",
        {"max_results": ["5"], "next_token": ["tok1"]},
        returns=IterableTransferResponse,
    ),
    "create_shared_endpoint": Case(
        lambda tc: tc.create_shared_endpoint(
            {"DATA_TYPE": "shared_endpoint", "host_endpoint": EP, "host_path": "/s/"}
        ),
        "POST",
        "/shared_endpoint",
        body={"DATA_TYPE": "shared_endpoint", "host_endpoint": EP, "host_path": "/s/"},
    ),
    # servers
    "endpoint_server_list": Case(
        lambda tc: tc.endpoint_server_list(EP),
        "GET",
        f"/endpoint/{EP}/server_list",
        returns=IterableTransferResponse,
    ),
    "get_endpoint_server": Case(
        lambda tc: tc.get_endpoint_server(EP, 985), "GET", f"/endpoint/{EP}/server/985"
    ),
    "add_endpoint_server": Case(
        lambda tc: tc.add_endpoint_server(EP, {"DATA_TYPE": "server", "hostname": "h"}),
        "POST",
        f"/endpoint/{EP}/server",
        body={"DATA_TYPE": "server", "hostname": "h"},
    ),
    "update_endpoint_server": Case(
        lambda tc: tc.update_endpoint_server(EP, "985", {"port": 2812}),
        "PUT",
        f"/endpoint/{EP}/server/985",
        body={"port": 2812},
    ),
    "delete_endpoint_server": Case(
        lambda tc: tc.delete_endpoint_server(EP, 985), "DELETE", f"/endpoint/{EP}/server/985"
    ),
    # roles
    "endpoint_role_list": Case(
        lambda tc: tc.endpoint_role_list(EP),
        "GET",
        f"/endpoint/{EP}/role_list",
        returns=IterableTransferResponse,
    ),
    "add_endpoint_role": Case(
        lambda tc: tc.add_endpoint_role(EP, {"principal": "p", "role": "administrator"}),
        "POST",
        f"/endpoint/{EP}/role",
        body={"principal": "p", "role": "administrator"},
    ),
    "get_endpoint_role": Case(
        lambda tc: tc.get_endpoint_role(EP, "r1"), "GET", f"/endpoint/{EP}/role/r1"
    ),
    "delete_endpoint_role": Case(
        lambda tc: tc.delete_endpoint_role(EP, "r1"), "DELETE", f"/endpoint/{EP}/role/r1"
    ),
    # access rules
    "endpoint_acl_list": Case(
        lambda tc: tc.endpoint_acl_list(EP),
        "GET",
        f"/endpoint/{EP}/access_list",
        returns=IterableTransferResponse,
    ),
    "get_endpoint_acl_rule": Case(
        lambda tc: tc.get_endpoint_acl_rule(EP, "a1"), "GET", f"/endpoint/{EP}/access/a1"
    ),
    "add_endpoint_acl_rule": Case(
        lambda tc: tc.add_endpoint_acl_rule(EP, {"DATA_TYPE": "access", "path": "/d/"}),
        "POST",
        f"/endpoint/{EP}/access",
        body={"DATA_TYPE": "access", "path": "/d/"},
    ),
    "update_endpoint_acl_rule": Case(
        lambda tc: tc.update_endpoint_acl_rule(EP, "a1", {"permissions": "r"}),
        "PUT",
        f"/endpoint/{EP}/access/a1",
        body={"permissions": "r"},
    ),
    "delete_endpoint_acl_rule": Case(
        lambda tc: tc.delete_endpoint_acl_rule(EP, "a1"), "DELETE", f"/endpoint/{EP}/access/a1"
    ),
    # bookmarks
    "bookmark_list": Case(
        lambda tc: tc.bookmark_list(), "GET", "/bookmark_list", returns=IterableTransferResponse
    ),
    "create_bookmark": Case(
        lambda tc: tc.create_bookmark({"name": "b", "endpoint_id": EP, "path": "/"}),
        "POST",
        "/bookmark",
        body={"name": "b", "endpoint_id": EP, "path": "/"},
    ),
    "get_bookmark": Case(lambda tc: tc.get_bookmark("b1"), "GET", "/bookmark/b1"),
    "update_bookmark": Case(
        lambda tc: tc.update_bookmark("b1", {"name": "c"}),
        "PUT",
        "/bookmark/b1",
        body={"name": "c"},
    ),
    "delete_bookmark": Case(lambda tc: tc.delete_bookmark("b1"), "DELETE", "/bookmark/b1"),
    # file operations
    "operation_ls": Case(
        lambda tc: tc.operation_ls(
            EP,
            path="/~/project1/",
            show_hidden=False,
            orderby=["type", "name DESC"],
            filter={"last_modified": ["", "2021-01-01"], "name": "~*.txt"},
        ),
        "GET",
        f"/operation/endpoint/{EP}/ls",
        {
            "path": ["/~/project1/"],
            "show_hidden": ["0"],
            "orderby": ["type,name DESC"],
            "filter": ["last_modified:,2021-01-01/name:~*.txt"],
        },
        returns=IterableTransferResponse,
    ),
    "operation_ls__positional_path_str_filter": Case(
        lambda tc: tc.operation_ls(EP, "/~/", show_hidden=True, orderby="name", filter="type:dir"),
        "GET",
        f"/operation/endpoint/{EP}/ls",
        {"path": ["/~/"], "show_hidden": ["1"], "orderby": ["name"], "filter": ["type:dir"]},
        returns=IterableTransferResponse,
    ),
    "operation_ls__filter_list": Case(
        lambda tc: tc.operation_ls(EP, filter=["type:dir", {"name": "~a*"}]),
        "GET",
        f"/operation/endpoint/{EP}/ls",
        {"filter": ["type:dir", "name:~a*"]},
        returns=IterableTransferResponse,
    ),
    "operation_mkdir": Case(
        lambda tc: tc.operation_mkdir(EP, path="/~/newdir/"),
        "POST",
        f"/operation/endpoint/{EP}/mkdir",
        body={"DATA_TYPE": "mkdir", "path": "/~/newdir/"},
    ),
    "operation_rename": Case(
        lambda tc: tc.operation_rename(EP, oldpath="/~/a.txt", newpath="/~/b.txt"),
        "POST",
        f"/operation/endpoint/{EP}/rename",
        body={"DATA_TYPE": "rename", "old_path": "/~/a.txt", "new_path": "/~/b.txt"},
    ),
    "operation_symlink": Case(
        lambda tc: tc.operation_symlink(EP, symlink_target="/~/f.txt", path="/~/link"),
        "POST",
        f"/operation/endpoint/{EP}/symlink",
        body={"DATA_TYPE": "symlink", "symlink_target": "/~/f.txt", "path": "/~/link"},
    ),
    # task submission
    "get_submission_id": Case(lambda tc: tc.get_submission_id(), "GET", "/submission_id"),
    "submit_transfer__dict": Case(
        lambda tc: tc.submit_transfer({"DATA_TYPE": "transfer", "DATA": []}),
        "POST",
        "/transfer",
        body={"DATA_TYPE": "transfer", "DATA": []},
    ),
    "submit_delete__dict": Case(
        lambda tc: tc.submit_delete({"DATA_TYPE": "delete", "DATA": []}),
        "POST",
        "/delete",
        body={"DATA_TYPE": "delete", "DATA": []},
    ),
    # tasks
    "task_list": Case(
        lambda tc: tc.task_list(
            limit=10, offset=5, filter={"task_id": [TASK, EP_UUID], "status": "ACTIVE"}
        ),
        "GET",
        "/task_list",
        {"limit": ["10"], "offset": ["5"], "filter": [f"task_id:{TASK},{EP_UUID}/status:ACTIVE"]},
        returns=IterableTransferResponse,
    ),
    "task_list__qp": Case(
        lambda tc: tc.task_list(query_params={"orderby": "request_time DESC"}),
        "GET",
        "/task_list",
        {"orderby": ["request_time DESC"]},
        returns=IterableTransferResponse,
    ),
    "task_list__advanced_tutorial_num_results": Case(
        lambda tc: tc.task_list(num_results=25, filter="type:TRANSFER,DELETE"),
        "GET",
        "/task_list",
        {"limit": ["25"], "filter": ["type:TRANSFER,DELETE"]},
        returns=IterableTransferResponse,
    ),
    "task_event_list": Case(
        lambda tc: tc.task_event_list(TASK, limit=10, offset=0),
        "GET",
        f"/task/{TASK}/event_list",
        {"limit": ["10"], "offset": ["0"]},
        returns=IterableTransferResponse,
    ),
    "get_task": Case(lambda tc: tc.get_task(TASK), "GET", f"/task/{TASK}"),
    "update_task": Case(
        lambda tc: tc.update_task(TASK, {"DATA_TYPE": "task", "label": "L"}),
        "PUT",
        f"/task/{TASK}",
        body={"DATA_TYPE": "task", "label": "L"},
    ),
    "cancel_task": Case(lambda tc: tc.cancel_task(TASK), "POST", f"/task/{TASK}/cancel"),
    "task_pause_info": Case(lambda tc: tc.task_pause_info(TASK), "GET", f"/task/{TASK}/pause_info"),
    "task_successful_transfers": Case(
        lambda tc: tc.task_successful_transfers(TASK, query_params={"marker": 7}),
        "GET",
        f"/task/{TASK}/successful_transfers",
        {"marker": ["7"]},
        returns=IterableTransferResponse,
    ),
    "task_skipped_errors": Case(
        lambda tc: tc.task_skipped_errors(TASK),
        "GET",
        f"/task/{TASK}/skipped_errors",
        returns=IterableTransferResponse,
    ),
    # endpoint manager
    "endpoint_manager_monitored_endpoints": Case(
        lambda tc: tc.endpoint_manager_monitored_endpoints(),
        "GET",
        "/endpoint_manager/monitored_endpoints",
        returns=IterableTransferResponse,
    ),
    "endpoint_manager_hosted_endpoint_list": Case(
        lambda tc: tc.endpoint_manager_hosted_endpoint_list(EP),
        "GET",
        f"/endpoint_manager/endpoint/{EP}/hosted_endpoint_list",
        returns=IterableTransferResponse,
    ),
    "endpoint_manager_get_endpoint": Case(
        lambda tc: tc.endpoint_manager_get_endpoint(EP), "GET", f"/endpoint_manager/endpoint/{EP}"
    ),
    "endpoint_manager_acl_list": Case(
        lambda tc: tc.endpoint_manager_acl_list(EP),
        "GET",
        f"/endpoint_manager/endpoint/{EP}/access_list",
        returns=IterableTransferResponse,
    ),
    "endpoint_manager_task_list": Case(
        lambda tc: tc.endpoint_manager_task_list(
            filter_status=["ACTIVE", "INACTIVE"],
            filter_task_id=[TASK, EP_UUID],
            filter_owner_id=EP_UUID,
            filter_endpoint=EP,
            filter_is_paused=True,
            filter_completion_time=(
                datetime.datetime(2021, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc),
                "",
            ),
            filter_min_faults=1,
            filter_local_user="alice",
        ),
        "GET",
        "/endpoint_manager/task_list",
        {
            "filter_status": ["ACTIVE,INACTIVE"],
            "filter_task_id": [f"{TASK},{EP_UUID}"],
            "filter_owner_id": [str(EP_UUID)],
            "filter_endpoint": [EP],
            "filter_is_paused": ["True"],
            "filter_completion_time": ["2021-01-02T03:04:05+00:00,"],
            "filter_min_faults": ["1"],
            "filter_local_user": ["alice"],
        },
        returns=IterableTransferResponse,
    ),
    "endpoint_manager_task_list__strings": Case(
        lambda tc: tc.endpoint_manager_task_list(
            filter_status="SUCCEEDED",
            filter_task_id=TASK,
            filter_completion_time="2021-01-01,2021-02-01",
        ),
        "GET",
        "/endpoint_manager/task_list",
        {
            "filter_status": ["SUCCEEDED"],
            "filter_task_id": [TASK],
            "filter_completion_time": ["2021-01-01,2021-02-01"],
        },
        returns=IterableTransferResponse,
    ),
    "endpoint_manager_get_task": Case(
        lambda tc: tc.endpoint_manager_get_task(TASK), "GET", f"/endpoint_manager/task/{TASK}"
    ),
    "endpoint_manager_task_event_list": Case(
        lambda tc: tc.endpoint_manager_task_event_list(
            TASK, limit=3, offset=6, filter_is_error=True
        ),
        "GET",
        f"/endpoint_manager/task/{TASK}/event_list",
        {"limit": ["3"], "offset": ["6"], "filter_is_error": ["1"]},
        returns=IterableTransferResponse,
    ),
    "endpoint_manager_task_event_list__all": Case(
        lambda tc: tc.endpoint_manager_task_event_list(TASK, filter_is_error=False),
        "GET",
        f"/endpoint_manager/task/{TASK}/event_list",
        {"filter_is_error": ["0"]},
        returns=IterableTransferResponse,
    ),
    "endpoint_manager_task_pause_info": Case(
        lambda tc: tc.endpoint_manager_task_pause_info(TASK),
        "GET",
        f"/endpoint_manager/task/{TASK}/pause_info",
    ),
    "endpoint_manager_task_successful_transfers": Case(
        lambda tc: tc.endpoint_manager_task_successful_transfers(TASK),
        "GET",
        f"/endpoint_manager/task/{TASK}/successful_transfers",
        returns=IterableTransferResponse,
    ),
    "endpoint_manager_task_skipped_errors": Case(
        lambda tc: tc.endpoint_manager_task_skipped_errors(TASK),
        "GET",
        f"/endpoint_manager/task/{TASK}/skipped_errors",
        returns=IterableTransferResponse,
    ),
    "endpoint_manager_cancel_tasks": Case(
        lambda tc: tc.endpoint_manager_cancel_tasks([TASK, EP_UUID], "maintenance"),
        "POST",
        "/endpoint_manager/admin_cancel",
        body={"message": "maintenance", "task_id_list": [TASK, str(EP_UUID)]},
    ),
    "endpoint_manager_cancel_tasks__single_id": Case(
        lambda tc: tc.endpoint_manager_cancel_tasks(TASK, "m"),
        "POST",
        "/endpoint_manager/admin_cancel",
        body={"message": "m", "task_id_list": [TASK]},
    ),
    "endpoint_manager_cancel_status": Case(
        lambda tc: tc.endpoint_manager_cancel_status("c1"),
        "GET",
        "/endpoint_manager/admin_cancel/c1",
    ),
    "endpoint_manager_pause_tasks": Case(
        lambda tc: tc.endpoint_manager_pause_tasks((x for x in [TASK]), "pausing"),
        "POST",
        "/endpoint_manager/admin_pause",
        body={"message": "pausing", "task_id_list": [TASK]},
    ),
    "endpoint_manager_resume_tasks": Case(
        lambda tc: tc.endpoint_manager_resume_tasks([TASK]),
        "POST",
        "/endpoint_manager/admin_resume",
        body={"task_id_list": [TASK]},
    ),
    "endpoint_manager_pause_rule_list": Case(
        lambda tc: tc.endpoint_manager_pause_rule_list(filter_endpoint=EP_UUID),
        "GET",
        "/endpoint_manager/pause_rule_list",
        {"filter_endpoint": [str(EP_UUID)]},
        returns=IterableTransferResponse,
    ),
    "endpoint_manager_create_pause_rule": Case(
        lambda tc: tc.endpoint_manager_create_pause_rule(
            {"DATA_TYPE": "pause_rule", "endpoint_id": EP, "message": "m"}
        ),
        "POST",
        "/endpoint_manager/pause_rule",
        body={"DATA_TYPE": "pause_rule", "endpoint_id": EP, "message": "m"},
    ),
    "endpoint_manager_get_pause_rule": Case(
        lambda tc: tc.endpoint_manager_get_pause_rule("p1"),
        "GET",
        "/endpoint_manager/pause_rule/p1",
    ),
    "endpoint_manager_update_pause_rule": Case(
        lambda tc: tc.endpoint_manager_update_pause_rule("p1", {"pause_ls": False}),
        "PUT",
        "/endpoint_manager/pause_rule/p1",
        body={"pause_ls": False},
    ),
    "endpoint_manager_delete_pause_rule": Case(
        lambda tc: tc.endpoint_manager_delete_pause_rule("p1"),
        "DELETE",
        "/endpoint_manager/pause_rule/p1",
    ),
}

# a body with the keys list-style and result-style answers carry
ANSWER = {
    "DATA_TYPE": "result",
    "code": "OK",
    "message": "ok",
    "DATA": [{"id": "item-1"}],
    "shared_endpoints": [{"id": "share-1"}],
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_request_shape(name: str, tc: globus_sdk.TransferClient, http_stub: HTTPStub) -> None:
    case = CASES[name]
    http_stub.add(case.method, PREFIX + case.path, body=ANSWER)

    result = case.call(tc)

    (req,) = http_stub.requests
    assert (req.method, req.path) == (case.method, PREFIX + case.path)
    assert req.query == case.query
    assert req.headers["Authorization"] == "Bearer tok"
    if case.body is None:
        assert req.body == b""
    else:
        assert req.headers["Content-Type"] == "application/json"
        assert req.json == case.body
    assert type(result) is case.returns
    assert result["code"] == "OK"
    assert result.client is tc


def test_every_documented_method_is_covered() -> None:
    """The table above exercises every documented method but task_wait (tested apart);
    variants of one method are keyed ``<method>__<variant>``."""
    import json
    import pathlib

    spec = pathlib.Path("/work/shared/spec/api_surface.json")
    if not spec.exists():
        pytest.skip("api surface spec not available")
    methods = json.loads(spec.read_text())["classes"]["globus_sdk.TransferClient"]["methods"]
    called = {name.split("__")[0] for name in CASES}
    assert called <= set(methods)
    missing = set(methods) - called - {"task_wait"}
    assert not missing


def test_iterable_responses_iterate_their_items(
    tc: globus_sdk.TransferClient, http_stub: HTTPStub
) -> None:
    http_stub.add("GET", f"{PREFIX}/endpoint/{EP}/shared_endpoint_list", body=ANSWER)
    http_stub.add("GET", f"{PREFIX}/operation/endpoint/{EP}/ls", body=ANSWER)
    assert [x["id"] for x in tc.get_shared_endpoint_list(EP)] == ["share-1"]
    assert [x["id"] for x in tc.operation_ls(EP)] == ["item-1"]


def test_caller_query_params_are_not_mutated(
    tc: globus_sdk.TransferClient, http_stub: HTTPStub
) -> None:
    http_stub.add("GET", f"{PREFIX}/task_list", body=ANSWER)
    qp = {"orderby": "label"}
    tc.task_list(limit=3, filter={"status": "ACTIVE"}, query_params=qp)
    assert qp == {"orderby": "label"}
    assert http_stub.requests[0].query["orderby"] == ["label"]


def test_update_endpoint_does_not_mutate_caller_data(
    tc: globus_sdk.TransferClient, http_stub: HTTPStub
) -> None:
    http_stub.add("PUT", f"{PREFIX}/endpoint/{EP}", body=ANSWER)
    data = {"myproxy_server": "mp.example.org"}
    tc.update_endpoint(EP, data)
    assert data == {"myproxy_server": "mp.example.org"}


@pytest.mark.parametrize("method", ["create_endpoint", "update_endpoint"])
def test_endpoint_cannot_use_both_identity_providers(
    tc: globus_sdk.TransferClient, http_stub: HTTPStub, method: str
) -> None:
    data = {"myproxy_server": "mp.example.org", "oauth_server": "oa.example.org"}
    args = (data,) if method == "create_endpoint" else (EP, data)
    with pytest.raises(globus_sdk.GlobusSDKUsageError):
        getattr(tc, method)(*args)
    assert http_stub.requests == []


def test_client_identity() -> None:
    tc = globus_sdk.TransferClient()
    assert tc.service_name == "transfer"
    assert tc.base_path == "/v0.10/"
    assert tc.base_url.endswith("/v0.10/")
    assert tc.scopes is globus_sdk.scopes.TransferScopes
    assert tc.resource_server == "transfer.api.globus.org"
    assert tc.error_class is globus_sdk.TransferAPIError


def test_app_name_reaches_user_agent(tc: globus_sdk.TransferClient, http_stub: HTTPStub) -> None:
    http_stub.add("GET", f"{PREFIX}/task/{TASK}", body={"status": "ACTIVE"})
    tc.app_name = "my-app"
    tc.get_task(TASK)
    assert http_stub.requests[0].headers["User-Agent"].endswith("/my-app")
