"""Schedules: once (at a moment, or now) or recurring (every ``interval_seconds`` from
``start``, ending at a moment or after a number of runs), parsed from the v2 ``schedule``
object or the legacy job fields, and the moments they run at.

Run *k* of a recurring timer is due at ``start + k * interval``. A run that happens late
(the platform was down) is followed by the first moment still ahead, so missed moments
collapse into one run. Runs are counted toward an end after ``count`` runs.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import typing as t
from dataclasses import dataclass

from globus_local.kit.params import parse_datetime
from globus_local.services.timer.errors import invalid

# The platform's shortest interval, as Globus Timers': settable (in seconds) so tests need
# not wait a minute between runs.
MIN_INTERVAL_ENV = "GLOBUS_LOCAL_TIMER_MIN_INTERVAL"
DEFAULT_MIN_INTERVAL = 60.0
MAX_INTERVAL = 365 * 86400.0
MAX_COUNT = 2**31 - 1  # what the run counters hold
# How far ahead a timer may start, and how far behind "now" a once-timer's moment may be.
MAX_START_AHEAD = dt.timedelta(days=366)
PAST_SLACK = dt.timedelta(minutes=5)


def min_interval() -> float:
    raw = os.environ.get(MIN_INTERVAL_ENV)
    return max(0.1, float(raw)) if raw else DEFAULT_MIN_INTERVAL


@dataclass(frozen=True)
class Schedule:
    start: dt.datetime
    interval: float | None = None  # None: runs once
    end_date: dt.datetime | None = None
    end_count: int | None = None

    @property
    def once(self) -> bool:
        return self.interval is None

    def document(self) -> dict[str, t.Any]:
        """The ``schedule`` object Timers shows."""
        if self.interval is None:
            return {"type": "once", "datetime": _iso(self.start)}
        end: dict[str, t.Any] | None = None
        if self.end_count is not None:
            end = {"condition": "iterations", "count": self.end_count}
        elif self.end_date is not None:
            end = {"condition": "time", "datetime": _iso(self.end_date)}
        interval = int(self.interval) if self.interval.is_integer() else self.interval
        return {
            "type": "recurring",
            "interval_seconds": interval,
            "start": _iso(self.start),
            "end": end,
        }

    def first_run(self) -> dt.datetime:
        return self.start

    def next_run(self, after: dt.datetime, now: dt.datetime, runs: int) -> dt.datetime | None:
        """The moment after the run due at ``after`` (``runs`` done so far): the first one
        still ahead of ``now``; None when the schedule has ended."""
        if self.interval is None:
            return None
        if self.end_count is not None and runs >= self.end_count:
            return None
        latest = max(after, now)
        k = math.floor((latest - self.start).total_seconds() / self.interval) + 1
        moment = self.start + dt.timedelta(seconds=k * self.interval)
        if self.end_date is not None and moment > self.end_date:
            return None
        return moment


def _iso(value: dt.datetime) -> str:
    return value.astimezone(dt.timezone.utc).isoformat(timespec="seconds")


def _moment(value: t.Any, loc: list[str | int]) -> dt.datetime:
    try:
        return parse_datetime(value, ".".join(str(p) for p in loc))
    except Exception:
        raise invalid(f"invalid datetime: {value!r}", loc) from None


def _interval(value: t.Any, loc: list[str | int]) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise invalid("interval must be a number of seconds", loc)
    shortest = min_interval()
    if not shortest <= value <= MAX_INTERVAL:
        raise invalid(f"interval must be between {shortest:g} and {MAX_INTERVAL:g} seconds", loc)
    return float(math.floor(value)) if value >= 1 else float(value)


def _count(value: t.Any, loc: list[str | int]) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_COUNT:
        raise invalid(f"count must be an integer from 1 to {MAX_COUNT}", loc)
    return value


def _check_start(start: dt.datetime, now: dt.datetime, loc: list[str | int]) -> None:
    if start > now + MAX_START_AHEAD:
        raise invalid("start must be within one year of now", loc)


def _check_end(
    end: dt.datetime, start: dt.datetime, now: dt.datetime, loc: list[str | int]
) -> None:
    if end <= now:
        raise invalid("end datetime is in the past", loc)
    if end < start:
        raise invalid("end datetime is before the start", loc)


def parse_schedule(raw: t.Any, now: dt.datetime) -> Schedule:
    """A v2 ``schedule`` object; a 422 naming the field at fault otherwise."""
    loc: list[str | int] = ["body", "timer", "schedule"]
    if not isinstance(raw, dict):
        raise invalid("schedule must be an object", loc)
    kind = raw.get("type")
    if kind == "once":
        unknown = set(raw) - {"type", "datetime"}
        if unknown:
            raise invalid(f"unexpected field(s) for a once schedule: {sorted(unknown)}", loc)
        if raw.get("datetime") is None:
            return Schedule(start=now)
        start = _moment(raw["datetime"], [*loc, "datetime"])
        if start < now - PAST_SLACK:
            raise invalid("datetime is in the past", [*loc, "datetime"])
        _check_start(start, now, [*loc, "datetime"])
        return Schedule(start=max(start, now))
    if kind != "recurring":
        raise invalid("schedule type must be 'once' or 'recurring'", [*loc, "type"])
    unknown = set(raw) - {"type", "interval_seconds", "start", "end"}
    if unknown:
        raise invalid(f"unexpected field(s) for a recurring schedule: {sorted(unknown)}", loc)
    if "interval_seconds" not in raw:
        raise invalid("field required", [*loc, "interval_seconds"])
    interval = _interval(raw["interval_seconds"], [*loc, "interval_seconds"])
    start = now if raw.get("start") is None else _moment(raw["start"], [*loc, "start"])
    _check_start(start, now, [*loc, "start"])
    end = raw.get("end")
    if end is None:
        return Schedule(start=start, interval=interval)
    eloc = [*loc, "end"]
    if not isinstance(end, dict):
        raise invalid("end must be an object", eloc)
    condition = end.get("condition")
    if condition == "time" or (condition is None and "datetime" in end):
        end_date = _moment(end.get("datetime"), [*eloc, "datetime"])
        _check_end(end_date, start, now, [*eloc, "datetime"])
        return Schedule(start=start, interval=interval, end_date=end_date)
    if condition == "iterations" or (condition is None and "count" in end):
        # The SDK's docstrings spell the field "iterations"; the schema says "count".
        count = end.get("count", end.get("iterations"))
        return Schedule(start=start, interval=interval, end_count=_count(count, [*eloc, "count"]))
    raise invalid("end condition must be 'time' or 'iterations'", [*eloc, "condition"])


def parse_job_schedule(body: dict[str, t.Any], now: dt.datetime) -> Schedule:
    """The schedule of a legacy job document: ``start``, ``interval`` (seconds or null),
    ``stop_after_n`` and ``stop_after`` (a moment, or ``{"date", "n_runs"}``)."""
    if "start" not in body:
        raise invalid("field required", ["body", "start"])
    start = _moment(body["start"], ["body", "start"])
    if start < now - PAST_SLACK and body.get("interval") is None:
        raise invalid("start is in the past", ["body", "start"])
    _check_start(start, now, ["body", "start"])
    stop_after = body.get("stop_after")
    end_date_raw: t.Any = None
    count_raw: t.Any = body.get("stop_after_n")
    if isinstance(stop_after, dict):
        end_date_raw = stop_after.get("date")
        count_raw = stop_after.get("n_runs", count_raw) if count_raw is None else count_raw
    elif stop_after is not None:
        end_date_raw = stop_after
    count = None if count_raw is None else _count(count_raw, ["body", "stop_after_n"])
    interval_raw = body.get("interval")
    if interval_raw is None or count == 1:
        if interval_raw is not None:
            raise invalid("interval must be null when stop_after_n is 1", ["body", "interval"])
        return Schedule(start=max(start, now))
    interval = _interval(interval_raw, ["body", "interval"])
    end_date = None
    if end_date_raw is not None:
        end_date = _moment(end_date_raw, ["body", "stop_after"])
        _check_end(end_date, start, now, ["body", "stop_after"])
    return Schedule(start=start, interval=interval, end_date=end_date, end_count=count)
