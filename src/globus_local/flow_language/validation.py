"""Checking a flow definition against the rules of the language, before it is stored or run.

Any JSON value may arrive here; it either passes or raises DefinitionError naming the state
(None for the flow as a whole), the rule and what is wrong, so the interpreter can rely on
every field it reads being present and of the right type. The rules for each state's own
fields are in state_rules; input schemas in input_schema.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from globus_local.flow_language.errors import DefinitionError
from globus_local.flow_language.input_schema import check_input_schema, validate_input
from globus_local.flow_language.state_rules import (
    MAX_NAME_LENGTH,
    check_optional_string,
    check_state,
)

__all__ = [
    "ActionState",
    "DefinitionError",
    "action_states",
    "check_definition",
    "check_input_schema",
    "successors",
    "validate_input",
]

MAX_DEFINITION_BYTES = 1_000_000
MAX_DEPTH = 64
MAX_STATES = 1000


@dataclass(frozen=True)
class ActionState:
    """An Action state as the Flows service needs it to plan scopes and tokens."""

    name: str
    action_url: str
    action_scope: str | None
    run_as: str


def check_definition(definition: Any) -> None:
    """Raise DefinitionError unless `definition` is a flow this language can run."""
    _check_size(definition)
    if not isinstance(definition, dict):
        raise DefinitionError(None, "definition-object", "the definition must be an object")
    unknown = sorted(set(definition) - {"Comment", "StartAt", "States"})
    if unknown:
        raise DefinitionError(
            None, "definition-fields", f"unexpected top-level fields: {', '.join(unknown)}"
        )
    check_optional_string(None, definition, "Comment")
    states = definition.get("States")
    if not isinstance(states, dict) or not states:
        raise DefinitionError(None, "states", "'States' must be a non-empty object of states")
    if len(states) > MAX_STATES:
        raise DefinitionError(None, "states", f"a flow may have at most {MAX_STATES} states")
    start = definition.get("StartAt")
    if not isinstance(start, str):
        raise DefinitionError(None, "start-at", "'StartAt' must name the first state")
    if start not in states:
        raise DefinitionError(None, "start-at", f"'StartAt' names '{start}', which is not a state")
    for name, state in states.items():
        if not isinstance(name, str) or not name or len(name) > MAX_NAME_LENGTH:
            raise DefinitionError(
                name, "state-name", f"state names must be 1 to {MAX_NAME_LENGTH} characters"
            )
        check_state(name, state, states)
    _check_reachable(start, states)
    if not any(
        state.get("End") is True or state["Type"] in ("Fail", "Succeed")
        for state in states.values()
    ):
        raise DefinitionError(
            None, "no-terminal-state", "the flow needs a state that ends it (End, Fail or Succeed)"
        )


def action_states(definition: dict[str, Any]) -> list[ActionState]:
    """The Action states of a checked definition, in definition order."""
    return [
        ActionState(
            name=name,
            action_url=state["ActionUrl"],
            action_scope=state.get("ActionScope"),
            run_as=state.get("RunAs", "User"),
        )
        for name, state in definition["States"].items()
        if state["Type"] == "Action"
    ]


def successors(state: dict[str, Any]) -> list[str]:
    """The names of the states `state` may go to next."""
    names = [state["Next"]] if isinstance(state.get("Next"), str) else []
    for rule in state.get("Choices") or []:
        if isinstance(rule, dict) and isinstance(rule.get("Next"), str):
            names.append(rule["Next"])
    if isinstance(state.get("Default"), str):
        names.append(state["Default"])
    for catcher in state.get("Catch") or []:
        if isinstance(catcher, dict) and isinstance(catcher.get("Next"), str):
            names.append(catcher["Next"])
    return names


def _check_reachable(start: str, states: dict[str, Any]) -> None:
    seen = {start}
    queue = [start]
    while queue:
        for target in successors(states[queue.pop()]):
            if target not in seen:
                seen.add(target)
                queue.append(target)
    unreachable = [name for name in states if name not in seen]
    if unreachable:
        raise DefinitionError(
            unreachable[0], "unreachable", "the state cannot be reached from 'StartAt'"
        )


def _check_size(definition: Any) -> None:
    """Bound depth and size before any other walk, so nothing later can run away."""
    total = 0
    stack: list[tuple[Any, int]] = [(definition, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise DefinitionError(
                None, "definition-depth", f"the definition nests deeper than {MAX_DEPTH} levels"
            )
        if isinstance(item, dict):
            total += 2 + sum(len(str(key)) + 4 for key in item)
            stack.extend((value, depth + 1) for value in item.values())
        elif isinstance(item, list):
            total += 2 + len(item)
            stack.extend((value, depth + 1) for value in item)
        else:
            total += len(item) + 2 if isinstance(item, str) else 8
        if total > MAX_DEFINITION_BYTES:
            raise DefinitionError(
                None,
                "definition-size",
                f"the definition is larger than {MAX_DEFINITION_BYTES} bytes",
            )
