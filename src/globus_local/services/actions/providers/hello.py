"""Hello World: echoes its input; with ``sleep_time`` it stays ACTIVE that long.

The sleep is a time stored on the action and compared on each look, so no thread waits
and a restarted platform still ends the action on time.
"""

from __future__ import annotations

import datetime as dt
import typing as t

from sqlalchemy.orm import Session

from globus_local.db import utcnow
from globus_local.kit.documents import iso
from globus_local.kit.params import parse_datetime
from globus_local.services.actions.models import Action, ActionState
from globus_local.services.actions.providers.base import (
    Description,
    Progress,
    Provider,
    StartCall,
    failed,
    succeeded,
)

# The longest an action may run: the providers' maximum_deadline.
MAX_SLEEP = 30 * 24 * 3600

DESCRIPTION = Description(
    title="Hello World",
    subtitle="An Action responding Hello to an input value",
    input_schema={
        "type": "object",
        "properties": {
            "echo_string": {"type": "string"},
            "sleep_time": {"type": "number", "minimum": 0, "maximum": MAX_SLEEP},
        },
        "additionalProperties": False,
    },
    synchronous=False,
    keywords=("hello", "example"),
)


def _result(body: dict[str, t.Any]) -> dict[str, t.Any]:
    return {"Hello": "World", "hello": body.get("echo_string", "")}


class HelloWorld(Provider):
    def __init__(self, key: str, scope: str) -> None:
        super().__init__(key, scope, DESCRIPTION)

    def start(self, call: StartCall, body: dict[str, t.Any]) -> Progress:
        sleep = float(body.get("sleep_time") or 0)
        if sleep <= 0:
            return succeeded(_result(body))
        until = utcnow() + dt.timedelta(seconds=sleep)
        return Progress(
            ActionState.ACTIVE,
            {"estimated_complete": iso(until)},
            display_status="Sleeping",
            state={"until": until.isoformat(), "result": _result(body)},
        )

    def refresh(self, session: Session, action: Action) -> Progress | None:
        until = parse_datetime(action.state["until"], "until")
        if utcnow() < until:
            return None
        return succeeded(dict(action.state["result"]))

    def cancel(self, session: Session, action: Action) -> Progress:
        return failed("ActionCanceled", "The action was canceled before it completed")
