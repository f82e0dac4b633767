"""Every documented TransferClient method, called through our SDK against a live globus-local.

One module-scoped world (two users, two endpoints on temporary directories) keeps it fast.
Calls go through :class:`Recorded`, which notes each method that returned a response; the
last test checks that set against the documented surface (``api_surface.json``). The tests
are steps of one story and run in file order.
"""

from __future__ import annotations

import datetime
import json
import logging
import time
import typing as t
import uuid
from collections import deque
from dataclasses import dataclass
from pathlib import Path

import pytest

import globus_sdk
from globus_sdk import (
    AccessTokenAuthorizer,
    GlobusAPIError,
    NetworkError,
    TransferAPIError,
    TransferClient,
)
from globus_sdk.scopes import TransferScopes
from tests.support.platform import access_token, new_identity
from tests.support.waiting import wait_until

from .test_against_server import _transfer_service_ready

pytestmark = pytest.mark.skipif(
    not _transfer_service_ready(), reason="the server's Transfer service is not there yet"
)

SPEC = Path(__file__).resolve().parents[4].parent / "shared" / "spec" / "api_surface.json"
TRANSFER_RS = "transfer.api.globus.org"
WAIT = 60  # seconds any single task may take before a test gives up on it

#: names of the methods that returned a response, filled by every Recorded client
EXERCISED: set[str] = set()


class Recorded:
    """A TransferClient whose method calls are recorded once they return."""

    def __init__(self, client: TransferClient) -> None:
        self.client = client

    def __getattr__(self, name: str) -> t.Any:
        attr = getattr(self.client, name)
        if name.startswith("_") or not callable(attr):
            return attr

        def call(*args: t.Any, **kwargs: t.Any) -> t.Any:
            result = attr(*args, **kwargs)
            EXERCISED.add(name)
            return result

        return call


@dataclass
class Person:
    id: str
    username: str
    tc: t.Any  # a Recorded TransferClient
    raw: TransferClient


@dataclass
class World:
    alice: Person
    bob: Person  # activity_manager on ``src``
    src: str
    dst: str
    src_dir: Path
    dst_dir: Path
    state: dict[str, t.Any]  # ids handed from one step to the next


def _person(server: t.Any, prefix: str) -> Person:
    identity = new_identity(server.db, prefix)
    username = identity["username"]
    token = access_token(server.token(username, [TransferScopes.all]), TRANSFER_RS)
    raw = TransferClient(authorizer=AccessTokenAuthorizer(token))
    return Person(identity["id"], username, Recorded(raw), raw)


@pytest.fixture(scope="module")
def world(globus_local_server: t.Any, tmp_path_factory: pytest.TempPathFactory) -> World:
    from globus_local.services.transfer import admin

    alice, bob = _person(globus_local_server, "alice"), _person(globus_local_server, "bob")
    root = tmp_path_factory.mktemp("all-methods")
    src_dir, dst_dir = root / "src", root / "dst"
    src = admin.create_endpoint(globus_local_server.db, alice.username, "Live source", str(src_dir))
    dst = admin.create_endpoint(globus_local_server.db, alice.username, "Live dest", str(dst_dir))
    (src_dir / "dir" / "sub").mkdir(parents=True)
    (src_dir / "file1.txt").write_text("hello")
    (src_dir / ".hidden").write_text("h")
    (src_dir / "dir" / "a.txt").write_text("aaa")
    (src_dir / "dir" / "sub" / "b.txt").write_text("bbbb")
    (src_dir / "shared").mkdir()
    (src_dir / "shared" / "data.txt").write_text("shared data")
    # bob manages activity on the source endpoint (set up unrecorded: roles get their own step)
    alice.raw.add_endpoint_role(
        src["id"],
        {"DATA_TYPE": "role", "principal_type": "identity", "principal": bob.id,
         "role": "activity_manager"},
    )  # fmt: skip
    return World(alice, bob, src["id"], dst["id"], src_dir, dst_dir, {})


