"""What the routes do with timers: create (v2 and legacy), find, list, rename, pause,
resume and delete. Only a timer's owner sees it; to anyone else it does not exist."""

from __future__ import annotations

import datetime as dt
import typing as t
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from globus_local.config import Settings
from globus_local.db import utcnow
from globus_local.kit.documents import new_id
from globus_local.kit.errors import Conflict, NotFound, ServiceError
from globus_local.kit.params import parse_bool, parse_csv, parse_datetime
from globus_local.kit.tokens import AuthContext
from globus_local.services.timer import bodies, credentials
from globus_local.services.timer.errors import invalid
from globus_local.services.timer.models import Timer, TimerStatus
from globus_local.services.timer.occurrences import moment, queue_run, unused_moment
from globus_local.services.timer.schedules import Schedule, parse_job_schedule, parse_schedule
from globus_local.services.transfer import access as transfer_access

MAX_NAME = 255
# What the list's filter_status words stand for.
_FILTERS = {
    "active": {TimerStatus.ACTIVE},
    "inactive": {TimerStatus.INACTIVE},
    "ended": {TimerStatus.ENDED},
}
_ORDER_FIELDS = {"submitted_at", "name", "last_ran_at", "next_run", "status", "job_id"}


def _name(value: t.Any, loc: list[str | int], default: str) -> str:
    if value is None:
        return default
    if not isinstance(value, str) or len(value) > MAX_NAME or "\x00" in value:
        raise invalid(f"name must be a string of at most {MAX_NAME} characters", loc)
    return value


def _check_endpoints(session: Session, ctx: AuthContext, body: dict[str, t.Any]) -> None:
    """Both endpoints must exist and be usable by the user, seen through Transfer."""
    for key in ("source_endpoint", "destination_endpoint"):
        try:
            transfer_access.endpoint_for(session, ctx, body[key], need="read")
        except ServiceError as err:
            raise invalid(
                f"{key} {body[key]}: {err.message}", ["body", "timer", "body", key]
            ) from None


def _create(
    session: Session,
    settings: Settings,
    user_token: str,
    ctx: AuthContext,
    *,
    name: str,
    schedule: Schedule,
    body: dict[str, t.Any],
    callback_url: str,
    scope: str | None = None,
) -> Timer:
    refresh_token = credentials.new_refresh_token(session, settings, user_token)
    _check_endpoints(session, credentials.transfer_context(session, settings, refresh_token), body)
    timer = Timer(
        id=new_id(),
        owner_id=ctx.identity_id,
        name=name,
        timer_type="transfer",
        status=TimerStatus.ACTIVE,
        schedule=schedule.document(),
        start=moment(schedule.start),
        interval_seconds=schedule.interval,
        end_date=schedule.end_date,
        end_count=schedule.end_count,
        body=body,
        callback_url=callback_url,
        scope=scope,
        submitted_at=utcnow(),
        refresh_token=refresh_token,
    )
    session.add(timer)
    session.flush()
    _schedule(session, timer, moment(schedule.first_run()))
    return timer


def _schedule(session: Session, timer: Timer, due: dt.datetime) -> None:
    timer.next_run = due
    queue_run(session, timer.id, due)


def create_timer(
    session: Session, settings: Settings, ctx: AuthContext, user_token: str, raw: t.Any
) -> Timer:
    """``POST /v2/timer``: ``{"timer": {...}}``, a transfer timer."""
    if not isinstance(raw, dict) or not isinstance(raw.get("timer"), dict):
        raise invalid("field required", ["body", "timer"])
    doc = raw["timer"]
    kind = doc.get("timer_type")
    if kind != "transfer":
        raise invalid(
            "timer_type must be 'transfer' (flow timers are not offered)",
            ["body", "timer", "timer_type"],
        )
    if doc.get("resource_server", "transfer.api.globus.org") != "transfer.api.globus.org":
        raise invalid(
            "resource_server must be transfer.api.globus.org", ["body", "timer", "resource_server"]
        )
    now = moment(utcnow())
    schedule = parse_schedule(doc.get("schedule"), now)
    body = bodies.transfer_body(doc.get("body"))
    name = _name(doc.get("name"), ["body", "timer", "name"], f"Timer {now.isoformat()}")
    return _create(
        session,
        settings,
        user_token,
        ctx,
        name=name,
        schedule=schedule,
        body=body,
        callback_url=bodies.TRANSFER_ACTION_URL,
    )


def create_job(
    session: Session, settings: Settings, ctx: AuthContext, user_token: str, raw: t.Any
) -> Timer:
    """``POST /jobs/``: a legacy job calling the Transfer action provider."""
    if not isinstance(raw, dict):
        raise invalid("body must be a job document", ["body"])
    now = moment(utcnow())
    body = bodies.job_body(raw.get("callback_url"), raw.get("callback_body"))
    schedule = parse_job_schedule(raw, now)
    scope = raw.get("scope")
    for key in ("callback_url", "scope"):
        if isinstance(raw.get(key), str) and (len(raw[key]) > MAX_NAME or "\x00" in raw[key]):
            raise invalid(f"{key} must be at most {MAX_NAME} characters", ["body", key])
    return _create(
        session,
        settings,
        user_token,
        ctx,
        name=_name(raw.get("name"), ["body", "name"], ""),
        schedule=schedule,
        body=body,
        callback_url=str(raw["callback_url"]),
        scope=scope if isinstance(scope, str) else None,
    )


