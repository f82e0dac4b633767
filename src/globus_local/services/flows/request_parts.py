"""What every Flows route takes from its request besides the caller: the query and the
platform's settings."""

from __future__ import annotations

import typing as t

from fastapi import Request

from globus_local.config import Settings

# Query parameters a client may send more than once (or comma-joined).
MULTI_VALUED = frozenset({"filter_roles", "orderby", "filter_status", "filter_flow_id"})


def query_of(request: Request) -> dict[str, t.Any]:
    """The query as a dict: lists for the multi-valued keys, the last value for the rest
    (a NUL in it was refused before the route: see ``globus_local.kit.text``)."""
    params = request.query_params
    return {
        key: params.getlist(key) if key in MULTI_VALUED else params.getlist(key)[-1]
        for key in params.keys()
    }


def settings_of(request: Request) -> Settings:
    return t.cast(Settings, request.app.state.settings)
