"""Globus Connect Server: the GCS Manager API of each GCS endpoint the platform hosts, and
the Transfer face of its collections."""

from __future__ import annotations

from fastapi import Depends

from globus_local.kit.service import Service
from globus_local.services.gcs import data_access, models
from globus_local.services.gcs.errors import format_error
from globus_local.services.gcs.routes import router
from globus_local.services.transfer.params import refuse_unstorable_text

data_access.register()

# NUL and unpaired surrogates are refused as Transfer refuses them: a collection is also a
# Transfer endpoint, and neither database stores such text.
service = Service(
    "gcs",
    (router,),
    format_error,
    dependencies=(Depends(refuse_unstorable_text),),
    models=(models,),
)
