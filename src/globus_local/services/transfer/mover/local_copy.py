"""The copy paths between two local endpoints, on raw descriptors opened relative to
confined folder handles (:mod:`.posix_fast`), so no path is resolved twice and no link is
ever followed out of an endpoint root.

* :class:`HeldCopies` (and :class:`PlainBatch`, its form for the runner's threads): plain
  files, the common case of many small files, with as little work per file as possible;
  a new destination's copy is made anonymous and linked in (:func:`copy_linked`), any
  other goes to its temp file (:func:`copy_plain`).
* :func:`copy_on_descriptors`: a file that is hashed on the way (``verify_checksum`` or an
  external checksum); a large verified one overlaps the copy with two hashing threads.
* :func:`replace_pairs`: committed temp files renamed into place, a folder's handle held
  across the renames in it.
"""

from __future__ import annotations

import errno
import os
import threading
import typing as t

from globus_local.services.transfer.models_tasks import KIND_FILE
from globus_local.services.transfer.mover import checksums
from globus_local.services.transfer.mover.faults import Aborted, Fault, Side
from globus_local.services.transfer.mover.kernel import (
    buffer,
    kernel_copy,
    small_copy,
    write_all,
)
from globus_local.services.transfer.mover.posix_fast import (
    ANONYMOUS_FLAGS,
    CREATE_FLAGS,
    READ_FLAGS,
    DirHandles,
    replace_in,
    split,
    split_pair,
)
from globus_local.services.transfer.mover.subtasks import Outcome, Row, SubtaskResult
from globus_local.services.transfer.mover.temps import temp_name
from globus_local.storage import new_hasher
from globus_local.storage.errors import NotFound, PathEscape, StorageError


class Copier(t.Protocol):
    """What the copy paths need of the copier of a task's rows (:class:`.copier.Copier`):
    its folder handles, options and stop check, and how it names faults and tidies up."""

    task_id: str
    run_number: int | None
    stop: threading.Event
    resuming: bool
    verify: bool
    preserve: bool
    fast_src: DirHandles | None
    fast_dst: DirHandles | None

    def check(self) -> None: ...

    def fault(self, exc: BaseException, side: Side, path: str | None) -> Fault: ...

    def discard(self, path: str) -> None: ...

    def discard_earlier(self, row: Row) -> None: ...

    def ensure_parent(self, path: str) -> None: ...


# (bytes, source digest or None, destination digest or None)
Copied = tuple[int, str | None, str | None]

# Bound once: a member looked up on its enum class costs a descriptor call, and this
# runs once per file.
_LINKED, _STAGED = SubtaskResult.LINKED, SubtaskResult.STAGED


class HeldFolder:
    """One folder handle held across a run of files in that folder."""

    __slots__ = ("folder", "fd", "entry")

    def __init__(self) -> None:
        self.folder: str | None = None
        self.fd = -1
        self.entry: t.Any = None

    def hold(self, handles: DirHandles, folder: str) -> int:
        if folder != self.folder:
            self.drop(handles)
            self.fd, self.entry = handles.acquire(folder)
            self.folder = folder
        return self.fd

    def drop(self, handles: DirHandles) -> None:
        if self.entry is not None:
            handles.release(self.entry)
        self.folder, self.fd, self.entry = None, -1, None


def replace_pairs(
    handles: DirHandles, pairs: t.Iterable[tuple[str, str]]
) -> t.Iterator[StorageError | None]:
    """Rename each (temp, final) pair into place on a local endpoint, in order: None for a
    pair done, or the error that stopped it (also run by the copy processes)."""
    held = HeldFolder()
    try:
        for tmp, final in pairs:
            try:
                folder, tmp_name, name = split_pair(tmp, final)
                replace_in(held.hold(handles, folder), tmp_name, name, final)
            except StorageError as exc:
                yield exc
                continue
            yield None
    finally:
        held.drop(handles)


