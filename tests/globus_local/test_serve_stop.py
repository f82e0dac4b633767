"""SIGTERM stops `serve` in bounded time whatever it is doing, and a running transfer is
left for the next server's workers, which finish it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import typing as t
from pathlib import Path

import pytest
import requests

from tests.support.processes import free_port, serve, wait_ready

TRANSFER_ALL = "urn:globus:auth:scope:transfer.api.globus.org:all"
# Generous: the server's own bound is a few seconds; this only catches a server that hangs.
STOP_BOUND = 20
FILES = 60


def _admin(data_dir: Path, *args: str) -> t.Any:
    out = subprocess.run(
        [sys.executable, "-m", "globus_local.cli", "admin", "--data-dir", str(data_dir), *args],
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    return json.loads(out)


def _setup(tmp_path: Path) -> tuple[Path, str, str, str]:
    data_dir, src, dst = tmp_path / "state", tmp_path / "src", tmp_path / "dst"
    src.mkdir()
    dst.mkdir()
    for n in range(FILES):
        (src / f"f{n:03d}").write_bytes(b"z" * 1000)
    _admin(data_dir, "create-user", "stopper", "--password", "pw")
    src_id = _admin(
        data_dir, "create-endpoint", "--owner", "stopper", "--name", "s", "--path", str(src)
    )["id"]
    dst_id = _admin(
        data_dir, "create-endpoint", "--owner", "stopper", "--name", "d", "--path", str(dst)
    )["id"]
    token = _admin(data_dir, "token", "--user", "stopper", "--scope", TRANSFER_ALL)["access_token"]
    return data_dir, src_id, dst_id, token


@pytest.mark.live
def test_sigterm_stops_serve_under_load_and_the_next_server_finishes_the_task(
    tmp_path: Path, monkeypatch: t.Any
) -> None:
    data_dir, src_id, dst_id, token = _setup(tmp_path)
    port = free_port()
    base = f"http://127.0.0.1:{port}/transfer/v0.10/"
    headers = {"Authorization": f"Bearer {token}"}
    # The first server copies slowly, so the task is still running when it is stopped.
    monkeypatch.setenv("GLOBUS_LOCAL_TRANSFER_FILE_DELAY", "0.2")
    monkeypatch.setenv("GLOBUS_LOCAL_TRANSFER_THREADS", "1")
    monkeypatch.setenv("GLOBUS_LOCAL_TRANSFER_PROCESSES", "0")
    proc, _, err = serve(tmp_path, data_dir, port, "first")
    try:
        sid = requests.get(base + "submission_id", headers=headers, timeout=30).json()["value"]
        doc = {
            "DATA_TYPE": "transfer",
            "submission_id": sid,
            "source_endpoint": src_id,
            "destination_endpoint": dst_id,
            "DATA": [
                {
                    "DATA_TYPE": "transfer_item",
                    "source_path": "/",
                    "destination_path": "/",
                    "recursive": True,
                }
            ],
        }
        submitted = requests.post(base + "transfer", json=doc, headers=headers, timeout=30)
        assert submitted.status_code == 202, submitted.text
        task_id = submitted.json()["task_id"]
        wait_ready(
            lambda: (
                requests.get(base + f"task/{task_id}", headers=headers, timeout=30).json()[
                    "files_transferred"
                ]
                > 0
            ),
            proc,
            err,
        )
        stop_load = threading.Event()

        def load() -> None:
            with requests.Session() as http:
                while not stop_load.is_set():
                    try:
                        http.get(base + "task_list", headers=headers, timeout=5)
                    except requests.RequestException:
                        return

        loaders = [threading.Thread(target=load) for _ in range(8)]
        for loader in loaders:
            loader.start()
        time.sleep(0.5)
        started = time.monotonic()
        proc.terminate()
        status = proc.wait(STOP_BOUND)
        stopped_in = time.monotonic() - started
        stop_load.set()
        for loader in loaders:
            loader.join()
    finally:
        if proc.poll() is None:
            proc.kill()
    assert status == 0, err.read_text()
    assert "Traceback" not in err.read_text()
    print(f"serve stopped {stopped_in:.2f} s after SIGTERM")

    for name in ("GLOBUS_LOCAL_TRANSFER_FILE_DELAY", "GLOBUS_LOCAL_TRANSFER_THREADS"):
        monkeypatch.delenv(name)
    proc, _, err = serve(tmp_path, data_dir, port, "second")
    try:
        wait_ready(
            lambda: (
                requests.get(base + f"task/{task_id}", headers=headers, timeout=30).json()["status"]
                == "SUCCEEDED"
            ),
            proc,
            err,
        )
    finally:
        proc.terminate()
        proc.wait(STOP_BOUND)
    assert sorted(os.listdir(tmp_path / "dst")) == [f"f{n:03d}" for n in range(FILES)]
