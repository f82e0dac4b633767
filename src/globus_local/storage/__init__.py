"""Endpoint storage: one connector interface over local directories and fsspec filesystems.

``connector_for(endpoint)`` picks the backend from the endpoint's storage location: a
host directory (default) or any fsspec URL such as ``s3://bucket/prefix``. Every path
goes through :func:`resolve`/:func:`normalize`, which keep it inside the endpoint root.
"""

from __future__ import annotations

import typing as t

from globus_local.storage.base import (
    CHECKSUM_ALGORITHMS,
    FileInfo,
    StorageConnector,
    checksum_stream,
    new_hasher,
)
from globus_local.storage.errors import (
    AlreadyExists,
    DirectoryNotEmpty,
    InvalidPath,
    IsADirectory,
    NotADirectory,
    NotFound,
    NotSupported,
    PathEscape,
    PermissionDenied,
    QuotaExceeded,
    StorageError,
)
from globus_local.storage.paths import normalize, resolve


def is_url(location: str) -> bool:
    return "://" in location


def connector_for_location(
    location: str, storage_options: dict[str, t.Any] | None = None
) -> StorageConnector:
    """A connector for a host directory or an fsspec URL (``file://`` is a host directory)."""
    if location.startswith("file://"):
        location = location[len("file://") :]
    if is_url(location):
        from globus_local.storage.fsspec_storage import FsspecConnector

        return FsspecConnector(location, storage_options)
    from globus_local.storage.posix import PosixConnector

    return PosixConnector(location)


def connector_for(endpoint: t.Any) -> StorageConnector:
    """The connector for an endpoint with ``storage_url`` (and optional ``storage_options``)."""
    location = getattr(endpoint, "storage_url", None)
    if not location:
        raise StorageError("endpoint has no storage", None)
    return connector_for_location(location, getattr(endpoint, "storage_options", None) or None)


__all__ = [
    "CHECKSUM_ALGORITHMS",
    "AlreadyExists",
    "DirectoryNotEmpty",
    "FileInfo",
    "InvalidPath",
    "IsADirectory",
    "NotADirectory",
    "NotFound",
    "NotSupported",
    "PathEscape",
    "PermissionDenied",
    "QuotaExceeded",
    "StorageConnector",
    "StorageError",
    "checksum_stream",
    "connector_for",
    "connector_for_location",
    "is_url",
    "new_hasher",
    "normalize",
    "resolve",
]
