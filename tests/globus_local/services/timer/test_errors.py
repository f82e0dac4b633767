"""Refusals: bad schedules and bodies are 422 in Timers' validation shape, a missing or
wrong token 401/403, an unknown timer 404, each in Timers' error document."""

from __future__ import annotations

import datetime as dt
import typing as t
import uuid
from pathlib import Path

import pytest

from globus_local.services.auth.scopes import TRANSFER_ALL
from globus_local.testing import LocalServer
from tests.support.platform import access_token, call

from .support import TimersUser


def _ago(seconds: float) -> str:
    return (dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=seconds)).isoformat()


BAD_SCHEDULES: list[tuple[t.Any, str]] = [
    (None, "schedule"),
    ({"type": "weekly"}, "type"),
    ({"type": "recurring"}, "interval_seconds"),
    ({"type": "recurring", "interval_seconds": 0}, "interval_seconds"),
    ({"type": "recurring", "interval_seconds": "often"}, "interval_seconds"),
    ({"type": "recurring", "interval_seconds": 400 * 86400}, "interval_seconds"),
    (
        {
            "type": "recurring",
            "interval_seconds": 60,
            "end": {"condition": "time", "datetime": _ago(60)},
        },
        "datetime",
    ),
    (
        {
            "type": "recurring",
            "interval_seconds": 60,
            "end": {"condition": "iterations", "count": 0},
        },
        "count",
    ),
    ({"type": "recurring", "interval_seconds": 60, "end": {"condition": "forever"}}, "condition"),
    ({"type": "recurring", "interval_seconds": 60, "end": {"count": 10**30}}, "count"),
    ({"type": "recurring", "interval_seconds": 60, "start": "yesterday"}, "start"),
    ({"type": "once", "datetime": _ago(3600)}, "datetime"),
    ({"type": "once", "datetime": "2999-01-01T00:00:00Z"}, "datetime"),
]


@pytest.mark.parametrize(("schedule", "field"), BAD_SCHEDULES)
def test_bad_schedules_are_422(
    user: TimersUser, platform_server: LocalServer, tmp_path: Path, schedule: t.Any, field: str
) -> None:
    src, dst = user.endpoints(platform_server, tmp_path)
    r = user.create(schedule, src, dst)
    assert r.status_code == 422, r.text
    detail = r.json()["detail"]
    assert detail[0]["loc"][-1] == field and detail[0]["msg"]


def test_bad_bodies_and_unknown_endpoints_are_422(
    user: TimersUser, platform_server: LocalServer, tmp_path: Path
) -> None:
    src, dst = user.endpoints(platform_server, tmp_path)
    unknown = str(uuid.uuid4())
    r = user.create({"type": "once"}, src, unknown)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "destination_endpoint"
    r = user.create({"type": "once"}, "not-a-uuid", dst)
    assert r.status_code == 422
    r = user.post(
        "v2/timer",
        json={"timer": {"timer_type": "flow", "flow_id": unknown, "schedule": {"type": "once"}}},
    )
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "timer_type"
    r = user.create({"type": "once"}, src, dst, body_extra={"sync_level": "banana"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "sync_level"
    r = user.post("v2/timer", json={"nope": 1})
    assert r.status_code == 422
    r = user.post(
        "jobs/",
        json={
            "callback_url": "https://example.org/run",
            "callback_body": {"body": {}},
            "start": _ago(0),
        },
    )
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "callback_url"]
    r = user.post("jobs/", json={})
    assert r.status_code == 422


def test_unknown_timers_and_queries(user: TimersUser) -> None:
    for path in (f"jobs/{uuid.uuid4()}", "jobs/not-a-uuid"):
        r = user.get(path)
        assert r.status_code == 404
        error = r.json()["error"]
        assert error["code"] == "NOT_FOUND" and error["status"] == 404 and error["detail"]
    assert user.get("jobs/", params={"filter_status": "sleeping"}).status_code == 422
    assert user.get("jobs/", params={"order": "owner_id asc"}).status_code == 422
    assert user.get("no/such/route").json()["error"]["code"] == "NOT_FOUND"
    assert user.get("jobs/", params={"filter_name": "a\x00b"}).status_code == 422


def test_names_and_legacy_fields_that_do_not_fit_are_422(
    user: TimersUser, platform_server: LocalServer, tmp_path: Path
) -> None:
    src, dst = user.endpoints(platform_server, tmp_path)
    assert user.create({"type": "once"}, src, dst, name="x" * 300).status_code == 422
    assert user.create({"type": "once"}, src, dst, name="a\x00b").status_code == 422
    body = {
        "start": _ago(0),
        "interval": None,
        "callback_url": "https://actions.automate.globus.org/transfer/transfer/run",
        "callback_body": {
            "body": {
                "source_endpoint_id": src,
                "destination_endpoint_id": dst,
                "transfer_items": [{"source_path": "/a", "destination_path": "/b"}],
            }
        },
        "scope": "s" * 300,
    }
    r = user.post("jobs/", json=body)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "scope"]


def test_tokens_are_checked(user: TimersUser, platform_server: LocalServer) -> None:
    r = call(user.base_url, "GET", "jobs/")
    assert r.status_code == 401 and r.json()["error"]["code"] == "UNAUTHORIZED"
    transfer = access_token(
        platform_server.token(user.username, [TRANSFER_ALL]), "transfer.api.globus.org"
    )
    r = call(user.base_url, "GET", "jobs/", transfer)
    assert r.status_code == 403 and r.json()["error"]["code"] == "ConsentRequired"
