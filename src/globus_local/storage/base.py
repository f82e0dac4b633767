"""What every storage backend offers: :class:`FileInfo` and the :class:`StorageConnector` protocol."""

from __future__ import annotations

import hashlib
import zlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO, Literal, Protocol, runtime_checkable

from globus_local.storage.errors import InvalidPath

if TYPE_CHECKING:
    from typing_extensions import Buffer  # bytes, bytearray, memoryview: what zlib reads

FileType = Literal["file", "dir", "link"]


@dataclass(frozen=True)
class FileInfo:
    """One directory entry as the storage sees it (never following a final symlink).

    For a symlink ``type`` is ``"link"``, ``size``/``mtime``/... describe the link itself,
    ``link_target`` is the endpoint path it points to (None when that is outside the
    endpoint) and ``target`` describes what it points to — None when that is missing or
    outside the endpoint (an ``invalid_symlink``), so nothing outside the root is ever
    described or named.
    """

    name: str
    type: FileType
    size: int
    mtime: float
    permissions: str = "0644"  # 4-digit octal
    user: str | None = None
    group: str | None = None
    link_target: str | None = None
    target: FileInfo | None = None

    @property
    def is_link(self) -> bool:
        return self.type == "link"

    @property
    def effective_type(self) -> Literal["file", "dir", "invalid_symlink"]:
        """The type a listing shows: a link's target type, or ``invalid_symlink``."""
        if self.type != "link":
            return self.type
        return self.target.type if self.target is not None else "invalid_symlink"  # type: ignore[return-value]


@runtime_checkable
class StorageConnector(Protocol):
    """One endpoint's storage. Paths are endpoint paths (``/a/b``, ``~/a``); every method
    confines them to the endpoint root and raises :mod:`globus_local.storage.errors`."""

    supports_symlinks: bool
    supports_append: bool

    def stat(self, path: str, *, follow: bool = False) -> FileInfo: ...
    def exists(self, path: str) -> bool: ...
    def listdir(self, path: str) -> list[FileInfo]: ...
    def open_read(self, path: str) -> BinaryIO: ...
    def open_write(self, path: str, *, append: bool = False) -> BinaryIO: ...
    def mkdir(self, path: str, parents: bool = False) -> None: ...
    def rename(self, src: str, dst: str) -> None: ...
    def symlink(self, target: str, path: str) -> None: ...
    def remove(self, path: str, recursive: bool = False) -> None: ...
    def set_mtime(self, path: str, mtime: float) -> None: ...
    def checksum(self, path: str, algorithm: str = "MD5") -> str: ...


CHUNK_SIZE = 1024 * 1024


class _Adler32:
    def __init__(self) -> None:
        self.value = 1

    def update(self, data: Buffer) -> None:
        self.value = zlib.adler32(data, self.value)

    def hexdigest(self) -> str:
        return f"{self.value & 0xFFFFFFFF:08x}"


class _Crc32(_Adler32):
    def __init__(self) -> None:
        self.value = 0

    def update(self, data: Buffer) -> None:
        self.value = zlib.crc32(data, self.value)


_HASHLIB_NAMES = {"MD5": "md5", "SHA1": "sha1", "SHA256": "sha256", "SHA512": "sha512"}
CHECKSUM_ALGORITHMS = (*_HASHLIB_NAMES, "ADLER32", "CRC32")


def new_hasher(algorithm: str) -> hashlib._Hash | _Adler32:
    name = (algorithm or "MD5").upper().replace("-", "")
    if name in _HASHLIB_NAMES:
        return hashlib.new(_HASHLIB_NAMES[name])
    if name == "ADLER32":
        return _Adler32()
    if name == "CRC32":
        return _Crc32()
    raise InvalidPath(f"unsupported checksum algorithm {algorithm!r}")


def checksum_stream(stream: BinaryIO, algorithm: str) -> str:
    hasher = new_hasher(algorithm)
    while chunk := stream.read(CHUNK_SIZE):
        hasher.update(chunk)
    return hasher.hexdigest()
