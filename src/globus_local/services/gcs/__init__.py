"""Globus Connect Server: the GCS Manager API of each GCS endpoint the platform hosts, and
the Transfer face of its collections."""

from __future__ import annotations

from globus_local.kit.service import Service
from globus_local.kit.text import TextRule
from globus_local.services.gcs import data_access, models
from globus_local.services.gcs.errors import format_error
from globus_local.services.gcs.routes import router

data_access.register()

# Request text is refused as Transfer refuses it (NUL in bodies too): a collection is also
# a Transfer endpoint.
service = Service(
    "gcs",
    (router,),
    format_error,
    text_rule=TextRule(nul_in_body=True),
    models=(models,),
)
