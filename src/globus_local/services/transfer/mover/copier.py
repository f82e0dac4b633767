"""Doing one row of a task: a file copy (into a temp file, verified, then renamed into place
by the runner), a directory, a symlink, or a deletion.

Every path goes through the endpoints' storage connectors or, between local endpoints,
through :mod:`.posix_fast`'s confined folder handles (:mod:`.local_copy`), so it stays
inside the endpoint root and a symlink never leads outside it. A file takes one of these
ways: plain local files in units (:class:`~.local_copy.PlainBatch`, chosen by the runner);
a local file hashed on the way (:func:`~.local_copy.copy_on_descriptors`); anything else
streamed through the connectors (:meth:`Copier.copy_file`), the kernel copying when both
ends turn out to be plain files and nothing is hashed.
"""

from __future__ import annotations

import os
import stat
import threading
import typing as t

from globus_local.services.transfer.models_tasks import (
    KIND_DELETE,
    KIND_DELETE_EXTRA,
    KIND_DIR,
    KIND_FILE,
    KIND_SYMLINK,
)
from globus_local.services.transfer.mover import checksums
from globus_local.services.transfer.mover.faults import Aborted, Fault, Side, classify
from globus_local.services.transfer.mover.kernel import CHUNK, descriptors, kernel_copy
from globus_local.services.transfer.mover.local_copy import (
    Copied,
    copy_on_descriptors,
    replace_pairs,
)
from globus_local.services.transfer.mover.posix_fast import handles_for
from globus_local.services.transfer.mover.subtasks import Outcome, Row, SubtaskResult
from globus_local.services.transfer.mover.temps import earlier_runs, temp_path
from globus_local.storage import StorageConnector, checksum_stream, new_hasher
from globus_local.storage.errors import (
    AlreadyExists,
    IsADirectory,
    NotFound,
    PathEscape,
    StorageError,
    translate_os_errors,
)
from globus_local.storage.paths import parent, resolve
from globus_local.storage.posix import local_root

SYNC_LEVELS = {"exists": 0, "size": 1, "mtime": 2, "checksum": 3}


def replace_into_place(conn: StorageConnector, tmp: str, final: str) -> None:
    """Atomically put ``tmp`` at ``final`` (replacing a file or link there, never following it)."""
    root = local_root(conn)
    if root is not None:
        src_host = resolve(root, tmp, follow=False)
        dst_host = resolve(root, final, follow=False)
        with translate_os_errors(final):
            if os.path.isdir(dst_host) and not os.path.islink(dst_host):
                raise IsADirectory("a directory is in the way", final)
            os.replace(src_host, dst_host)
        return
    try:
        info = conn.stat(final, follow=False)
    except NotFound:
        info = None
    if info is not None:
        if info.type == "dir":
            raise IsADirectory("a directory is in the way", final)
        conn.remove(final)
    conn.rename(tmp, final)


def discard(conn: StorageConnector, path: str) -> None:
    try:
        conn.remove(path)
    except StorageError:
        pass