def _error(call: t.Callable[[], t.Any]) -> TransferAPIError:
    with pytest.raises(TransferAPIError) as caught:
        call()
    return caught.value


# -- endpoints ----------------------------------------------------------------------------------
def test_endpoint_create_get_update_search_delete(world: World) -> None:
    tc = world.alice.tc
    created = tc.create_endpoint(
        {
            "DATA_TYPE": "endpoint",
            "display_name": "Live API endpoint",
            "description": "made through the SDK",
            "is_globus_connect": True,
        }
    )
    assert created["code"] == "Created"
    assert created["DATA_TYPE"] == "endpoint_create_result"
    ep_id = str(uuid.UUID(created["id"]))

    doc = tc.get_endpoint(ep_id)
    assert doc["display_name"] == "Live API endpoint"
    assert doc["owner_id"] == world.alice.id
    assert "administrator" in doc["my_effective_roles"]

    updated = tc.update_endpoint(ep_id, {"description": "changed", "keywords": "alpha,beta"})
    assert updated["code"] == "Updated"
    assert tc.get_endpoint(ep_id)["description"] == "changed"

    mine = {e["id"] for e in tc.endpoint_search(filter_scope="my-endpoints")}
    assert {ep_id, world.src, world.dst} <= mine
    page = tc.endpoint_search(
        "Live API endpoint", filter_owner_id=world.alice.id, limit=5, offset=0
    )
    assert page["limit"] == 5
    assert [e["id"] for e in page] == [ep_id]
    # private: bob finds nothing under that name
    assert ep_id not in {e["id"] for e in world.bob.tc.endpoint_search("Live API endpoint")}

    assert tc.delete_endpoint(ep_id)["code"] == "Deleted"
    gone = _error(lambda: tc.get_endpoint(ep_id))
    assert (gone.http_status, gone.code) == (404, "EndpointNotFound")


def test_endpoint_servers(world: World) -> None:
    tc = world.alice.tc
    added = tc.add_endpoint_server(
        world.dst,
        {"DATA_TYPE": "server", "hostname": "gridftp.example.org", "port": 2811,
         "scheme": "gsiftp"},
    )  # fmt: skip
    assert added["code"] == "Created"
    server_id = added["id"]
    listed = tc.endpoint_server_list(world.dst)
    assert server_id in {s["id"] for s in listed}
    assert tc.get_endpoint_server(world.dst, server_id)["hostname"] == "gridftp.example.org"

    assert tc.update_endpoint_server(world.dst, server_id, {"port": 2812})["code"] == "Updated"
    server = tc.get_endpoint_server(world.dst, server_id)
    assert (server["port"], server["uri"]) == (2812, "gsiftp://gridftp.example.org:2812")

    assert tc.delete_endpoint_server(world.dst, server_id)["code"] == "Deleted"
    assert server_id not in {s["id"] for s in tc.endpoint_server_list(world.dst)}


def test_endpoint_roles(world: World) -> None:
    tc, bob = world.alice.tc, world.bob
    assert _error(lambda: bob.tc.get_endpoint(world.dst)).http_status == 403
    role = tc.add_endpoint_role(
        world.dst,
        {"DATA_TYPE": "role", "principal_type": "identity", "principal": bob.id,
         "role": "activity_monitor"},
    )  # fmt: skip
    assert (role["DATA_TYPE"], role["principal"], role["role"]) == (
        "role",
        bob.id,
        "activity_monitor",
    )
    assert role["id"] in {r["id"] for r in tc.endpoint_role_list(world.dst)}
    assert tc.get_endpoint_role(world.dst, role["id"])["role"] == "activity_monitor"
    assert "activity_monitor" in bob.tc.get_endpoint(world.dst)["my_effective_roles"]

    assert tc.delete_endpoint_role(world.dst, role["id"])["code"] == "Deleted"
    assert role["id"] not in {r["id"] for r in tc.endpoint_role_list(world.dst)}
    assert _error(lambda: bob.tc.get_endpoint(world.dst)).http_status == 403


