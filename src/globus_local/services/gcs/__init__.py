"""Globus Connect Server: the GCS Manager API of each GCS endpoint the platform hosts, and
the Transfer face of its collections."""

from __future__ import annotations

from globus_local.kit.service import Service
from globus_local.services.gcs import data_access, models
from globus_local.services.gcs.errors import format_error
from globus_local.services.gcs.routes import router

data_access.register()

service = Service("gcs", (router,), format_error, models=(models,))
