"""The Globus-hosted action providers (hello_world, the Transfer family, Search ingest and
delete, notify, expression_eval), each speaking the whole Action Provider interface at
``/actions/<host>/<path>``. See ``docs/actions.md``."""

from __future__ import annotations

from globus_local.kit.service import Service
from globus_local.services.actions import models, sweep
from globus_local.services.actions.errors import format_error
from globus_local.services.actions.routes import router

__all__ = ["service", "sweep"]

service = Service("actions", (router,), format_error, models=(models,))
