"""The Timers API over HTTP on a live platform (SQLite and PostgreSQL): transfer timers
that run once or on a schedule and submit real Transfer tasks as their owner, the job
routes, and the errors of each route in Timers' document."""

from __future__ import annotations

import datetime as dt
import typing as t
from pathlib import Path

from globus_local.services.auth import admin
from globus_local.services.auth.scopes import TIMER, TIMER_RS, TRANSFER_ALL, TRANSFER_RS
from globus_local.testing import LocalServer
from tests.support.platform import access_token, call

from .support import MakeUser, TimersUser


def _later(seconds: float) -> str:
    return (dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=seconds)).isoformat()


def _tasks_done(job: dict[str, t.Any], n: int) -> bool:
    data = job["results"]["data"]
    return len(data) == n and all(r["data"] and r["data"]["status"] == "SUCCEEDED" for r in data)


def test_a_once_timer_copies_the_files_as_its_owner(
    user: TimersUser, platform_server: LocalServer, tmp_path: Path
) -> None:
    src, dst = user.endpoints(platform_server, tmp_path)
    r = user.create({"type": "once"}, src, dst, name="copy once")
    assert r.status_code == 201, r.text
    timer = r.json()["timer"]
    assert timer["timer_type"] == "transfer" and timer["name"] == "copy once"
    assert timer["schedule"]["type"] == "once" and timer["number_of_runs"] == 0
    assert timer["body"]["source_endpoint"] == src and "submission_id" not in timer["body"]
    job = user.wait_for(timer["job_id"], lambda j: _tasks_done(j, 1), "the run's task")
    assert job["status"] == "ended" and job["n_runs"] == 1 and job["number_of_runs"] == 1
    assert job["next_run"] is None and job["activity"] is None
    assert job["stop_after"]["n_runs"] == 1
    assert (tmp_path / "dst" / "copy" / "a.txt").read_text() == "alpha\n"
    assert (tmp_path / "dst" / "copy" / "b.txt").read_text() == "beta\n"
    # The task is the owner's own, seen through Transfer with the owner's token.
    task_id = job["results"]["data"][0]["data"]["task_id"]
    transfer = access_token(platform_server.token(user.username, [TRANSFER_ALL]), TRANSFER_RS)
    task = call(platform_server.service_url("transfer"), "GET", f"v0.10/task/{task_id}", transfer)
    assert task.status_code == 200 and task.json()["owner_id"] == user.id


def test_a_recurring_timer_ends_after_its_count(
    user: TimersUser, platform_server: LocalServer, tmp_path: Path
) -> None:
    src, dst = user.endpoints(platform_server, tmp_path)
    schedule = {
        "type": "recurring",
        "interval_seconds": 1,
        "end": {"condition": "iterations", "count": 2},
    }
    r = user.create(schedule, src, dst)
    assert r.status_code == 201, r.text
    timer = r.json()["timer"]
    assert timer["schedule"]["end"] == {"condition": "iterations", "count": 2}
    assert timer["status"] == "active" and timer["activity"]["code"] == "awaiting_next_run"
    job = user.wait_for(timer["job_id"], lambda j: j["status"] == "ended", "two runs")
    assert job["n_runs"] == 2 and job["n_errors"] == 0
    results = job["results"]["data"]
    assert len(results) == 2 and len({r["data"]["task_id"] for r in results}) == 2
    assert job["interval"] == 1 and job["stop_after"] == {"date": None, "n_runs": 2}
    assert (tmp_path / "dst" / "copy" / "a.txt").exists()


def test_list_show_rename_pause_resume_delete(
    user: TimersUser, platform_server: LocalServer, tmp_path: Path
) -> None:
    src, dst = user.endpoints(platform_server, tmp_path)
    later = {"type": "recurring", "interval_seconds": 3600, "start": _later(3600)}
    timer_id = user.create(later, src, dst, name="hourly").json()["timer"]["job_id"]
    listed = user.get("jobs/", params={"order": "submitted_at asc"}).json()["jobs"]
    assert [j["job_id"] for j in listed] == [timer_id]
    assert listed[0]["callback_url"] == "https://actions.automate.globus.org/transfer/transfer/run"
    assert user.get("jobs", params={"filter_status": "ended"}).json()["jobs"] == []
    assert user.get("jobs/", params={"filter_name": "HOUR"}).json()["jobs"][0]["job_id"] == timer_id
    renamed = user.http("PATCH", f"jobs/{timer_id}", json={"name": "renamed"})
    assert renamed.status_code == 200 and renamed.json()["name"] == "renamed"
    assert user.http("PATCH", f"jobs/{timer_id}", json={"interval": 5}).status_code == 422

    paused = user.post(f"jobs/{timer_id}/pause")
    assert paused.json() == {"message": f"Successfully paused job {timer_id}."}
    job = user.job(timer_id)
    assert job["status"] == "inactive"
    assert job["inactive_reason"] == {"cause": "user", "detail": None}
    assert job["activity"] == {"code": "paused", "reason": "user"}
    assert user.post(f"jobs/{timer_id}/pause").status_code == 409
    assert (
        user.get("jobs/", params={"filter_status": "inactive"}).json()["jobs"][0]["job_id"]
        == timer_id
    )

    resumed = user.post(f"jobs/{timer_id}/resume", json={})
    assert resumed.json() == {"message": f"Successfully resumed job {timer_id}."}
    job = user.job(timer_id)
    assert job["status"] == "active" and job["inactive_reason"] is None
    assert job["n_runs"] == 0  # its first run is still an hour away
    assert user.post(f"jobs/{timer_id}/resume", json={}).status_code == 409

    deleted = user.delete(f"jobs/{timer_id}")
    assert deleted.status_code == 200 and deleted.json()["status"] == "deleted"
    assert user.get(f"jobs/{timer_id}").status_code == 404
    assert user.get("jobs/").json()["jobs"] == []


