"""Turn a task's items into rows of work (files, directories, links, paths to delete).

Expansion happens once, before any data moves; its rows are stored with the flag that
says the task is expanded, in one transaction, so a worker dying mid-expansion simply
expands again.
"""

from __future__ import annotations

import fnmatch
import os
import typing as t
from dataclasses import dataclass, field

from globus_local.services.transfer.models_tasks import (
    KIND_DELETE,
    KIND_DELETE_EXTRA,
    KIND_DIR,
    KIND_FILE,
    KIND_SYMLINK,
    ROW_SKIPPED,
)
from globus_local.services.transfer.mover.faults import Fault, classify
from globus_local.storage import FileInfo, StorageConnector
from globus_local.storage.errors import NotFound, StorageError
from globus_local.storage.paths import basename, join, normalize, parent, resolve
from globus_local.storage.posix import local_root

GLOB_CHARS = "*?["


@dataclass
class Expansion:
    rows: list[dict[str, t.Any]] = field(default_factory=list)
    files: int = 0
    directories: int = 0
    symlinks: int = 0
    _part: int = field(default=0, repr=False)
    _send: t.Callable[[list[dict[str, t.Any]]], None] | None = field(
        default=None, repr=False, compare=False
    )

    def send_every(self, count: int, send: t.Callable[[list[dict[str, t.Any]]], None]) -> None:
        """Hand the rows to ``send`` in parts of ``count`` as they are added (only the
        last part stays in ``rows``)."""
        self._part = count
        self._send = send

    def add(self, kind: str, **values: t.Any) -> None:
        values["kind"] = kind
        self.rows.append(values)
        if self._send is not None and len(self.rows) >= self._part:
            self._send(self.rows)
            self.rows = []
        if values.get("state") == ROW_SKIPPED:
            return
        if kind == KIND_FILE:
            self.files += 1
        elif kind == KIND_DIR:
            self.directories += 1
        elif kind == KIND_SYMLINK:
            self.symlinks += 1


def _included(rules: list[dict[str, t.Any]], name: str, kind: str) -> bool:
    """Filter rules in order; the first one matching the entry decides (default: include)."""
    for rule in rules:
        if rule.get("type") and rule["type"] != kind:
            continue
        if fnmatch.fnmatchcase(name, rule.get("name") or "*"):
            return rule.get("method", "include") != "exclude"
    return True


