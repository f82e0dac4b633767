"""The error a flow definition that breaks a rule of the language raises."""

from __future__ import annotations


class DefinitionError(ValueError):
    """A flow definition breaks a rule: which state (None for the whole flow), which rule, why."""

    def __init__(self, state: str | None, rule: str, message: str) -> None:
        self.state = state
        self.rule = rule
        self.message = message
        where = f"State '{state}': " if state is not None else ""
        super().__init__(f"{where}{message}")
