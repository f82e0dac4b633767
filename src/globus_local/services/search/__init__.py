"""Globus Search API v1: indices, ingest tasks, entries and queries with visibility."""

from __future__ import annotations

from globus_local.kit.service import Service
from globus_local.kit.text import TextRule
from globus_local.services.search import models
from globus_local.services.search import tasks as tasks  # registers the ingest job handler
from globus_local.services.search.errors import format_error
from globus_local.services.search.routes import router

# An index, task or subject id holding NUL names nothing (the routes answer 404), and
# documents holding NUL are refused at ingest naming where it stands.
service = Service(
    "search",
    (router,),
    format_error,
    text_rule=TextRule(nul_in_path_and_query=False),
    models=(models,),
)