class HeldCopies:
    """Plain files copied between two local endpoints: a folder's handle is taken once
    for a run of files in it, and a file is two opens, the kernel copy, its mtime and two
    closes. Used by the runner's threads (:class:`PlainBatch`) and by the copy processes,
    which have no :class:`~.copier.Copier`.

    A row whose destination was new when the task was expanded is copied into an
    anonymous file (``O_TMPFILE``) that is linked in at its final name once complete:
    one entry made in the folder instead of a temp file made, renamed and removed, and
    nothing to rename after the commit. A link never replaces anything: if the name was
    taken meanwhile, the copy is linked at its temp name instead and staged as usual.

    :meth:`copy` returns None for a file it does not do (a symlink to follow, a missing
    folder, any error): the caller then does that row the general way, which also makes
    its fault.
    """

    def __init__(
        self,
        src: DirHandles,
        dst: DirHandles,
        task_id: str,
        run: int | None,
        check: t.Callable[[], None],
    ) -> None:
        self.src, self.dst = src, dst
        self.task_id, self.run, self.check = task_id, run, check
        self._src = HeldFolder()
        self._dst = HeldFolder()
        self._anonymous = ANONYMOUS_FLAGS != 0  # until the destination's filesystem refuses

    def __enter__(self) -> HeldCopies:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Give the held folder handles back."""
        self._src.drop(self.src)
        self._dst.drop(self.dst)

    def copy(
        self,
        row_id: int,
        source_path: str,
        destination_path: str,
        mtime: float | None,
        new: bool = False,
    ) -> tuple[int, bool] | None:
        """(size copied, whether it was linked in at ``destination_path``; else it is in
        the row's temp file beside it), or None."""
        try:
            source_folder, source_name = split(source_path)
            folder, name = split(destination_path)
            dir_in = self._src.hold(self.src, source_folder)
            dir_out = self._dst.hold(self.dst, folder)
        except StorageError:
            return None
        tmp = temp_name(self.task_id, row_id, self.run)
        if new and self._anonymous:
            try:
                return copy_linked(dir_in, source_name, dir_out, name, tmp, mtime, self.check)
            except NoAnonymousFiles:
                self._anonymous = False
        size = copy_plain(dir_in, source_name, dir_out, tmp, mtime, self.check)
        return None if size is None else (size, False)


class PlainBatch(HeldCopies):
    """:class:`HeldCopies` for a :class:`~.copier.Copier`'s rows (file rows without an
    external checksum; on a resumed run, earlier runs' temp files go first)."""

    def __init__(self, copier: Copier) -> None:
        assert copier.fast_src is not None and copier.fast_dst is not None
        super().__init__(
            copier.fast_src, copier.fast_dst, copier.task_id, copier.run_number, copier.check
        )
        self.copier = copier

    def copy_row(self, row: Row) -> Outcome | None:
        if row.kind != KIND_FILE or row.external_checksum:
            return None
        assert row.source_path and row.destination_path
        if self.copier.resuming:
            self.copier.discard_earlier(row)
        mtime = row.mtime if self.copier.preserve else None
        done = self.copy(row.id, row.source_path, row.destination_path, mtime, row.new)
        if done is None:
            return None
        return Outcome(row, _LINKED if done[1] else _STAGED, size=done[0])


def copy_plain(
    dir_in: int,
    source_name: str,
    dir_out: int,
    tmp: str,
    mtime: float | None,
    check: t.Callable[[], None],
) -> int | None:
    """Copy ``source_name`` in folder ``dir_in`` to a new ``tmp`` in folder ``dir_out`` (both
    confined folder handles; no link followed) and give it ``mtime``: the size copied, or
    None on any OS error (nothing is left behind; the caller does the row the general
    way, which makes its fault)."""
    try:
        fd_in = os.open(source_name, READ_FLAGS, dir_fd=dir_in)
    except OSError:
        return None
    try:
        try:
            fd_out = os.open(tmp, os.O_WRONLY | CREATE_FLAGS, 0o666, dir_fd=dir_out)
        except OSError:
            return None
        try:
            size = small_copy(fd_in, fd_out, check)
            if mtime is not None:
                os.utime(fd_out, (mtime, mtime))
        except BaseException as exc:
            os.close(fd_out)
            fd_out = -1
            try:
                os.unlink(tmp, dir_fd=dir_out)
            except OSError:
                pass
            if isinstance(exc, OSError):
                return None
            raise
        finally:
            if fd_out >= 0:
                os.close(fd_out)
    finally:
        os.close(fd_in)
    return size


# What a filesystem (or kernel) without anonymous files answers to O_TMPFILE.
_NO_TMPFILE = {errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL}


class NoAnonymousFiles(Exception):
    """The destination's filesystem makes no anonymous files."""


def copy_linked(
    dir_in: int,
    source_name: str,
    dir_out: int,
    name: str,
    tmp: str,
    mtime: float | None,
    check: t.Callable[[], None],
) -> tuple[int, bool] | None:
    """Copy ``source_name`` into an anonymous file in folder ``dir_out``, give it ``mtime``
    and link it in as ``name``: (size, True); if ``name`` is taken by then, as ``tmp``
    instead: (size, False). None on any other OS error (nothing is left behind). Raises
    :class:`NoAnonymousFiles` when the filesystem has none."""
    try:
        fd_in = os.open(source_name, READ_FLAGS, dir_fd=dir_in)
    except OSError:
        return None
    try:
        try:
            fd_out = os.open(".", ANONYMOUS_FLAGS, 0o666, dir_fd=dir_out)
        except OSError as exc:
            if exc.errno in _NO_TMPFILE:
                raise NoAnonymousFiles() from None
            return None
        try:
            size = small_copy(fd_in, fd_out, check)
            if mtime is not None:
                os.utime(fd_out, (mtime, mtime))
            # linkat() follows the descriptor's /proc link to the anonymous inode; the new
            # name is made in the held folder and never replaces an entry already there.
            here = f"/proc/self/fd/{fd_out}"
            try:
                os.link(here, name, dst_dir_fd=dir_out)
                return size, True
            except FileExistsError:
                pass
            try:
                os.link(here, tmp, dst_dir_fd=dir_out)
            except FileExistsError:  # an earlier attempt's: this copy replaces it
                os.unlink(tmp, dir_fd=dir_out)
                os.link(here, tmp, dst_dir_fd=dir_out)
            return size, False
        except OSError:
            return None
        finally:
            os.close(fd_out)  # an anonymous file never linked in vanishes with it
    finally:
        os.close(fd_in)


def copy_on_descriptors(
    copier: Copier, row: Row, tmp: str, want_hash: bool, algorithm: str
) -> Copied | None:
    """Copy a row between two local endpoints into ``tmp`` on descriptors, hashing on the
    way when ``want_hash``; None when the source is a symlink (``recursive_symlinks``
    copy), which only the connector may follow. Sets the temp file's mtime when
    ``preserve_timestamp`` asks for it; raises the row's :class:`Fault`."""
    fast_src, fast_dst = copier.fast_src, copier.fast_dst
    if fast_src is None or fast_dst is None:
        return None
    assert row.source_path and row.destination_path
    try:
        fd_in = fast_src.open_read(row.source_path)
    except PathEscape:
        return None
    except StorageError as exc:
        raise copier.fault(exc, "source", row.source_path) from None
    try:
        try:
            try:
                fd_out = fast_dst.open_write(tmp, read_back=copier.verify)
            except NotFound:
                copier.ensure_parent(row.destination_path)
                fd_out = fast_dst.open_write(tmp, read_back=copier.verify)
        except StorageError as exc:
            raise copier.fault(exc, "destination", row.destination_path) from None
        try:
            result = _pump(copier, row, fd_in, fd_out, want_hash, algorithm)
            if copier.preserve and row.mtime is not None:
                os.utime(fd_out, (row.mtime, row.mtime))
        except Aborted:
            os.close(fd_out)
            fd_out = -1
            copier.discard(tmp)
            raise
        except Fault:
            raise
        except (StorageError, OSError) as exc:
            raise copier.fault(exc, "destination", row.destination_path) from None
        finally:
            if fd_out >= 0:
                os.close(fd_out)
    finally:
        os.close(fd_in)
    return result


def _pump(
    copier: Copier, row: Row, fd_in: int, fd_out: int, want_hash: bool, algorithm: str
) -> Copied:
    """(bytes, source digest, destination digest) of copying ``fd_in`` to ``fd_out``."""
    if not want_hash:
        return kernel_copy(fd_in, fd_out, copier.check), None, None
    if copier.verify and row.size >= checksums.PARALLEL_VERIFY_MIN and not row.external_checksum:
        return _pump_parallel(copier, fd_in, fd_out, algorithm)
    hasher = new_hasher(algorithm)
    buf = buffer()
    size = 0
    while True:
        copier.check()
        n = os.readv(fd_in, [buf])
        if not n:
            break
        chunk = buf[:n]
        hasher.update(chunk)
        write_all(fd_out, chunk)
        size += n
    verified = None
    if copier.verify:  # read the destination back (it was opened read-write)
        check = new_hasher(algorithm)
        offset = 0
        while offset < size:
            copier.check()
            n = os.preadv(fd_out, [buf], offset)
            if not n:
                break
            check.update(buf[:n])
            offset += n
        verified = check.hexdigest() if offset == size else ""
    return size, hasher.hexdigest(), verified


def _pump_parallel(copier: Copier, fd_in: int, fd_out: int, algorithm: str) -> Copied:
    """Kernel copy while one thread hashes the source and one the destination."""
    source = checksums.FdHasher(fd_in, algorithm, copier.stop, follow=False)
    destination = checksums.FdHasher(fd_out, algorithm, copier.stop, follow=True)
    try:
        size = kernel_copy(fd_in, fd_out, copier.check, progress=destination.advance)
        return size, source.finish(None), destination.finish(size)
    finally:
        source.close()
        destination.close()