def test_activation(world: World) -> None:
    tc = world.alice.tc
    reqs = tc.endpoint_get_activation_requirements(world.src)
    assert reqs["activated"] is True
    assert reqs.always_activated and reqs.expires_at is None
    assert reqs.active_until(3600)
    assert reqs.supports_web_activation
    auto = tc.endpoint_autoactivate(world.src, if_expires_in=3600)
    assert auto["code"] in ("AlreadyActivated", "AutoActivated.CachedCredential")
    activated = tc.endpoint_activate(world.src, requirements_data=reqs.data)
    assert activated["activated"] is True
    assert activated["code"].startswith(("AlreadyActivated", "AutoActivated"))
    deactivated = tc.endpoint_deactivate(world.src)
    assert deactivated["DATA_TYPE"] == "result"
    assert deactivated["resource"].endswith(f"/endpoint/{world.src}/deactivate")


# -- synchronous file operations ------------------------------------------------------------
def test_file_operations(world: World) -> None:
    tc = world.alice.tc
    listing = tc.operation_ls(world.src, "/~/", show_hidden=False, orderby="name DESC")
    assert [e["name"] for e in listing] == ["shared", "file1.txt", "dir"]
    assert listing["path"] == "/"  # the default directory is the root here
    hidden = {e["name"] for e in tc.operation_ls(world.src, path="/~/", show_hidden=True)}
    assert ".hidden" in hidden
    txt = tc.operation_ls(world.src, path="/~/dir/", filter={"name": "~*.txt", "type": "file"})
    assert [(e["name"], e["size"]) for e in txt] == [("a.txt", 3)]

    made = tc.operation_mkdir(world.dst, "/~/made/")
    assert made["code"] == "DirectoryCreated"
    assert (world.dst_dir / "made").is_dir()
    # 502 is retried by default: ask once, without retries
    once = TransferClient(
        authorizer=world.alice.raw.authorizer, transport_params={"max_retries": 0}
    )
    exists = _error(lambda: once.operation_mkdir(world.dst, "/~/made/"))
    assert (exists.http_status, exists.code) == (502, "ExternalError.MkdirFailed.Exists")

    moved = tc.operation_rename(world.dst, "/~/made/", "/~/moved/")
    assert moved["code"] == "FileRenamed"
    assert (world.dst_dir / "moved").is_dir() and not (world.dst_dir / "made").exists()

    (world.dst_dir / "moved" / "target.txt").write_text("t")
    linked = tc.operation_symlink(world.dst, "/~/moved/target.txt", "/~/moved/link.txt")
    assert linked["code"] == "SymlinkCreated"
    assert (world.dst_dir / "moved" / "link.txt").is_symlink()
    assert (world.dst_dir / "moved" / "link.txt").read_text() == "t"


