"""Globus Groups API v2: groups, memberships, policies and identity preferences."""

from __future__ import annotations

from globus_local.kit.service import Service
from globus_local.services.groups import models
from globus_local.services.groups.errors import format_error
from globus_local.services.groups.routes import router

service = Service("groups", (router,), format_error, models=(models,))
