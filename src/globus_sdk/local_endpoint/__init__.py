"""Access to Globus endpoints installed on the local machine."""

from globus_sdk.local_endpoint.owner_info import GlobusConnectPersonalOwnerInfo
from globus_sdk.local_endpoint.personal import LocalGlobusConnectPersonal

__all__ = ("LocalGlobusConnectPersonal", "GlobusConnectPersonalOwnerInfo")
