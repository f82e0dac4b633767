"""The step function: given a checked definition, a state name and the run's state, what next.

Pure: no clock unless `now` is left out, no I/O. The engine calls `step` for the current state
and acts on the outcome; for an Action it calls the provider and then `after_action` with the
final status or `after_error` with what went wrong. Errors inside a state (a missing path, a
failing expression, a state grown too large) end the run through a Fail outcome, never an
exception.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

from globus_local.flow_language import choices, paths, templating
from globus_local.flow_language.outcomes import (
    CallAction,
    Fail,
    Goto,
    Outcome,
    Succeed,
    Transition,
    WaitUntil,
)
from globus_local.flow_language.state_rules import DEFAULT_WAIT_TIME, MAX_WAIT_SECONDS
from globus_local.flow_language.timestamps import parse_timestamp

MAX_STATE_BYTES = 200_000
"""The largest a run's state document may grow, as JSON."""

RUNTIME_ERROR = "States.Runtime"
NO_CHOICE_ERROR = "States.NoChoiceMatched"
RESULT_PATH_ERROR = "States.ResultPathMatchFailure"
STATE_SIZE_ERROR = "States.DataLimitExceeded"
UNABLE_TO_RUN = "ActionUnableToRun"
ACTION_FAILED = "ActionFailedException"
ACTION_TIMEOUT = "ActionTimeout"

Context = dict[str, Any] | None


def start(definition: dict[str, Any]) -> str:
    """The name of the state a run begins in."""
    start_at: str = definition["StartAt"]
    return start_at


def step(
    definition: dict[str, Any],
    state_name: str,
    document: dict[str, Any],
    context: Context = None,
    now: datetime | None = None,
) -> Outcome:
    """What the state `state_name` does with the run's state `document`."""
    state = definition["States"][state_name]
    handlers: dict[str, Callable[..., Outcome]] = {
        "Action": _action,
        "Pass": _pass,
        "ExpressionEval": _pass,
        "Choice": _choice,
        "Wait": _wait,
        "Fail": _fail,
        "Succeed": _succeed,
    }
    return handlers[state["Type"]](
        state_name, state, document, context, now or datetime.now(timezone.utc)
    )


def after_action(
    definition: dict[str, Any], state_name: str, document: dict[str, Any], status: dict[str, Any]
) -> Transition:
    """Where the run goes once the Action state's action has ended with `status`.

    The status plus `state_name` is the state's result. A FAILED action raises
    ActionFailedException unless the state sets ExceptionOnActionFailure to false.
    """
    state = definition["States"][state_name]
    result = {**status, "state_name": state_name}
    if status.get("status") == "FAILED" and state.get("ExceptionOnActionFailure", True):
        return after_error(definition, state_name, document, ACTION_FAILED, result)
    entries = [_entry(state_name, state, "Completed", output=_shown(state, result))]
    try:
        new = paths.set_path(document, state.get("ResultPath", "$"), result)
    except paths.PathError as exc:
        return Fail(RESULT_PATH_ERROR, str(exc), document, entries)
    return _continue(state, new, entries)


def after_error(
    definition: dict[str, Any],
    state_name: str,
    document: dict[str, Any],
    error_name: str,
    output: Any,
) -> Transition:
    """Where the run goes when the state raised `error_name` with `output` as its details.

    The first Catch entry naming the error (or States.ALL) takes it: its ResultPath receives
    the output, or without one the output replaces the state. Uncaught, the run fails.
    """
    return _caught(state_name, definition["States"][state_name], document, error_name, output)


def _caught(
    state_name: str, state: dict[str, Any], document: dict[str, Any], error_name: str, output: Any
) -> Transition:
    entries = [
        _entry(state_name, state, "Failed", error=error_name, cause=_shown(state, output)),
    ]
    for catcher in state.get("Catch", []):
        errors = catcher["ErrorEquals"]
        if error_name in errors or "States.ALL" in errors:
            if "ResultPath" in catcher:
                path, stored = catcher["ResultPath"], output
            else:
                path = "$"
                stored = (
                    output if isinstance(output, dict) else {"Error": error_name, "Cause": output}
                )
            try:
                new = paths.set_path(document, path, stored)
            except paths.PathError as exc:
                return Fail(RESULT_PATH_ERROR, str(exc), document, entries)
            return _checked(Goto(catcher["Next"], new, entries))
    return Fail(error_name, output, document, entries)


def _action(
    name: str, state: dict[str, Any], document: dict[str, Any], context: Context, now: datetime
) -> Outcome:
    try:
        if "Parameters" in state:
            body = templating.render(state["Parameters"], document, context)
        else:
            body = paths.get_path(document, state["InputPath"], context)
    except (templating.TemplateError, paths.PathError) as exc:
        return _caught(name, state, document, UNABLE_TO_RUN, _unable(str(exc)))
    if not isinstance(body, dict):
        return _caught(
            name, state, document, UNABLE_TO_RUN, _unable("the action's input must be an object")
        )
    return CallAction(
        state_name=name,
        action_url=state["ActionUrl"],
        action_scope=state.get("ActionScope"),
        run_as=state.get("RunAs", "User"),
        body=body,
        wait_time=state.get("WaitTime", DEFAULT_WAIT_TIME),
        entries=[_entry(name, state, "Started", input=_shown(state, body))],
    )


def _unable(description: str) -> dict[str, str]:
    return {"code": UNABLE_TO_RUN, "description": description}


