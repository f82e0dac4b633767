"""The demo account's password: kept in an owner-only file, never written to output or logs."""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path
from urllib.parse import urlencode

import pytest

from globus_local.app import prepare_schema
from globus_local.cli import _demo_banner
from globus_local.config import Settings
from globus_local.db import Database
from globus_local.services.auth import admin
from globus_local.services.auth.browser import login_with_password
from tests.support.platform import pkce_pair
from tests.support.processes import free_port, serve, stop


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


@pytest.mark.live
def test_serve_keeps_the_demo_password_in_an_owner_only_file(tmp_path: Path) -> None:
    data_dir, port = tmp_path / "data", free_port()
    proc, out, err = serve(tmp_path, data_dir, port, "serve", "--workers", "0")
    root = f"http://127.0.0.1:{port}/"
    try:
        password_file = data_dir / admin.DEMO_PASSWORD_FILE
        password = password_file.read_text().strip()
        assert len(password) >= 16
        assert stat.S_IMODE(password_file.stat().st_mode) == 0o600
        assert "code=" in _log_in(root, admin.DEMO_USERNAME, password)
    finally:
        stop(proc)
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
