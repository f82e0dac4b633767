"""Globus Flows: flows (definitions, roles, their own Auth scope), runs and the engine that
works them as jobs on the one queue, plus the legacy Automate routes."""

from __future__ import annotations

from globus_local.kit.service import Service
from globus_local.services.flows import (
    engine,  # noqa: F401  (registers the flows.run job handler)
    models,
)
from globus_local.services.flows.errors import format_error
from globus_local.services.flows.routes_flows import router as flows_router
from globus_local.services.flows.routes_runs import router as runs_router

service = Service(
    "flows",
    (runs_router, flows_router),
    format_error,
    models=(models,),
)
