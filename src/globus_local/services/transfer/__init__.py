"""Globus Transfer API v0.10: endpoints on real storage, file operations, tasks.

Every route lives under ``/v0.10``; routers add paths relative to it (``/endpoint/{id}``).
"""

from __future__ import annotations

from globus_local.kit.service import Service
from globus_local.kit.text import TextRule
from globus_local.services.transfer import (
    models_endpoints,
    models_tasks,
    pause_sweep,  # noqa: F401  (registers its recurring job)
    routes_acl,
    routes_bookmarks,
    routes_endpoints,
    routes_https,
    routes_operations,
    routes_tasks,
)
from globus_local.services.transfer.documents import API_PREFIX
from globus_local.services.transfer.errors import format_error
from globus_local.services.transfer.mover import procs

# FastAPI tries a group's routes in this order (see globus_local.routing): the task routes,
# which clients poll, go first. No path matches routes of two of these routers, so the
# order changes nothing else.
service = Service(
    "transfer",
    (
        routes_tasks.router,
        routes_endpoints.router,
        routes_acl.router,
        routes_bookmarks.router,
        routes_operations.router,
        routes_https.router,
    ),
    format_error,
    api_prefix=API_PREFIX,
    # Every value is stored as text (ids, paths, names, labels): NUL is refused in bodies
    # too. The HTTPS file route's bodies are file contents, stored as sent.
    text_rule=TextRule(nul_in_body=True, file_paths=(f"{API_PREFIX}/https/",)),
    models=(models_endpoints, models_tasks),
    warm_up=procs.warm,
    cool_down=procs.stop,
)
