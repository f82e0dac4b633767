"""Globus Timers with the REAL newest globus-cli (3.44) and globus-sdk (4.10) against a
live globus-local: the CLI logs in through the login pages, then creates a recurring
transfer timer that ends after two runs and lists, shows, pauses, resumes and deletes
timers; the SDK's TimersClient does the same. The copied files are checked on disk.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import time
import typing as t
from dataclasses import dataclass
from pathlib import Path

import pytest

from globus_local.services.auth.scopes import TIMER, TIMER_RS
from globus_local.services.transfer.admin import create_endpoint
from tests.compat.support import compat_env, paste_login_code
from tests.globus_local.services.timer.support import restore_min_interval, set_test_min_interval
from tests.support.platform import access_token

if t.TYPE_CHECKING:
    from globus_local.testing import LocalServer

pytestmark = pytest.mark.compat

COMMAND_TIMEOUT = 120
WAIT = 90.0
SCRIPT = Path(__file__).parent / "scripts" / "timers_sdk_story.py"
PASSWORD = "pw-for-timers"


@pytest.fixture(scope="module", autouse=True)
def _short_intervals() -> t.Iterator[None]:
    previous = set_test_min_interval()
    yield
    restore_min_interval(previous)


def _endpoints(server: LocalServer, username: str, root: Path) -> tuple[str, str]:
    """The user's source (``/data/a.txt``, ``/data/b.txt``) and empty destination."""
    (root / "src" / "data").mkdir(parents=True)
    (root / "src" / "data" / "a.txt").write_text("alpha\n")
    (root / "src" / "data" / "b.txt").write_text("beta\n")
    (root / "dst").mkdir()
    src = create_endpoint(server.db, username, "timers source", str(root / "src"))["id"]
    dst = create_endpoint(server.db, username, "timers destination", str(root / "dst"))["id"]
    return src, dst