# -- shared endpoints and access rules --------------------------------------------------------
def test_shared_endpoint_and_access_rules(world: World) -> None:
    tc, bob = world.alice.tc, world.bob
    created = tc.create_shared_endpoint(
        {"DATA_TYPE": "shared_endpoint", "host_endpoint": world.src, "host_path": "/~/shared/",
         "display_name": "Live share"}
    )  # fmt: skip
    assert created["code"] == "Created"
    share = created["id"]
    world.state["share"] = share
    assert tc.get_endpoint(share)["host_endpoint_id"] == world.src
    assert [e["id"] for e in tc.my_shared_endpoint_list(world.src)] == [share]
    shares = tc.get_shared_endpoint_list(world.src, max_results=10)
    assert [e["id"] for e in shares] == [share]
    assert shares["next_token"] is None

    assert _error(lambda: bob.tc.operation_ls(share, path="/")).http_status == 403
    added = tc.add_endpoint_acl_rule(
        share,
        {"DATA_TYPE": "access", "principal_type": "identity", "principal": bob.id,
         "path": "/", "permissions": "r"},
    )  # fmt: skip
    assert added["code"] == "Created"
    rule_id = added["access_id"]
    rules = tc.endpoint_acl_list(share)
    assert [(r["id"], r["principal"], r["permissions"]) for r in rules] == [(rule_id, bob.id, "r")]
    assert tc.get_endpoint_acl_rule(share, rule_id)["path"] == "/"

    assert [e["name"] for e in bob.raw.operation_ls(share, path="/")] == ["data.txt"]
    assert _error(lambda: bob.raw.operation_mkdir(share, "/bobs/")).http_status == 403
    assert tc.update_endpoint_acl_rule(share, rule_id, {"permissions": "rw"})["code"] == "Updated"
    assert tc.get_endpoint_acl_rule(share, rule_id)["permissions"] == "rw"
    bob.raw.operation_mkdir(share, "/bobs/")
    assert (world.src_dir / "shared" / "bobs").is_dir()

    # bob, activity manager on the host, sees the share and its rules
    hosted = bob.tc.endpoint_manager_hosted_endpoint_list(world.src)
    assert [e["id"] for e in hosted] == [share]
    assert [r["id"] for r in bob.tc.endpoint_manager_acl_list(share)] == [rule_id]

    assert tc.delete_endpoint_acl_rule(share, rule_id)["code"] == "Deleted"
    assert list(tc.endpoint_acl_list(share)) == []
    assert _error(lambda: bob.raw.operation_ls(share, path="/")).http_status == 403


# -- bookmarks ----------------------------------------------------------------------------------
def test_bookmarks(world: World) -> None:
    tc = world.alice.tc
    made = tc.create_bookmark({"name": "live data", "endpoint_id": world.src, "path": "/~/dir/"})
    assert (made["DATA_TYPE"], made["name"], made["endpoint_id"]) == (
        "bookmark",
        "live data",
        world.src,
    )
    bookmark_id = made["id"]
    assert bookmark_id in {b["id"] for b in tc.bookmark_list()}
    assert tc.get_bookmark(bookmark_id)["path"] == "/~/dir/"
    renamed = tc.update_bookmark(bookmark_id, {"name": "live data (renamed)"})
    assert renamed["name"] == "live data (renamed)"
    assert tc.get_bookmark(bookmark_id)["name"] == "live data (renamed)"
    assert tc.delete_bookmark(bookmark_id)["code"] == "Deleted"
    assert _error(lambda: tc.get_bookmark(bookmark_id)).http_status == 404
    assert bookmark_id not in {b["id"] for b in tc.bookmark_list()}


