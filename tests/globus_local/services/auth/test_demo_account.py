"""The demo account's password: kept in an owner-only file, never written to output or logs."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import requests

from globus_local.app import prepare_schema
from globus_local.cli import _demo_banner
from globus_local.config import Settings
from globus_local.db import Database
from globus_local.services.auth import admin
from globus_local.services.auth.browser import login_with_password

from .conftest import pkce_pair

START_TIMEOUT = 90.0  # a cold start imports every service and migrates a fresh database


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve(data_dir: Path, port: int, out: Path, err: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "globus_local.cli", "serve", "--port", str(port)]
        + ["--data-dir", str(data_dir), "--workers", "0"],
        stdout=out.open("wb"),
        stderr=err.open("wb"),
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


def _wait_for(url: str, proc: subprocess.Popen[bytes], err: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        assert proc.poll() is None, err.read_text()
        assert time.monotonic() < deadline, err.read_text()
        try:
            if requests.get(url, timeout=5).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.1)


def _log_in(root: str, username: str, password: str) -> str:
    _, challenge = pkce_pair()
    query = urlencode(
        {
            "client_id": admin.DEMO_CLIENT_ID,
            "redirect_uri": f"{root}auth/v2/web/auth-code",
            "scope": "openid",
            "response_type": "code",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
    )
    return login_with_password(f"{root}auth/v2/oauth2/authorize?{query}", username, password)


def test_serve_keeps_the_demo_password_in_an_owner_only_file(tmp_path: Path) -> None:
    data_dir, port = tmp_path / "data", _free_port()
    out, err = tmp_path / "serve.out", tmp_path / "serve.err"
    proc = _serve(data_dir, port, out, err)
    root = f"http://127.0.0.1:{port}/"
    try:
        _wait_for(root + "auth/.well-known/openid-configuration", proc, err)
        password_file = data_dir / admin.DEMO_PASSWORD_FILE
        password = password_file.read_text().strip()
        assert len(password) >= 16
        assert stat.S_IMODE(password_file.stat().st_mode) == 0o600
        assert "code=" in _log_in(root, admin.DEMO_USERNAME, password)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(60)
    printed = out.read_text() + err.read_text()
    assert password not in printed
    assert f"password:  in {password_file}" in printed


def test_ensure_demo_returns_where_the_password_is_not_what(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    db = Database(settings.database_url)
    try:
        prepare_schema(db)
        old_umask = os.umask(0)  # the file's mode must not depend on the umask
        try:
            demo = admin.ensure_demo(db, settings)
        finally:
            os.umask(old_umask)
    finally:
        db.dispose()
    assert demo is not None and "password" not in demo["user"]
    path = Path(demo["user"]["password_file"])
    assert path == tmp_path / admin.DEMO_PASSWORD_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".demo")] == []
    banner = _demo_banner(demo, settings)
    assert str(path) in banner and path.read_text().strip() not in banner


def test_write_owner_only_replaces_a_file_more_open_than_that(tmp_path: Path) -> None:
    path = tmp_path / "secret"
    path.write_text("old")
    path.chmod(0o644)
    text = secrets.token_urlsafe(8)
    admin.write_owner_only(path, text)
    assert path.read_text() == text and stat.S_IMODE(path.stat().st_mode) == 0o600
