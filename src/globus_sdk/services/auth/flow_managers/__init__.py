"""OAuth2 flow managers: the state and steps of an in-progress login flow."""

from globus_sdk.services.auth.flow_managers.authorization_code import (
    GlobusAuthorizationCodeFlowManager,
)
from globus_sdk.services.auth.flow_managers.base import GlobusOAuthFlowManager
from globus_sdk.services.auth.flow_managers.native_app import GlobusNativeAppFlowManager

__all__ = (
    "GlobusOAuthFlowManager",
    "GlobusNativeAppFlowManager",
    "GlobusAuthorizationCodeFlowManager",
)