# -- tasks that run to completion -------------------------------------------------------------------
def test_transfer_and_delete_tasks(world: World) -> None:
    tc = world.alice.tc
    submission = tc.get_submission_id()
    submission_id = str(uuid.UUID(submission["value"]))
    tdata = globus_sdk.TransferData(
        world.alice.raw,
        world.src,
        world.dst,
        label="live transfer",
        submission_id=submission_id,
        skip_source_errors=True,
    )
    tdata.add_item("/~/dir/", "/~/copied/", recursive=True)
    tdata.add_item("/~/file1.txt", "/~/file1.txt")
    tdata.add_item("/~/no-such-file.txt", "/~/no-such-file.txt")
    result = tc.submit_transfer(tdata)
    assert (result["code"], result["submission_id"]) == ("Accepted", submission_id)
    task_id = result["task_id"]
    world.state["done_task"] = task_id

    assert tc.task_wait(task_id, timeout=WAIT, polling_interval=1)
    task = tc.get_task(task_id)
    assert (task["status"], task["label"], task["type"]) == (
        "SUCCEEDED",
        "live transfer",
        "TRANSFER",
    )
    assert (world.dst_dir / "copied" / "sub" / "b.txt").read_text() == "bbbb"
    assert (world.dst_dir / "file1.txt").read_text() == "hello"

    assert task_id in {x["task_id"] for x in tc.task_list(limit=50, offset=0)}
    filtered = tc.task_list(filter={"task_id": [task_id], "status": "SUCCEEDED"})
    assert [x["task_id"] for x in filtered] == [task_id]
    events = tc.task_event_list(task_id, limit=100, offset=0)
    assert events["DATA_TYPE"] == "event_list" and len(events["DATA"]) >= 1
    assert "SUCCEEDED" in {e["code"] for e in events}
    done = {
        (x["source_path"], x["destination_path"]) for x in tc.task_successful_transfers(task_id)
    }
    # paths come back resolved: "/~/" is the endpoint's root here
    assert done == {
        ("/file1.txt", "/file1.txt"),
        ("/dir/a.txt", "/copied/a.txt"),
        ("/dir/sub/b.txt", "/copied/sub/b.txt"),
    }
    skipped = list(tc.task_skipped_errors(task_id))
    assert [(x["source_path"], x["error_code"]) for x in skipped] == [
        ("/no-such-file.txt", "FILE_NOT_FOUND")
    ]
    assert tc.task_pause_info(task_id)["pause_rules"] == []

    ddata = globus_sdk.DeleteData(world.alice.raw, world.dst, recursive=True, label="live delete")
    ddata.add_item("/~/copied/")
    deleted = tc.submit_delete(ddata)
    assert deleted["code"] == "Accepted"
    assert world.alice.raw.task_wait(deleted["task_id"], timeout=WAIT, polling_interval=1)
    assert world.alice.raw.get_task(deleted["task_id"])["type"] == "DELETE"
    assert not (world.dst_dir / "copied").exists()


def test_endpoint_manager_views(world: World) -> None:
    bob = world.bob.tc
    task_id = world.state["done_task"]
    monitored = {e["id"] for e in bob.endpoint_manager_monitored_endpoints()}
    assert world.src in monitored and world.dst not in monitored
    doc = bob.endpoint_manager_get_endpoint(world.src)
    assert doc["id"] == world.src and "activity_manager" in doc["my_effective_roles"]

    listed = bob.endpoint_manager_task_list(filter_endpoint=world.src, filter_status="SUCCEEDED")
    assert task_id in {x["task_id"] for x in listed}
    own = bob.endpoint_manager_task_list(filter_task_id=[task_id], filter_owner_id=world.alice.id)
    assert [(x["task_id"], x["owner_id"]) for x in own] == [(task_id, world.alice.id)]

    task = bob.endpoint_manager_get_task(task_id)
    assert (task["task_id"], task["status"], task["owner_id"]) == (
        task_id,
        "SUCCEEDED",
        world.alice.id,
    )
    events = bob.endpoint_manager_task_event_list(task_id, limit=50, offset=0)
    assert "SUCCEEDED" in {e["code"] for e in events}
    errors = bob.endpoint_manager_task_event_list(task_id, limit=50, filter_is_error=True)
    assert all(e["is_error"] for e in errors)
    others = bob.endpoint_manager_task_event_list(task_id, limit=50, filter_is_error=False)
    assert not any(e["is_error"] for e in others)
    assert len(errors["DATA"]) + len(others["DATA"]) == len(events["DATA"])
    transfers = bob.endpoint_manager_task_successful_transfers(task_id)
    assert len(transfers["DATA"]) == 3
    skipped = bob.endpoint_manager_task_skipped_errors(task_id)
    assert [x["error_code"] for x in skipped] == ["FILE_NOT_FOUND"]
    assert bob.endpoint_manager_task_pause_info(task_id)["pause_rules"] == []
    # alice's monitor views are hers; bob has no role on dst so cannot see it
    assert _error(lambda: bob.endpoint_manager_get_endpoint(world.dst)).http_status == 403