def _pass(
    name: str, state: dict[str, Any], document: dict[str, Any], context: Context, now: datetime
) -> Outcome:
    """Pass and ExpressionEval: fill in the Parameters (or select InputPath), store the result."""
    entries = [_entry(name, state, "Started", input=_shown(state, document))]
    try:
        selected = document
        if "InputPath" in state:
            selected = paths.get_path(document, state["InputPath"], context)
        result = selected
        if "Parameters" in state:
            result = templating.render(state["Parameters"], selected, context)
    except (templating.TemplateError, paths.PathError) as exc:
        return _runtime_failure(name, state, document, entries, str(exc))
    try:
        new = paths.set_path(document, state.get("ResultPath", "$"), result)
    except paths.PathError as exc:
        return Fail(RESULT_PATH_ERROR, str(exc), document, entries)
    entries.append(_entry(name, state, "Completed", output=_shown(state, new)))
    return _continue(state, new, entries)


def _choice(
    name: str, state: dict[str, Any], document: dict[str, Any], context: Context, now: datetime
) -> Outcome:
    entries = [_entry(name, state, "Started", input=_shown(state, document))]
    try:
        chosen = next(
            (rule["Next"] for rule in state["Choices"] if choices.matches(rule, document, context)),
            state.get("Default"),
        )
    except (choices.ChoiceError, paths.PathError) as exc:
        return _runtime_failure(name, state, document, entries, str(exc))
    if chosen is None:
        cause = "no Choice rule matched and the state has no Default"
        return Fail(NO_CHOICE_ERROR, cause, document, entries)
    entries.append(_entry(name, state, "Completed", output=_shown(state, document)))
    return Goto(chosen, document, entries)


def _wait(
    name: str, state: dict[str, Any], document: dict[str, Any], context: Context, now: datetime
) -> Outcome:
    entries = [_entry(name, state, "Started", input=_shown(state, document))]
    try:
        when = _wait_until(state, document, context, now)
    except (ValueError, paths.PathError) as exc:
        return _runtime_failure(name, state, document, entries, str(exc))
    done = [_entry(name, state, "Completed", output=_shown(state, document))]
    then: Goto | Succeed = (
        Goto(state["Next"], document, done) if "Next" in state else Succeed(document, done)
    )
    return WaitUntil(when, then, entries)


def _wait_until(
    state: dict[str, Any], document: dict[str, Any], context: Context, now: datetime
) -> datetime:
    if "Seconds" in state:
        return now + timedelta(seconds=state["Seconds"])
    if "Timestamp" in state:
        moment = parse_timestamp(state["Timestamp"])
        assert moment is not None  # checked with the definition
        return moment
    if "SecondsPath" in state:
        seconds = paths.get_path(document, state["SecondsPath"], context)
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
            raise ValueError(f"'{state['SecondsPath']}' must hold a number of seconds")
        if not 0 <= seconds <= MAX_WAIT_SECONDS:
            raise ValueError(f"a wait must be from 0 to {MAX_WAIT_SECONDS} seconds")
        return now + timedelta(seconds=seconds)
    moment = parse_timestamp(paths.get_path(document, state["TimestampPath"], context))
    if moment is None:
        raise ValueError(f"'{state['TimestampPath']}' must hold an RFC 3339 timestamp")
    return moment


def _fail(
    name: str, state: dict[str, Any], document: dict[str, Any], context: Context, now: datetime
) -> Outcome:
    error = _text_field(state, "Error", document, context) or "FlowFailed"
    cause = _text_field(state, "Cause", document, context)
    entry = _entry(name, state, "Started", input=_shown(state, document))
    return Fail(error, cause, document, [entry])


def _succeed(
    name: str, state: dict[str, Any], document: dict[str, Any], context: Context, now: datetime
) -> Outcome:
    shown = _shown(state, document)
    entries = [
        _entry(name, state, "Started", input=shown),
        _entry(name, state, "Completed", output=shown),
    ]
    return Succeed(document, entries)


def _text_field(
    state: dict[str, Any], field: str, document: dict[str, Any], context: Context
) -> str | None:
    if field in state:
        text: str = state[field]
        return text
    if f"{field}Path" not in state:
        return None
    try:
        value = paths.get_path(document, state[f"{field}Path"], context)
    except paths.PathError:
        return None
    return value if isinstance(value, str) else json.dumps(value)


def _continue(state: dict[str, Any], document: dict[str, Any], entries: list[Any]) -> Transition:
    if "Next" in state:
        return _checked(Goto(state["Next"], document, entries))
    return _checked(Succeed(document, entries))


def _checked(outcome: Goto | Succeed) -> Transition:
    """The outcome, unless its state document has grown past MAX_STATE_BYTES."""
    try:
        size = len(json.dumps(outcome.document, separators=(",", ":")))
    except (RecursionError, ValueError, TypeError) as exc:
        return Fail(
            STATE_SIZE_ERROR,
            f"the run's state cannot be stored: {exc}",
            outcome.document,
            outcome.entries,
        )
    if size > MAX_STATE_BYTES:
        cause = f"the run's state would be {size} bytes; at most {MAX_STATE_BYTES} are allowed"
        return Fail(STATE_SIZE_ERROR, cause, outcome.document, outcome.entries)
    return outcome


def _runtime_failure(
    name: str, state: dict[str, Any], document: dict[str, Any], entries: list[Any], cause: str
) -> Fail:
    entries = [*entries, _entry(name, state, "Failed", error=RUNTIME_ERROR, cause=cause)]
    return Fail(RUNTIME_ERROR, cause, document, entries)


def _shown(state: dict[str, Any], values: Any) -> Any:
    """`values` as a log may show them: the state's private parameters left out."""
    return templating.hide_private(values, templating.private_names(state.get("Parameters")))


def _entry(name: str, state: dict[str, Any], event: str, **details: Any) -> dict[str, Any]:
    kind = state["Type"]
    return {
        "code": f"{kind}{event}",
        "description": f"State {name} of type {kind} {event.lower()}",
        "details": {"state_name": name, "state_type": kind, **details},
    }