class Copier:
    """Does the work of rows for one task run; thread-safe (one instance per run)."""

    def __init__(
        self,
        task_id: str,
        src: StorageConnector | None,
        dst: StorageConnector,
        options: dict[str, t.Any],
        stop: threading.Event,
        *,
        resuming: bool = False,
        run: int | None = None,
    ) -> None:
        self.task_id = task_id
        self.src = src
        self.dst = dst
        self.opts = options
        self.stop = stop
        self.resuming = resuming
        self.run_number = run
        level = options.get("sync_level")
        self.sync_level: int | None = SYNC_LEVELS.get(level, level) if level is not None else None
        self.verify = bool(options.get("verify_checksum"))
        self.preserve = bool(options.get("preserve_timestamp"))
        # Local directories: open files relative to held directory handles (see posix_fast).
        self.fast_src = handles_for(src) if src is not None else None
        self.fast_dst = handles_for(dst)

    def close(self) -> None:
        for handles in (self.fast_src, self.fast_dst):
            if handles is not None:
                handles.close()

    def replace(self, tmp: str, final: str) -> None:
        if self.fast_dst is not None:
            self.fast_dst.replace(tmp, final)
        else:
            replace_into_place(self.dst, tmp, final)

    def replace_all(self, pairs: t.Iterable[tuple[str, str]]) -> t.Iterator[StorageError | None]:
        """Rename each (temp, final) pair into place, in order; yields None for a pair done,
        or the error that stopped it. A local folder's handle is held across a run of pairs
        in it, which costs less than taking it for each."""
        if self.fast_dst is None:
            for tmp, final in pairs:
                try:
                    replace_into_place(self.dst, tmp, final)
                except StorageError as exc:
                    yield exc
                    continue
                yield None
            return
        yield from replace_pairs(self.fast_dst, pairs)

    def discard(self, path: str) -> None:
        try:
            if self.fast_dst is not None:
                self.fast_dst.unlink(path)
            else:
                self.dst.remove(path)
        except StorageError:
            pass

    @property
    def plain_local(self) -> bool:
        """Whether file rows may go through :class:`~.local_copy.PlainBatch`: local to local, with
        nothing to hash or compare first."""
        return (
            self.fast_src is not None
            and self.fast_dst is not None
            and not self.verify
            and self.sync_level is None
        )

    # -- helpers -----------------------------------------------------------------------------
    def fault(self, exc: BaseException, side: Side, path: str | None) -> Fault:
        """The fault ``exc`` on ``side`` amounts to under this task's options."""
        return classify(
            exc,
            side,
            skip_source_errors=bool(self.opts.get("skip_source_errors")),
            fail_on_quota_errors=bool(self.opts.get("fail_on_quota_errors")),
            path=path,
        )

    def check(self) -> None:
        """Raise :class:`Aborted` once the run is told to stop (between chunks and files)."""
        if self.stop.is_set():
            raise Aborted()

    def discard_earlier(self, row: Row) -> None:
        """Remove what earlier runs (a killed or stale worker) left half written for ``row``:
        their temp files carry their own run numbers and will never be renamed."""
        assert row.destination_path is not None
        for run in earlier_runs(self.run_number):
            self.discard(temp_path(self.task_id, row.id, row.destination_path, run))

    def temp_for(self, row: Row) -> str:
        assert row.destination_path is not None
        return temp_path(self.task_id, row.id, row.destination_path, self.run_number)

    def run(self, row: Row) -> Outcome:
        """Do one row; never raises except :class:`Aborted`."""
        try:
            if row.kind == KIND_FILE:
                return self.copy_file(row)
            if row.kind == KIND_SYMLINK:
                return self.make_symlink(row)
            if row.kind == KIND_DIR:
                return self.make_dir(row)
            if row.kind in (KIND_DELETE, KIND_DELETE_EXTRA):
                return self.delete(row)
            raise ValueError(f"unknown row kind {row.kind!r}")
        except Fault as fault:
            return self._failed(row, fault)

    def _failed(self, row: Row, fault: Fault) -> Outcome:
        if row.kind in (KIND_FILE, KIND_SYMLINK) and row.destination_path:
            self.discard(self.temp_for(row))
        status = SubtaskResult.SKIPPED if fault.handling == "skip" else SubtaskResult.FAULT
        return Outcome(row, status, fault=fault)

    # -- directories, links, deletions -----------------------------------------------------
    def make_dir(self, row: Row) -> Outcome:
        path = row.destination_path or "/"
        try:
            self.dst.mkdir(path, parents=True)
        except AlreadyExists:
            try:
                info = self.dst.stat(path, follow=True)
            except StorageError as exc:
                raise self.fault(exc, "destination", path) from None
            if info.type != "dir":
                raise Fault(
                    "NOT_A_DIRECTORY", f"destination path {path} exists and is a file", "fatal"
                ) from None
        except StorageError as exc:
            raise self.fault(exc, "destination", path) from None
        return Outcome(row, SubtaskResult.DONE)

    def make_symlink(self, row: Row) -> Outcome:
        assert row.destination_path is not None
        if not row.link_target:
            raise Fault("FILE_NOT_FOUND", f"no link target for {row.source_path}", "fatal")
        if self.resuming:
            self.discard_earlier(row)
        tmp = self.temp_for(row)
        discard(self.dst, tmp)
        try:
            self.ensure_parent(row.destination_path)
            self.dst.symlink(row.link_target, tmp)
        except StorageError as exc:
            raise self.fault(exc, "destination", row.destination_path) from None
        return Outcome(row, SubtaskResult.STAGED)

    def delete(self, row: Row) -> Outcome:
        path = row.destination_path or "/"
        recursive = row.kind == KIND_DELETE_EXTRA or bool(self.opts.get("recursive"))
        try:
            self.dst.remove(path, recursive=recursive and row.is_directory)
        except NotFound:
            pass  # already gone (a previous run got there first)
        except StorageError as exc:
            raise self.fault(exc, "destination", path) from None
        return Outcome(row, SubtaskResult.DONE)

    def ensure_parent(self, path: str) -> None:
        folder = parent(path)
        if folder != "/" and not self.dst.exists(folder):
            self.dst.mkdir(folder, parents=True)

    # -- files -------------------------------------------------------------------------------
    def _up_to_date(self, row: Row, algorithm: str) -> tuple[bool, int]:
        """Whether sync_level says the destination needs no copy (and bytes checksummed)."""
        assert self.src is not None and row.destination_path and row.source_path
        try:
            if self.fast_dst is not None:
                st = self.fast_dst.lstat(row.destination_path)
                if not stat.S_ISREG(st.st_mode):
                    return False, 0
                their_size, their_mtime = st.st_size, st.st_mtime
            else:
                theirs = self.dst.stat(row.destination_path, follow=False)
                if theirs.type != "file":
                    return False, 0
                their_size, their_mtime = theirs.size, theirs.mtime
        except NotFound:
            return False, 0
        except StorageError as exc:
            raise self.fault(exc, "destination", row.destination_path) from None
        level = self.sync_level
        if level == 0:
            return True, 0
        if their_size != row.size:
            return False, 0
        if level == 1:
            return True, 0
        if level == 2:
            return int(row.mtime or 0) <= int(their_mtime), 0
        try:
            mine = self.src.checksum(row.source_path, algorithm)
        except StorageError as exc:
            raise self.fault(exc, "source", row.source_path) from None
        try:
            other = self.dst.checksum(row.destination_path, algorithm)
        except StorageError as exc:
            raise self.fault(exc, "destination", row.destination_path) from None
        return mine == other, row.size * 2

    def copy_file(self, row: Row) -> Outcome:
        assert self.src is not None and row.source_path and row.destination_path
        algorithm = (row.checksum_algorithm or "MD5").upper()
        checksummed = 0
        if self.resuming:
            self.discard_earlier(row)
        if self.sync_level is not None:
            fresh, checksummed = self._up_to_date(row, algorithm)
            if fresh:
                return Outcome(
                    row, SubtaskResult.UP_TO_DATE, size=row.size, checksummed=checksummed
                )
        tmp = self.temp_for(row)
        want_hash = self.verify or bool(row.external_checksum)
        local = copy_on_descriptors(self, row, tmp, want_hash, algorithm)
        if local is not None:
            size, digest, verified = local
            return self._finish_copy(
                row, tmp, size, digest, verified, algorithm, checksummed, mtime_set=True
            )
        try:
            reader = self._open_source(row.source_path)
        except StorageError as exc:
            raise self.fault(exc, "source", row.source_path) from None
        with reader:
            try:
                try:
                    writer = self._open_temp(tmp)
                except NotFound:
                    self.ensure_parent(row.destination_path)
                    writer = self._open_temp(tmp)
            except StorageError as exc:
                raise self.fault(exc, "destination", row.destination_path) from None
            try:
                size, digest, verified = self._stream(
                    row, reader, writer, tmp, want_hash, algorithm
                )
            except Aborted:
                self.discard(tmp)
                raise
            except Fault:
                raise
            except StorageError as exc:
                raise self.fault(exc, "destination", row.destination_path) from None
            except OSError as exc:
                raise self.fault(exc, "destination", row.destination_path) from None
        return self._finish_copy(row, tmp, size, digest, verified, algorithm, checksummed)

    def _finish_copy(
        self,
        row: Row,
        tmp: str,
        size: int,
        digest: str | None,
        verified: str | None,
        algorithm: str,
        checksummed: int,
        *,
        mtime_set: bool = False,
    ) -> Outcome:
        """Check the checksums of a copied temp file and set its mtime (unless done)."""
        if row.external_checksum and digest != row.external_checksum.strip().lower():
            raise Fault(
                "CHECKSUM_MISMATCH",
                f"checksum of {row.source_path} ({algorithm} {digest}) does not match the "
                f"given external checksum {row.external_checksum}",
                "fatal",
            )
        if self.verify:
            if verified is None:
                try:
                    verified = self._checksum_temp(tmp, algorithm)
                except StorageError as exc:
                    raise self.fault(exc, "destination", row.destination_path) from None
            checksummed += size
            if verified != digest:
                raise Fault(
                    "CHECKSUM_MISMATCH",
                    f"checksum verification of {row.destination_path} failed",
                    "retry",
                )
        elif row.external_checksum:
            checksummed += size
        if self.preserve and row.mtime is not None and not mtime_set:
            try:
                if self.fast_dst is not None:
                    self.fast_dst.set_mtime(tmp, row.mtime)
                else:
                    self.dst.set_mtime(tmp, row.mtime)
            except StorageError as exc:
                raise self.fault(exc, "destination", row.destination_path) from None
        return Outcome(row, SubtaskResult.STAGED, size=size, checksummed=checksummed)

    def _open_source(self, path: str) -> t.BinaryIO:
        assert self.src is not None
        if self.fast_src is not None:
            try:
                return os.fdopen(self.fast_src.open_read(path), "rb")
            except PathEscape:
                pass  # a symlink: only the connector may follow it (inside the root)
        return self.src.open_read(path)

    def _open_temp(self, path: str) -> t.BinaryIO:
        if self.fast_dst is not None:
            return os.fdopen(self.fast_dst.open_write(path), "wb")
        return self.dst.open_write(path)

    def _checksum_temp(self, path: str, algorithm: str) -> str:
        if self.fast_dst is not None:
            with os.fdopen(self.fast_dst.open_read(path), "rb") as stream:
                return checksum_stream(stream, algorithm)
        return self.dst.checksum(path, algorithm)

    def _stream(
        self,
        row: Row,
        reader: t.BinaryIO,
        writer: t.BinaryIO,
        tmp: str,
        want_hash: bool,
        algorithm: str,
    ) -> Copied:
        """Copy ``reader`` into ``writer``; returns (bytes, source digest, dest digest)."""
        hasher = new_hasher(algorithm) if want_hash else None
        follower = None
        if self.verify and row.size >= checksums.PARALLEL_VERIFY_MIN:
            follower = checksums.Follower(self.dst, tmp, algorithm)
        size = 0
        try:
            with writer:
                fds = descriptors(reader, writer) if hasher is None else None
                if fds is not None:
                    size = kernel_copy(*fds, self.check)
                else:
                    while True:
                        self.check()
                        chunk = reader.read(CHUNK)
                        if not chunk:
                            break
                        if hasher is not None:
                            hasher.update(chunk)
                        writer.write(chunk)
                        size += len(chunk)
                        if follower is not None:
                            writer.flush()
                            follower.advance(size)
            verified = follower.finish(size) if follower is not None else None
        finally:
            if follower is not None:
                follower.close()
        return size, hasher.hexdigest() if hasher is not None else None, verified
