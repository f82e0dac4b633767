"""What one run of a task knows and shares: the facts it read when it began, the state its
parts change as it goes, and the names of how it can stop and what it came to."""

from __future__ import annotations

import threading
import time
import typing as t
from dataclasses import dataclass, field

from globus_local.db import StrEnum
from globus_local.services.transfer.models_tasks import FAILED, INACTIVE, SUCCEEDED
from globus_local.services.transfer.mover.faults import Fault


class HaltReason(StrEnum):
    """Why a run stops before its work is done."""

    GONE = "gone"  # the task ended or vanished, or another run expanded it
    CANCEL = "cancel"  # a cancel was asked for (by the owner or an endpoint manager)
    DEADLINE = "deadline"  # the task's deadline has passed
    PAUSE = "pause"  # paused by an endpoint manager or a pause rule
    LOST = "lost"  # another worker holds the task's job now
    FATAL = "fatal"  # a fault that fails the task


class RunOutcome(StrEnum):
    """What a run came to, as the job handler sees it: the task's status where the task
    ended (or had ended before the run), else why it was left for a later run."""

    SUCCEEDED = SUCCEEDED
    FAILED = FAILED
    INACTIVE = INACTIVE
    PAUSED = "paused"
    CANCELED = "canceled"
    CANCELED_BY_ADMIN = "canceled_by_admin"
    LOST = "lost"
    GONE = "gone"
    MISSING = "missing"  # no such task


class Stop(Exception):
    """Ends a run early: the task is to be concluded or left for a later run."""


@dataclass(frozen=True)
class TaskFacts:
    """What a run read from its task when it began (none of it changes during the run)."""

    task_id: str
    run_number: int  # 1 for the first run; a higher one resumes after a run that died
    type: str  # TRANSFER or DELETE
    options: dict[str, t.Any]
    items: list[dict[str, t.Any]]
    expanded: bool  # the items were expanded into rows by an earlier run

    @property
    def resuming(self) -> bool:
        return self.run_number > 1

    @property
    def is_transfer(self) -> bool:
        return self.type == "TRANSFER"


@dataclass
class RunState:
    """What the parts of one run share and change: whether and why to stop, the fault that
    fails the task, and the count of files waiting for a retry."""

    stop: threading.Event = field(default_factory=threading.Event)  # seen by every thread
    reason: tuple[HaltReason, str] | None = None  # (why, message) once told to stop
    fatal: Fault | None = None
    lost: bool = False  # the job was taken over: drain, discard, record nothing
    retrying: int = 0  # files waiting for a retry (the task's subtasks_retrying)
    last_beat: float = field(default_factory=time.monotonic)  # the lease last renewed

    def halt(self, reason: HaltReason, message: str = "") -> None:
        """Stop the run's work for ``reason``."""
        self.reason = (reason, message)
        self.stop.set()

    def fail(self, fault: Fault) -> None:
        """Stop the run's work: ``fault`` fails the task."""
        self.fatal = fault
        self.stop.set()

    def ending(self) -> tuple[HaltReason, str] | None:
        """How the run ends: a fault first, then the reason it was stopped; None when it
        did all its work."""
        if self.fatal is not None:
            return HaltReason.FATAL, self.fatal.description
        return self.reason
