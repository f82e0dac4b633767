"""Per-file work on local-directory endpoints without resolving every path again.

Each directory is resolved once through :func:`globus_local.storage.paths.resolve` (so
it is inside the endpoint root) and kept open; files are then opened relative to that
directory handle with ``O_NOFOLLOW``, so no symlink is ever followed and a directory
renamed or replaced by a link later cannot redirect the work outside the root.

Per-file calls split an (already canonical) endpoint path with one ``rsplit`` instead of
normalising it again; anything that is not plainly canonical takes the slow, normalising
way, and the last component is never ``.``/``..``, so the name given to ``*at`` calls
always stays inside the directory handle.
"""

from __future__ import annotations

import os
import threading
import typing as t
from collections import OrderedDict
from contextlib import contextmanager

from globus_local.storage.errors import InvalidPath, IsADirectory, translate_os_errors
from globus_local.storage.paths import normalize, resolve

MAX_OPEN_DIRS = 128
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
# Opening an entry of a held folder: never through a link, never inherited by children.
READ_FLAGS = os.O_RDONLY | _NOFOLLOW | _CLOEXEC
CREATE_FLAGS = os.O_CREAT | os.O_TRUNC | _NOFOLLOW | _CLOEXEC  # with O_WRONLY or O_RDWR
# An anonymous file in a held folder, to be linked in once complete (0 where unknown).
_TMPFILE = getattr(os, "O_TMPFILE", 0)
ANONYMOUS_FLAGS = (os.O_WRONLY | _TMPFILE | _CLOEXEC) if _TMPFILE else 0


def split(path: str) -> tuple[str, str]:
    """(parent, name) of an endpoint path; fast for canonical ``/a/b`` paths."""
    head, sep, name = path.rpartition("/")
    if (
        not sep
        or not path.startswith("/")
        or name in ("", ".", "..")
        or "//" in path
        or "/./" in path
        or "/../" in path
    ):
        rel = normalize(path)
        if rel == "/":
            raise InvalidPath("the endpoint root is not a file", path)
        head, _, name = rel.rpartition("/")
    return head or "/", name


class _Entry:
    __slots__ = ("fd", "refs")

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.refs = 0


class DirHandles:
    """Open directory handles of one endpoint root, shared by the mover's threads."""

    def __init__(self, root: str) -> None:
        self.root = root
        self._lock = threading.Lock()
        self._open: OrderedDict[str, _Entry] = OrderedDict()

    def acquire(self, path: str) -> tuple[int, _Entry]:
        """A held handle on the endpoint directory ``path``; give it back with :meth:`release`."""
        # Keyed by the path as given: a miss resolves (and so normalises and confines) it.
        key = path
        with self._lock:
            entry = self._open.get(key)
            if entry is not None:
                self._open.move_to_end(key)
                entry.refs += 1
                return entry.fd, entry
        host = resolve(self.root, key)
        with translate_os_errors(key):
            fd = os.open(host, os.O_RDONLY | _DIRECTORY | _CLOEXEC)
        with self._lock:
            entry = self._open.get(key)
            if entry is None:
                entry = self._open[key] = _Entry(fd)
            else:
                os.close(fd)
            entry.refs += 1
            self._evict()
        return entry.fd, entry

    def release(self, entry: _Entry) -> None:
        with self._lock:
            entry.refs -= 1

    @contextmanager
    def directory(self, path: str) -> t.Iterator[int]:
        fd, entry = self.acquire(path)
        try:
            yield fd
        finally:
            self.release(entry)

    def _evict(self) -> None:
        while len(self._open) > MAX_OPEN_DIRS:
            for key, entry in self._open.items():
                if entry.refs == 0:
                    del self._open[key]
                    os.close(entry.fd)
                    break
            else:
                return

    def close(self) -> None:
        with self._lock:
            for entry in self._open.values():
                os.close(entry.fd)
            self._open.clear()

    # -- operations on one entry of a directory --------------------------------------------------
    def open_read(self, path: str) -> int:
        """A read descriptor for a regular file; a symlink raises (ELOOP) instead."""
        folder, name = split(path)
        with self.directory(folder) as dfd, translate_os_errors(path):
            return os.open(name, READ_FLAGS, dir_fd=dfd)

    def open_write(self, path: str, *, read_back: bool = False) -> int:
        """A new (truncated) file to write, readable too with ``read_back``."""
        folder, name = split(path)
        with self.directory(folder) as dfd, translate_os_errors(path):
            mode = os.O_RDWR if read_back else os.O_WRONLY
            return os.open(name, mode | CREATE_FLAGS, 0o666, dir_fd=dfd)

    def lstat(self, path: str) -> os.stat_result:
        folder, name = split(path)
        with self.directory(folder) as dfd, translate_os_errors(path):
            return os.stat(name, dir_fd=dfd, follow_symlinks=False)

    def replace(self, tmp: str, final: str) -> None:
        """Rename ``tmp`` onto ``final`` (same directory) atomically, never through a link."""
        folder, tmp_name, name = split_pair(tmp, final)
        with self.directory(folder) as dfd:
            replace_in(dfd, tmp_name, name, final)

    def set_mtime(self, path: str, mtime: float) -> None:
        folder, name = split(path)
        with self.directory(folder) as dfd, translate_os_errors(path):
            os.utime(name, (mtime, mtime), dir_fd=dfd, follow_symlinks=False)

    def unlink(self, path: str) -> None:
        folder, name = split(path)
        with self.directory(folder) as dfd, translate_os_errors(path):
            os.unlink(name, dir_fd=dfd)


def split_pair(tmp: str, final: str) -> tuple[str, str, str]:
    """(folder, temp name, final name) of a temp file and the path it is renamed to."""
    folder, name = split(final)
    tmp_folder, tmp_name = split(tmp)
    if tmp_folder != folder:
        raise InvalidPath("a temp file must sit beside its destination", tmp)
    return folder, tmp_name, name


def replace_in(dfd: int, tmp_name: str, name: str, final: str) -> None:
    """Rename ``tmp_name`` onto ``name`` inside the held folder ``dfd``, never through a
    link. No look first: renaming a non-directory onto a directory fails (EISDIR) anyway."""
    try:
        os.replace(tmp_name, name, src_dir_fd=dfd, dst_dir_fd=dfd)
    except IsADirectoryError:
        raise IsADirectory("a directory is in the way", final) from None
    except OSError as exc:
        with translate_os_errors(final):
            raise exc from None


def handles_for(conn: t.Any) -> DirHandles | None:
    """Directory handles for a local-directory connector (None for other storage)."""
    from globus_local.storage.posix import local_root

    root = local_root(conn)
    return DirHandles(root) if root is not None else None
