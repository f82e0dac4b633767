"""A `globus-local worker` killed with SIGKILL in the middle of a run of the five-state,
two-transfer flow loses nothing: restarted, the run ends SUCCEEDED with each action started
once and the same output as an undisturbed run.

The server (``serve --workers 0``) answers the API and the action providers; every job (the
flow run's and the transfers') is worked by separate worker processes, killed while each
transfer action runs.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import typing as t
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from globus_local.db import Database
from globus_local.jobs import Job, JobStatus
from globus_local.services.auth import admin
from globus_local.services.auth.scopes import FLOWS_ALL, FLOWS_RS
from globus_local.services.transfer.models_tasks import TransferTask
from tests.support.platform import access_token, call, new_identity
from tests.support.processes import free_port, serve, stop
from tests.support.waiting import wait_until

from .transfer_flow import TWO_HOPS, endpoints, tree, write_files

FILES = 300


def _worker(data_dir: Path, database_url: str, log: Path, **env: str) -> subprocess.Popen[bytes]:
    script = Path(sys.executable).with_name("globus-local")
    command = (
        [str(script), "worker", "--threads", "2"]
        if script.exists()
        else [sys.executable, "-m", "globus_local.cli", "worker", "--threads", "2"]
    )
    environment = {
        **os.environ,
        "GLOBUS_LOCAL_DATA_DIR": str(data_dir),
        "GLOBUS_LOCAL_DATABASE_URL": database_url,
        **env,
    }
    return subprocess.Popen(
        command,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=log.open("ab"),
        start_new_session=True,
    )


def _kill(worker: subprocess.Popen[bytes]) -> None:
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(timeout=30)


def _lapse_leases(db: Database) -> None:
    """The dead worker's leases would lapse within their term; end them now."""
    with db.session() as session:
        session.execute(
            update(Job)
            .where(Job.state == JobStatus.RUNNING)
            .values(lease_expires_at=dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=1))
        )


def _tasks(db: Database, owner_id: str) -> int:
    with db.session() as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(TransferTask)
                .where(TransferTask.owner_id == owner_id)
            )
            or 0
        )


@pytest.mark.live
@pytest.mark.timeout(300)
def test_sigkill_mid_run_then_resume(
    tmp_path: Path, own_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    data_dir, port = tmp_path / "data", free_port()
    monkeypatch.setenv("GLOBUS_LOCAL_DATABASE_URL", own_database_url)
    server, _, server_err = serve(tmp_path, data_dir, port, "server", "--workers", "0")
    worker_log = tmp_path / "workers.err"
    workers: list[subprocess.Popen[bytes]] = []
    db = Database(own_database_url)
    try:
        base = f"http://127.0.0.1:{port}/flows/"
        user = new_identity(db, "durable")
        flows_token = access_token(admin.issue_token(db, user["username"], [FLOWS_ALL]), FLOWS_RS)
        r = call(
            base,
            "POST",
            "flows",
            flows_token,
            json={"title": "Two hops", "definition": TWO_HOPS, "input_schema": {}},
        )
        assert r.status_code == 201, r.text
        flow = r.json()
        flow_token = access_token(
            admin.issue_token(db, user["username"], [flow["globus_auth_scope"]]), flow["id"]
        )

        def start(root: Path) -> str:
            ids = endpoints(db, user["username"], root, root.name)
            r = call(base, "POST", f"flows/{flow['id']}/run", flow_token, json={"body": ids})
            assert r.status_code == 201, r.text
            return str(r.json()["run_id"])

        def run_doc(run_id: str) -> dict[str, t.Any]:
            return t.cast(dict[str, t.Any], call(base, "GET", f"runs/{run_id}", flows_token).json())

        files = write_files(tmp_path / "killed" / "source", FILES)
        run_id = start(tmp_path / "killed")
        slow = {"GLOBUS_LOCAL_TRANSFER_FILE_DELAY": "0.01"}
        # Killed once while each transfer action runs.
        for started in (1, 2):
            workers.append(_worker(data_dir, own_database_url, worker_log, **slow))
            wait_until(
                lambda started=started: _tasks(db, user["id"]) >= started,
                f"transfer action {started} to start",
                120,
            )
            _kill(workers[-1])
            assert run_doc(run_id)["status"] == "ACTIVE"
            _lapse_leases(db)
        workers.append(_worker(data_dir, own_database_url, worker_log))
        wait_until(lambda: run_doc(run_id)["status"] != "ACTIVE", "the resumed run to end", 180)
        killed = run_doc(run_id)
        assert killed["status"] == "SUCCEEDED", (killed, worker_log.read_text()[-3000:])
        # Each action started once: one Transfer task each, one start in the log each.
        assert _tasks(db, user["id"]) == 2
        log = call(base, "GET", f"runs/{run_id}/log", flows_token, params={"limit": 100}).json()[
            "entries"
        ]
        assert [e["code"] for e in log].count("ActionStarted") == 2
        assert tree(tmp_path / "killed" / "destination" / "final") == files

        # The same flow undisturbed gives the same output.
        write_files(tmp_path / "calm" / "source", FILES)
        calm_id = start(tmp_path / "calm")
        wait_until(
            lambda: run_doc(calm_id)["status"] != "ACTIVE", "the undisturbed run to end", 180
        )
        calm = run_doc(calm_id)
        assert calm["status"] == "SUCCEEDED"
        assert killed["details"]["output"] == calm["details"]["output"]
        assert killed["details"]["output"]["second_files"] == FILES
    finally:
        for worker in workers:
            if worker.poll() is None:
                stop(worker)
        stop(server)
        db.dispose()
        if server.returncode not in (0, None):
            print(server_err.read_text())
