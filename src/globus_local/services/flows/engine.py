"""The engine: runs flows as jobs of kind ``flows.run`` on the one queue.

Crash safety rests on three rules.

1. **Every transition is one transaction.** The run row holds where the run is (state,
   document, the action it waits on, its poll schedule or Wait moment) and the log entries
   that tell of a transition are written with it. The transaction is fenced by the job's
   lease and checks the run is still this job's, so a stale worker changes nothing.
2. **An action is never started twice.** Before its provider is called, the action's
   ``request_id`` (derived from the run, the state and how many times the run entered it)
   is stored; a worker that dies after the call and before storing its answer calls again
   with the same ``request_id``, and the provider answers with the same action.
3. **Nothing waits on a worker.** A pending action is polled with back-off and a Wait
   state sleeps by queueing the run's next job with a delay (``run.job_id`` names the one
   job that may work the run); HTTP calls happen outside any transaction.

The state semantics (what a state does, Catch, ResultPath...) are the flow language's
pure interpreter; this module only stores, calls providers and schedules.
"""

from __future__ import annotations

import datetime as dt
import logging
import typing as t
import uuid
from dataclasses import dataclass

from sqlalchemy.orm import Session

from globus_local.db import Database, utcnow
from globus_local.flow_language import (
    CallAction,
    Fail,
    Goto,
    Outcome,
    Succeed,
    WaitUntil,
    after_action,
    after_error,
    step,
)
from globus_local.jobs import JobContext, JobStopped, LeaseLost, enqueue, job_handler
from globus_local.services.flows import providers, run_log
from globus_local.services.flows.models import Run, RunStatus
from globus_local.services.flows.run_tokens import drop_run_tokens, token_for
from globus_local.services.flows.runs import JOB_KIND, MAX_ATTEMPTS, finish

log = logging.getLogger(__name__)

# Transitions one job makes before handing the run to a fresh job (fairness between runs).
STEPS_PER_JOB = 500
FIRST_POLL = 0.5
MAX_POLL = 600.0
# A provider that cannot be reached is tried this many times before the action counts
# as unable to run.
START_TRIES = 5
ACTION_DONE = ("SUCCEEDED", "FAILED")
_REQUEST_NAMESPACE = uuid.UUID("6b1c3f0e-64a4-4d71-9b0e-5f1f2a6c9d10")


def request_id_for(run_id: str, state_name: str, attempt: int) -> str:
    """The same for the same run, state and entry into it: a retried start is the same action."""
    return str(uuid.uuid5(_REQUEST_NAMESPACE, f"{run_id}/{state_name}/{attempt}"))


@dataclass(frozen=True)
class Snapshot:
    """The run as one job step reads it (copied out of its session)."""

    id: str
    flow_id: str
    status: str
    job_id: str | None
    log_count: int
    definition: dict[str, t.Any]
    state_name: str | None
    document: t.Any
    context: dict[str, t.Any]
    public_root: str
    action: dict[str, t.Any] | None
    action_id: str | None
    action_started_at: dt.datetime | None
    poll_interval: float
    wait_until: dt.datetime | None
    wait_then: dict[str, t.Any] | None
    action_scopes: dict[str, str]

    @classmethod
    def of(cls, run: Run) -> Snapshot:
        return cls(
            id=run.id,
            flow_id=run.flow_id,
            status=run.status,
            job_id=run.job_id,
            log_count=run.log_count,
            definition=run.definition,
            state_name=run.state_name,
            document=run.document,
            context=run.context,
            public_root=run.public_root,
            action=run.action,
            action_id=run.action_id,
            action_started_at=run.action_started_at,
            poll_interval=run.poll_interval,
            wait_until=run.wait_until,
            wait_then=run.wait_then,
            action_scopes=run.action_scopes,
        )


class Superseded(Exception):
    """The run changed under this job (canceled, resumed, handed to another job)."""


@job_handler(JOB_KIND)
def work_run(ctx: JobContext) -> dict[str, t.Any] | None:
    engine = Engine(ctx, str(ctx.payload["run_id"]))
    try:
        return engine.work()
    except (JobStopped, LeaseLost):
        raise
    except Exception as exc:
        # The queue tries a job again after an error; on its last try the run fails
        # rather than stay ACTIVE with no job to move it.
        if ctx.attempt >= MAX_ATTEMPTS:
            engine.give_up(exc)
        raise


