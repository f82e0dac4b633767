"""Storage failures, independent of HTTP: routes and the data mover map them to their own codes.

Each class carries ``code``, the Transfer task fault name it corresponds to
(``FILE_NOT_FOUND``, ``PERMISSION_DENIED``...), so the mover can report it unchanged.
"""

from __future__ import annotations

import errno
from collections.abc import Iterator
from contextlib import contextmanager


class StorageError(Exception):
    code = "ENDPOINT_ERROR"

    def __init__(self, message: str, path: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path


class PathEscape(StorageError):
    """A path that would leave the endpoint's root (``..``, a symlink pointing outside...)."""

    code = "PERMISSION_DENIED"


class InvalidPath(StorageError):
    """A path that is not acceptable at all (NUL bytes, renaming the root...)."""

    code = "INVALID_PATH"


class NotFound(StorageError):
    code = "FILE_NOT_FOUND"


class AlreadyExists(StorageError):
    code = "EXISTS"


class NotADirectory(StorageError):
    code = "NOT_A_DIRECTORY"


class IsADirectory(StorageError):
    code = "IS_A_DIRECTORY"


class DirectoryNotEmpty(StorageError):
    code = "DIRECTORY_NOT_EMPTY"


class PermissionDenied(StorageError):
    code = "PERMISSION_DENIED"


class QuotaExceeded(StorageError):
    code = "QUOTA_EXCEEDED"


class NotSupported(StorageError):
    """The storage cannot do this (symlinks on an object store, appending to S3...)."""

    code = "NOT_SUPPORTED"


_ERRNO_CLASSES: dict[int, type[StorageError]] = {
    errno.ENOENT: NotFound,
    errno.EEXIST: AlreadyExists,
    errno.ENOTDIR: NotADirectory,
    errno.EISDIR: IsADirectory,
    errno.ENOTEMPTY: DirectoryNotEmpty,
    errno.EACCES: PermissionDenied,
    errno.EPERM: PermissionDenied,
    errno.EROFS: PermissionDenied,
    errno.ENOSPC: QuotaExceeded,
    errno.EDQUOT: QuotaExceeded,
    errno.ELOOP: PathEscape,
    errno.EINVAL: InvalidPath,
    errno.ENAMETOOLONG: InvalidPath,
}


def from_os_error(exc: OSError, path: str | None) -> StorageError:
    cls = _ERRNO_CLASSES.get(exc.errno or 0, StorageError)
    return cls(exc.strerror or str(exc), path)


@contextmanager
def translate_os_errors(path: str | None) -> Iterator[None]:
    """Turn ``OSError`` raised inside the block into the matching :class:`StorageError`,
    naming the endpoint path (never the host path) in the message."""
    try:
        yield
    except StorageError:
        raise
    except OSError as exc:
        raise from_os_error(exc, path) from None
