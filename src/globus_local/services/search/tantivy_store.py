"""The tantivy copy of a SQLite platform's search indices: one tantivy index per search index.

The database stays the record; each tantivy index is derived from it and kept in step by
the ingest job (``tasks.py``), which writes it inside its own database transaction:

1. holding the index's write lock (on SQLite, the database's), the job opens the copy's
   writer (:meth:`TantivyStore.begin`) and hands it each task's additions and deletions
   as the task succeeds, so tantivy's indexing thread works while the job writes rows;
2. the stamp file takes the index row's new ``content_last_modified`` (the job's first
   statement sets it) and tantivy commits;
3. the database commits.

A reader uses the copy only when the stamp equals the ``content_last_modified`` its own
database snapshot sees, and otherwise answers from SQL. A crash or a failed commit between
the steps therefore leaves a copy that no search uses; the next ingest job rebuilds it from
the database (as it does for an index that has no copy yet).

A job keeps the writer open from one transaction to the next and closes it when the
last job of this process writing the index ends, so tantivy merges its segments in the
background instead of inside a transaction. Since the writer holds the copy's lock, a
job of another process waits for that (see :meth:`TantivyStore._writer`).
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
import time
import typing as t
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import tantivy
from sqlalchemy import text
from sqlalchemy.orm import Session

from globus_local.services.search.text import field_prefix, plain_tokens

log = logging.getLogger("globus_local.search")

PUBLIC = "public"
# Marker terms of the visibility field: no principal holds a NUL.
PRIVATE_MARK = "\x00private"  # on every entry not visible to ``public``
EVERY_MARK = "\x00every"  # on every entry: its document frequency counts deleted ones too
WS = "ws"  # the tokenizer of the text fields: tokens arrive normalized, split on spaces
STAMP = "stamp"
WRITER_HEAP = 64_000_000
LOCK_WAIT_SECONDS = 30.0
REBUILD_BATCH = 2000
# Longest field value the copy keeps for exact matches: longer ones are text, hardly
# ever a filter's value, and would each be a term of its own.
FV_MAX_CHARS = 100


def _schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_unsigned_field("pk", stored=False, indexed=True, fast=True)
    sb.add_text_field("subject", tokenizer_name="raw", index_option="basic", fast=True)
    # the entry's tokens (``text.flatten``) and each adjacent pair of its plain ones, so a
    # phrase of words is one term (two words) or a phrase of pairs, never a walk over
    # positions; a phrase of field-prefixed tokens walks the body's positions instead
    sb.add_text_field("body", tokenizer_name=WS, index_option="position")
    sb.add_text_field("pairs", tokenizer_name=WS, index_option="position")
    sb.add_text_field("vis", tokenizer_name="raw", index_option="basic")
    # ``<field prefix>:<value_text>`` of each field value up to FV_MAX_CHARS long
    # (match_any, match_all; a filter on a longer value goes to SQL)
    sb.add_text_field("fv", tokenizer_name="raw", index_option="basic")
    # numbers and dates (epoch seconds) by field prefix (ranges)
    sb.add_json_field("num", fast=True, tokenizer_name="raw")
    sb.add_json_field("date", fast=True, tokenizer_name="raw")
    return sb.build()


SCHEMA = _schema()
_ANALYZER = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build()


def pairs_of(tokens: t.Sequence[str]) -> list[str]:
    """Adjacent token pairs, ``a_b`` (tokens never hold ``_``: ``text.tokenize``)."""
    return [f"{a}_{b}" for a, b in zip(tokens, tokens[1:], strict=False)]


@dataclass
class EntryDoc:
    """What the copy holds of one entry."""

    pk: int
    subject: str
    body: str
    visible_to: list[str]
    fields: t.Sequence[tuple[str, str, float | None, float | None]]  # path, text, num, date

    def document(self) -> tantivy.Document:
        doc = tantivy.Document()
        doc.add_unsigned("pk", self.pk)
        doc.add_text("subject", self.subject)
        doc.add_text("body", self.body)
        doc.add_text("pairs", " ".join(pairs_of(plain_tokens(self.body))))
        for principal in (*self.visible_to, EVERY_MARK):
            doc.add_text("vis", principal)
        if PUBLIC not in self.visible_to:
            doc.add_text("vis", PRIVATE_MARK)
        nums: dict[str, list[float]] = {}
        dates: dict[str, list[float]] = {}
        for path, value_text, num, date in self.fields:
            prefix = field_prefix(path)
            if len(value_text) <= FV_MAX_CHARS:
                doc.add_text("fv", f"{prefix}:{value_text}")
            if num is not None:
                nums.setdefault(prefix, []).append(num)
            if date is not None:
                dates.setdefault(prefix, []).append(date)
        if nums:
            doc.add_json("num", nums)
        if dates:
            doc.add_json("date", dates)
        return doc


@dataclass
class Changes:
    """One task's writes to one index: the entries it removed, then those it added."""

    added: list[EntryDoc] = field(default_factory=list)
    removed: list[int] = field(default_factory=list)


