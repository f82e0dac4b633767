"""Endpoints on any fsspec filesystem (``s3://bucket/prefix``, ``memory://name``, ...).

Object stores have no symlinks and no real directories: a directory exists while
something is stored under it, and an empty one made by ``mkdir`` is kept by a hidden
marker object. Paths are normalised before being joined to the root prefix and never
pass through fsspec's glob expansion, so a name with ``*`` or ``[`` means only itself.

On an object store the time goes into requests, each a round trip, so a connector saves
them where the answer is known:

- it remembers the folders it has seen for as long as it lives (one task run, one
  request), so a write under a known folder does not look its parents up again; a folder
  removed meanwhile by someone else only comes back if something is written into it, as
  writing a key under a prefix does on any object store;
- on S3 a path is looked up with one listing (fsspec makes two requests for a missing
  path: the object, then the prefix);
- a path found missing is taken as still missing, for a second, by a rename to it (the
  mover looks for the final name just before it renames its temp file there; an object
  store's check before a copy was never atomic anyway); on S3 the rename of a file is one
  CopyObject and one DeleteObject;
- on S3, reads and writes stream through botocore's synchronous client
  (:class:`S3Writer`), several times faster than fsspec's S3 file for a large object.
"""

from __future__ import annotations

import datetime as dt
import io
import posixpath
import threading
import time
import typing as t
from typing import BinaryIO

from globus_local.storage.base import FileInfo, checksum_stream
from globus_local.storage.errors import (
    AlreadyExists,
    DirectoryNotEmpty,
    InvalidPath,
    IsADirectory,
    NotADirectory,
    NotFound,
    NotSupported,
    PermissionDenied,
    StorageError,
    translate_os_errors,
)
from globus_local.storage.paths import normalize

# Keeps an empty directory alive on object stores; never shown in listings.
DIR_MARKER = ".globus-local-keep"
# fsspec protocols of object stores: no directories of their own, every write atomic.
OBJECT_STORES = frozenset({"s3", "s3a", "gs", "gcs", "az", "abfs", "abfss", "adl"})
# Seconds a path this connector found missing is taken as still missing by a rename to
# it: the mover looks for the final name just before it renames its temp file there.
MISSING_SECONDS = 1.0
# Most such paths remembered; past this the memory starts afresh.
MISSING_KEPT = 10_000
# Keys one S3 listing returns at most (S3's own largest page).
LIST_PAGE = 1000
# Size of the parts of a multipart upload (S3: at least 5 MiB, at most 10,000 parts); a
# file smaller than this is one PutObject.
PART_BYTES = 32 * 1024 * 1024
# The storage options a plain botocore S3 client can be made from; with any other, reads
# stay with fsspec, which knows them all.
BOTOCORE_OPTIONS = frozenset(
    {"key", "secret", "token", "endpoint_url", "client_kwargs", "config_kwargs"}
    | {"use_listings_cache", "listings_expiry_time", "max_paths"}
)


def _mtime(info: dict[str, t.Any]) -> float:
    for key in ("mtime", "LastModified", "last_modified", "updated", "created", "ctime"):
        value = info.get(key)
        if value is None:
            continue
        if isinstance(value, dt.datetime):
            if value.tzinfo is None:
                value = value.replace(tzinfo=dt.timezone.utc)
            return value.timestamp()
        if isinstance(value, (int, float)):
            return float(value)
        try:
            return dt.datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()
        except ValueError:
            continue
    return 0.0


def _s3_call(what: str, call: t.Callable[..., t.Any], **kwargs: t.Any) -> t.Any:
    """One botocore call, its failures as the OSError a connector's callers handle."""
    from botocore.exceptions import BotoCoreError, ClientError  # type: ignore[import-untyped]

    try:
        return call(**kwargs)
    except ClientError as exc:
        code = str(exc.response.get("Error", {}).get("Code", ""))
        if code in ("NoSuchKey", "NoSuchBucket", "NoSuchUpload", "404"):
            raise FileNotFoundError(what) from None
        if code in ("AccessDenied", "403"):
            raise PermissionError(what) from None
        raise OSError(f"S3 {code or 'error'}: {what}") from None
    except BotoCoreError as exc:
        raise OSError(f"S3 unreachable ({exc}): {what}") from None