class TransferExpander:
    """Walks a transfer task's sources; ``check`` is called with a path before it is read
    (so a walk never lists anything the caller may not read)."""

    def __init__(
        self,
        src: StorageConnector,
        dst: StorageConnector,
        options: dict[str, t.Any],
        now: t.Any,
    ) -> None:
        self.src = src
        self.dst = dst
        self.opts = options
        self.now = now
        self.links = options.get("recursive_symlinks") or "ignore"
        self.rules = list(options.get("filter_rules") or [])
        self.out = Expansion()
        self.algorithm: str | None = None  # the current item's checksum algorithm
        # Local storage lists a folder for a walk without owners and permissions.
        self._list = getattr(src, "scan", None) or src.listdir
        # A local destination's folders are listed once each (names only), so each walked
        # row can say whether its destination path is new (see TaskFile.new_destination).
        self.dst_root = local_root(dst)

    def _source_error(self, exc: BaseException, src_path: str, dst_path: str, kind: str) -> None:
        fault = classify(
            exc,
            "source",
            skip_source_errors=bool(self.opts.get("skip_source_errors")),
            fail_on_quota_errors=bool(self.opts.get("fail_on_quota_errors")),
            path=src_path,
        )
        if fault.handling != "skip":
            if fault.handling == "retry":
                raise fault
            raise Fault(fault.code, fault.description, "fatal")
        self.out.add(
            kind,
            state=ROW_SKIPPED,
            outcome="error",
            source_path=src_path,
            destination_path=dst_path,
            error_code=fault.code,
            error_details=fault.description,
            error_time=self.now,
        )

    def expand(self, items: list[dict[str, t.Any]]) -> Expansion:
        for item in items:
            src_path, dst_path = item["source_path"], item["destination_path"]
            self.algorithm = item.get("checksum_algorithm")
            if item.get("DATA_TYPE") == "transfer_symlink_item":
                self._symlink_item(src_path, dst_path)
                continue
            try:
                info = self.src.stat(src_path, follow=True)
            except StorageError as exc:
                self._source_error(exc, src_path, dst_path, KIND_FILE)
                continue
            if info.type == "dir":
                if not item.get("recursive"):
                    raise Fault(
                        "IS_A_DIRECTORY",
                        f"source path {src_path} is a directory; set recursive to transfer it",
                        "fatal",
                    )
                self.out.add(
                    KIND_DIR, source_path=src_path, destination_path=dst_path, mtime=info.mtime
                )
                self._walk(src_path, dst_path, {src_path}, self._present(dst_path))
            else:
                self.out.add(
                    KIND_FILE,
                    source_path=src_path,
                    destination_path=dst_path,
                    size=info.size,
                    mtime=info.mtime,
                    external_checksum=item.get("external_checksum"),
                    checksum_algorithm=item.get("checksum_algorithm"),
                    new_destination=self._absent(dst_path),
                )
        return self.out

    def _absent(self, dst_path: str) -> bool:
        """Whether nothing is at local destination path ``dst_path`` (False when that is
        not known): a file item's copy is then linked in whole at its path, with no temp
        name to stage and rename."""
        if self.dst_root is None:
            return False
        try:
            os.lstat(resolve(self.dst_root, dst_path, follow=False))
        except FileNotFoundError:
            return True
        except (OSError, StorageError):
            return False
        return False

    def _symlink_item(self, src_path: str, dst_path: str) -> None:
        try:
            info = self.src.stat(src_path, follow=False)
            if not info.is_link:
                raise Fault(
                    "NOT_A_SYMLINK", f"source path {src_path} is not a symbolic link", "fatal"
                )
        except StorageError as exc:
            self._source_error(exc, src_path, dst_path, KIND_SYMLINK)
            return
        self.out.add(
            KIND_SYMLINK,
            source_path=src_path,
            destination_path=dst_path,
            link_target=info.link_target,
            mtime=info.mtime,
        )

    def _present(self, dst_dir: str) -> frozenset[str] | None:
        """The names in destination folder ``dst_dir`` (empty when it is not there), or
        None when that is not known (not local storage, or any doubt): then no row of
        the folder counts as new."""
        if self.dst_root is None:
            return None
        try:
            return frozenset(os.listdir(resolve(self.dst_root, dst_dir)))
        except (FileNotFoundError, NotFound):
            return _NOTHING
        except (OSError, StorageError):
            return None

    def _walk(
        self, src_dir: str, dst_dir: str, seen: set[str], present: frozenset[str] | None
    ) -> None:
        """Rows for ``src_dir``'s entries; ``present`` holds the names already in
        ``dst_dir`` (see :meth:`_present`)."""
        try:
            entries = sorted(self._list(src_dir), key=_name)
        except StorageError as exc:
            self._source_error(exc, src_dir, dst_dir, KIND_DIR)
            return
        names: set[str] = set()
        extras = bool(self.opts.get("delete_destination_extra"))
        rules = self.rules
        # Both folders made canonical once; an entry's name is one component (the storage
        # lists real names), so each child path is a plain join.
        src_base, dst_base = _base(src_dir), _base(dst_dir)
        for entry in entries:
            name = entry.name
            if not name or "/" in name or name in (".", ".."):
                continue
            src_path, dst_path = f"{src_base}/{name}", f"{dst_base}/{name}"
            if rules:
                kind = "dir" if entry.effective_type == "dir" else "file"
                if not _included(rules, name, kind):
                    continue
            if extras:
                names.add(name)
            new = present is not None and name not in present
            if entry.is_link:
                self._link_entry(entry, src_path, dst_path, seen, new)
            elif entry.type == "dir":
                self.out.add(
                    KIND_DIR, source_path=src_path, destination_path=dst_path, mtime=entry.mtime
                )
                inner = _NOTHING if new else self._present(dst_path)
                self._walk(src_path, dst_path, seen | {src_path}, inner)
            else:
                self._add_file(src_path, dst_path, entry, new)
        if extras:
            self._extras(dst_dir, names)

    def _link_entry(
        self,
        entry: FileInfo,
        src_path: str,
        dst_path: str,
        seen: set[str],
        new: bool,
    ) -> None:
        if self.links == "ignore":
            return
        if self.links == "keep":
            self.out.add(
                KIND_SYMLINK,
                source_path=src_path,
                destination_path=dst_path,
                link_target=entry.link_target,
                mtime=entry.mtime,
            )
            return
        target = entry.target  # "copy": follow links that stay inside the endpoint
        if target is None:
            self._source_error(
                NotFound("symbolic link target is missing or outside the endpoint", src_path),
                src_path,
                dst_path,
                KIND_FILE,
            )
            return
        if target.type == "dir":
            real = entry.link_target or src_path
            if real in seen or src_path.startswith(real.rstrip("/") + "/"):
                return  # a link back into the tree being walked: no endless loop
            self.out.add(
                KIND_DIR, source_path=src_path, destination_path=dst_path, mtime=target.mtime
            )
            inner = _NOTHING if new else self._present(dst_path)
            self._walk(src_path, dst_path, seen | {real, src_path}, inner)
        else:
            self._add_file(src_path, dst_path, target, new)

    def _add_file(self, src_path: str, dst_path: str, info: FileInfo, new: bool) -> None:
        """One file row, sized and dated from the file itself (or a followed link's target).
        A value that is the column's default is left out (a smaller row to send and store)."""
        values: dict[str, t.Any] = {
            "source_path": src_path,
            "destination_path": dst_path,
            "size": info.size,
            "mtime": info.mtime,
        }
        if self.algorithm is not None:
            values["checksum_algorithm"] = self.algorithm
        if new:
            values["new_destination"] = True
        self.out.add(KIND_FILE, **values)

    def _extras(self, dst_dir: str, keep: set[str]) -> None:
        try:
            existing = self.dst.listdir(dst_dir)
        except StorageError:
            return  # nothing there yet
        for entry in sorted(existing, key=lambda e: e.name):
            if entry.name in keep or entry.name.startswith(".globus-local-"):
                continue
            self.out.add(
                KIND_DELETE_EXTRA,
                destination_path=join(dst_dir, entry.name),
                is_directory=entry.type == "dir",
            )


