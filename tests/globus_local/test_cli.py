"""The `globus-local` command: env exports, admin JSON and errors, serve and worker processes."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
import typing as t
from pathlib import Path

import pytest
import requests

from globus_local.cli import main
from tests.support.processes import free_port, serve, start, stop, wait_ready


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for var in ("GLOBUS_LOCAL_DATABASE_URL", "GLOBUS_LOCAL_PUBLIC_URL"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("GLOBUS_LOCAL_DATA_DIR", str(tmp_path / "default-data"))


def parse_exports(text: str) -> dict[str, str]:
    env = {}
    for line in text.strip().splitlines():
        word, assignment = line.split(" ", 1)
        assert word == "export"
        key, value = assignment.split("=", 1)
        env[key] = shlex.split(value)[0]
    return env


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, t.Any, str]:
    status = main(argv)
    out, err = capsys.readouterr()
    return status, (json.loads(out) if status == 0 and out.strip() else out), err


# -- env ---------------------------------------------------------------------------------------
def test_env_points_sdks_at_the_given_url(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["env", "--url", "http://example.test:9000"]) == 0
    env = parse_exports(capsys.readouterr().out)
    assert env["GLOBUS_SDK_ENVIRONMENT"] == "local"
    assert env["GLOBUS_LOCAL_URL"] == "http://example.test:9000/"
    assert env["GLOBUS_SDK_SERVICE_URL_AUTH"] == "http://example.test:9000/auth/"
    from globus_local.kit.service import SERVICE_NAMES

    services = {k.removeprefix("GLOBUS_SDK_SERVICE_URL_") for k in env if "SERVICE_URL" in k}
    assert services == {name.upper() for name in SERVICE_NAMES}


def test_env_defaults_to_configured_server(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(["env"]) == 0
    assert parse_exports(capsys.readouterr().out)["GLOBUS_LOCAL_URL"] == "http://127.0.0.1:8700/"
    monkeypatch.setenv("GLOBUS_LOCAL_PUBLIC_URL", "https://globus.example.org")
    assert main(["env"]) == 0
    env = parse_exports(capsys.readouterr().out)
    assert env["GLOBUS_SDK_SERVICE_URL_AUTH"] == "https://globus.example.org/auth/"


def test_env_output_is_what_the_sdk_reads(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from globus_sdk.config import get_environment_name, get_service_url

    assert main(["env", "--url", "http://127.0.0.1:8123/"]) == 0
    for key, value in parse_exports(capsys.readouterr().out).items():
        monkeypatch.setenv(key, value)
    assert get_service_url(get_environment_name(), "auth") == "http://127.0.0.1:8123/auth/"
    monkeypatch.delenv("GLOBUS_SDK_SERVICE_URL_AUTH")
    # via the local environment
    assert get_service_url(get_environment_name(), "auth") == "http://127.0.0.1:8123/auth/"


# -- admin -------------------------------------------------------------------------------------
def test_admin_users(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = ["--data-dir", str(tmp_path / "data")]
    status, user, _ = run(
        [
            "admin",
            *data,
            "create-user",
            "alice@example.org",
            "--password",
            "pw-1",
            "--name",
            "Alice A",
            "--email",
            "alice@example.org",
        ],
        capsys,
    )
    assert status == 0
    assert user["username"] == "alice@example.org"
    assert user["name"] == "Alice A" and user["email"] == "alice@example.org"

    # --data-dir also accepted after the action
    status, users, _ = run(["admin", "list-users", *data], capsys)
    assert status == 0
    assert user["id"] in [u["id"] for u in users]

    status, out, err = run(
        ["admin", *data, "create-user", "alice@example.org", "--password", "x"], capsys
    )
    assert status == 1 and out == ""
    assert err.startswith("globus-local: error:") and "Traceback" not in err


def test_admin_clients(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = ["--data-dir", str(tmp_path / "data")]
    status, native, _ = run(
        [
            "admin",
            *data,
            "create-client",
            "native",
            "--name",
            "My App",
            "--redirect-uri",
            "http://localhost:8888/cb",
            "--redirect-uri",
            "https://app/cb",
        ],
        capsys,
    )
    assert status == 0
    assert native["name"] == "My App" and native["public_client"] is True
    assert native["redirect_uris"] == ["http://localhost:8888/cb", "https://app/cb"]
    assert "client_secret" not in native

    status, conf, _ = run(
        ["admin", *data, "create-client", "confidential", "--name", "Svc"], capsys
    )
    assert status == 0
    assert conf["public_client"] is False and conf["client_secret"]

    status, clients, _ = run(["admin", *data, "list-clients"], capsys)
    ids = [c["client_id"] for c in clients]
    assert native["client_id"] in ids and conf["client_id"] in ids


def test_admin_token(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from globus_local.services.auth.scopes import GROUPS_ALL

    data = ["--data-dir", str(tmp_path / "data")]
    assert run(["admin", *data, "create-user", "bob", "--password", "pw"], capsys)[0] == 0
    status, tokens, _ = run(
        ["admin", *data, "token", "--user", "bob", "--scope", "openid", "--scope", GROUPS_ALL],
        capsys,
    )
    assert status == 0
    everything = [tokens, *tokens["other_tokens"]]
    by_rs = {tok["resource_server"]: tok for tok in everything}
    assert "groups.api.globus.org" in by_rs
    assert all(tok["access_token"] for tok in everything)

    status, out, err = run(
        ["admin", *data, "token", "--user", "nobody", "--scope", "openid"], capsys
    )
    assert status == 1 and "Traceback" not in err and err.startswith("globus-local: error:")


def test_admin_requires_arguments(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["admin", "create-user", "carol"])  # no --password
    assert exc.value.code == 2


# -- processes ---------------------------------------------------------------------------------
@pytest.mark.live
def test_serve_runs_the_platform(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    port = free_port()
    data_dir = tmp_path / "data"
    url = f"http://127.0.0.1:{port}/auth/.well-known/openid-configuration"
    proc, out, err = serve(tmp_path, data_dir, port, "serve", "--workers", "1")
    try:
        config = requests.get(url, timeout=5).json()
        assert config["issuer"].startswith(f"http://127.0.0.1:{port}/")
        # admin works beside the running server, on the same database
        status, users, _ = run(["admin", "--data-dir", str(data_dir), "list-users"], capsys)
        assert status == 0 and any(u["username"].startswith("demo") for u in users)
    finally:
        status = stop(proc)
    assert status == 0
    banner = out.read_text()
    assert "demo" in banner
    assert f"export GLOBUS_SDK_SERVICE_URL_AUTH=http://127.0.0.1:{port}/auth/" in banner
    log = err.read_text()
    assert '"GET /auth/.well-known/openid-configuration" 200' in log
    assert "Traceback" not in log

    # A second start finds the demo account in place and does not print it again.
    proc, out, err = serve(tmp_path, data_dir, port, "serve2", "--workers", "0")
    assert stop(proc) == 0
    assert "demo account" not in out.read_text()


@pytest.mark.live
def test_a_crash_of_serve_leaves_every_threads_stack_in_its_log(tmp_path: Path) -> None:
    """A fatal signal (as a crash in an extension module raises) is reported with the
    Python stacks of all threads before the process dies."""
    import signal

    port = free_port()
    proc, _out, err = serve(tmp_path, tmp_path / "data", port, "serve", "--workers", "1")
    proc.send_signal(signal.SIGSEGV)
    assert proc.wait(60) == -signal.SIGSEGV
    log = err.read_text()
    assert "Fatal Python error: Segmentation fault" in log
    assert "Current thread" in log and "Thread 0x" in log


@pytest.mark.live
def test_worker_runs_until_terminated(tmp_path: Path) -> None:
    proc, _out, err = start(
        ["worker", "--data-dir", str(tmp_path / "data"), "--threads", "2"], tmp_path, "worker"
    )
    try:
        wait_ready(lambda: "worker running 2 thread(s)" in err.read_text(), proc, err)
    finally:
        status = stop(proc)
    assert status == 0
    assert "Traceback" not in err.read_text()


def test_tune_gc_sets_the_started_process_aside() -> None:
    """In a fresh interpreter: what exists is frozen, and young collections come later."""
    code = (
        "import gc; from globus_local.cli import tune_gc, GC_THRESHOLDS; "
        "before = gc.get_freeze_count(); tune_gc(); "
        "assert gc.get_threshold() == GC_THRESHOLDS, gc.get_threshold(); "
        "assert gc.get_freeze_count() > before + 1000, gc.get_freeze_count(); print('ok')"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.stdout.strip() == "ok", done.stderr
