"""What every provider is: its description (the introspection document's facts) and
three hooks the action lifecycle calls — start, refresh, cancel.

A hook answers with a :class:`Progress` (the action's new status and details); the
lifecycle (``actions/lifecycle.py``) stores it, logs the change and keeps the
idempotency, access and release rules, so a provider only does its own work.
"""

from __future__ import annotations

import typing as t
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from globus_local.config import Settings
from globus_local.kit.errors import BadRequest
from globus_local.kit.tokens import AuthContext
from globus_local.services.actions.models import Action, ActionState


@dataclass(frozen=True)
class Progress:
    """Where an action stands after a hook: ``state`` is merged into the provider's own
    bookkeeping on the row."""

    status: ActionState
    details: dict[str, t.Any]
    display_status: str | None = None
    state: dict[str, t.Any] = field(default_factory=dict)


def succeeded(details: dict[str, t.Any]) -> Progress:
    return Progress(ActionState.SUCCEEDED, details)


def failed(code: str, description: str, **more: t.Any) -> Progress:
    return Progress(ActionState.FAILED, {"code": code, "description": description, **more})


@dataclass(frozen=True)
class StartCall:
    """What a provider starts an action with: the caller's session and token context (it
    acts as that identity, never with more rights), the platform settings and the new
    action's id."""

    session: Session
    ctx: AuthContext
    settings: Settings
    action_id: str


@dataclass(frozen=True)
class Description:
    """The facts of a provider's introspection document."""

    title: str
    subtitle: str
    input_schema: dict[str, t.Any]
    synchronous: bool
    description: str | None = None
    keywords: tuple[str, ...] = ()


class Provider:
    """A provider served at ``/actions/<key>``, accepting tokens for ``scope``."""

    def __init__(self, key: str, scope: str, description: Description) -> None:
        self.key = key
        self.scope = scope
        self.description = description

    def start(self, call: StartCall, body: dict[str, t.Any]) -> Progress:
        raise NotImplementedError

    def refresh(self, session: Session, action: Action) -> Progress | None:
        """The action's status now (None: unchanged). Only called while it runs."""
        return None

    def cancel(self, session: Session, action: Action) -> Progress:
        """Stop a running action; a provider whose actions cannot stop says so."""
        raise BadRequest("Actions of this provider cannot be cancelled", code="BadActionRequest")
