"""Globus Transfer: the client, task document helpers, responses and error."""

from globus_sdk.services.transfer.client import TransferClient
from globus_sdk.services.transfer.data import DeleteData, TransferData
from globus_sdk.services.transfer.errors import TransferAPIError

__all__ = ("TransferClient", "TransferData", "DeleteData", "TransferAPIError")
