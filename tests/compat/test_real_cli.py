"""The REAL globus-cli 3.2.0 (from PyPI, in the compat venv) against a live globus-local.

``globus login --no-local-server`` runs for real: the CLI registers its instance client from
the template client, prints the authorize URL, and reads the code from stdin, which this test
obtains by filling the server's login and consent pages. Later commands then use the tokens
the CLI stored in ``$HOME/.globus/cli/storage.db``. The tests are steps of one session and
run in file order (the last one logs out).
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import subprocess
import time
import typing as t
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from globus_local.services.auth.scopes import GROUPS_ALL, GROUPS_RS
from tests.compat.support import compat_env, paste_login_code
from tests.support.platform import access_token, bearer

if t.TYPE_CHECKING:
    from globus_local.testing import LocalServer

pytestmark = pytest.mark.compat

COMMAND_TIMEOUT = 120
TEMPLATE_CLIENT_ID = "95fdeba8-fac2-42bd-a357-e068d82ff78e"
NAMESPACE = "userprofile/local"  # GLOBUS_SDK_ENVIRONMENT=local, no GLOBUS_PROFILE
RESOURCE_SERVERS = [
    "auth.globus.org",
    "groups.api.globus.org",
    "search.api.globus.org",
    "transfer.api.globus.org",
]


@dataclass
class CLI:
    """Runs ``globus`` from the compat venv with a private HOME pointed at the server."""

    globus: Path
    home: Path
    env: dict[str, str]
    server: LocalServer
    username: str
    password: str
    identity_id: str
    other_username: str
    other_identity_id: str
    src: str
    dst: str
    src_dir: Path
    dst_dir: Path
    group_id: str
    login_output: str = ""
    state: dict[str, t.Any] = field(default_factory=dict)

    def run(self, *args: str, ok: bool = True, stdin: str | None = None) -> str:
        proc = subprocess.run(
            [str(self.globus), *args],
            input=stdin,
            capture_output=True,
            text=True,
            cwd=self.home,
            env=self.env,
            timeout=COMMAND_TIMEOUT,
            check=False,
        )
        if ok and proc.returncode != 0:
            pytest.fail(
                f"`globus {' '.join(args)}` exited {proc.returncode}\n"
                f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
            )
        return proc.stdout + (proc.stderr if not ok else "")

    def json(self, *args: str) -> t.Any:
        return json.loads(self.run(*args, "-F", "json"))

    @property
    def storage(self) -> Path:
        return self.home / ".globus" / "cli" / "storage.db"


def _login(cli: CLI) -> str:
    """``globus login --no-local-server`` with the code pasted on stdin; its output."""
    proc = subprocess.Popen(
        [str(cli.globus), "login", "--no-local-server"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=cli.home,
        env=cli.env,
    )
    url, output = paste_login_code(proc, cli.server, cli.username, cli.password, COMMAND_TIMEOUT)
    assert proc.returncode == 0, f"globus login failed:\n{output}"
    cli.state["authorize_url"] = url
    return output


def _create_group(server: LocalServer, username: str, name: str) -> str:
    """A group the user administers, made over the Groups API (CLI 3.2 cannot create groups)."""
    token = access_token(server.token(username, [GROUPS_ALL]), GROUPS_RS)
    resp = requests.post(
        server.service_url("groups") + "v2/groups",
        json={"name": name, "description": "for the real CLI"},
        headers=bearer(token),
        timeout=30,
    )
    assert resp.status_code in (200, 201), resp.text
    return str(resp.json()["id"])


@pytest.fixture(scope="module")
def cli(
    compat_python: Path,
    globus_local_server: LocalServer,
    tmp_path_factory: pytest.TempPathFactory,
) -> CLI:
    from globus_local.services.transfer import admin

    server = globus_local_server
    root = tmp_path_factory.mktemp("real-cli")
    tag = secrets.token_hex(4)
    username, other = f"cli-alice-{tag}@example.org", f"cli-bob-{tag}@example.org"
    password = secrets.token_urlsafe(12)
    alice = server.create_user(username, password, name="Alice CLI", email=username)
    bob = server.create_user(other)
    src_dir, dst_dir = root / "src", root / "dst"
    (src_dir / "tree" / "sub").mkdir(parents=True)
    (src_dir / "hello.txt").write_text("hello from the real cli")
    (src_dir / "tree" / "a.txt").write_text("aaa")
    (src_dir / "tree" / "sub" / "b.txt").write_text("bbbb")
    src = admin.create_endpoint(server.db, username, f"CLI compat source {tag}", str(src_dir))
    dst = admin.create_endpoint(server.db, username, f"CLI compat dest {tag}", str(dst_dir))
    home = root / "home"
    home.mkdir()
    cli = CLI(
        globus=compat_python.parent / "globus",
        home=home,
        env=compat_env(server, home),
        server=server,
        username=username,
        password=password,
        identity_id=alice["id"],
        other_username=other,
        other_identity_id=bob["id"],
        src=src["id"],
        dst=dst["id"],
        src_dir=src_dir,
        dst_dir=dst_dir,
        group_id=_create_group(server, username, f"CLI group {tag}"),
    )
    cli.state["tag"] = tag
    cli.login_output = _login(cli)
    return cli


def test_login_registers_instance_client_and_stores_tokens(cli: CLI) -> None:
    assert "You have successfully logged in to the Globus CLI!" in cli.login_output
    assert "prompt=login" in cli.state["authorize_url"]
    assert "/auth/v2/web/auth-code" in requests.utils.unquote(cli.state["authorize_url"])
    with sqlite3.connect(cli.storage) as db:
        tokens = dict(
            db.execute(
                "SELECT resource_server, token_data_json FROM token_storage WHERE namespace = ?",
                (NAMESPACE,),
            ).fetchall()
        )
        config = dict(
            db.execute(
                "SELECT config_name, config_data_json FROM config_storage WHERE namespace = ?",
                (NAMESPACE,),
            ).fetchall()
        )
    assert sorted(tokens) == RESOURCE_SERVERS
    assert all(json.loads(doc)["refresh_token"] for doc in tokens.values())
    assert json.loads(config["auth_user_data"]) == {"sub": cli.identity_id}
    instance = json.loads(config["auth_client_data"])
    assert instance["client_id"] != TEMPLATE_CLIENT_ID and instance["client_secret"]
    cli.state["instance_client"] = instance


def test_login_again_validates_stored_refresh_tokens(cli: CLI) -> None:
    # `globus login` validates every stored refresh token with the instance client first
    assert "You are already logged in!" in cli.run("login", "--no-local-server")


def test_login_through_the_local_server_flow(cli: CLI, tmp_path: Path) -> None:
    """Plain `globus login`: the CLI opens a "browser" ($BROWSER, here a script noting the URL)
    and waits on http://localhost:<port> for the redirect carrying the code."""
    home, url_file, browser = tmp_path / "home", tmp_path / "url.txt", tmp_path / "browser"
    home.mkdir()
    browser.write_text(
        f'#!/bin/sh\nprintf "%s\\n" "$1" > "{url_file}.tmp"\nmv "{url_file}.tmp" "{url_file}"\n'
    )
    browser.chmod(0o755)
    env = dict(cli.env, HOME=str(home), BROWSER=str(browser))
    proc = subprocess.Popen(
        [str(cli.globus), "login"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=home,
        env=env,
    )
    try:
        deadline = time.monotonic() + COMMAND_TIMEOUT
        while not url_file.exists():
            assert proc.poll() is None, f"globus login exited early:\n{proc.communicate()[0]}"
            assert time.monotonic() < deadline, "the CLI never opened the browser"
            time.sleep(0.05)
        url = url_file.read_text().strip()
        redirect = cli.server.login(url, cli.username, cli.password)
        assert redirect.startswith("http://localhost:"), redirect
        page = requests.get(redirect, timeout=30)  # what the browser would do next
        assert "Login successful" in page.text
        output, _ = proc.communicate(timeout=COMMAND_TIMEOUT)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, output
    assert "You have successfully logged in to the Globus CLI!" in output
    whoami = subprocess.run(
        [str(cli.globus), "whoami"], capture_output=True, text=True, env=env, cwd=home,
        timeout=COMMAND_TIMEOUT, check=False,
    )  # fmt: skip
    assert whoami.stdout.strip() == cli.username, whoami.stderr


def test_whoami(cli: CLI) -> None:
    assert cli.run("whoami").strip() == cli.username
    doc = cli.json("whoami")
    assert doc["sub"] == cli.identity_id
    assert doc["preferred_username"] == cli.username
    assert doc["name"] == "Alice CLI"
    assert cli.username in cli.run("whoami", "--linked-identities")


def test_session_show(cli: CLI) -> None:
    out = cli.run("session", "show")
    assert cli.username in out and cli.identity_id in out


def test_get_identities(cli: CLI) -> None:
    out = cli.run("get-identities", cli.other_username)
    assert out.strip() == cli.other_identity_id
    out = cli.run("get-identities", cli.identity_id)
    assert out.strip() == cli.username


def test_endpoint_search_and_show(cli: CLI) -> None:
    doc = cli.json("endpoint", "search", "--filter-scope", "my-endpoints")
    assert sorted(ep["id"] for ep in doc["DATA"]) == sorted([cli.src, cli.dst])
    text = cli.run("endpoint", "search", "--filter-scope", "my-endpoints")
    assert f"CLI compat source {cli.state['tag']}" in text
    shown = cli.json("endpoint", "show", cli.src)
    assert shown["id"] == cli.src and shown["owner_string"] == cli.username


def test_ls_and_mkdir(cli: CLI) -> None:
    assert cli.run("ls", cli.src).split() == ["hello.txt", "tree/"]
    assert cli.run("ls", f"{cli.src}:/", "--filter", "!~*.txt").split() == ["tree/"]
    recursive = cli.run("ls", "-r", f"{cli.src}:/tree/").split()
    assert sorted(recursive) == ["a.txt", "sub/", "sub/b.txt"]
    out = cli.run("mkdir", f"{cli.dst}:/cli-made")
    assert "The directory was created successfully" in out
    assert (cli.dst_dir / "cli-made").is_dir()
    assert cli.run("ls", cli.dst).split() == ["cli-made/"]


def test_transfer_and_task_wait(cli: CLI) -> None:
    submitted = cli.json(
        "transfer",
        f"{cli.src}:/tree/",
        f"{cli.dst}:/cli-made/tree/",
        "--recursive",
        "--label",
        "real cli 3.2",
    )
    assert submitted["code"] == "Accepted"
    task_id = submitted["task_id"]
    cli.run("task", "wait", task_id, "--timeout", "60", "--polling-interval", "1")
    task = cli.json("task", "show", task_id)
    assert task["status"] == "SUCCEEDED"
    assert task["label"] == "real cli 3.2"
    assert (cli.dst_dir / "cli-made" / "tree" / "sub" / "b.txt").read_text() == "bbbb"
    listed = cli.run("task", "list")
    assert task_id in listed and "SUCCEEDED" in listed
    assert "SUCCEEDED" in cli.run("task", "event-list", task_id)


def test_transfer_batch_from_stdin_and_rm(cli: CLI) -> None:
    out = cli.run(
        "transfer",
        cli.src,
        cli.dst,
        "--batch",
        "-",
        "--label",
        "real cli batch",
        "-F",
        "json",
        stdin="/hello.txt /cli-made/hello-copy.txt\n",
    )
    task_id = json.loads(out)["task_id"]
    cli.run("task", "wait", task_id, "--timeout", "60", "--polling-interval", "1")
    assert (cli.dst_dir / "cli-made" / "hello-copy.txt").read_text() == "hello from the real cli"
    # `globus rm` submits a delete task and waits for it
    cli.run("rm", f"{cli.dst}:/cli-made/hello-copy.txt")
    assert not (cli.dst_dir / "cli-made" / "hello-copy.txt").exists()


def test_share_permissions_and_roles(cli: CLI) -> None:
    share = cli.json("endpoint", "create", "--shared", f"{cli.src}:/tree/", "compat share")
    assert share["code"] == "Created"
    share_id = share["id"]
    assert share_id in cli.run("endpoint", "my-shared-endpoint-list", cli.src)
    assert cli.run("ls", share_id).split() == ["a.txt", "sub/"]
    rule = cli.json(
        "endpoint", "permission", "create", f"{share_id}:/sub/",
        "--permissions", "r", "--identity", cli.other_username,
    )  # fmt: skip
    rules = cli.json("endpoint", "permission", "list", share_id)["DATA"]
    assert [(r["id"], r["principal"], r["path"], r["permissions"]) for r in rules] == [
        (rule["access_id"], cli.other_identity_id, "/sub/", "r")
    ]
    role = cli.json(
        "endpoint", "role", "create", cli.src, "--identity", cli.other_username,
        "--role", "activity_monitor",
    )  # fmt: skip
    roles = cli.json("endpoint", "role", "list", cli.src)["DATA"]
    assert (role["id"], cli.other_identity_id, "activity_monitor") in [
        (r["id"], r["principal"], r["role"]) for r in roles
    ]
    assert "deleted successfully" in cli.run("endpoint", "delete", share_id)


def test_bookmarks(cli: CLI) -> None:
    name = f"compat bookmark {cli.state['tag']}"
    created = cli.json("bookmark", "create", f"{cli.src}:/tree/", name)
    assert created["name"] == name
    listed = cli.json("bookmark", "list")
    assert [(b["endpoint_id"], b["path"]) for b in listed["DATA"] if b["name"] == name] == [
        (cli.src, "/tree/")
    ]
    cli.run("bookmark", "delete", name)
    assert name not in cli.run("bookmark", "list")


def test_group_list_and_member_add(cli: CLI) -> None:
    groups = cli.json("group", "list")
    mine = [g for g in groups if g["id"] == cli.group_id]
    assert len(mine) == 1
    assert "admin" in {m["role"] for m in mine[0]["my_memberships"]}
    assert cli.group_id in cli.run("group", "list")
    out = cli.run("group", "member", "add", cli.group_id, cli.other_username)
    assert cli.other_username in out or cli.other_identity_id in out
    token = access_token(cli.server.token(cli.username, [GROUPS_ALL]), GROUPS_RS)
    group = requests.get(
        cli.server.service_url("groups") + f"v2/groups/{cli.group_id}",
        params={"include": "memberships"},
        headers=bearer(token),
        timeout=30,
    ).json()
    members = {m["identity_id"]: m["role"] for m in group["memberships"]}
    assert members == {cli.identity_id: "admin", cli.other_identity_id: "member"}


def _wait_search_task(cli: CLI, task_id: str) -> dict[str, t.Any]:
    deadline = time.monotonic() + 60
    while True:
        task = cli.json("search", "task", "show", task_id)
        if task["state"] in ("SUCCESS", "FAILED") or time.monotonic() > deadline:
            return t.cast(dict[str, t.Any], task)
        time.sleep(0.2)


def test_search_index_ingest_and_query(cli: CLI, tmp_path: Path) -> None:
    name = f"CLI index {cli.state['tag']}"
    index = cli.json("search", "index", "create", name, "made by the real CLI")
    index_id = index["id"]
    assert index["display_name"] == name
    listed = cli.run("search", "index", "list")
    assert index_id in listed and "owner" in listed
    assert cli.json("search", "index", "show", index_id)["display_name"] == name

    doc = tmp_path / "doc.json"
    doc.write_text(
        json.dumps(
            {
                "ingest_type": "GMetaList",
                "ingest_data": {
                    "gmeta": [
                        {
                            "subject": f"https://example.org/{s}",
                            "visible_to": ["public"],
                            "content": {"title": title},
                        }
                        for s, title in (("a", "a compat penguin"), ("b", "a compat walrus"))
                    ]
                },
            }
        )
    )
    ingested = cli.json("search", "ingest", index_id, str(doc))
    assert ingested["acknowledged"] is True
    assert _wait_search_task(cli, ingested["task_id"])["state"] == "SUCCESS"
    assert cli.run("search", "query", index_id, "-q", "penguin").split() == [
        "https://example.org/a"
    ]
    result = cli.json("search", "query", index_id, "-q", "compat")
    assert sorted(g["subject"] for g in result["gmeta"]) == [
        "https://example.org/a",
        "https://example.org/b",
    ]
    assert result["count"] == result["total"] == 2
    assert ingested["task_id"] in cli.run("search", "task", "list", index_id)


def test_logout_deletes_instance_client_and_tokens(cli: CLI) -> None:
    out = cli.run("logout", "--yes")
    assert f"Logging out of Globus as {cli.username}" in out
    with sqlite3.connect(cli.storage) as db:
        left = db.execute(
            "SELECT count(*) FROM token_storage WHERE namespace = ?", (NAMESPACE,)
        ).fetchone()
    assert left == (0,)
    # the instance client is gone from the server: its credentials no longer authenticate
    instance = cli.state["instance_client"]
    resp = requests.post(
        cli.server.service_url("auth") + "v2/oauth2/token",
        data={"grant_type": "client_credentials", "scope": "openid"},
        auth=(instance["client_id"], instance["client_secret"]),
        timeout=30,
    )
    assert resp.status_code == 401, resp.text
    out = cli.run("whoami", ok=False)
    assert "MissingLoginError" in out or "globus login" in out
