"""Endpoints on a local directory (Globus Connect Personal style).

Every host path comes from :func:`globus_local.storage.paths.resolve`, so nothing here
can reach outside the root: reads and listings follow links only inside it, and
operations on an entry itself (rename, remove, creating a link) never follow its last
component.
"""

from __future__ import annotations

import grp
import os
import pwd
import shutil
import stat as st
from functools import lru_cache
from typing import Any, BinaryIO, Callable

from globus_local.storage.base import FileInfo, checksum_stream
from globus_local.storage.errors import (
    AlreadyExists,
    DirectoryNotEmpty,
    InvalidPath,
    IsADirectory,
    NotADirectory,
    NotFound,
    PathEscape,
    PermissionDenied,
    translate_os_errors,
)
from globus_local.storage.paths import is_within, normalize, resolve, to_endpoint_path


@lru_cache(maxsize=256)
def _user_name(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


@lru_cache(maxsize=256)
def _group_name(gid: int) -> str:
    try:
        return grp.getgrgid(gid).gr_name
    except KeyError:
        return str(gid)


def _type_of(mode: int) -> str:
    if st.S_ISLNK(mode):
        return "link"
    return "dir" if st.S_ISDIR(mode) else "file"


class PosixConnector:
    """A directory on this machine exposed as an endpoint root."""

    supports_symlinks = True
    supports_append = True

    def __init__(self, root: str) -> None:
        self.root = os.path.realpath(root)

    def __repr__(self) -> str:
        return f"PosixConnector({self.root!r})"

    # -- inspection ----------------------------------------------------------------------
    def _info(self, name: str, host_path: str, st_result: os.stat_result) -> FileInfo:
        kind = _type_of(st_result.st_mode)
        link_target: str | None = None
        target: FileInfo | None = None
        if kind == "link":
            real = os.path.realpath(host_path)
            inside = to_endpoint_path(real, self.root)
            # A target outside the endpoint is not named: that would reveal host paths.
            link_target = inside
            if inside is not None:
                try:
                    target_stat = os.stat(real)
                except OSError:
                    target_stat = None
                if target_stat is not None:
                    target = self._info(name, real, target_stat)
        return FileInfo(
            name=name,
            type=kind,  # type: ignore[arg-type]
            size=st_result.st_size,
            mtime=st_result.st_mtime,
            permissions=f"{st.S_IMODE(st_result.st_mode):04o}",
            user=_user_name(st_result.st_uid),
            group=_group_name(st_result.st_gid),
            link_target=link_target,
            target=target,
        )

    def stat(self, path: str, *, follow: bool = False) -> FileInfo:
        rel = normalize(path)
        host = resolve(self.root, rel, follow=follow)
        name = rel.rsplit("/", 1)[1] or "/"
        with translate_os_errors(rel):
            return self._info(name, host, os.lstat(host))

    def exists(self, path: str) -> bool:
        try:
            self.stat(path)
        except (NotFound, NotADirectory):
            return False
        return True

    def listdir(self, path: str) -> list[FileInfo]:
        return self._list(path, self._info)

    def scan(self, path: str) -> list[FileInfo]:
        """:meth:`listdir` for a walk: files and folders carry only their name, type, size
        and mtime (no owner or permissions to look up; a link is described in full)."""
        return self._list(path, self._brief)

    def _brief(self, name: str, host_path: str, st_result: os.stat_result) -> FileInfo:
        mode = st_result.st_mode
        if st.S_ISLNK(mode):
            return self._info(name, host_path, st_result)
        kind = "dir" if st.S_ISDIR(mode) else "file"
        return FileInfo(name, kind, st_result.st_size, st_result.st_mtime)  # type: ignore[arg-type]

    def _list(
        self, path: str, describe: Callable[[str, str, os.stat_result], FileInfo]
    ) -> list[FileInfo]:
        """The entries of folder ``path``, each described by ``describe``."""
        rel = normalize(path)
        host = resolve(self.root, rel)
        entries = []
        with translate_os_errors(rel):
            if not os.path.isdir(host):
                if os.path.lexists(host):
                    raise NotADirectory("not a directory", rel)
                raise NotFound("no such file or directory", rel)
            with os.scandir(host) as it:
                for entry in it:
                    try:
                        found = entry.stat(follow_symlinks=False)
                        entries.append(describe(entry.name, entry.path, found))
                    except FileNotFoundError:  # removed while listing
                        continue
        return entries

    # -- data ------------------------------------------------------------------------------
    def open_read(self, path: str) -> BinaryIO:
        rel = normalize(path)
        host = resolve(self.root, rel)
        with translate_os_errors(rel):
            if os.path.isdir(host):
                raise IsADirectory("is a directory", rel)
            return open(host, "rb")  # noqa: SIM115 - the caller closes it

    def open_write(self, path: str, *, append: bool = False) -> BinaryIO:
        rel = normalize(path)
        if rel == "/":
            raise IsADirectory("is a directory", rel)
        host = resolve(self.root, rel)
        with translate_os_errors(rel):
            if os.path.isdir(host):
                raise IsADirectory("is a directory", rel)
            return open(host, "ab" if append else "wb")  # noqa: SIM115

    def checksum(self, path: str, algorithm: str = "MD5") -> str:
        with self.open_read(path) as stream:
            return checksum_stream(stream, algorithm)

    # -- namespace -------------------------------------------------------------------------
    def mkdir(self, path: str, parents: bool = False) -> None:
        rel = normalize(path)
        if rel == "/":
            raise AlreadyExists("the endpoint root exists", rel)
        host = resolve(self.root, rel, follow=False)
        with translate_os_errors(rel):
            if parents:
                if os.path.lexists(host) and not os.path.isdir(host):
                    raise AlreadyExists("a file with that name exists", rel)
                # Re-resolve so an existing link on the way is checked as a whole path.
                os.makedirs(resolve(self.root, rel), exist_ok=True)
            else:
                os.mkdir(host)

    def rename(self, src: str, dst: str) -> None:
        src_rel, dst_rel = normalize(src), normalize(dst)
        if "/" in (src_rel, dst_rel):
            raise InvalidPath("the endpoint root cannot be renamed", src_rel)
        src_host = resolve(self.root, src_rel, follow=False)
        dst_host = resolve(self.root, dst_rel, follow=False)
        with translate_os_errors(src_rel):
            if not os.path.lexists(src_host):
                raise NotFound("no such file or directory", src_rel)
        with translate_os_errors(dst_rel):
            if os.path.lexists(dst_host):
                raise AlreadyExists("destination exists", dst_rel)
            if os.path.isdir(src_host) and not os.path.islink(src_host):
                if is_within(dst_host, src_host):
                    raise InvalidPath("cannot move a directory into itself", dst_rel)
            os.rename(src_host, dst_host)

    def symlink(self, target: str, path: str) -> None:
        """Create ``path`` pointing at endpoint path ``target`` (stored relative, so the
        link stays inside the endpoint wherever its root is mounted)."""
        rel = normalize(path)
        target_rel = normalize(target)
        if rel == "/":
            raise AlreadyExists("the endpoint root exists", rel)
        host = resolve(self.root, rel, follow=False)
        target_host = (
            os.path.join(self.root, target_rel.lstrip("/")) if target_rel != "/" else self.root
        )
        with translate_os_errors(rel):
            if os.path.lexists(host):
                raise AlreadyExists("a file with that name exists", rel)
            os.symlink(os.path.relpath(target_host, os.path.dirname(host)), host)

    def remove(self, path: str, recursive: bool = False) -> None:
        rel = normalize(path)
        if rel == "/":
            raise PermissionDenied("the endpoint root cannot be removed", rel)
        host = resolve(self.root, rel, follow=False)
        with translate_os_errors(rel):
            mode = os.lstat(host).st_mode
            if not st.S_ISDIR(mode):
                os.unlink(host)
            elif recursive:
                shutil.rmtree(host)  # never follows links inside the tree
            else:
                try:
                    os.rmdir(host)
                except OSError as exc:
                    if os.listdir(host):
                        raise DirectoryNotEmpty("directory not empty", rel) from exc
                    raise

    def set_mtime(self, path: str, mtime: float) -> None:
        rel = normalize(path)
        host = resolve(self.root, rel)
        with translate_os_errors(rel):
            os.utime(host, (mtime, mtime))


__all__ = ["PathEscape", "PosixConnector"]


def local_root(conn: Any) -> str | None:
    """The host directory of a local-directory connector (None for other storage)."""
    return conn.root if isinstance(conn, PosixConnector) else None
