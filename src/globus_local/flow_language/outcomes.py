"""What one step of a run decides: the engine stores it and acts on it.

Each outcome carries the log entries of the step (`code`, `description`, `details`, as a run's
log shows them; the engine adds the time and the flow-level entries such as FlowSucceeded).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Union


@dataclass(frozen=True)
class Goto:
    """Go on to `next_state` with the new state document."""

    next_state: str
    document: dict[str, Any]
    entries: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Succeed:
    """The run has ended well; `document` is its output."""

    document: dict[str, Any]
    entries: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Fail:
    """The run has failed with `error` (a name such as ActionFailedException) and its cause."""

    error: str
    cause: Any
    document: dict[str, Any]
    entries: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class CallAction:
    """Start an action at `action_url` with `body`; report back through after_action/after_error.

    `wait_time` is how many seconds the action may take before it counts as ActionTimeout.
    """

    state_name: str
    action_url: str
    action_scope: str | None
    run_as: str
    body: dict[str, Any]
    wait_time: int
    label: str | None = None
    entries: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class WaitUntil:
    """Do nothing until `when`, then take `then` (whose entries are recorded at that time)."""

    when: datetime
    then: Goto | Succeed
    entries: list[dict[str, Any]] = field(default_factory=list)


Outcome = Union[Goto, Succeed, Fail, CallAction, WaitUntil]
Transition = Union[Goto, Succeed, Fail]
