"""What every Flows route takes from its request besides the caller: the query and the
platform's settings."""

from __future__ import annotations

import json
import re
import typing as t

from fastapi import Request

from globus_local.config import Settings
from globus_local.kit.errors import BadRequest

# How JSON spells a UTF-16 surrogate: a body without one holds none.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
# Query parameters a client may send more than once (or comma-joined).
MULTI_VALUED = frozenset({"filter_roles", "orderby", "filter_status", "filter_flow_id"})


def query_of(request: Request) -> dict[str, t.Any]:
    """The query as a dict: lists for the multi-valued keys, the last value for the rest.
    A NUL anywhere is a 400 (PostgreSQL compares no text holding one)."""
    params = request.query_params
    for key, value in params.multi_items():
        if "\x00" in key or "\x00" in value:
            raise BadRequest(f"Query parameter {key!r} holds a NUL character")
    return {
        key: params.getlist(key) if key in MULTI_VALUED else params.getlist(key)[-1]
        for key in params.keys()
    }


def settings_of(request: Request) -> Settings:
    return t.cast(Settings, request.app.state.settings)


async def refuse_surrogates(request: Request) -> None:
    """Service dependency: a JSON body holding an unpaired UTF-16 surrogate is a 400. JSON
    can spell one, but no database stores it: a title, definition or run input holding one
    failed its INSERT with a 500. (NUL stays: JSON values keep it as JSON does.)"""
    if request.method not in ("POST", "PUT", "PATCH"):
        return
    body = await request.body()
    if _SURROGATE_ESCAPE.search(body) and _holds_surrogate(body):
        raise BadRequest("Request text must not hold unpaired UTF-16 surrogates")


def _holds_surrogate(body: bytes) -> bool:
    try:
        stack: list[t.Any] = [json.loads(body)]
    except ValueError:  # not JSON: the route's own parsing answers
        return False
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                return True
        elif isinstance(value, dict):
            stack.extend(value.keys())
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return False
