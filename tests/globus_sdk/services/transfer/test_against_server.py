"""The documented TransferClient usage (tutorial step 4, "Advanced Transfer Client Usage")
against a live globus-local: real endpoints on temporary directories, real tasks.

Clients are built the documented way (``TransferClient(authorizer=...)``); the
``globus_local_server`` fixture points the SDK's environment at the server.
"""

from __future__ import annotations

import datetime
import importlib.util
import logging
import typing as t
from collections import deque
from pathlib import Path

import pytest

import globus_sdk
from globus_sdk import AccessTokenAuthorizer, GlobusAPIError, NetworkError, TransferClient
from globus_sdk.scopes import TransferScopes
from tests.support.platform import access_token, new_identity


def _transfer_service_ready() -> bool:
    names = ("routes_endpoints", "routes_operations", "routes_tasks")
    try:
        return all(
            importlib.util.find_spec(f"globus_local.services.transfer.{name}") is not None
            for name in names
        )
    except ImportError:
        return False


pytestmark = pytest.mark.skipif(
    not _transfer_service_ready(), reason="the server's Transfer service is not there yet"
)


class User(t.NamedTuple):
    username: str
    tc: TransferClient


@pytest.fixture
def user(globus_local_server) -> User:
    username = new_identity(globus_local_server.db, "xfer")["username"]
    tokens = globus_local_server.token(username, [TransferScopes.all])
    token = access_token(tokens, "transfer.api.globus.org")
    return User(username, TransferClient(authorizer=AccessTokenAuthorizer(token)))


@pytest.fixture
def endpoints(globus_local_server, user: User, tmp_path: Path) -> tuple[str, str, Path, Path]:
    from globus_local.services.transfer import admin

    src_dir, dst_dir = tmp_path / "src", tmp_path / "dst"
    src = admin.create_endpoint(globus_local_server.db, user.username, "SDK source", str(src_dir))
    dst = admin.create_endpoint(globus_local_server.db, user.username, "SDK dest", str(dst_dir))
    (src_dir / "dir" / "sub").mkdir(parents=True)
    (src_dir / "file1.txt").write_text("hello")
    (src_dir / "dir" / "a.txt").write_text("aaa")
    (src_dir / "dir" / "sub" / "b.txt").write_text("bbbb")
    return src["id"], dst["id"], src_dir, dst_dir


def test_tutorial_step_4_lists_my_endpoints(user: User, endpoints) -> None:
    src, dst, _, _ = endpoints
    tc = user.tc
    found = {ep["id"]: ep["display_name"] for ep in tc.endpoint_search(filter_scope="my-endpoints")}
    assert found == {src: "SDK source", dst: "SDK dest"}
    paged = [ep["id"] for ep in tc.paginated.endpoint_search(filter_scope="my-endpoints").items()]
    assert sorted(paged) == sorted([src, dst])
    assert tc.get_endpoint(src)["display_name"] == "SDK source"
    assert tc.endpoint_autoactivate(src, if_expires_in=3600)["code"] != "AutoActivationFailed"


def test_file_operations_and_recursive_ls(user: User, endpoints) -> None:
    src, dst, _, dst_dir = endpoints
    tc = user.tc
    names = {(e["name"], e["type"]) for e in tc.operation_ls(src, path="/~/")}
    assert names == {("file1.txt", "file"), ("dir", "dir")}
    only_files = [e["name"] for e in tc.operation_ls(src, path="/~/", filter={"type": "file"})]
    assert only_files == ["file1.txt"]

    tc.operation_mkdir(dst, path="/~/newdir/")
    tc.operation_rename(dst, oldpath="/~/newdir/", newpath="/~/renamed/")
    assert (dst_dir / "renamed").is_dir()

    # the documented breadth-first recursive ls
    def recursive_ls(ep: str, path: str, max_depth: int = 3) -> t.Iterator[dict]:
        queue: deque = deque([(path, "", 0)])
        while queue:
            abs_path, rel_path, depth = queue.pop()
            prefix = rel_path + "/" if rel_path else ""
            res = tc.operation_ls(ep, path=abs_path)
            if depth < max_depth:
                queue.extend(
                    (res["path"] + item["name"], prefix + item["name"], depth + 1)
                    for item in res["DATA"]
                    if item["type"] == "dir"
                )
            for item in res["DATA"]:
                item["name"] = prefix + item["name"]
                yield item

    assert {e["name"] for e in recursive_ls(src, "/~/")} == {
        "file1.txt",
        "dir",
        "dir/a.txt",
        "dir/sub",
        "dir/sub/b.txt",
    }


def test_transfer_with_relative_deadline_and_retries(user: User, endpoints) -> None:
    src, dst, _, dst_dir = endpoints
    tc = user.tc
    logger = logging.getLogger(__name__)

    # "Retrying Task Submission": a retry-safe submission reuses the submission_id
    def retry_globus_function(func: t.Callable[[], t.Any], retries: int = 5) -> t.Any:
        try:
            return func()
        except (NetworkError, GlobusAPIError):
            logger.debug("Globus function failed", exc_info=True)
            if retries < 1:
                raise
        return retry_globus_function(func, retries - 1)

    future_1minute = datetime.datetime.utcnow() + datetime.timedelta(minutes=1)
    tdata = globus_sdk.TransferData(
        tc, src, dst, label="SDK example", sync_level="checksum", deadline=str(future_1minute)
    )
    tdata.add_item("/~/dir/", "/~/dir/", recursive=True)
    tdata.add_item("/~/file1.txt", "/~/file1.txt")
    first = retry_globus_function(lambda: tc.submit_transfer(tdata))
    again = retry_globus_function(lambda: tc.submit_transfer(tdata))
    assert first["code"] == "Accepted"
    assert again["task_id"] == first["task_id"]
    task_id = first["task_id"]

    # the documented "warn and keep waiting" loop, bounded so a stuck task fails the test
    for _ in range(8):
        if tc.task_wait(task_id, timeout=30, polling_interval=1):
            break
    task = tc.get_task(task_id)
    assert task["status"] == "SUCCEEDED", task.data
    assert task["label"] == "SDK example"
    assert (dst_dir / "file1.txt").read_text() == "hello"
    assert (dst_dir / "dir" / "sub" / "b.txt").read_text() == "bbbb"

    transferred = {
        x["destination_path"] for x in tc.paginated.task_successful_transfers(task_id).items()
    }
    assert len(transferred) == 3
    assert any(path.endswith("dir/sub/b.txt") for path in transferred)
    assert task_id in {
        t["task_id"] for t in tc.task_list(num_results=25, filter="type:TRANSFER,DELETE")
    }
    assert task_id in {t["task_id"] for t in tc.paginated.task_list().items()}
    assert [e["code"] for e in tc.task_event_list(task_id)]

    ddata = globus_sdk.DeleteData(tc, dst, recursive=True)
    ddata.add_item("/~/dir/")
    delete_id = tc.submit_delete(ddata)["task_id"]
    assert tc.task_wait(delete_id, timeout=30, polling_interval=1)
    assert tc.get_task(delete_id)["status"] == "SUCCEEDED"
    assert not (dst_dir / "dir").exists()


def test_errors_are_transfer_api_errors(user: User) -> None:
    with pytest.raises(globus_sdk.TransferAPIError) as caught:
        user.tc.get_endpoint("00000000-0000-0000-0000-000000000000")
    assert caught.value.http_status == 404
    assert caught.value.request_id