class Engine:
    def __init__(self, ctx: JobContext, run_id: str) -> None:
        self.ctx = ctx
        self.db: Database = ctx.db
        self.run_id = run_id

    # -- the loop ----------------------------------------------------------------------
    def work(self) -> dict[str, t.Any] | None:
        snap = self._read()
        for _ in range(STEPS_PER_JOB):
            self.ctx.raise_if_stopped()
            if snap is None or snap.job_id != self.ctx.job_id:
                return {"superseded": True}
            if RunStatus(snap.status).final:
                self._wind_up(snap)
                return {"status": snap.status}
            if snap.status != RunStatus.ACTIVE:
                return {"status": snap.status}
            try:
                moved = self._advance(snap)
            except Superseded:
                snap = self._read()
                continue
            if moved is None:
                return {"status": "waiting"}
            snap = moved
        try:
            self._write(self._read_or_fail(), lambda session, run: _hand_over(session, run, 0.0))
        except Superseded:
            return {"superseded": True}
        return {"status": "handed over"}

    def _advance(self, snap: Snapshot) -> Snapshot | None:
        """One move of the run: the run as it now stands, or None when it waits for a
        later job."""
        if snap.action is not None:
            return self._drive_action(snap)
        if snap.wait_until is not None:
            return self._drive_wait(snap)
        if snap.state_name is None:
            raise Superseded()
        outcome = _interpret(
            snap, step, snap.definition, snap.state_name, snap.document, snap.context
        )
        return self._apply(snap, outcome)

    # -- reading and writing the run ---------------------------------------------------
    def _read(self) -> Snapshot | None:
        with self.db.session() as session:
            run = session.get(Run, self.run_id)
            return Snapshot.of(run) if run is not None else None

    def _read_or_fail(self) -> Snapshot:
        snap = self._read()
        if snap is None:
            raise Superseded()
        return snap

    def _write(self, snap: Snapshot, change: t.Callable[[Session, Run], None]) -> Snapshot:
        """Apply ``change`` to the run in one fenced transaction, provided the run is as
        ``snap`` saw it and still this job's (:class:`Superseded` otherwise); the run as
        written, so the next move needs no read."""
        with self.db.session() as session:
            self.ctx.fence(session)
            run = session.get(Run, self.run_id, with_for_update=True)
            if (
                run is None
                or run.job_id != self.ctx.job_id
                or run.status != snap.status
                or run.log_count != snap.log_count
            ):
                raise Superseded()
            change(session, run)
            session.flush()
            return Snapshot.of(run)

    # -- outcomes of the interpreter ---------------------------------------------------
    def _apply(self, snap: Snapshot, outcome: Outcome) -> Snapshot:
        if isinstance(outcome, CallAction):
            return self._write(
                snap, lambda session, run: self._record_call(session, run, snap, outcome)
            )
        if isinstance(outcome, WaitUntil):
            return self._write(snap, lambda session, run: self._record_wait(session, run, outcome))
        return self._write(snap, lambda session, run: self._transition(session, run, outcome))

    def _transition(self, session: Session, run: Run, outcome: Goto | Succeed | Fail) -> None:
        run_log.append(session, run, outcome.entries)
        run.action = None
        run.action_id = None
        run.action_started_at = None
        run.poll_interval = 0.0
        run.wait_until = None
        run.wait_then = None
        if isinstance(outcome, Goto):
            run.document = outcome.document
            run.state_name = outcome.next_state
            entries = dict(run.state_entries)
            entries[outcome.next_state] = entries.get(outcome.next_state, 0) + 1
            run.state_entries = entries
            run.details = _last_details(outcome.entries, run.details)
        elif isinstance(outcome, Succeed):
            run.document = outcome.document
            details = {
                "code": "FlowSucceeded",
                "description": "The Flow run reached a successful completion state",
                "output": outcome.document,
            }
            finish(session, run, RunStatus.SUCCEEDED, details, _final(outcome.entries, details))
        else:
            run.document = outcome.document
            details = {
                "code": "FlowFailed",
                "description": "The Flow run failed",
                "details": {"error": outcome.error, "cause": outcome.cause},
            }
            finish(session, run, RunStatus.FAILED, details, _final(outcome.entries, details))

    def _record_call(self, session: Session, run: Run, snap: Snapshot, call: CallAction) -> None:
        """Store the action about to be started, with its request_id, before the call."""
        attempt = int((run.state_entries or {}).get(call.state_name, 1))
        scope = call.action_scope or snap.action_scopes.get(call.state_name)
        run.action = {
            "state_name": call.state_name,
            "action_url": call.action_url,
            "scope": scope,
            "run_as": call.run_as,
            "body": call.body,
            "wait_time": call.wait_time,
            "label": getattr(call, "label", None),
            "request_id": request_id_for(run.id, call.state_name, attempt),
            "tries": 0,
        }
        run.action_id = None
        run.poll_interval = 0.0
        run_log.append(session, run, call.entries)
        run.details = _last_details(call.entries, run.details)

    def _record_wait(self, session: Session, run: Run, wait: WaitUntil) -> None:
        run_log.append(session, run, wait.entries)
        run.wait_until = wait.when
        run.wait_then = _encode_then(wait.then)
        run.details = _last_details(wait.entries, run.details)

    # -- Wait states ---------------------------------------------------------------------
    def _drive_wait(self, snap: Snapshot) -> Snapshot | None:
        assert snap.wait_until is not None
        left = (snap.wait_until - utcnow()).total_seconds()
        if left > 0:
            self._write(snap, lambda session, run: _hand_over(session, run, left))
            return None
        then = _decode_then(snap.wait_then or {})
        return self._write(snap, lambda session, run: self._transition(session, run, then))

    # -- Action states -------------------------------------------------------------------
    def _token(self, snap: Snapshot) -> str | None:
        action = snap.action or {}
        scope = action.get("scope")
        if not scope:
            return None
        with self.db.session() as session:
            return token_for(session, snap.id, snap.flow_id, scope, action.get("run_as") or "User")

    def _drive_action(self, snap: Snapshot) -> Snapshot | None:
        action = snap.action or {}
        base = providers.action_base(snap.public_root, action["action_url"])
        token = self._token(snap)
        if token is None and action.get("scope"):
            self._write(snap, lambda session, run: self._needs_consent(session, run, action, None))
            return None
        if snap.action_id is None:
            return self._start_action(snap, base, token)
        if action.get("resume"):
            return self._resume_action(snap, base, token)
        return self._poll_action(snap, base, token)

    def _start_action(self, snap: Snapshot, base: str, token: str | None) -> Snapshot | None:
        action = dict(snap.action or {})
        request = {"request_id": action["request_id"], "body": action["body"]}
        if action.get("label"):
            request["label"] = action["label"]
        request["monitor_by"] = request["manage_by"] = [snap.context.get("user_id")]
        try:
            status = providers.run_action(base, token, request)
        except providers.ProviderUnavailable as exc:
            tries = int(action.get("tries", 0)) + 1
            if tries < START_TRIES:
                log.info("run %s: provider not reached (%s); trying again", snap.id, exc)
                self._write(snap, lambda session, run: self._retry_start(session, run, tries))
                return None
            error = {"code": "ActionUnableToRun", "description": str(exc)}
            return self._action_error(snap, "ActionUnableToRun", error)
        except providers.ProviderRefused as exc:
            return self._action_error(snap, "ActionUnableToRun", exc.body)
        try:
            return self._write(snap, lambda session, run: self._started(session, run, status))
        except Superseded:
            # Canceled while the provider started it: the action must not run on.
            self._abandon(base, token, str(status.get("action_id")))
            raise

    def _retry_start(self, session: Session, run: Run, tries: int) -> None:
        run.action = {**(run.action or {}), "tries": tries}
        _hand_over(session, run, min(FIRST_POLL * 2**tries, MAX_POLL))

    def _started(self, session: Session, run: Run, status: dict[str, t.Any]) -> None:
        run.action_id = str(status["action_id"])
        run.action_started_at = utcnow()
        run.poll_interval = 0.0
        run.action = {**(run.action or {}), "last_status": status}

    def _poll_action(self, snap: Snapshot, base: str, token: str | None) -> Snapshot | None:
        action = snap.action or {}
        status = action.get("last_status") or {}
        if status.get("status") not in ACTION_DONE and snap.poll_interval > 0:
            try:
                status = providers.action_status(base, token, str(snap.action_id))
            except providers.ProviderUnavailable as exc:
                log.info("run %s: provider not reached (%s); polling on", snap.id, exc)
            except providers.ProviderRefused as exc:
                return self._action_error(snap, "ActionUnableToRun", exc.body)
        state = status.get("status")
        if state in ACTION_DONE:
            return self._action_done(snap, base, token, status)
        if state == "INACTIVE":
            self._write(
                snap, lambda session, run: self._needs_consent(session, run, action, status)
            )
            return None
        if self._timed_out(snap, action):
            self._abandon(base, token, str(snap.action_id))
            return self._action_error(snap, "ActionTimeout", status)
        interval = min(max(FIRST_POLL, snap.poll_interval * 2), MAX_POLL)
        # The next look comes no later than the moment the action would time out.
        delay = min(interval, max(FIRST_POLL, self._time_left(snap, action)))
        self._write(
            snap, lambda session, run: self._schedule_poll(session, run, interval, delay, status)
        )
        return None

    def _schedule_poll(
        self, session: Session, run: Run, interval: float, delay: float, status: dict[str, t.Any]
    ) -> None:
        run.poll_interval = interval
        run.action = {**(run.action or {}), "last_status": status}
        _hand_over(session, run, delay)

    def _time_left(self, snap: Snapshot, action: dict[str, t.Any]) -> float:
        """Seconds until the action counts as timed out (its state's WaitTime)."""
        wait_time = action.get("wait_time")
        if wait_time is None or snap.action_started_at is None:
            return MAX_POLL
        return float(wait_time) - (utcnow() - snap.action_started_at).total_seconds()

    def _timed_out(self, snap: Snapshot, action: dict[str, t.Any]) -> bool:
        return self._time_left(snap, action) < 0

    def _resume_action(self, snap: Snapshot, base: str, token: str | None) -> Snapshot | None:
        try:
            status = providers.resume_action(base, token, str(snap.action_id))
        except providers.ProviderUnavailable:
            status = (snap.action or {}).get("last_status") or {}
        except providers.ProviderRefused as exc:
            return self._action_error(snap, "ActionUnableToRun", exc.body)

        def resumed(session: Session, run: Run) -> None:
            action = {k: v for k, v in (run.action or {}).items() if k != "resume"}
            run.action = {**action, "last_status": status}
            run.poll_interval = 0.0

        return self._write(snap, resumed)

    def _action_done(
        self, snap: Snapshot, base: str, token: str | None, status: dict[str, t.Any]
    ) -> Snapshot | None:
        action = snap.action or {}
        result = {**status, "state_name": action["state_name"]}
        outcome = _interpret(
            snap, after_action, snap.definition, action["state_name"], snap.document, result
        )
        moved = self._write(snap, lambda session, run: self._transition(session, run, outcome))
        self._release(base, token, str(status.get("action_id", snap.action_id)))
        return moved

    def _action_error(self, snap: Snapshot, error_name: str, output: t.Any) -> Snapshot | None:
        state_name = (snap.action or {})["state_name"]
        outcome = _interpret(
            snap, after_error, snap.definition, state_name, snap.document, error_name, output
        )
        return self._write(snap, lambda session, run: self._transition(session, run, outcome))

    def _needs_consent(
        self, session: Session, run: Run, action: dict[str, t.Any], status: dict[str, t.Any] | None
    ) -> None:
        """The run waits, INACTIVE, for its user (a consent to give, then ``resume``)."""
        cause = (status or {}).get("details") or {}
        required = cause.get("required_scope") or action.get("scope")
        run.status = RunStatus.INACTIVE.value
        run.details = {
            "code": cause.get("code") or "ConsentRequired",
            "description": cause.get("description")
            or f"A token for {required} is needed to run state {action['state_name']}",
            "required_scope": required,
            "state_name": action["state_name"],
            "action_statuses": [status] if status else [],
        }
        if status is not None:
            run.action = {**(run.action or {}), "last_status": status}
        run_log.append(
            session,
            run,
            [
                {
                    "code": "FlowInactive",
                    "description": run.details["description"],
                    "details": {k: v for k, v in run.details.items() if k != "description"},
                }
            ],
        )
        run.job_id = None

    def give_up(self, exc: Exception) -> None:
        """End the run FAILED for an error its job could not get past."""
        details = {
            "code": "FlowFailed",
            "description": "The Flow run failed",
            "details": {"error": "States.Runtime", "cause": f"{type(exc).__name__}: {exc}"},
        }
        with self.db.session() as session:
            self.ctx.fence(session)
            run = session.get(Run, self.run_id, with_for_update=True)
            if run is not None and run.job_id == self.ctx.job_id and run.status == RunStatus.ACTIVE:
                finish(session, run, RunStatus.FAILED, details, [details])
                run.job_id = enqueue(
                    session, JOB_KIND, {"run_id": run.id}, max_attempts=MAX_ATTEMPTS
                )

    # -- after the end -----------------------------------------------------------------
    def _wind_up(self, snap: Snapshot) -> None:
        """An ended run: cancel and release the action it still waited on (a cancel), then
        drop its tokens."""
        if snap.action is not None and snap.action_id is not None:
            base = providers.action_base(snap.public_root, snap.action["action_url"])
            self._abandon(base, self._token(snap), snap.action_id)
        with self.db.session() as session:
            self.ctx.fence(session)
            run = session.get(Run, self.run_id, with_for_update=True)
            if run is not None and run.job_id == self.ctx.job_id:
                run.action = None
                run.action_id = None
                run.job_id = None
                drop_run_tokens(session, run.id)

    def _abandon(self, base: str, token: str | None, action_id: str) -> None:
        """Cancel and release an action the run no longer wants (best effort)."""
        for call in (providers.cancel_action, providers.release_action):
            try:
                call(base, token, action_id)
            except (providers.ProviderUnavailable, providers.ProviderRefused) as exc:
                log.info("run %s: %s of action %s: %s", self.run_id, call.__name__, action_id, exc)

    def _release(self, base: str, token: str | None, action_id: str) -> None:
        try:
            providers.release_action(base, token, action_id)
        except (providers.ProviderUnavailable, providers.ProviderRefused) as exc:
            log.info("run %s: release of action %s: %s", self.run_id, action_id, exc)