# -- pause rules, paused tasks, updates and cancellation -----------------------------------------
def _paused_task(world: World, label: str) -> str:
    tdata = globus_sdk.TransferData(world.alice.raw, world.src, world.dst, label=label)
    tdata.add_item("/~/file1.txt", f"/~/{label}.txt")
    task_id: str = world.alice.raw.submit_transfer(tdata)["task_id"]
    return task_id


def test_pause_rules_and_task_management(world: World) -> None:
    alice, bob = world.alice.tc, world.bob.tc
    rule = bob.endpoint_manager_create_pause_rule(
        {
            "DATA_TYPE": "pause_rule",
            "message": "maintenance on the source",
            "endpoint_id": world.src,
            "identity_id": None,
            "start_time": None,
            "pause_task_transfer_read": True,
        }
    )
    rule_id = rule["id"]
    assert (rule["endpoint_id"], rule["pause_task_transfer_read"]) == (world.src, True)
    assert bob.endpoint_manager_get_pause_rule(rule_id)["message"] == "maintenance on the source"
    assert [r["id"] for r in bob.endpoint_manager_pause_rule_list(filter_endpoint=world.src)] == [
        rule_id
    ]
    updated = bob.endpoint_manager_update_pause_rule(rule_id, {"message": "still maintaining"})
    assert updated["message"] == "still maintaining"
    effective = alice.my_effective_pause_rule_list(world.src)
    assert [(r["id"], r["message"]) for r in effective] == [(rule_id, "still maintaining")]

    first, second = _paused_task(world, "paused-one"), _paused_task(world, "paused-two")
    info = alice.task_pause_info(first)
    assert [r["id"] for r in info["pause_rules"]] == [rule_id]
    assert info["source_pause_message"] == "still maintaining"
    assert world.alice.raw.get_task(first)["status"] == "ACTIVE"

    assert alice.update_task(first, {"DATA_TYPE": "task", "label": "relabelled"})["code"] == (
        "Updated"
    )
    assert world.alice.raw.get_task(first)["label"] == "relabelled"

    # bob pauses and resumes as an admin; the pause rule still holds the task
    paused = bob.endpoint_manager_pause_tasks([first], "admin says wait")
    assert paused["code"] == "PauseAccepted"
    assert bob.endpoint_manager_task_pause_info(first)["message"] == "admin says wait"
    assert bob.endpoint_manager_task_list(filter_is_paused=True, filter_task_id=[first])["DATA"]
    resumed = bob.endpoint_manager_resume_tasks([first])
    assert resumed["code"] == "ResumeAccepted"
    assert world.alice.raw.get_task(first)["status"] == "ACTIVE"

    cancel = bob.endpoint_manager_cancel_tasks([first], "no more waiting")
    assert (cancel["DATA_TYPE"], cancel["task_id_list"]) == ("admin_cancel", [first])
    wait_until(
        lambda: bob.endpoint_manager_cancel_status(cancel["id"])["done"],
        "the admin cancel",
        timeout=WAIT,
        every=0.1,
    )
    canceled = world.alice.raw.get_task(first)
    assert canceled["status"] == "FAILED"
    assert canceled["canceled_by_admin"] in ("SOURCE", "BOTH")
    assert canceled["canceled_by_admin_message"] == "no more waiting"

    own_cancel = alice.cancel_task(second)
    assert own_cancel["code"] in ("Canceled", "CancelAccepted")
    assert world.alice.raw.task_wait(second, timeout=WAIT, polling_interval=1)
    assert world.alice.raw.get_task(second)["status"] == "FAILED"

    assert bob.endpoint_manager_delete_pause_rule(rule_id)["code"] == "Deleted"
    assert list(alice.my_effective_pause_rule_list(world.src)) == []
    # with the rule gone a new task runs straight through
    free = _paused_task(world, "free")
    assert world.alice.raw.task_wait(free, timeout=WAIT, polling_interval=1)
    assert world.alice.raw.get_task(free)["status"] == "SUCCEEDED"


