"""Transfer response classes."""

from globus_sdk.services.transfer.response.activation import ActivationRequirementsResponse
from globus_sdk.services.transfer.response.iterable import IterableTransferResponse

__all__ = ("ActivationRequirementsResponse", "IterableTransferResponse")
