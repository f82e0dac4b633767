"""Timers are jobs on the one queue: a platform that is down when a timer is due runs it
once when it is back, and several servers working one database never run one occurrence
twice (each occurrence is one job, one result and one Transfer submission)."""

from __future__ import annotations

import datetime as dt
import time
import typing as t
from pathlib import Path

from sqlalchemy import func, select

from globus_local.jobs.models import Job
from globus_local.services.auth.scopes import TIMER, TIMER_RS
from globus_local.services.timer.models import TimerResult
from globus_local.services.timer.occurrences import RUN_KIND
from globus_local.services.transfer.models_tasks import TransferTask
from globus_local.testing import LocalServer
from tests.support.platform import access_token, new_identity

from .support import TimersUser


def _user(server: LocalServer) -> TimersUser:
    identity = new_identity(server.db, "durable")
    token = access_token(server.token(identity["username"], [TIMER]), TIMER_RS)
    return TimersUser(identity["id"], identity["username"], token, server.service_url("timer"))


def _counts(server: LocalServer, owner_id: str, timer_id: str) -> tuple[int, int, int]:
    """(results, Transfer tasks of the owner, run jobs) as the database holds them."""
    with server.db.session() as session:
        results = session.scalar(
            select(func.count()).select_from(TimerResult).where(TimerResult.timer_id == timer_id)
        )
        tasks = session.scalar(
            select(func.count()).select_from(TransferTask).where(TransferTask.owner_id == owner_id)
        )
        jobs = session.scalars(select(Job).where(Job.kind == RUN_KIND)).all()
        runs = sum(1 for j in jobs if j.payload.get("timer_id") == timer_id)
        return int(results or 0), int(tasks or 0), runs


def test_a_timer_due_while_the_platform_is_down_runs_once_after_restart(
    own_database_url: str, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    first = LocalServer(data_dir=data_dir, database_url=own_database_url).start()
    try:
        user = _user(first)
        src, dst = user.endpoints(first, tmp_path)
        due = dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=3)
        r = user.create({"type": "once", "datetime": due.isoformat()}, src, dst)
        assert r.status_code == 201, r.text
        timer_id = r.json()["timer"]["job_id"]
    finally:
        first.stop()
    # Down across the due moment.
    time.sleep(max(0.0, (due - dt.datetime.now(dt.timezone.utc)).total_seconds()) + 1.5)
    second = LocalServer(data_dir=data_dir, database_url=own_database_url).start()
    try:
        user.base_url = second.service_url("timer")
        job = user.wait_for(
            timer_id,
            lambda j: (
                j["status"] == "ended" and j["results"]["data"][0]["data"]["status"] == "SUCCEEDED"
            ),
            "the run after the restart",
        )
        time.sleep(1.5)  # any second run would have happened by now
        assert _counts(second, user.id, timer_id) == (1, 1, 1)
        assert job["n_runs"] == 1 and job["n_errors"] == 0
        assert (tmp_path / "dst" / "copy" / "a.txt").read_text() == "alpha\n"
    finally:
        second.stop()


def test_two_servers_on_one_database_run_each_occurrence_once(
    own_database_url: str, tmp_path: Path
) -> None:
    servers = [
        LocalServer(data_dir=tmp_path / f"data{n}", database_url=own_database_url).start()
        for n in range(2)
    ]
    try:
        user = _user(servers[0])
        src, dst = user.endpoints(servers[0], tmp_path)
        schedule: dict[str, t.Any] = {
            "type": "recurring",
            "interval_seconds": 1,
            "end": {"condition": "iterations", "count": 3},
        }
        timer_id = user.create(schedule, src, dst).json()["timer"]["job_id"]
        job = user.wait_for(timer_id, lambda j: j["status"] == "ended", "three runs")
        time.sleep(1.5)
        assert job["n_runs"] == 3 and job["n_errors"] == 0
        assert _counts(servers[1], user.id, timer_id) == (3, 3, 3)
    finally:
        for server in servers:
            server.stop()
