"""Renaming committed copies into place, on a thread of its own.

Each flush hands its newly staged rows to the renamer and goes on: the renames run in turn
while the threads copy on and later flushes go ahead, and a flush records ``done`` only
the rows renamed by then (see :class:`~.recording.Recorder`). Between local endpoints, a
flush's renames are split between the copy processes; one a process could not do is tried
here, which learns why.
"""

from __future__ import annotations

import typing as t
from concurrent.futures import Future, ThreadPoolExecutor

from globus_local.services.transfer.mover import procs
from globus_local.services.transfer.mover.copier import Copier
from globus_local.services.transfer.mover.recording import Recorder
from globus_local.services.transfer.mover.state import RunState, TaskFacts
from globus_local.services.transfer.mover.subtasks import Outcome
from globus_local.storage.errors import NotFound, StorageError

Renamed = tuple[Outcome, str, StorageError]  # a staged copy not renamed: temp file, error


class Renamer:
    """The renames of one run's flushes, in order, and what came of them."""

    def __init__(
        self,
        facts: TaskFacts,
        copier: Copier,
        state: RunState,
        recorder: Recorder,
        check_lease: t.Callable[[], None],
    ) -> None:
        self.facts = facts
        self.copier = copier
        self.state = state
        self.recorder = recorder
        self.check_lease = check_lease
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="transfer-renamer")
        self._under_way: list[Future[tuple[list[Outcome], list[Renamed]]]] = []

    def submit(self, staged: list[Outcome]) -> None:
        """Rename ``staged`` into place once the renames handed in before are done."""
        self._under_way.append(self._pool.submit(self._rename, staged))

    def collect(self, *, quiet: bool = False, block: bool = True) -> None:
        """Hand the recorder the rows renamed by earlier submits (without ``block``, only
        those already done). A rename that failed stops the run; ``quiet`` only records (a
        run that is already ending for another reason)."""
        while self._under_way:
            if not block and not self._under_way[0].done():
                return
            renamed, failed = self._under_way.pop(0).result()
            self.recorder.renamed.extend(renamed)
            self._failed(failed, quiet=quiet)

    def close(self) -> None:
        """Take in every rename still under way, then stop the thread."""
        try:
            self.collect(quiet=True)
        finally:
            self._pool.shutdown(wait=True)

    def _rename(self, staged: list[Outcome]) -> tuple[list[Outcome], list[Renamed]]:
        """Rename committed copies into place (on the renamer thread): those renamed, and
        (outcome, temp, error) for each that was not."""
        copier = self.copier
        fast_dst = copier.fast_dst
        left = staged
        if fast_dst is not None and len(staged) >= procs.MIN_ROWS:
            rows = [(o.row.id, o.row.destination_path or "/") for o in staged]
            done = procs.rename_rows(fast_dst.root, self.facts.task_id, self.facts.run_number, rows)
            if done is not None:  # one the child could not rename is tried here: tells why
                left = [o for o, ok in zip(staged, done, strict=True) if not ok]
        temps = [copier.temp_for(o.row) for o in left]
        pairs = [(tmp, o.row.destination_path or "/") for tmp, o in zip(temps, left, strict=True)]
        errors = list(copier.replace_all(pairs))
        failed = [
            (o, tmp, error)
            for o, tmp, error in zip(left, temps, errors, strict=True)
            if error is not None
        ]
        if not failed:
            return staged, []
        missed = {id(o) for o, _, _ in failed}
        return [o for o in staged if id(o) not in missed], failed

    def _failed(self, failed: list[Renamed], *, quiet: bool) -> None:
        for o, tmp, error in failed:
            if isinstance(error, NotFound) and not quiet:
                self.check_lease()  # another run renamed it: this run is the stale one
                raise error
            self.copier.discard(tmp)
            if self.state.fatal is None and not isinstance(error, NotFound):
                self.state.fatal = self.copier.fault(error, "destination", o.row.destination_path)
            self.state.stop.set()
