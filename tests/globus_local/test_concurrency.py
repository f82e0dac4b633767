"""Many clients at once against one live server, on SQLite and on PostgreSQL.

A mixed workload (ls, transfer submits, task reads, search queries, token introspection)
from more clients than the server runs requests at once: every request is answered
without a 5xx, and every transfer submitted under the load ends SUCCEEDED.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from globus_local.services.auth.scopes import SEARCH_ALL, TRANSFER_ALL
from globus_local.services.transfer.admin import create_endpoint
from globus_local.testing import LocalServer
from tests.support.platform import access_tokens, bearer, new_identity

CLIENTS = 100
REQUESTS_PER_CLIENT = 20


class Workload:
    """What one client may ask; each call returns the statuses of the requests it made."""

    def __init__(self, server: LocalServer, root: Path) -> None:
        username = new_identity(server.db, "load")["username"]
        by_rs = access_tokens(server.token(username, [TRANSFER_ALL, SEARCH_ALL]))
        self.transfer_token = by_rs["transfer.api.globus.org"]
        self.search_token = by_rs["search.api.globus.org"]
        client = server.create_client("confidential", "load test resource server")
        self.client_auth = (client["client_id"], client["client_secret"])
        self.transfer = server.service_url("transfer") + "v0.10/"
        self.auth = server.service_url("auth")
        self.search = server.service_url("search")
        src, dst = root / "src", root / "dst"
        src.mkdir()
        dst.mkdir()
        for n in range(3):
            (src / f"file{n}.txt").write_bytes(b"x" * (n + 1) * 100)
        self.src = create_endpoint(server.db, username, "load source", str(src))["id"]
        self.dst = create_endpoint(server.db, username, "load destination", str(dst))["id"]
        index = requests.post(
            self.search + "v1/index",
            json={"display_name": "load", "description": "load test"},
            headers=bearer(self.search_token),
            timeout=30,
        )
        assert index.status_code == 200, index.text
        self.index = index.json()["id"]
        self.task_ids: list[str] = []
        self._lock = threading.Lock()
        self._serial = itertools.count()

    def ls(self, http: requests.Session) -> list[int]:
        r = http.get(
            f"{self.transfer}operation/endpoint/{self.src}/ls",
            params={"path": "/"},
            headers=bearer(self.transfer_token),
        )
        return [r.status_code]

    def submit(self, http: requests.Session) -> list[int]:
        headers = bearer(self.transfer_token)
        sid = http.get(self.transfer + "submission_id", headers=headers)
        if sid.status_code != 200:
            return [sid.status_code]
        n = next(self._serial)
        doc = {
            "DATA_TYPE": "transfer",
            "submission_id": sid.json()["value"],
            "source_endpoint": self.src,
            "destination_endpoint": self.dst,
            "DATA": [
                {
                    "DATA_TYPE": "transfer_item",
                    "source_path": f"/file{n % 3}.txt",
                    "destination_path": f"/copy-{n}.txt",
                }
            ],
        }
        r = http.post(self.transfer + "transfer", json=doc, headers=headers)
        if r.status_code == 202:
            with self._lock:
                self.task_ids.append(r.json()["task_id"])
        return [sid.status_code, r.status_code]

    def task(self, http: requests.Session) -> list[int]:
        with self._lock:
            task_id = self.task_ids[-1] if self.task_ids else None
        headers = bearer(self.transfer_token)
        if task_id is None:
            return [http.get(self.transfer + "task_list", headers=headers).status_code]
        return [http.get(f"{self.transfer}task/{task_id}", headers=headers).status_code]

    def query(self, http: requests.Session) -> list[int]:
        r = http.get(
            f"{self.search}v1/index/{self.index}/search",
            params={"q": "load test"},
            headers=bearer(self.search_token),
        )
        return [r.status_code]

    def introspect(self, http: requests.Session) -> list[int]:
        r = http.post(
            self.auth + "v2/oauth2/token/introspect",
            data={"token": self.transfer_token},
            auth=self.client_auth,
        )
        return [r.status_code]


def _client(workload: Workload, number: int) -> Counter[int]:
    kinds = (workload.ls, workload.submit, workload.task, workload.query, workload.introspect)
    statuses: Counter[int] = Counter()
    with requests.Session() as http:
        for step in range(REQUESTS_PER_CLIENT):
            statuses.update(kinds[(number + step) % len(kinds)](http))
    return statuses


def _wait_all(server: LocalServer, workload: Workload, deadline: float) -> dict[str, str]:
    """Each submitted task's last seen status, once none is ACTIVE or the deadline passes."""
    statuses: dict[str, str] = {}
    headers = bearer(workload.transfer_token)
    pending = list(workload.task_ids)
    while pending and time.monotonic() < deadline:
        still = []
        for task_id in pending:
            doc = requests.get(f"{workload.transfer}task/{task_id}", headers=headers, timeout=30)
            statuses[task_id] = doc.json()["status"]
            if statuses[task_id] == "ACTIVE":
                still.append(task_id)
        pending = still
        if pending:
            time.sleep(0.2)
    return statuses


@pytest.mark.timeout(600)
def test_many_clients_no_5xx_and_every_transfer_succeeds(
    platform_server: LocalServer, tmp_path: Path
) -> None:
    workload = Workload(platform_server, tmp_path)
    with ThreadPoolExecutor(CLIENTS) as pool:
        counts = sum(pool.map(lambda n: _client(workload, n), range(CLIENTS)), Counter())

    server_errors = {status: n for status, n in counts.items() if status >= 500}
    assert not server_errors, f"5xx under load: {dict(counts)}"
    assert set(counts) <= {200, 202}, dict(counts)
    assert workload.task_ids, "no transfer was submitted"
    statuses = _wait_all(platform_server, workload, time.monotonic() + 240)
    assert Counter(statuses.values()) == {"SUCCEEDED": len(workload.task_ids)}
