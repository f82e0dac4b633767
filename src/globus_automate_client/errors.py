"""Errors raised by the automate clients.

Both services answer errors in their own documents: the Flows service nests its error
under ``error`` (``{"error": {"code", "detail" | [...], "message"?}, "debug_id"}``) and
action providers write ``{"code", "description"}``. ``AutomateAPIError`` reads both, so
``err.code`` and ``err.message`` say what went wrong; it is a ``GlobusAPIError``, which
is what callers of the automate client catch.
"""

from __future__ import annotations

import typing as t

from globus_sdk.exc import GlobusAPIError


class AutomateAPIError(GlobusAPIError):
    """An error answered by the Flows service or an action provider."""

    MESSAGE_FIELDS = ["message", "description", "detail"]

    def _load_from_json(self, data: dict[str, t.Any]) -> None:
        super()._load_from_json(data)
        sub = data.get("error")
        if not isinstance(sub, dict):
            return
        code = sub.get("code")
        if isinstance(code, str) and code:
            self.code = code
        message = _flows_message(sub)
        if message:
            self.message = message


def _flows_message(error: dict[str, t.Any]) -> str | None:
    """The Flows error's text: its ``message``, else its ``detail`` (a string, or the
    ``msg`` of each validation problem)."""
    message = error.get("message")
    if isinstance(message, str) and message:
        return message
    detail = error.get("detail")
    if isinstance(detail, str) and detail:
        return detail
    if isinstance(detail, list):
        msgs = [d.get("msg") for d in detail if isinstance(d, dict)]
        return "; ".join(m for m in msgs if isinstance(m, str)) or None
    return None


class FlowValidationError(Exception):
    """A flow definition or input schema failed the client's checks before being sent."""

    def __init__(self, errors: t.Iterable[str]) -> None:
        self.errors = sorted(set(errors))
        super().__init__("; ".join(self.errors))