class S3Writer(io.RawIOBase):
    """One S3 object written through botocore: one PutObject for less than PART_BYTES, else
    a multipart upload completed at close, so the object appears whole or not at all. A
    ``with`` block left by an exception aborts the upload: nothing partial is stored."""

    def __init__(self, client: t.Any, bucket: str, key: str) -> None:
        super().__init__()
        self._client, self._bucket, self._key = client, bucket, key
        self._buffer = bytearray()
        self._upload_id: str | None = None
        self._parts: list[dict[str, t.Any]] = []

    def writable(self) -> bool:
        return True

    def write(self, data: t.Any) -> int:
        self._buffer += data
        while len(self._buffer) >= PART_BYTES:
            self._send_part(bytes(self._buffer[:PART_BYTES]))
            del self._buffer[:PART_BYTES]
        return len(data)

    def _send_part(self, body: bytes) -> None:
        where = dict(Bucket=self._bucket, Key=self._key)
        if self._upload_id is None:
            created = _s3_call(self._key, self._client.create_multipart_upload, **where)
            self._upload_id = created["UploadId"]
        number = len(self._parts) + 1
        sent = _s3_call(
            self._key,
            self._client.upload_part,
            UploadId=self._upload_id,
            PartNumber=number,
            Body=body,
            **where,
        )
        self._parts.append({"ETag": sent["ETag"], "PartNumber": number})

    def close(self) -> None:
        if self.closed:
            return
        where = dict(Bucket=self._bucket, Key=self._key)
        try:
            if self._upload_id is None:
                _s3_call(self._key, self._client.put_object, Body=bytes(self._buffer), **where)
            else:
                if self._buffer:
                    self._send_part(bytes(self._buffer))
                _s3_call(
                    self._key,
                    self._client.complete_multipart_upload,
                    UploadId=self._upload_id,
                    MultipartUpload={"Parts": self._parts},
                    **where,
                )
        except BaseException:
            self._abort()
            raise
        finally:
            self._buffer = bytearray()
            super().close()

    def _abort(self) -> None:
        if self._upload_id is not None:
            try:
                self._client.abort_multipart_upload(
                    Bucket=self._bucket, Key=self._key, UploadId=self._upload_id
                )
            except Exception:  # the store expires what is left of it
                pass
            self._upload_id = None

    def __exit__(self, kind: t.Any, *rest: t.Any) -> None:
        if kind is None:
            self.close()
            return
        self._abort()
        self._buffer = bytearray()
        super().close()


