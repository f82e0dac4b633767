"""The token check every Transfer route uses (resource server ``transfer.api.globus.org``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from globus_local.kit.tokens import AuthContext, require_token
from globus_local.services.auth.scopes import TRANSFER_ALL, TRANSFER_RS

require_transfer_token = require_token(TRANSFER_RS, TRANSFER_ALL)

# Route parameter type: ``ctx: TransferAuth``.
TransferAuth = Annotated[AuthContext, Depends(require_transfer_token)]
