"""File access over HTTPS: read a file of an endpoint, or write one, with a Transfer token.

A Globus Connect Server collection serves its files over HTTPS as well as to Transfer
(``GET``/``PUT`` on ``https://<collection's https_server>/<path>``); the web app's
download and upload go there. Here the same exchange is a Transfer route,
``/v0.10/https/<endpoint_id>/<path>``, and it is held to exactly what ``ls`` is held to:
the caller must be able to use the endpoint (:func:`access.endpoint_for`) and read
(``r``) or write (``rw``) the path (:func:`access.check_path_access`), and the path goes
through the endpoint's storage connector, which keeps it (and every symlink on its way)
inside the endpoint's root.

Bodies move in chunks, both ways: a download is read from storage a chunk at a time as
the client takes it, and an upload is written as it arrives, to a hidden file beside the
target that replaces it only once complete (a failed or oversized upload leaves the old
file as it was). Uploads larger than :func:`max_upload_bytes` are refused with 413.
"""

from __future__ import annotations

import mimetypes
import os
import secrets
import typing as t
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session

from globus_local.kit.errors import (
    BadRequest,
    Conflict,
    Forbidden,
    NotFound,
    RequestTooLarge,
    ServiceError,
)
from globus_local.kit.tokens import AuthContext
from globus_local.services.transfer import access
from globus_local.storage import StorageConnector, StorageError, normalize
from globus_local.storage import paths as storage_paths

# Bytes read from storage or written to it at a time.
CHUNK_BYTES = 1024 * 1024
# The largest upload accepted unless GLOBUS_LOCAL_HTTPS_MAX_UPLOAD_BYTES says otherwise.
# The platform's admission refuses any request body over 64 MiB before a route runs, so a
# larger setting changes nothing until that limit moves too.
DEFAULT_MAX_UPLOAD_BYTES = 64 * 1024 * 1024
MAX_UPLOAD_ENV = "GLOBUS_LOCAL_HTTPS_MAX_UPLOAD_BYTES"
# Prefix of the hidden file an upload is written to before it takes the target's name.
PARTIAL_PREFIX = ".globus-upload-"


def max_upload_bytes() -> int:
    """The upload limit, read when asked so a deployment (or a test) can change it."""
    text = os.environ.get(MAX_UPLOAD_ENV, "")
    return int(text) if text.isdigit() else DEFAULT_MAX_UPLOAD_BYTES


def storage_refusal(exc: StorageError, path: str) -> ServiceError:
    """A storage failure as this route answers it (always a 4xx or a 502, never a 500)."""
    where = exc.path or path
    if type(exc).__name__ == "PathEscape":
        return Forbidden(f"Path '{where}' is outside the endpoint", code="PermissionDenied")
    codes: dict[str, ServiceError] = {
        "FILE_NOT_FOUND": NotFound(f"Path '{where}' not found", code="ClientError.NotFound"),
        "IS_A_DIRECTORY": BadRequest(f"Path '{where}' is a directory", code="IsADirectory"),
        "NOT_A_DIRECTORY": Conflict(f"Not a directory: '{where}'", code="NotADirectory"),
        "EXISTS": Conflict(f"Path already exists: '{where}'", code="Exists"),
        "PERMISSION_DENIED": Forbidden(
            f"Permission denied: '{where}'", code="EndpointPermissionDenied"
        ),
        "QUOTA_EXCEEDED": ServiceError(507, "QuotaExceeded", f"No space left for '{where}'"),
        "INVALID_PATH": BadRequest(f"{exc.message}: '{where}'", code="InvalidPath"),
        "DIRECTORY_NOT_EMPTY": Conflict(f"Directory not empty: '{where}'", code="NotEmpty"),
        "NOT_SUPPORTED": BadRequest(exc.message, code="ClientError.NotSupported"),
    }
    return codes.get(exc.code) or ServiceError(502, "EndpointError", f"Storage: {exc.message}")


def _checked(
    db: Session, ctx: AuthContext, endpoint_id: str, path: str, need: t.Literal["r", "rw"]
) -> tuple[StorageConnector, str]:
    """The endpoint's connector and the normalised path, once the caller may ``need`` it.

    The request's database session is closed afterwards: what follows is file I/O that may
    last as long as the client takes, and it should hold no connection meanwhile."""
    try:
        endpoint = access.endpoint_for(db, ctx, endpoint_id, need="read")
        try:
            rel = normalize(path)
        except StorageError as exc:
            raise storage_refusal(exc, path) from None
        access.check_path_access(db, ctx, endpoint, rel, need)
        try:
            connector = access.connector_for_endpoint(endpoint)
        except StorageError as exc:
            raise ServiceError(
                502, "EndpointError", f"Endpoint storage unavailable: {exc.message}"
            ) from None
    finally:
        db.close()
    return connector, rel


@dataclass
class Download:
    """An open file of an endpoint: its chunks, and what the response headers say of it."""

    stream: t.BinaryIO
    name: str
    size: int
    mtime: float

    @property
    def media_type(self) -> str:
        return mimetypes.guess_type(self.name)[0] or "application/octet-stream"

    def chunks(self) -> Iterator[bytes]:
        """The file a chunk at a time; closes it at the end or when the client leaves."""
        try:
            while chunk := self.stream.read(CHUNK_BYTES):
                yield chunk
        finally:
            self.stream.close()