class FsspecConnector:
    """A prefix of an fsspec filesystem exposed as an endpoint root."""

    supports_symlinks = False

    def __init__(self, url: str, storage_options: dict[str, t.Any] | None = None) -> None:
        from fsspec.core import url_to_fs

        self.url = url
        self._options = dict(storage_options or {})
        self.fs, root = url_to_fs(url, **self._options)
        self.root = root.rstrip("/") or "/"
        self.supports_append = self.fs.protocol in ("memory", "file", ("file", "local"))
        protocols = self.fs.protocol if isinstance(self.fs.protocol, tuple) else (self.fs.protocol,)
        self.object_store = bool(OBJECT_STORES.intersection(protocols))
        # Folders (paths relative to the root) known to exist: see the module.
        self._dirs: set[str] = set()
        # Paths found missing, and when (time.monotonic()): see MISSING_SECONDS.
        self._missing: dict[str, float] = {}
        # A synchronous S3 client for streamed reads and writes; False: none here.
        self._s3_client: t.Any = None
        self._s3_client_lock = threading.Lock()
        self._ensure_root()

    def __repr__(self) -> str:
        return f"FsspecConnector({self.url!r})"

    def _ensure_root(self) -> None:
        try:
            if not self.fs.isdir(self.root):
                self.fs.makedirs(self.root, exist_ok=True)
                if not self.fs.isdir(self.root):
                    self.fs.pipe_file(self._join_host(self.root, DIR_MARKER), b"")
            self._dirs.add("/")
        except Exception:  # an unreachable store fails later, with a path in the error
            pass

    def _forget_dirs(self, rel: str) -> None:
        """Forget ``rel`` and every folder under it (removed or moved away)."""
        inside = rel.rstrip("/") + "/"
        self._dirs.difference_update([d for d in self._dirs if d == rel or d.startswith(inside)])

    def _known_dir(self, rel: str) -> bool:
        return rel in self._dirs

    def _recently_missing(self, rel: str) -> bool:
        seen = self._missing.get(rel)
        return seen is not None and time.monotonic() - seen < MISSING_SECONDS

    # -- paths -----------------------------------------------------------------------------
    @staticmethod
    def _join_host(base: str, name: str) -> str:
        return f"{base.rstrip('/')}/{name}" if base != "/" else f"/{name}"

    def _host(self, rel: str) -> str:
        return self.root if rel == "/" else self._join_host(self.root, rel.lstrip("/"))

    def _info_dict(self, rel: str) -> dict[str, t.Any] | None:
        host = self._host(rel)
        try:
            self.fs.invalidate_cache(host)
            listed = self._s3_listed_info(host)
            if listed is None:
                raise FileNotFoundError(host)
            info = listed or t.cast(dict[str, t.Any], self.fs.info(host))
        except (FileNotFoundError, NotADirectoryError):
            if rel in self._dirs:
                self._forget_dirs(rel)
            if len(self._missing) >= MISSING_KEPT:
                self._missing.clear()
            self._missing[rel] = time.monotonic()
            return None
        except PermissionError as exc:
            raise PermissionDenied(str(exc) or "permission denied", rel) from None
        self._missing.pop(rel, None)
        if info.get("type") == "directory":
            self._dirs.add(rel)
        return info

    def _s3_listed_info(self, host: str) -> dict[str, t.Any] | None:
        """On S3, what is at ``host`` from one listing of the keys starting with its key:
        the object itself comes first, then its folder's prefix (``key/``) among them, so
        a file, a folder and nothing are told apart in one request where fsspec makes two
        for a missing path (the object, then the prefix). An empty dict when this cannot
        tell (not S3, the bucket itself, or more keys share the name than one page holds):
        the caller asks fsspec."""
        call_s3 = getattr(self.fs, "call_s3", None)
        bucket, _, key = host.lstrip("/").partition("/")
        if call_s3 is None or not key:
            return {}
        listing = call_s3(
            "list_objects_v2", Bucket=bucket, Prefix=key, Delimiter="/", MaxKeys=LIST_PAGE
        )
        for found in listing.get("Contents", ()):
            if found["Key"] == key:
                return {
                    "name": f"{bucket}/{key}",
                    "type": "file",
                    "size": found["Size"],
                    "LastModified": found["LastModified"],
                    "ETag": found["ETag"],
                }
        for prefix in listing.get("CommonPrefixes", ()):
            if prefix["Prefix"] == key + "/":
                return {"name": f"{bucket}/{key}", "type": "directory", "size": 0}
        return {} if listing.get("IsTruncated") else None

    def _to_info(self, name: str, info: dict[str, t.Any]) -> FileInfo:
        is_dir = info.get("type") == "directory"
        return FileInfo(
            name=name,
            type="dir" if is_dir else "file",
            size=0 if is_dir else int(info.get("size") or 0),
            mtime=_mtime(info),
            permissions="0755" if is_dir else "0644",
            user=None,
            group=None,
        )

    # -- inspection ----------------------------------------------------------------------
    def stat(self, path: str, *, follow: bool = False) -> FileInfo:
        rel = normalize(path)
        info = self._info_dict(rel)
        if info is None:
            self._require_parent_dir(rel)
            raise NotFound("no such file or directory", rel)
        return self._to_info(rel.rsplit("/", 1)[1] or "/", info)

    def exists(self, path: str) -> bool:
        return self._info_dict(normalize(path)) is not None

    def _require_parent_dir(self, rel: str) -> None:
        """Distinguish ENOTDIR (a file on the way) from a plain missing entry."""
        head = rel.rsplit("/", 1)[0] or "/"
        while head != "/" and not self._known_dir(head):
            info = self._info_dict(head)
            if info is not None:
                if info.get("type") != "directory":
                    raise NotADirectory("not a directory", head)
                return
            head = head.rsplit("/", 1)[0] or "/"

    def listdir(self, path: str) -> list[FileInfo]:
        rel = normalize(path)
        info = self._info_dict(rel)
        if info is None:
            raise NotFound("no such file or directory", rel)
        if info.get("type") != "directory":
            raise NotADirectory("not a directory", rel)
        host = self._host(rel)
        with translate_os_errors(rel):
            entries = (
                self.fs.ls(host, detail=True, refresh=True)
                if self._refreshable()
                else (self.fs.ls(host, detail=True))
            )
        out: list[FileInfo] = []
        seen: set[str] = set()
        for entry in entries:
            name = posixpath.basename(str(entry["name"]).rstrip("/"))
            if not name or name == DIR_MARKER or name in seen:
                continue
            if str(entry["name"]).rstrip("/") == host.rstrip("/"):
                continue
            seen.add(name)
            out.append(self._to_info(name, entry))
            if entry.get("type") == "directory":
                self._dirs.add(rel.rstrip("/") + "/" + name)
        return out

    def _refreshable(self) -> bool:
        return self.fs.protocol not in ("memory",) and "s3" in str(self.fs.protocol)

    # -- data ------------------------------------------------------------------------------
    def open_read(self, path: str) -> BinaryIO:
        rel = normalize(path)
        info = self._info_dict(rel)
        if info is None:
            raise NotFound("no such file or directory", rel)
        if info.get("type") == "directory":
            raise IsADirectory("is a directory", rel)
        with translate_os_errors(rel):
            if not self.object_store or info.get("size") is None:
                return t.cast(BinaryIO, self.fs.open(self._host(rel), "rb"))
            streamed = self._s3_reader(self._host(rel), info)
            if streamed is not None:
                return streamed
            # The object was just looked up: the file need not look it up again, neither
            # for its size nor for the details its reads send along (fsspec's cache of
            # them is a private attribute, set only where it exists and is empty).
            stream = self.fs.open(self._host(rel), "rb", size=info["size"])
            if getattr(stream, "_details", False) is None:
                stream._details = info
            return t.cast(BinaryIO, stream)

    def open_write(self, path: str, *, append: bool = False) -> BinaryIO:
        rel = normalize(path)
        if rel == "/":
            raise IsADirectory("is a directory", rel)
        info = self._info_dict(rel)
        if info is not None and info.get("type") == "directory":
            raise IsADirectory("is a directory", rel)
        if append and not self.supports_append:
            raise NotSupported("this storage cannot append to files", rel)
        self._require_parent_dir(rel)
        self._missing.pop(rel, None)
        client = None if append else self._s3_client_for_streams()
        if client is not None:
            bucket, _, key = self._host(rel).lstrip("/").partition("/")
            return t.cast(BinaryIO, S3Writer(client, bucket, key))
        with translate_os_errors(rel):
            return t.cast(BinaryIO, self.fs.open(self._host(rel), "ab" if append else "wb"))

    def _s3_reader(self, host: str, info: dict[str, t.Any]) -> BinaryIO | None:
        """On S3, the object's body streamed by one GET through botocore's synchronous
        client (fsspec's file fetches ranges into its cache: several times slower for a
        large file, measured against moto). The GET asks for the object just looked up
        (its ETag). None where such a client cannot be made from the storage options."""
        client = self._s3_client_for_streams()
        if client is None:
            return None
        from botocore.exceptions import ClientError

        bucket, _, key = host.lstrip("/").partition("/")
        match = {"IfMatch": info["ETag"]} if info.get("ETag") else {}
        try:
            return t.cast(BinaryIO, client.get_object(Bucket=bucket, Key=key, **match)["Body"])
        except ClientError as exc:
            code = str(exc.response.get("Error", {}).get("Code", ""))
            if code in ("NoSuchKey", "404", "PreconditionFailed", "412"):
                raise FileNotFoundError(host) from None  # gone or replaced meanwhile
            if code in ("AccessDenied", "403"):
                raise PermissionError(host) from None
            raise OSError(f"S3 {code or 'error'} reading {host}") from None

    def _s3_client_for_streams(self) -> t.Any:
        if self._s3_client is None:
            with self._s3_client_lock:
                if self._s3_client is None:
                    self._s3_client = self._make_s3_client()
        return self._s3_client or None

    def _make_s3_client(self) -> t.Any:
        protocols = self.fs.protocol if isinstance(self.fs.protocol, tuple) else (self.fs.protocol,)
        if not {"s3", "s3a"} & set(protocols) or set(self._options) - BOTOCORE_OPTIONS:
            return False
        import botocore.config  # type: ignore[import-untyped]
        import botocore.session  # type: ignore[import-untyped]

        options = self._options
        client_kwargs = dict(options.get("client_kwargs") or {})
        if options.get("endpoint_url"):
            client_kwargs.setdefault("endpoint_url", options["endpoint_url"])
        return botocore.session.get_session().create_client(
            "s3",
            aws_access_key_id=options.get("key"),
            aws_secret_access_key=options.get("secret"),
            aws_session_token=options.get("token"),
            config=botocore.config.Config(**(options.get("config_kwargs") or {})),
            **client_kwargs,
        )

    def checksum(self, path: str, algorithm: str = "MD5") -> str:
        with self.open_read(path) as stream:
            return checksum_stream(stream, algorithm)

    # -- namespace -------------------------------------------------------------------------
    def mkdir(self, path: str, parents: bool = False) -> None:
        rel = normalize(path)
        info = self._info_dict(rel)
        if info is not None:
            if parents and info.get("type") == "directory":
                return
            raise AlreadyExists("a file or directory with that name exists", rel)
        head = rel.rsplit("/", 1)[0] or "/"
        head_info = {"type": "directory"} if self._known_dir(head) else self._info_dict(head)
        if head_info is None:
            if not parents:
                self._require_parent_dir(rel)
                raise NotFound("parent directory does not exist", head)
            self.mkdir(head, parents=True)
        elif head_info.get("type") != "directory":
            raise NotADirectory("not a directory", head)
        host = self._host(rel)
        with translate_os_errors(rel):
            if self.object_store:  # a prefix exists once something is stored under it
                self.fs.pipe_file(self._join_host(host, DIR_MARKER), b"")
            else:
                self.fs.makedirs(host, exist_ok=True)
                if self._info_dict(rel) is None:
                    self.fs.pipe_file(self._join_host(host, DIR_MARKER), b"")
        self._dirs.add(rel)
        self._missing.pop(rel, None)

    def rename(self, src: str, dst: str) -> None:
        src_rel, dst_rel = normalize(src), normalize(dst)
        if "/" in (src_rel, dst_rel):
            raise InvalidPath("the endpoint root cannot be renamed", src_rel)
        if not self._recently_missing(dst_rel) and self._info_dict(dst_rel) is not None:
            raise AlreadyExists("destination exists", dst_rel)
        if (dst_rel + "/").startswith(src_rel + "/"):
            raise InvalidPath("cannot move a directory into itself", dst_rel)
        dst_head = dst_rel.rsplit("/", 1)[0] or "/"
        if not self._known_dir(dst_head):
            head_info = self._info_dict(dst_head)
            if head_info is None:
                raise NotFound("destination directory does not exist", dst_head)
            if head_info.get("type") != "directory":
                raise NotADirectory("not a directory", dst_head)
        src_host, dst_host = self._host(src_rel), self._host(dst_rel)
        with translate_os_errors(src_rel):
            if self._s3_copy(src_host, dst_host):  # it was a file (the common case)
                self.fs.rm_file(src_host)
                self._missing.pop(dst_rel, None)
                return
        info = self._info_dict(src_rel)
        if info is None:
            raise NotFound("no such file or directory", src_rel)
        with translate_os_errors(src_rel):
            if info.get("type") != "directory":
                self.fs.cp_file(src_host, dst_host)
                self.fs.rm_file(src_host)
                self._missing.pop(dst_rel, None)
                return
            self._forget_dirs(src_rel)
            self.fs.makedirs(dst_host, exist_ok=True)
            found = self.fs.find(src_host, withdirs=True, detail=True)
            for entry, entry_info in sorted(found.items()):
                target = dst_host + str(entry)[len(src_host) :]
                if entry_info.get("type") == "directory":
                    self.fs.makedirs(target, exist_ok=True)
                else:
                    self.fs.cp_file(entry, target)
            if not found:
                self.fs.pipe_file(self._join_host(dst_host, DIR_MARKER), b"")
            self._remove_tree(src_host)

    def _s3_copy(self, src_host: str, dst_host: str) -> bool:
        """On S3, copy the object at ``src_host`` in one CopyObject request, without
        looking it up first; False when there is no such object (a folder, or nothing:
        the caller looks) or S3 copies it only in parts (over 5 GiB)."""
        call_s3 = getattr(self.fs, "call_s3", None)
        if call_s3 is None:
            return False
        src_bucket, src_key = src_host.lstrip("/").split("/", 1)
        dst_bucket, dst_key = dst_host.lstrip("/").split("/", 1)
        try:
            call_s3(
                "copy_object",
                Bucket=dst_bucket,
                Key=dst_key,
                CopySource={"Bucket": src_bucket, "Key": src_key},
            )
        except FileNotFoundError:
            return False
        except OSError as exc:
            if "InvalidRequest" in str(exc) or "larger than the maximum" in str(exc):
                return False
            raise
        self.fs.invalidate_cache(dst_host)
        return True

    def symlink(self, target: str, path: str) -> None:
        raise NotSupported("symlinks are not supported by this storage", normalize(path))

    def _remove_tree(self, host: str) -> None:
        found = self.fs.find(host, withdirs=True, detail=True)
        dirs = [str(p) for p, i in found.items() if i.get("type") == "directory"]
        for path, info in found.items():
            if info.get("type") != "directory":
                self.fs.rm_file(path)
        # Deepest first; object stores have nothing left to remove here.
        for path in sorted({*dirs, host}, key=len, reverse=True):
            try:
                self.fs.rmdir(path)
            except (FileNotFoundError, OSError, NotImplementedError):
                pass
        self.fs.invalidate_cache(host)

    def remove(self, path: str, recursive: bool = False) -> None:
        rel = normalize(path)
        if rel == "/":
            raise PermissionDenied("the endpoint root cannot be removed", rel)
        info = self._info_dict(rel)
        if info is None:
            raise NotFound("no such file or directory", rel)
        host = self._host(rel)
        with translate_os_errors(rel):
            if info.get("type") != "directory":
                self.fs.rm_file(host)
                return
            if not recursive and self.listdir(rel):
                raise DirectoryNotEmpty("directory not empty", rel)
            self._forget_dirs(rel)
            self._remove_tree(host)
        self._keep_parent(rel)

    def _keep_parent(self, rel: str) -> None:
        """Removing the last object under a prefix must not make its parent vanish."""
        head = rel.rsplit("/", 1)[0] or "/"
        if self._info_dict(head) is None:
            self.fs.pipe_file(self._join_host(self._host(head), DIR_MARKER), b"")

    def set_mtime(self, path: str, mtime: float) -> None:
        """Object stores keep their own modification times; preserving them is best effort."""
        rel = normalize(path)
        if self._info_dict(rel) is None:
            raise NotFound("no such file or directory", rel)


__all__ = ["FsspecConnector", "StorageError"]
