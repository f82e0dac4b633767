"""Schedules as pure logic: parsing the v2 and legacy forms, and the moments they run at
(missed moments collapse into one run; ends by count and by date)."""

from __future__ import annotations

import datetime as dt

import pytest

from globus_local.kit.errors import ServiceError
from globus_local.services.timer.occurrences import moment, occurrence_id
from globus_local.services.timer.schedules import (
    MIN_INTERVAL_ENV,
    Schedule,
    parse_job_schedule,
    parse_schedule,
)

NOW = dt.datetime(2030, 1, 1, 12, 0, 0, tzinfo=dt.timezone.utc)
S = dt.timedelta(seconds=1)


def test_a_recurring_schedule_runs_every_interval_and_collapses_missed_runs() -> None:
    sched = Schedule(start=NOW, interval=10.0)
    assert sched.next_run(NOW, NOW, 1) == NOW + 10 * S
    # Down for 35 seconds after the first run: the next is the first moment still ahead.
    assert sched.next_run(NOW, NOW + 35 * S, 1) == NOW + 40 * S


def test_ends_by_count_and_by_date() -> None:
    assert Schedule(start=NOW, interval=10.0, end_count=2).next_run(NOW, NOW, 2) is None
    assert Schedule(start=NOW, interval=10.0, end_count=2).next_run(NOW, NOW, 1) == NOW + 10 * S
    by_date = Schedule(start=NOW, interval=10.0, end_date=NOW + 15 * S)
    assert by_date.next_run(NOW, NOW, 1) == NOW + 10 * S
    assert by_date.next_run(NOW + 10 * S, NOW + 10 * S, 2) is None
    assert Schedule(start=NOW).next_run(NOW, NOW, 1) is None


def test_parse_v2_schedules(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(MIN_INTERVAL_ENV, raising=False)
    once = parse_schedule({"type": "once"}, NOW)
    assert once.once and once.start == NOW
    assert once.document() == {"type": "once", "datetime": "2030-01-01T12:00:00+00:00"}
    rec = parse_schedule(
        {
            "type": "recurring",
            "interval_seconds": 3600,
            "start": "2030-01-01T13:00:00-05:00",
            "end": {"condition": "iterations", "iterations": 3},
        },
        NOW,
    )
    assert rec.start == dt.datetime(2030, 1, 1, 18, tzinfo=dt.timezone.utc)
    assert rec.end_count == 3 and rec.document()["end"] == {"condition": "iterations", "count": 3}
    with pytest.raises(ServiceError) as caught:
        parse_schedule({"type": "recurring", "interval_seconds": 30}, NOW)
    assert caught.value.http_status == 422  # under the 60 s minimum by default
    monkeypatch.setenv(MIN_INTERVAL_ENV, "1")
    assert parse_schedule({"type": "recurring", "interval_seconds": 30}, NOW).interval == 30


def test_parse_legacy_job_fields() -> None:
    start = (NOW + 60 * S).isoformat()
    assert parse_job_schedule({"start": start, "interval": None}, NOW).once
    job = parse_job_schedule({"start": start, "interval": 600, "stop_after_n": 3}, NOW)
    assert job.interval == 600 and job.end_count == 3
    dated = parse_job_schedule(
        {"start": start, "interval": 600, "stop_after": {"date": (NOW + 3600 * S).isoformat()}}, NOW
    )
    assert dated.end_date == NOW + 3600 * S
    with pytest.raises(ServiceError):
        parse_job_schedule({"start": start, "interval": 600, "stop_after_n": 1}, NOW)
    with pytest.raises(ServiceError):
        parse_job_schedule({"interval": 600}, NOW)


def test_an_occurrence_is_named_by_its_timer_and_moment() -> None:
    a = occurrence_id("t1", NOW)
    assert a == occurrence_id("t1", NOW + dt.timedelta(microseconds=5))
    assert a == occurrence_id("t1", NOW.astimezone(dt.timezone(dt.timedelta(hours=2))))
    assert a != occurrence_id("t1", NOW + S) and a != occurrence_id("t2", NOW)
    assert moment(NOW + dt.timedelta(microseconds=5)) == NOW