def get_timer(session: Session, ctx: AuthContext, timer_id: str, *, lock: bool = False) -> Timer:
    try:
        key = str(uuid.UUID(timer_id))
    except ValueError:
        raise NotFound(f"Timer {timer_id} not found") from None
    timer = session.get(Timer, key, with_for_update=lock)
    if (
        timer is None
        or timer.owner_id not in ctx.identity_set
        or timer.status == TimerStatus.DELETED
    ):
        raise NotFound(f"Timer {timer_id} not found")
    return timer


def _query_bool(query: t.Mapping[str, str], key: str) -> bool | None:
    return parse_bool(query[key], key) if key in query else None


def list_timers(session: Session, ctx: AuthContext, query: t.Mapping[str, str]) -> list[Timer]:
    """The caller's timers, filtered and ordered as ``GET /jobs/`` asks."""
    for key, value in query.items():
        if "\x00" in key or "\x00" in value:
            raise invalid("a query parameter holds a NUL character", ["query", key])
    wanted: set[TimerStatus] = set()
    for word in parse_csv(query.get("filter_status")) or []:
        if word not in _FILTERS:
            raise invalid(
                "filter_status takes active, inactive and ended", ["query", "filter_status"]
            )
        wanted |= _FILTERS[word]
    if _query_bool(query, "filter_active"):
        wanted |= _FILTERS["active"]
    if _query_bool(query, "filter_stopped"):
        wanted |= _FILTERS["ended"]
    wanted = wanted or {TimerStatus.ACTIVE, TimerStatus.INACTIVE, TimerStatus.ENDED}
    stmt = select(Timer).where(
        Timer.owner_id.in_(ctx.identity_set), Timer.status.in_(sorted(wanted))
    )
    if query.get("filter_name"):
        stmt = stmt.where(Timer.name.ilike(f"%{query['filter_name']}%"))
    for key, op in (("submitted_after", "gt"), ("submitted_before", "lt")):
        if query.get(key):
            try:
                when = parse_datetime(query[key], key)
            except ServiceError:
                raise invalid(f"{key} must be a datetime", ["query", key]) from None
            column = Timer.submitted_at
            stmt = stmt.where(column > when if op == "gt" else column < when)
    field, _, direction = (query.get("order") or "submitted_at asc").partition(" ")
    field = "id" if field == "job_id" else field
    if field not in _ORDER_FIELDS | {"id"} or direction.strip() not in ("", "asc", "desc"):
        raise invalid("order must be '<field> [asc|desc]'", ["query", "order"])
    column = getattr(Timer, field)
    stmt = stmt.order_by(column.desc() if direction.strip() == "desc" else column.asc(), Timer.id)
    return list(session.scalars(stmt))


def update_timer(timer: Timer, raw: t.Any) -> Timer:
    """``PATCH /jobs/{id}``: only the name may change."""
    if not isinstance(raw, dict):
        raise invalid("body must be an object", ["body"])
    unknown = set(raw) - {"name"}
    if unknown:
        raise invalid(f"only 'name' may be updated, not {sorted(unknown)}", ["body"])
    if "name" in raw:
        timer.name = _name(raw["name"], ["body", "name"], timer.name)
    return timer


def pause_timer(timer: Timer) -> None:
    if timer.status != TimerStatus.ACTIVE:
        raise Conflict(f"Timer {timer.id} is {timer.status}, not active: it cannot be paused")
    timer.status = TimerStatus.INACTIVE
    timer.inactive_reason = {"cause": "user", "detail": None}


def resume_timer(
    session: Session,
    settings: Settings,
    timer: Timer,
    user_token: str,
    update_credentials: bool | None,
) -> None:
    """Set an inactive timer going again; with new credentials from the caller's token
    when asked, or (not said) when it stopped for want of them. A run missed meanwhile
    happens at once."""
    if timer.status != TimerStatus.INACTIVE:
        raise Conflict(f"Timer {timer.id} is {timer.status}, not inactive: it cannot be resumed")
    reason = (timer.inactive_reason or {}).get("cause")
    if update_credentials is None:
        update_credentials = reason == "globus_auth_requirements"
    if update_credentials:
        old = timer.refresh_token
        timer.refresh_token = credentials.new_refresh_token(session, settings, user_token)
        credentials.discard(session, old)
    timer.status = TimerStatus.ACTIVE
    timer.inactive_reason = None
    now = moment(utcnow())
    if timer.next_run is None or timer.next_run <= now:
        _schedule(session, timer, unused_moment(session, timer.id, now))
    else:
        queue_run(session, timer.id, timer.next_run)


def delete_timer(session: Session, timer: Timer) -> None:
    """The timer runs no more and lets go of its credentials; it is kept, as deleted."""
    timer.status = TimerStatus.DELETED
    timer.next_run = None
    credentials.discard(session, timer.refresh_token)
    timer.refresh_token = None
