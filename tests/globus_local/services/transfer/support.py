"""Transfer test helpers: a user calling Transfer over raw HTTP, and submitting tasks and
waiting for the mover to end them."""

from __future__ import annotations

import typing as t
from pathlib import Path

from fastapi.testclient import TestClient

from globus_local.db import Database
from globus_local.services.auth.scopes import TRANSFER_ALL, TRANSFER_RS
from globus_local.services.transfer.admin import create_endpoint
from globus_local.testing import LocalServer
from tests.support.platform import ApiUser, bearer, new_user_token, user_factory
from tests.support.waiting import wait_until

API = "v0.10/"
MakeEndpoint = t.Callable[..., tuple[str, Path]]


class TransferUser(ApiUser):
    """A user with a Transfer token; ``base_url`` ends in ``/transfer/v0.10/``."""

    def ls(self, endpoint_id: str, path: str | None = None, **params: t.Any) -> t.Any:
        if path is not None:
            params["path"] = path
        return self.get(f"operation/endpoint/{endpoint_id}/ls", params=params)


def transfer_user_factory(server: LocalServer) -> t.Callable[..., TransferUser]:
    """``make(prefix="user", scopes=(TRANSFER_ALL,))``: fresh users with a Transfer token."""
    base_url = server.service_url("transfer") + API
    return user_factory(server, base_url, TRANSFER_RS, (TRANSFER_ALL,), TransferUser)


# -- tasks --------------------------------------------------------------------------------------
def transfer_doc(
    src: str, dst: str, items: list[dict[str, t.Any]], **options: t.Any
) -> dict[str, t.Any]:
    return {
        "DATA_TYPE": "transfer",
        "source_endpoint": src,
        "destination_endpoint": dst,
        "DATA": [{"DATA_TYPE": "transfer_item", **item} for item in items],
        **options,
    }


def submit(user: TransferUser, doc: dict[str, t.Any], kind: str = "transfer") -> str:
    response = user.post(kind, json=doc)
    assert response.status_code == 202, response.text
    body = response.json()
    assert body["code"] == "Accepted"
    return str(body["task_id"])


def wait_task(user: TransferUser, task_id: str, timeout: float = 60.0) -> dict[str, t.Any]:
    """The task's document once it is no longer ACTIVE."""

    def ended() -> dict[str, t.Any] | None:
        response = user.get(f"task/{task_id}")
        assert response.status_code == 200, response.text
        doc = t.cast(dict[str, t.Any], response.json())
        return doc if doc["status"] != "ACTIVE" else None

    return wait_until(ended, f"task {task_id} to end", timeout)


def run_transfer(
    user: TransferUser, src: str, dst: str, items: list[dict[str, t.Any]], **options: t.Any
) -> dict[str, t.Any]:
    return wait_task(user, submit(user, transfer_doc(src, dst, items, **options)))


def run_delete(
    user: TransferUser, endpoint: str, paths: list[str], **options: t.Any
) -> dict[str, t.Any]:
    doc = {
        "DATA_TYPE": "delete",
        "endpoint": endpoint,
        "DATA": [{"DATA_TYPE": "delete_item", "path": p} for p in paths],
        **options,
    }
    return wait_task(user, submit(user, doc, "delete"))


def events(user: TransferUser, task_id: str) -> list[dict[str, t.Any]]:
    response = user.get(f"task/{task_id}/event_list", params={"limit": 1000})
    assert response.status_code == 200, response.text
    return t.cast(list[dict[str, t.Any]], response.json()["DATA"])


def submit_tree_copy(
    app: t.Any,
    db: Database,
    src: Path,
    dst: Path,
    files: dict[str, bytes],
    tag: str,
    **options: t.Any,
) -> tuple[str, str]:
    """Write ``files`` (path under ``src`` -> bytes), give a new user endpoints on ``src`` and
    ``dst``, and submit through ``app`` a recursive copy of the whole of ``src`` to
    ``/copy/``: (task id, the user's Transfer token)."""
    for rel, data in files.items():
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        (src / rel).write_bytes(data)
    dst.mkdir()
    identity, token = new_user_token(db, tag, [TRANSFER_ALL], TRANSFER_RS)
    username = identity["username"]
    src_id = create_endpoint(db, username, f"{tag}-src", str(src))["id"]
    dst_id = create_endpoint(db, username, f"{tag}-dst", str(dst))["id"]
    item = {"source_path": "/", "destination_path": "/copy/", "recursive": True}
    with TestClient(app) as client:
        response = client.post(
            "/transfer/v0.10/transfer",
            headers=bearer(token),
            json=transfer_doc(src_id, dst_id, [item], **options),
        )
    assert response.status_code == 202, response.text
    return str(response.json()["task_id"]), token
