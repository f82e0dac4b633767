"""The Globus-hosted action providers (hello_world, the Transfer family, Search ingest and
delete, notify, expression_eval), each speaking the whole Action Provider interface at
``/actions/<host>/<path>``. See ``docs/actions.md``."""

from __future__ import annotations

from globus_local.kit.service import Service
from globus_local.kit.text import TextRule
from globus_local.services.actions import models, sweep
from globus_local.services.actions.errors import format_error, validation_error
from globus_local.services.actions.routes import router

__all__ = ["service", "sweep"]

# Action requests are stored as text (NUL refused in bodies too); an action id holding NUL
# in the path names no action, which the routes answer 404 themselves.
service = Service(
    "actions",
    (router,),
    format_error,
    text_rule=TextRule(
        nul_in_path_and_query=False,
        nul_in_body=True,
        error=lambda message, _where: validation_error(message),
    ),
    models=(models,),
)