def test_a_paused_timer_misses_its_run_and_runs_once_on_resume(
    user: TimersUser, platform_server: LocalServer, tmp_path: Path
) -> None:
    src, dst = user.endpoints(platform_server, tmp_path)
    timer_id = user.create({"type": "once", "datetime": _later(1.5)}, src, dst).json()["timer"][
        "job_id"
    ]
    assert user.post(f"jobs/{timer_id}/pause").status_code == 200
    import time

    time.sleep(2.5)
    assert user.job(timer_id)["n_runs"] == 0
    assert user.post(f"jobs/{timer_id}/resume").status_code == 200
    job = user.wait_for(timer_id, lambda j: _tasks_done(j, 1), "the run after resume")
    assert job["status"] == "ended" and job["n_runs"] == 1


def test_a_legacy_job_runs_through_the_transfer_action_fields(
    user: TimersUser, platform_server: LocalServer, tmp_path: Path
) -> None:
    src, dst = user.endpoints(platform_server, tmp_path)
    body = {
        "name": "legacy",
        "start": dt.datetime.now(dt.timezone.utc).isoformat(),
        "interval": None,
        "callback_url": "https://actions.automate.globus.org/transfer/transfer/run",
        "callback_body": {
            "body": {
                "source_endpoint_id": src,
                "destination_endpoint_id": dst,
                "transfer_items": [{"source_path": "/data/a.txt", "destination_path": "/a.txt"}],
            }
        },
    }
    r = user.post("jobs/", json=body)
    assert r.status_code == 201, r.text
    job = user.wait_for(r.json()["job_id"], lambda j: _tasks_done(j, 1), "the legacy job's run")
    assert (
        job["name"] == "legacy"
        and job["callback_body"]["body"]["DATA"][0]["source_path"] == "/data/a.txt"
    )
    assert (tmp_path / "dst" / "a.txt").read_text() == "alpha\n"


def test_withdrawn_consent_stops_the_timer_until_resumed_with_new_credentials(
    user: TimersUser, platform_server: LocalServer, tmp_path: Path
) -> None:
    src, dst = user.endpoints(platform_server, tmp_path)
    schedule = {"type": "recurring", "interval_seconds": 2, "start": _later(2)}
    timer_id = user.create(schedule, src, dst).json()["timer"]["job_id"]
    assert admin.revoke_consent(platform_server.db, user.username) > 0
    assert user.get(f"jobs/{timer_id}").status_code == 401  # the user's own token went too
    fresh = access_token(platform_server.token(user.username, [TIMER]), TIMER_RS)
    again = TimersUser(user.id, user.username, fresh, user.base_url)
    job = again.wait_for(timer_id, lambda j: j["status"] == "inactive", "the timer to stop")
    assert job["inactive_reason"]["cause"] == "globus_auth_requirements"
    gare = job["inactive_reason"]["detail"]
    assert gare["code"] == "ConsentRequired"
    assert gare["authorization_parameters"]["required_scopes"] == [f"{TIMER}[{TRANSFER_ALL}]"]
    assert job["activity"] == {"code": "paused", "reason": "globus_auth_requirements"}
    assert job["n_errors"] == 1 and job["n_runs"] == 0
    assert job["results"]["data"][0]["run_status"] == "failed"
    # Resumed with the new login's credentials (the default after a consent problem).
    assert again.post(f"jobs/{timer_id}/resume", json={}).status_code == 200
    job = again.wait_for(timer_id, lambda j: j["n_runs"] >= 1, "a run with new credentials")
    assert job["status"] == "active"
    again.delete(f"jobs/{timer_id}")


def test_the_timer_keeps_running_after_the_login_token_is_revoked(
    user: TimersUser, platform_server: LocalServer, tmp_path: Path
) -> None:
    src, dst = user.endpoints(platform_server, tmp_path)
    timer_id = user.create({"type": "once", "datetime": _later(1.5)}, src, dst).json()["timer"][
        "job_id"
    ]
    assert admin.revoke_token(platform_server.db, user.token)
    fresh = access_token(platform_server.token(user.username, [TIMER]), TIMER_RS)
    again = TimersUser(user.id, user.username, fresh, user.base_url)
    job = again.wait_for(timer_id, lambda j: _tasks_done(j, 1), "the run after logout")
    assert job["n_errors"] == 0


def test_another_user_sees_no_timer(
    make_user: MakeUser, platform_server: LocalServer, tmp_path: Path
) -> None:
    owner, other = make_user("owner"), make_user("other")
    src, dst = owner.endpoints(platform_server, tmp_path)
    timer_id = owner.create({"type": "once", "datetime": _later(3600)}, src, dst).json()["timer"][
        "job_id"
    ]
    for method, path in (
        ("GET", ""),
        ("PATCH", ""),
        ("DELETE", ""),
        ("POST", "/pause"),
        ("POST", "/resume"),
    ):
        r = other.http(method, f"jobs/{timer_id}{path}", json={})
        assert r.status_code == 404, (method, path, r.text)
        assert r.json()["error"]["code"] == "NOT_FOUND"
    assert other.get("jobs/").json()["jobs"] == []
    owner.delete(f"jobs/{timer_id}")
