"""Access to Globus endpoints installed on the local machine."""

from globus_sdk.local_endpoint.personal import (
    GlobusConnectPersonalOwnerInfo,
    LocalGlobusConnectPersonal,
)

__all__ = ("LocalGlobusConnectPersonal", "GlobusConnectPersonalOwnerInfo")