def stamp_of(value: t.Any) -> str:
    return "" if value is None else value.isoformat()


@dataclass
class Snapshot:
    """A copy as one search reads it (the index parses range queries)."""

    index: tantivy.Index
    searcher: tantivy.Searcher


@dataclass
class _Reader:
    index: tantivy.Index
    meta: tuple[int, int, int]


class TantivyStore:
    """The copies under ``root`` (``<root>/<index id>/``), their readers and writers."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._lock = threading.Lock()
        self._readers: dict[str, _Reader] = {}
        self._locks: dict[str, threading.Lock] = {}  # one per index: its writer's user
        self._writers: dict[str, tantivy.IndexWriter] = {}  # kept open between transactions
        self._jobs: Counter[str] = Counter()  # jobs of this process writing each index
        self.rebuilds = 0  # copies built whole from the database, by this process

    def path(self, index_id: str) -> Path:
        return self.root / index_id

    def _open(self, path: Path) -> tantivy.Index:
        index = tantivy.Index(SCHEMA, path=str(path), reuse=True)
        index.register_tokenizer(WS, _ANALYZER)
        return index

    # -- reading ------------------------------------------------------------------------------

    def searcher(self, index_id: str, stamp: str) -> Snapshot | None:
        """The copy when it holds exactly the database state stamped ``stamp`` (the
        snapshot the caller reads), else None."""
        path = self.path(index_id)
        try:
            st = (path / "meta.json").stat()
        except FileNotFoundError:
            return None
        meta = (st.st_ino, st.st_mtime_ns, st.st_size)
        with self._lock:
            reader = self._readers.get(index_id)
            if reader is None:
                reader = _Reader(self._open(path), meta)
                self._readers[index_id] = reader
            elif reader.meta != meta:
                reader.index.reload()
                reader.meta = meta
            index, searcher = reader.index, reader.index.searcher()
        try:  # read after the searcher: see the module docstring
            held = (path / STAMP).read_text()
        except FileNotFoundError:
            return None
        return Snapshot(index, searcher) if held == stamp and stamp else None

    # -- writing ------------------------------------------------------------------------------

    @contextmanager
    def job(self, index_id: str) -> t.Iterator[None]:
        """Around a job's transactions on the index: the writer they share is closed (its
        merges finished) when the last such job of this process ends."""
        with self._lock:
            self._jobs[index_id] += 1
        try:
            yield
        finally:
            with self._lock:
                self._jobs[index_id] -= 1
            self._close_if_idle(index_id)

    def begin(self, session: Session, index_id: str, before: str) -> CopyWrite:
        """The copy's writer for one transaction whose database state was stamped
        ``before``: the copy as it is when it holds that state, else rebuilt from it."""
        lock = self._index_lock(index_id)
        lock.acquire()
        try:
            path = self.path(index_id)
            in_step = self._holds(path, before)
            open_writer = self._writers.get(index_id)
            if open_writer is None or not in_step:
                if open_writer is not None:
                    self._finish(self._writers.pop(index_id))
                path.mkdir(parents=True, exist_ok=True)
                open_writer = self._writers[index_id] = self._writer(self._open(path))
            copy = CopyWrite(path, open_writer, lock)
            if not in_step:
                log.info("search index %s: building its tantivy copy", index_id)
                self.rebuilds += 1
                open_writer.delete_all_documents()
                for doc in load_entries(session, index_id):
                    open_writer.add_document(doc.document())
            return copy
        except BaseException:
            lock.release()
            raise

    def discard(self, index_id: str) -> None:
        """Forget a copy that may be ahead of the database (its commit failed)."""
        with self._index_lock(index_id):
            open_writer = self._writers.pop(index_id, None)
            if open_writer is not None:
                self._finish(open_writer)
            with self._lock:
                self._readers.pop(index_id, None)
            shutil.rmtree(self.path(index_id), ignore_errors=True)

    def _close_if_idle(self, index_id: str) -> None:
        with self._index_lock(index_id):
            with self._lock:
                if self._jobs[index_id] > 0:
                    return
                self._jobs.pop(index_id, None)
            open_writer = self._writers.pop(index_id, None)
            if open_writer is not None:
                self._finish(open_writer)

    @staticmethod
    def _finish(writer: tantivy.IndexWriter) -> None:
        """Close a writer once its merges are done (what they leave behind is the
        next writer's, or the next reader's, to find)."""
        try:
            writer.wait_merging_threads()
        except Exception:  # the copy was removed meanwhile: the next job rebuilds it
            log.warning("search: closing a tantivy writer failed", exc_info=True)

    def _index_lock(self, index_id: str) -> threading.Lock:
        with self._lock:
            return self._locks.setdefault(index_id, threading.Lock())

    @staticmethod
    def _holds(path: Path, stamp: str) -> bool:
        """Whether the copy at ``path`` holds the database state stamped ``stamp``."""
        try:
            held = (path / STAMP).read_text()
        except FileNotFoundError:
            return False
        return bool(stamp) and held == stamp and (path / "meta.json").exists()

    @staticmethod
    def _writer(index: tantivy.Index) -> tantivy.IndexWriter:
        """The index's one writer; another process's writer is waited for (it holds the
        database's write lock too, or is finishing its merges, so it is soon done)."""
        deadline = time.monotonic() + LOCK_WAIT_SECONDS
        while True:
            try:
                return index.writer(heap_size=WRITER_HEAP, num_threads=1)
            except ValueError as err:
                if "lock" not in str(err).lower() or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)