def open_download(db: Session, ctx: AuthContext, endpoint_id: str, path: str) -> Download:
    """The file at ``path`` opened for reading, when the caller may read it."""
    connector, rel = _checked(db, ctx, endpoint_id, path, "r")
    try:
        info = connector.stat(rel, follow=True)
        if info.effective_type != "file":
            raise BadRequest(f"Path '{rel}' is a directory", code="IsADirectory")
        stream = connector.open_read(rel)
    except StorageError as exc:
        raise storage_refusal(exc, rel) from None
    return Download(stream, storage_paths.basename(rel) or "download", info.size, info.mtime)


@dataclass
class Upload:
    """Where an upload goes: checked, not yet written."""

    connector: StorageConnector
    path: str

    @property
    def partial_path(self) -> str:
        parent = storage_paths.parent(self.path)
        name = f"{PARTIAL_PREFIX}{secrets.token_hex(6)}"
        return f"{parent.rstrip('/')}/{name}"


def prepare_upload(
    db: Session, ctx: AuthContext, endpoint_id: str, path: str, declared_size: int | None
) -> Upload:
    """Check an upload before any of its body is read: the caller may write ``path``, its
    folder exists, it is not a folder itself, and a declared size is within the limit."""
    limit = max_upload_bytes()
    if declared_size is not None and declared_size > limit:
        raise RequestTooLarge(f"The upload exceeds the limit of {limit} bytes")
    connector, rel = _checked(db, ctx, endpoint_id, path, "rw")
    if rel == "/":
        raise BadRequest("Give the path of a file to write", code="IsADirectory")
    try:
        folder = connector.stat(storage_paths.parent(rel), follow=True)
        if folder.effective_type != "dir":
            raise Conflict(f"Not a directory: '{storage_paths.parent(rel)}'", code="NotADirectory")
        if connector.exists(rel) and connector.stat(rel, follow=True).effective_type == "dir":
            raise BadRequest(f"Path '{rel}' is a directory", code="IsADirectory")
    except StorageError as exc:
        raise storage_refusal(exc, rel) from None
    return Upload(connector, rel)


class UploadWriter:
    """Writes an upload's chunks to a hidden file beside the target, then puts it in place
    (:meth:`finish`) or removes it (:meth:`abandon`). Chunk by chunk, so the caller can
    write each as it arrives and never hold the whole body."""

    def __init__(self, upload: Upload, limit: int) -> None:
        self.upload = upload
        self.limit = limit
        self.written = 0
        self.partial = upload.partial_path
        try:
            self._stream: t.BinaryIO | None = upload.connector.open_write(self.partial)
        except StorageError as exc:
            raise storage_refusal(exc, upload.path) from None

    def write(self, chunk: bytes) -> None:
        if self._stream is None:
            raise RuntimeError("the upload is closed")
        self.written += len(chunk)
        if self.written > self.limit:
            self.abandon()
            raise RequestTooLarge(f"The upload exceeds the limit of {self.limit} bytes")
        try:
            self._stream.write(chunk)
        except (StorageError, OSError) as exc:
            self.abandon()
            if isinstance(exc, OSError):
                raise ServiceError(502, "EndpointError", f"Write failed: {exc}") from None
            raise storage_refusal(exc, self.upload.path) from None

    def finish(self) -> bool:
        """Put the written file in place of the target; True when it replaced a file."""
        connector, target = self.upload.connector, self.upload.path
        try:
            if self._stream is not None:
                self._stream.close()
                self._stream = None
            replaced = connector.exists(target)
            if replaced:
                connector.remove(target)
            connector.rename(self.partial, target)
        except StorageError as exc:
            self.abandon()
            raise storage_refusal(exc, target) from None
        return replaced

    def abandon(self) -> None:
        """Close and remove the partial file (nothing is left behind)."""
        if self._stream is not None:
            try:
                self._stream.close()
            except OSError:
                pass
            self._stream = None
        try:
            self.upload.connector.remove(self.partial)
        except StorageError:
            pass


async def receive_upload(upload: Upload, chunks: AsyncIterator[bytes]) -> dict[str, t.Any]:
    """Write the body's chunks as they arrive (each in the thread pool: file I/O blocks),
    then put the file in place. Whatever stops it early leaves no partial file."""
    writer = await run_in_threadpool(UploadWriter, upload, max_upload_bytes())
    try:
        async for chunk in chunks:
            for start in range(0, len(chunk), CHUNK_BYTES):
                await run_in_threadpool(writer.write, chunk[start : start + CHUNK_BYTES])
        replaced = await run_in_threadpool(writer.finish)
    except BaseException:
        await run_in_threadpool(writer.abandon)
        raise
    return upload_document(upload.path, writer.written, replaced)


def upload_document(path: str, size: int, replaced: bool) -> dict[str, t.Any]:
    return {
        "DATA_TYPE": "https_upload_result",
        "code": "Replaced" if replaced else "Created",
        "message": f"The file was {'replaced' if replaced else 'created'}",
        "path": path,
        "size": size,
    }
