"""Globus Timers: transfer timers, run once or on a recurring schedule as jobs on the one
queue, each run submitting a Transfer task as the user with a dependent refresh token;
the v2 timer route and the legacy job routes."""

from __future__ import annotations

from globus_local.kit.service import Service
from globus_local.kit.text import TextRule
from globus_local.services.timer import (
    models,
    runner,  # noqa: F401  (registers the timer.run job handler)
)
from globus_local.services.timer.errors import format_error, invalid
from globus_local.services.timer.routes import router

# Timers reports invalid input as a 422 naming where it stood.
service = Service(
    "timer",
    (router,),
    format_error,
    text_rule=TextRule(error=lambda message, where: invalid(message, [where])),
    models=(models,),
)
