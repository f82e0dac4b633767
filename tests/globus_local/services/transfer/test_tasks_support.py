"""Helpers shared by the task and mover tests (no tests here): submit over HTTP, wait for the mover."""

from __future__ import annotations

import os
import time
import typing as t
from pathlib import Path

from fastapi.testclient import TestClient

from globus_local.db import Database
from globus_local.services.auth import admin
from globus_local.services.transfer.admin import create_endpoint
from tests.globus_local.services.transfer.conftest import (
    TRANSFER_ALL,
    TRANSFER_RS,
    TransferUser,
    access_token_for,
)


def transfer_doc(
    src: str, dst: str, items: list[dict[str, t.Any]], **options: t.Any
) -> dict[str, t.Any]:
    data = []
    for item in items:
        data.append({"DATA_TYPE": "transfer_item", **item})
    return {
        "DATA_TYPE": "transfer",
        "source_endpoint": src,
        "destination_endpoint": dst,
        "DATA": data,
        **options,
    }


def submit(user: TransferUser, doc: dict[str, t.Any], kind: str = "transfer") -> str:
    response = user.post(kind, json=doc)
    assert response.status_code == 202, response.text
    body = response.json()
    assert body["code"] == "Accepted"
    return str(body["task_id"])


def wait_task(user: TransferUser, task_id: str, timeout: float = 60.0) -> dict[str, t.Any]:
    end = time.monotonic() + timeout
    while True:
        response = user.get(f"task/{task_id}")
        assert response.status_code == 200, response.text
        doc = response.json()
        if doc["status"] != "ACTIVE":
            return t.cast(dict[str, t.Any], doc)
        if time.monotonic() > end:
            raise AssertionError(f"task {task_id} still ACTIVE: {doc}")
        time.sleep(0.02)


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


def wait_until(predicate: t.Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    """Poll ``predicate`` every 20 ms until it holds; fail naming ``what`` after ``timeout``."""
    end = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


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
    username = f"{tag}-{os.getpid()}-{time.monotonic_ns()}@example.org"
    admin.create_user(db, username, f"pw-{tag}-test")
    token = access_token_for(admin.issue_token(db, username, [TRANSFER_ALL]), TRANSFER_RS)
    src_id = create_endpoint(db, username, f"{tag}-src", str(src))["id"]
    dst_id = create_endpoint(db, username, f"{tag}-dst", str(dst))["id"]
    item = {"source_path": "/", "destination_path": "/copy/", "recursive": True}
    with TestClient(app) as client:
        response = client.post(
            "/transfer/v0.10/transfer",
            headers={"Authorization": f"Bearer {token}"},
            json=transfer_doc(src_id, dst_id, [item], **options),
        )
    assert response.status_code == 202, response.text
    return str(response.json()["task_id"]), token