@dataclass
class Cli:
    """The newest ``globus``, logged in as a user through the login pages."""

    globus: Path
    home: Path
    env: dict[str, str]

    def run(self, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(
            [str(self.globus), *args],
            capture_output=True,
            text=True,
            cwd=self.home,
            env=self.env,
            timeout=COMMAND_TIMEOUT,
            check=False,
        )
        if ok and proc.returncode != 0:
            pytest.fail(f"`globus {' '.join(args)}` exited {proc.returncode}\n{proc.stderr}")
        return proc

    def json(self, *args: str) -> dict[str, t.Any]:
        return t.cast(dict[str, t.Any], json.loads(self.run(*args, "-F", "json").stdout))

    def listed(self) -> list[str]:
        """The ids ``globus timer list`` shows (its JSON is the list of jobs)."""
        jobs = json.loads(self.run("timer", "list", "-F", "json").stdout)
        return [j["job_id"] for j in jobs]


@pytest.fixture(scope="module")
def user(
    globus_local_server: LocalServer, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, t.Any]:
    home = tmp_path_factory.mktemp("timers-user")
    username = f"timers-{home.name}@example.org"
    doc = globus_local_server.create_user(username, PASSWORD, name="T", email=username)
    return {**doc, "username": username}


@pytest.fixture(scope="module")
def cli(
    compat_python_newest_cli: Path,
    globus_local_server: LocalServer,
    user: dict[str, t.Any],
    tmp_path_factory: pytest.TempPathFactory,
) -> Cli:
    home = tmp_path_factory.mktemp("timers-cli")
    env = compat_env(globus_local_server, home)
    globus = compat_python_newest_cli.parent / "globus"
    proc = subprocess.Popen(
        [str(globus), "login", "--no-local-server"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=home,
        env=env,
    )
    _url, output = paste_login_code(proc, globus_local_server, user["username"], PASSWORD, 60)
    assert proc.returncode == 0, output
    return Cli(globus, home, env)


def test_the_cli_creates_a_recurring_transfer_timer_that_ends_after_two_runs(
    cli: Cli, globus_local_server: LocalServer, user: dict[str, t.Any], tmp_path: Path
) -> None:
    src, dst = _endpoints(globus_local_server, user["username"], tmp_path)
    created = cli.json(
        "timer",
        "create",
        "transfer",
        f"{src}:/data/",
        f"{dst}:/copy/",
        "--recursive",
        "--interval",
        "2s",
        "--stop-after-runs",
        "2",
        "--name",
        "cli timer",
    )
    timer_id = created["job_id"]
    assert created["name"] == "cli timer" and created["timer_type"] == "transfer"
    assert created["schedule"]["interval_seconds"] == 2
    assert created["schedule"]["end"]["count"] == 2
    assert created["body"]["verify_checksum"] is True  # the CLI's default, kept

    end = time.monotonic() + WAIT
    while (shown := cli.json("timer", "show", timer_id))["status"] != "ended":
        assert time.monotonic() < end, shown
        time.sleep(0.5)
    assert shown["n_runs"] == 2 and shown["n_errors"] == 0
    assert len({r["data"]["task_id"] for r in shown["results"]["data"]}) == 2
    text = cli.run("timer", "show", timer_id).stdout
    assert "Transfer" in text and "Number of Runs:" in text
    assert timer_id in cli.listed()
    assert "cli timer" in cli.run("timer", "list").stdout

    def copied() -> bool:
        files = [tmp_path / "dst" / "copy" / n for n in ("a.txt", "b.txt")]
        return all(f.exists() for f in files)

    while not copied():
        assert time.monotonic() < end, "the timer's tasks copied nothing"
        time.sleep(0.2)
    assert (tmp_path / "dst" / "copy" / "a.txt").read_text() == "alpha\n"
    assert (tmp_path / "dst" / "copy" / "b.txt").read_text() == "beta\n"


def test_the_cli_pauses_resumes_and_deletes_a_timer(
    cli: Cli, globus_local_server: LocalServer, user: dict[str, t.Any], tmp_path: Path
) -> None:
    src, dst = _endpoints(globus_local_server, user["username"], tmp_path)
    start = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=1)).isoformat(timespec="seconds")
    created = cli.json(
        "timer",
        "create",
        "transfer",
        f"{src}:/data/a.txt",
        f"{dst}:/a.txt",
        "--interval",
        "1h",
        "--start",
        start,
    )
    timer_id = created["job_id"]
    assert created["status"] == "active" and created["number_of_runs"] == 0

    assert f"Successfully paused job {timer_id}." in cli.run("timer", "pause", timer_id).stdout
    shown = cli.json("timer", "show", timer_id)
    assert shown["status"] == "inactive" and shown["inactive_reason"]["cause"] == "user"
    assert f"Successfully resumed job {timer_id}." in cli.run("timer", "resume", timer_id).stdout
    assert cli.json("timer", "show", timer_id)["status"] == "active"

    deleted = cli.json("timer", "delete", timer_id)
    assert deleted["status"] == "deleted"
    gone = cli.run("timer", "show", timer_id, ok=False)
    assert gone.returncode != 0 and "404" in gone.stderr and "Traceback" not in gone.stderr
    assert timer_id not in cli.listed()


def test_the_sdk_timers_client(
    compat_python_newest_sdk: Path,
    globus_local_server: LocalServer,
    tmp_path: Path,
) -> None:
    server = globus_local_server
    username = f"timers-sdk-{tmp_path.name}@example.org"
    server.create_user(username)
    src, dst = _endpoints(server, username, tmp_path)
    env = compat_env(server, tmp_path)
    token = access_token(server.token(username, [TIMER]), TIMER_RS)
    env.update(TOKENS=json.dumps({"timer": token}), SRC=src, DST=dst)
    proc = subprocess.run(
        [str(compat_python_newest_sdk), str(SCRIPT)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=180,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["sdk_version"].startswith("4.")
    assert report["create_status"] == 201
    assert report["created"]["schedule"]["end"]["count"] == 2
    ended = report["ended"]
    assert ended["status"] == "ended" and ended["n_runs"] == 2, ended
    assert ended["job_id"] in report["listed_ended"]
    assert report["renamed"] == "sdk renamed"
    assert report["paused"] == "inactive" and report["resumed"] == "active"
    assert report["pause"].startswith("Successfully paused") and report["resume"].startswith(
        "Successfully resumed"
    )
    assert report["deleted"] == "deleted"
    assert report["missing"] == {"http_status": 404, "code": "NOT_FOUND"}
    end = time.monotonic() + WAIT
    while not (tmp_path / "dst" / "sdk" / "b.txt").exists():
        assert time.monotonic() < end, "the SDK timer's tasks copied nothing"
        time.sleep(0.2)
    assert (tmp_path / "dst" / "sdk" / "a.txt").read_text() == "alpha\n"
