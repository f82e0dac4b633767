"""Where a row's data is written before it is renamed into place.

A temp file sits beside its destination (so the rename stays in one folder and one
filesystem) under a name made of the task, the row and the run that writes it. Each run of
a task writes its own name, so a stale worker still writing after its job was taken over
never touches the file the current run stages and renames.
"""

from __future__ import annotations

from globus_local.services.transfer.mover.posix_fast import split

TEMP_PREFIX = ".globus-local-"


def temp_name(task_id: str, row_id: int, run: int | None) -> str:
    """A row's temp file name in run ``run`` (None names the files of runs made before
    runs were numbered)."""
    suffix = f"-r{run}" if run is not None else ""
    return f"{TEMP_PREFIX}{task_id[:8]}-{row_id}{suffix}.part"


def temp_path(task_id: str, row_id: int, destination: str, run: int | None = None) -> str:
    """Where a row's data is written (by run ``run``) before it is renamed to ``destination``."""
    folder, _ = split(destination)
    name = temp_name(task_id, row_id, run)
    return f"{folder}/{name}" if folder != "/" else f"/{name}"


def earlier_runs(run: int | None) -> tuple[int | None, ...]:
    """The run numbers whose temp files a row may hold from before run ``run``."""
    return (None, *range(1, run or 1))


def every_run(runs: int) -> tuple[int | None, ...]:
    """The run numbers whose temp files a task that had ``runs`` runs may have left."""
    return (None, *range(1, runs + 1))