# -- the documented examples, run unchanged ------------------------------------------------------
# "Advanced Transfer Client Usage": the retry helpers and the complete recursive ls (with sleep
# and parameter passing), as printed in the docs.
logger = logging.getLogger(__name__)


def retry_globus_function(func, retries=5, func_name="<func>"):
    """
    Define what it means to retry a "Globus Function", some function or
    method which produces Globus SDK errors on failure.
    """

    def actually_retry():
        """
        Helper: run the next retry
        """
        return retry_globus_function(func, retries=(retries - 1), func_name=func_name)

    def check_for_reraise():
        """
        Helper: check if we should reraise an error
                logs an error message on reraise
                must be run inside an exception handler
        """
        if retries < 1:
            logger.error("Retried {} too many times.".format(func_name))  # noqa: UP032
            raise

    try:
        return func()
    except NetworkError:
        # log with exc_info=True to capture a full stacktrace as a
        # debug-level log
        logger.debug(
            ("Globus func {} experienced a network error".format(func_name)),  # noqa: UP032
            exc_info=True,
        )
        check_for_reraise()
    except GlobusAPIError:
        # again, log with exc_info=True to capture a full stacktrace
        logger.warn(
            ("Globus func {} experienced a network error".format(func_name)),  # noqa: UP032
            exc_info=True,
        )
        check_for_reraise()

    # if we reach this point without returning or erroring, retry
    return actually_retry()


def submit_transfer_with_retries(transfer_client, transfer_data):
    # create a function with no arguments, for our retry handler
    def locally_bound_func():
        return transfer_client.submit_transfer(transfer_data)

    return retry_globus_function(locally_bound_func, func_name="submit_transfer")


def _recursive_ls_helper(
    tc,
    ep,
    queue,
    max_depth,
    sleep_frequency,
    sleep_duration,
    ls_params,
    top_level_ls_params,
):
    call_count = 0
    while queue:
        abs_path, rel_path, depth = queue.pop()
        path_prefix = rel_path + "/" if rel_path else ""

        use_params = ls_params
        if call_count == 0:
            use_params = {**ls_params, **top_level_ls_params}

        res = tc.operation_ls(ep, path=abs_path, **use_params)

        call_count += 1
        if call_count % sleep_frequency == 0:
            time.sleep(sleep_duration)

        if depth < max_depth:
            queue.extend(
                (
                    res["path"] + item["name"],
                    path_prefix + item["name"],
                    depth + 1,
                )
                for item in res["DATA"]
                if item["type"] == "dir"
            )
        for item in res["DATA"]:
            item["name"] = path_prefix + item["name"]
            yield item


def recursive_ls(
    tc,
    ep,
    path,
    max_depth=3,
    sleep_frequency=10,
    sleep_duration=0.5,
    ls_params=None,
    top_level_ls_params=None,
):
    ls_params = ls_params or {}
    top_level_ls_params = top_level_ls_params or {}
    queue = deque()
    queue.append((path, "", 0))
    yield from _recursive_ls_helper(
        tc,
        ep,
        queue,
        max_depth,
        sleep_frequency,
        sleep_duration,
        ls_params,
        top_level_ls_params,
    )


