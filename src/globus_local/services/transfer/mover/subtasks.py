"""A subtask (one ``transfer_task_files`` row of work) and what became of it.

The copier hands the runner one :class:`Outcome` per row it did; the runner records it
(see :mod:`.recording`). The result names are the values the outcome maps onto, never
stored themselves: a row's stored ``state`` and ``outcome`` come from them.
"""

from __future__ import annotations

import typing as t
from dataclasses import dataclass

from globus_local.db import StrEnum
from globus_local.services.transfer.mover.faults import Fault


class SubtaskResult(StrEnum):
    """What doing one row came to."""

    STAGED = "staged"  # the data is in the row's temp file, to be renamed into place
    LINKED = "linked"  # a complete copy was linked in at the (new) destination path
    DONE = "done"  # nothing left to do (a directory made, a path deleted)
    UP_TO_DATE = "up_to_date"  # sync_level found the destination current: not copied
    SKIPPED = "skipped"  # a source error skipped under skip_source_errors
    FAULT = "fault"  # see the outcome's fault: retried, or it fails the task


@dataclass(slots=True)
class Row:
    """The fields of a ``transfer_task_files`` row the copier needs (slots: a run may hold
    tens of thousands)."""

    id: int
    kind: str
    source_path: str | None
    destination_path: str | None
    size: int = 0
    mtime: float | None = None
    link_target: str | None = None
    is_directory: bool = False
    external_checksum: str | None = None
    checksum_algorithm: str | None = None
    new: bool = False  # nothing was at the destination at expansion (new_destination)


@dataclass
class Outcome:
    row: Row
    status: SubtaskResult
    size: int = 0
    checksummed: int = 0
    fault: Fault | None = None


def as_row(row_id: int, values: t.Mapping[str, t.Any]) -> Row:
    """A row of work from its stored values (column name -> value)."""
    return Row(
        row_id,
        values["kind"],
        values.get("source_path"),
        values.get("destination_path"),
        values.get("size") or 0,
        values.get("mtime"),
        values.get("link_target"),
        bool(values.get("is_directory")),
        values.get("external_checksum"),
        values.get("checksum_algorithm"),
        bool(values.get("new_destination")),
    )
