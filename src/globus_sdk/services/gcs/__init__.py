"""Globus Connect Server: the GCS Manager API client, its documents and its error class."""

from globus_sdk.services.gcs.client import GCSClient
from globus_sdk.services.gcs.data import (
    CollectionDocument,
    EndpointDocument,
    GCSRoleDocument,
    GuestCollectionDocument,
    MappedCollectionDocument,
    POSIXCollectionPolicies,
    POSIXStoragePolicies,
    S3StoragePolicies,
    StorageGatewayDocument,
    UserCredentialDocument,
)
from globus_sdk.services.gcs.errors import GCSAPIError
from globus_sdk.services.gcs.response import IterableGCSResponse, UnpackingGCSResponse

__all__ = (
    "GCSClient",
    "CollectionDocument",
    "MappedCollectionDocument",
    "GuestCollectionDocument",
    "EndpointDocument",
    "StorageGatewayDocument",
    "POSIXStoragePolicies",
    "S3StoragePolicies",
    "POSIXCollectionPolicies",
    "GCSRoleDocument",
    "UserCredentialDocument",
    "GCSAPIError",
    "IterableGCSResponse",
    "UnpackingGCSResponse",
)