def test_tutorial_step_4_unchanged(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    TRANSFER_TOKEN = world.alice.raw.authorizer.access_token  # the docs' name
    # --- tutorial step 4, as documented ---
    authorizer = globus_sdk.AccessTokenAuthorizer(TRANSFER_TOKEN)
    tc = globus_sdk.TransferClient(authorizer=authorizer)

    # high level interface; provides iterators for list responses
    print("My Endpoints:")
    for ep in tc.endpoint_search(filter_scope="my-endpoints"):
        print("[{}] {}".format(ep["id"], ep["display_name"]))  # noqa: UP032
    # ---
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "My Endpoints:"
    assert f"[{world.src}] Live source" in lines[1:]
    assert f"[{world.dst}] Live dest" in lines[1:]


@pytest.mark.filterwarnings("ignore:The 'warn' method is deprecated:DeprecationWarning")
def test_advanced_deadline_and_retrying_submission_unchanged(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    transfer_client = world.alice.raw
    source_endpoint_uuid, dest_endpoint_uuid = world.src, world.dst
    now = datetime.datetime.utcnow()
    future_1minute = now + datetime.timedelta(minutes=1)
    submission_data = globus_sdk.TransferData(
        transfer_client,
        source_endpoint_uuid,
        dest_endpoint_uuid,
        deadline=str(future_1minute),
    )
    submission_data.add_item("/~/file1.txt", "/~/from-the-docs.txt")
    first = submit_transfer_with_retries(transfer_client, submission_data)
    again = submit_transfer_with_retries(transfer_client, submission_data)  # once and only once
    assert (first["code"], again["code"]) == ("Accepted", "Duplicate")
    assert again["task_id"] == first["task_id"]
    assert transfer_client.task_wait(first["task_id"], timeout=WAIT, polling_interval=1)
    task = transfer_client.get_task(first["task_id"])
    assert task["status"] == "SUCCEEDED"
    deadline = datetime.datetime.fromisoformat(task["deadline"]).replace(tzinfo=None)
    assert abs((deadline - future_1minute).total_seconds()) < 2
    assert (world.dst_dir / "from-the-docs.txt").read_text() == "hello"

    # an API error is retried, then re-raised with the documented log line
    missing = "00000000-0000-0000-0000-000000000000"
    with caplog.at_level(logging.DEBUG, logger=__name__), pytest.raises(GlobusAPIError):
        retry_globus_function(lambda: transfer_client.get_task(missing), 2, "get_task")
    retried = [r for r in caplog.records if r.name == __name__]
    assert [r.getMessage() for r in retried].count(
        "Globus func get_task experienced a network error"
    ) == 3
    assert retried[-1].getMessage() == "Retried get_task too many times."


def test_advanced_recursive_ls_unchanged(world: World) -> None:
    tree = world.src_dir / "tree"
    (tree / "a" / "b" / "c" / "d").mkdir(parents=True, exist_ok=True)
    (tree / "top.txt").write_text("1")
    (tree / ".dot").write_text("2")
    (tree / "a" / "x.txt").write_text("3")
    (tree / "a" / "b" / "c" / "d" / "deep.txt").write_text("4")
    listed = recursive_ls(
        world.alice.raw,
        world.src,
        "/~/tree/",
        sleep_frequency=2,
        sleep_duration=0.01,
        ls_params={"show_hidden": False},
        top_level_ls_params={"filter": {"type": "dir"}},
    )
    # the top level keeps directories only; max_depth=3 stops below a/b/c
    assert {(item["name"], item["type"]) for item in listed} == {
        ("a", "dir"),
        ("a/x.txt", "file"),
        ("a/b", "dir"),
        ("a/b/c", "dir"),
        ("a/b/c/d", "dir"),
    }


# -- every documented method was exercised (keep this last) -------------------------------------
def test_every_documented_method_was_exercised(request: pytest.FixtureRequest) -> None:
    if not SPEC.is_file():
        pytest.skip(f"{SPEC} is not present")
    documented = set(
        json.loads(SPEC.read_text())["classes"]["globus_sdk.TransferClient"]["methods"]
    )
    this = request.node.module
    steps = {name for name in vars(this) if name.startswith("test_")} - {request.node.name}
    ran = {item.name for item in request.session.items if item.module is this}
    if not steps <= ran:
        pytest.skip("only part of this module was selected")
    assert len(documented) == 67
    assert sorted(documented - EXERCISED) == []
    assert sorted(EXERCISED - documented) == []
