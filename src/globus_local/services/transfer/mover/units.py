"""Rows grouped into units, and what one thread does with a unit.

A unit is many small files or one large file alone. A thread does its rows in order and
hands the rest back when the unit takes longer than ``UNIT_SECONDS``, so progress and stop
requests are never held up by a unit of slow files. Between local endpoints, a unit of
enough plain files goes to a copy process instead (see :mod:`.procs`).
"""

from __future__ import annotations

import time
import typing as t

from globus_local.services.transfer.models_tasks import KIND_FILE
from globus_local.services.transfer.mover import procs
from globus_local.services.transfer.mover.copier import Copier
from globus_local.services.transfer.mover.faults import Aborted
from globus_local.services.transfer.mover.local_copy import PlainBatch
from globus_local.services.transfer.mover.state import RunState, TaskFacts
from globus_local.services.transfer.mover.subtasks import Outcome, Row, SubtaskResult

UNIT_ROWS = 64  # rows one thread takes at a time...
UNIT_BYTES = 16 * 1024 * 1024  # ...up to about this much data...
UNIT_SECONDS = 0.1  # ...handing the rest back when they take longer than this

Done = tuple[list[Outcome], list[Row]]  # a unit's outcomes, and the rows handed back

# Bound once: a member looked up on its enum class costs a descriptor call, and this
# runs once per file.
_LINKED, _STAGED = SubtaskResult.LINKED, SubtaskResult.STAGED


class Units:
    """Makes a run's units and does them (on the thread that calls :meth:`work`)."""

    def __init__(
        self, facts: TaskFacts, copier: Copier, state: RunState, *, file_delay: float = 0.0
    ) -> None:
        self.facts = facts
        self.copier = copier
        self.state = state
        self.file_delay = file_delay  # seconds to sleep per file (tests stop a run midway)

    def group(self, rows: t.Iterable[Row]) -> t.Iterator[list[Row]]:
        """Rows grouped for one thread: many small files, or one large file alone."""
        most = procs.UNIT_ROWS if self.to_children() else UNIT_ROWS
        unit: list[Row] = []
        volume = 0
        for row in rows:
            if row.size >= UNIT_BYTES:
                yield [row]
                continue
            unit.append(row)
            volume += row.size
            if len(unit) >= most or volume >= UNIT_BYTES:
                yield unit
                unit, volume = [], 0
        if unit:
            yield unit

    def work(self, unit: list[Row]) -> Done:
        """Do a unit's rows in order; stops early when told to."""
        if self._in_child(unit):
            return self._work_in_child(unit), []
        copier, stop = self.copier, self.state.stop
        outcomes: list[Outcome] = []
        until = time.monotonic() + UNIT_SECONDS
        batch = PlainBatch(copier) if copier.plain_local else None
        try:
            for n, row in enumerate(unit):
                if stop.is_set():
                    return outcomes, []
                if n and time.monotonic() > until:
                    return outcomes, unit[n:]
                if self.file_delay:
                    time.sleep(self.file_delay)
                outcome = batch.copy_row(row) if batch is not None else None
                outcomes.append(outcome or copier.run(row))
        except Aborted:
            return outcomes, []
        finally:
            if batch is not None:
                batch.close()
        return outcomes, []

    def to_children(self) -> bool:
        """Whether units of plain files go to copy processes: local files on a first run
        (a resumed run clears earlier runs' temp files row by row first)."""
        return (
            self.copier.plain_local
            and not self.facts.resuming
            and not self.file_delay
            and procs.processes() > 0
        )

    def _in_child(self, unit: list[Row]) -> bool:
        """Whether this unit goes to a copy process: enough files to pay for the trip."""
        return len(unit) >= procs.MIN_ROWS and self.to_children()

    def _work_in_child(self, unit: list[Row]) -> list[Outcome]:
        """A unit's plain files copied by a child process, the rest here the usual way."""
        stop = self.state.stop
        if stop.is_set():
            return []
        copier = self.copier
        assert copier.fast_src is not None and copier.fast_dst is not None
        plain = [
            r
            for r in unit
            if r.kind == KIND_FILE
            and not r.external_checksum
            and r.source_path
            and r.destination_path
        ]
        preserve = copier.preserve
        spec = procs.UnitSpec(
            copier.fast_src.root,
            copier.fast_dst.root,
            self.facts.task_id,
            self.facts.run_number,
            [
                (
                    r.id,
                    r.source_path or "",
                    r.destination_path or "",
                    r.mtime if preserve else None,
                    r.new,
                )
                for r in plain
            ],
        )
        copied = {
            r.id: done
            for r, done in zip(plain, procs.copy_unit(spec), strict=True)
            if done is not None
        }
        outcomes: list[Outcome] = []
        try:
            for row in unit:
                done = copied.get(row.id)
                if done is not None:
                    status = _LINKED if done[1] else _STAGED
                    outcomes.append(Outcome(row, status, size=done[0]))
                elif not stop.is_set():
                    outcomes.append(copier.run(row))
        except Aborted:
            pass
        return outcomes
