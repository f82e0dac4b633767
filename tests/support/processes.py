"""`globus-local` commands run as child processes, as an operator runs them.

Output goes to files under the test's tmp_path so a failure can show the process's log.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import typing as t
from pathlib import Path

import pytest
import requests

# A cold start imports every service and migrates a fresh database.
START_TIMEOUT = 90.0
STOP_TIMEOUT = 60.0
READY_PATH = "auth/.well-known/openid-configuration"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(args: list[str], tmp_path: Path, name: str) -> tuple[subprocess.Popen[bytes], Path, Path]:
    """Start ``globus-local <args>``; returns the process and its stdout and stderr files."""
    out, err = tmp_path / f"{name}.out", tmp_path / f"{name}.err"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "globus_local.cli", *args],
        stdout=out.open("wb"),
        stderr=err.open("wb"),
        env=env,
    )
    return proc, out, err


def stop(proc: subprocess.Popen[bytes]) -> int:
    """SIGTERM, as an operator stops it; its exit status."""
    proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise


def wait_ready(check: t.Callable[[], bool], proc: subprocess.Popen[bytes], err: Path) -> None:
    """Wait until ``check`` holds; fail with the process's log if it exits or takes too long."""
    deadline = time.monotonic() + START_TIMEOUT
    while not check():
        if proc.poll() is not None:
            pytest.fail(f"process exited ({proc.returncode}):\n{err.read_text()}")
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"process not ready in time:\n{err.read_text()}")
        time.sleep(0.1)


def answers(url: str) -> bool:
    """Whether ``url`` answers 200 now."""
    try:
        return requests.get(url, timeout=5).status_code == 200
    except requests.ConnectionError:
        return False


def serve(
    tmp_path: Path, data_dir: Path, port: int, name: str, *extra: str
) -> tuple[subprocess.Popen[bytes], Path, Path]:
    """``globus-local serve`` on ``port`` and ``data_dir``, returned once it answers."""
    args = ["serve", "--port", str(port), "--data-dir", str(data_dir), *extra]
    proc, out, err = start(args, tmp_path, name)
    url = f"http://127.0.0.1:{port}/{READY_PATH}"
    wait_ready(lambda: answers(url), proc, err)
    return proc, out, err