class CopyWrite:
    """One transaction's writes to a copy, holding its writer until :meth:`close`."""

    def __init__(self, path: Path, writer: tantivy.IndexWriter, lock: threading.Lock) -> None:
        self.path = path
        self.writer = writer
        self._lock = lock

    def apply(self, changes: Changes) -> None:
        """One task's changes, in the order the task made them: its removals, then its
        additions (a new entry may take the pk of one removed before it)."""
        for start in range(0, len(changes.removed), 10_000):
            # by query: a term from a Python int would be a signed one
            chunk = changes.removed[start : start + 10_000]
            self.writer.delete_documents_by_query(tantivy.Query.term_set_query(SCHEMA, "pk", chunk))
        for doc in changes.added:
            self.writer.add_document(doc.document())

    def commit(self, stamp: str) -> None:
        """Stamp the copy with the database state about to commit, then commit it."""
        (self.path / STAMP).write_text(stamp)  # before the commit: see the module docstring
        try:
            self.writer.commit()
        except BaseException:
            self.writer.rollback()
            raise

    def rollback(self) -> None:
        self.writer.rollback()

    def close(self) -> None:
        self._lock.release()


def load_entries(session: Session, index_id: str) -> t.Iterator[EntryDoc]:
    """Every entry of the index as the session sees it (a rebuild's source)."""
    after = 0
    while True:
        rows = session.execute(
            text(
                "SELECT e.pk, e.subject, e.visible_to, f.body FROM search_entries e "
                "JOIN search_fts f ON f.rowid = e.pk "
                "WHERE e.index_id = :index_id AND e.pk > :after ORDER BY e.pk LIMIT :n"
            ),
            {"index_id": index_id, "after": after, "n": REBUILD_BATCH},
        ).all()
        if not rows:
            return
        pks = [int(row[0]) for row in rows]
        fields: dict[int, list[tuple[str, str, float | None, float | None]]] = {}
        marks = ", ".join(str(pk) for pk in pks)
        for pk, path, value_text, num, date in session.execute(
            text(
                "SELECT entry_pk, path, value_text, value_num, value_date FROM search_fields "
                f"WHERE entry_pk IN ({marks})"
            )
        ):
            fields.setdefault(int(pk), []).append((path, value_text, num, date))
        for pk, subject, visible_to, body in rows:
            yield EntryDoc(int(pk), subject, body, _principals(visible_to), fields.get(pk, []))
        after = pks[-1]


def _principals(value: t.Any) -> list[str]:
    if isinstance(value, str):  # a JSON column read through plain SQL
        import json

        return list(json.loads(value))
    return list(value)


def store_root(database_file: str) -> Path:
    """Where the copies of a SQLite database's indices live: beside the database file."""
    return Path(os.fspath(database_file) + ".search")
