"""What can go wrong while moving data, and what the mover does about it.

A :class:`Fault` names the Transfer error code (``FILE_NOT_FOUND``, ``PERMISSION_DENIED``,
``CHECKSUM_MISMATCH``...) and says how it is handled: skipped (a source error with
``skip_source_errors``), retried (transient trouble), or fatal (the task fails).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from globus_local.kit.errors import ServiceError
from globus_local.storage.errors import (
    IsADirectory,
    NotADirectory,
    NotFound,
    PathEscape,
    PermissionDenied,
    QuotaExceeded,
    StorageError,
    from_os_error,
)

Side = Literal["source", "destination"]
Handling = Literal["skip", "retry", "fatal"]

# How often one file is retried after a transient fault before the task gives up.
MAX_FILE_RETRIES = 3


@dataclass
class Fault(Exception):
    code: str
    description: str
    handling: Handling
    details: str = ""

    def __str__(self) -> str:
        return f"{self.code}: {self.description}"


class Aborted(Exception):
    """The copy stopped because the task was canceled, paused or lost its worker."""


_SOURCE_SKIPPABLE = (NotFound, PermissionDenied, PathEscape)


def classify(
    exc: BaseException,
    side: Side,
    *,
    skip_source_errors: bool,
    fail_on_quota_errors: bool,
    path: str | None = None,
) -> Fault:
    """The fault an exception raised on ``side`` amounts to."""
    where = f" ({side} path {path})" if path else f" ({side})"
    if isinstance(exc, Fault):
        return exc
    if isinstance(exc, ServiceError):  # access revoked since submission
        return Fault("PERMISSION_DENIED", exc.message + where, "fatal")
    if isinstance(exc, StorageError):
        message = exc.message + where
        if side == "source" and isinstance(exc, _SOURCE_SKIPPABLE):
            return Fault(exc.code, message, "skip" if skip_source_errors else "fatal")
        if isinstance(exc, (PermissionDenied, PathEscape, NotADirectory, IsADirectory)):
            return Fault(exc.code, message, "fatal")
        if isinstance(exc, NotFound):
            # The destination's parent vanished, or the source changed under us: retry.
            return Fault(exc.code, message, "retry")
        if isinstance(exc, QuotaExceeded):
            return Fault(exc.code, message, "fatal" if fail_on_quota_errors else "retry")
        return Fault(exc.code or "ENDPOINT_ERROR", message, "retry")
    if isinstance(exc, OSError):
        # Raw descriptor I/O (the local fast path) raises OSError untranslated: a full disk
        # or an exhausted quota is still a quota fault, which fail_on_quota_errors governs.
        translated = from_os_error(exc, path)
        if isinstance(translated, QuotaExceeded):
            return classify(
                translated,
                side,
                skip_source_errors=skip_source_errors,
                fail_on_quota_errors=fail_on_quota_errors,
                path=path,
            )
        return Fault("ENDPOINT_ERROR", f"{exc.strerror or exc}{where}", "retry")
    return Fault("ENDPOINT_ERROR", f"{type(exc).__name__}: {exc}{where}", "retry")
