"""Payload helpers for Transfer task submission."""

from globus_sdk.services.transfer.data.delete_data import DeleteData
from globus_sdk.services.transfer.data.transfer_data import TransferData

__all__ = ("TransferData", "DeleteData")