_NOTHING: frozenset[str] = frozenset()


def _name(entry: FileInfo) -> str:
    return entry.name


def _base(folder: str) -> str:
    """A folder's canonical path as the prefix of its children ('' for the root)."""
    path = normalize(folder)
    return "" if path == "/" else path


class DeleteExpander:
    """Resolves a delete task's paths (globs when asked) into rows to remove."""

    def __init__(self, conn: StorageConnector, options: dict[str, t.Any], now: t.Any) -> None:
        self.conn = conn
        self.opts = options
        self.now = now
        self.out = Expansion()

    def expand(self, items: list[dict[str, t.Any]]) -> Expansion:
        for item in items:
            path = item["path"]
            if self.opts.get("interpret_globs") and any(c in path for c in GLOB_CHARS):
                matches = self._glob(path)
                if not matches and not self.opts.get("ignore_missing"):
                    raise Fault("FILE_NOT_FOUND", f"no file matches {path}", "fatal")
                for match in matches:
                    self._add(match)
            else:
                self._add(path)
        return self.out

    def _glob(self, pattern: str) -> list[str]:
        paths = ["/"]
        for part in [p for p in pattern.split("/") if p]:
            nxt: list[str] = []
            for base in paths:
                if any(c in part for c in GLOB_CHARS):
                    try:
                        entries = self.conn.listdir(base)
                    except StorageError:
                        continue
                    nxt.extend(
                        join(base, e.name)
                        for e in sorted(entries, key=lambda e: e.name)
                        if fnmatch.fnmatchcase(e.name, part)
                    )
                else:
                    nxt.append(join(base, part))
            paths = nxt
        return paths

    def _add(self, path: str) -> None:
        try:
            info = self.conn.stat(path, follow=False)
        except NotFound:
            if self.opts.get("ignore_missing"):
                return
            raise Fault("FILE_NOT_FOUND", f"no such file or directory: {path}", "fatal")
        except StorageError as exc:
            raise classify(
                exc, "source", skip_source_errors=False, fail_on_quota_errors=False, path=path
            ) from None
        is_dir = info.type == "dir"
        if is_dir and not self.opts.get("recursive"):
            try:
                if self.conn.listdir(path):
                    raise Fault(
                        "NOT_EMPTY",
                        f"{path} is a non-empty directory; set recursive to delete it",
                        "fatal",
                    )
            except StorageError as exc:
                raise classify(
                    exc, "source", skip_source_errors=False, fail_on_quota_errors=False
                ) from None
        if is_dir:
            self.out.directories += 1
            self._count(path)
        elif info.is_link:
            self.out.symlinks += 1
        else:
            self.out.files += 1
        self.out.rows.append(
            {"kind": KIND_DELETE, "destination_path": path, "is_directory": is_dir, "size": 0}
        )

    def _count(self, path: str) -> None:
        try:
            entries = self.conn.listdir(path)
        except StorageError:
            return
        for entry in entries:
            if entry.type == "dir":
                self.out.directories += 1
                self._count(join(path, entry.name))
            elif entry.type == "link":
                self.out.symlinks += 1
            else:
                self.out.files += 1


__all__ = ["DeleteExpander", "Expansion", "TransferExpander", "basename", "parent"]