Decision = t.TypeVar("Decision")


def _interpret(snap: Snapshot, decide: t.Callable[..., Decision], *args: t.Any) -> Decision | Fail:
    """The interpreter's answer; should it fail on a definition it accepted, the run fails
    (rather than its job retrying the same step for ever)."""
    try:
        return decide(*args)
    except Exception as exc:
        log.exception("run %s: the flow language failed on state %s", snap.id, snap.state_name)
        return Fail("States.Runtime", f"{type(exc).__name__}: {exc}", snap.document)


def _hand_over(session: Session, run: Run, delay: float) -> None:
    """The run's next move belongs to a new job, due after ``delay`` seconds."""
    run.job_id = enqueue(
        session, JOB_KIND, {"run_id": run.id}, delay=delay, max_attempts=MAX_ATTEMPTS
    )


def _last_details(entries: list[dict[str, t.Any]], current: dict[str, t.Any]) -> dict[str, t.Any]:
    """A running run's ``details`` tell of its latest log entry."""
    if not entries:
        return current
    last = entries[-1]
    return {
        "code": last.get("code"),
        "description": last.get("description"),
        "details": last.get("details") or {},
    }


def _final(entries: list[dict[str, t.Any]], final: dict[str, t.Any]) -> list[dict[str, t.Any]]:
    """The run's last log entry, unless the interpreter's entries already hold it."""
    if any(e.get("code") == final["code"] for e in entries):
        return []
    details = {k: v for k, v in final.items() if k not in ("code", "description")}
    return [{"code": final["code"], "description": final["description"], "details": details}]


def _encode_then(then: Goto | Succeed) -> dict[str, t.Any]:
    if isinstance(then, Goto):
        return {"next_state": then.next_state, "document": then.document, "entries": then.entries}
    return {"succeed": True, "document": then.document, "entries": then.entries}


def _decode_then(data: dict[str, t.Any]) -> Goto | Succeed:
    entries = list(data.get("entries") or [])
    if data.get("succeed"):
        return Succeed(document=data.get("document") or {}, entries=entries)
    return Goto(next_state=data["next_state"], document=data.get("document") or {}, entries=entries)
