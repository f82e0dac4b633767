"""The Globus Auth client classes."""

from globus_sdk.services.auth.client.base import AuthClient
from globus_sdk.services.auth.client.confidential_client import ConfidentialAppAuthClient
from globus_sdk.services.auth.client.native_client import NativeAppAuthClient

__all__ = ("AuthClient", "NativeAppAuthClient", "ConfidentialAppAuthClient")
