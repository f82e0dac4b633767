"""What a run that resumes after a dead one finishes first, and what an ended task's runs
left behind.

A dead run may have left rows ``staged`` (their copy complete in the temp file of the run
named by ``staged_run``, renamed into place or not) and rows linked in at a new destination
but still ``pending``. Both are finished without copying them again; every other pending
row is redone, its earlier runs' temp files removed first (see the copier).
"""

from __future__ import annotations

import stat
import typing as t

from sqlalchemy import select

from globus_local.db import Database
from globus_local.services.transfer.models_endpoints import Endpoint
from globus_local.services.transfer.models_tasks import (
    KIND_FILE,
    KIND_SYMLINK,
    ROW_DONE,
    ROW_PENDING,
    ROW_STAGED,
    TaskFile,
    TransferTask,
)
from globus_local.services.transfer.mover.copier import Copier, discard, replace_into_place
from globus_local.services.transfer.mover.recording import Recorder
from globus_local.services.transfer.mover.rows import FILES, pending
from globus_local.services.transfer.mover.temps import every_run, temp_path
from globus_local.storage import StorageConnector
from globus_local.storage.errors import StorageError


def recover_staged(db: Database, task_id: str, dst: StorageConnector, recorder: Recorder) -> None:
    """Finish rows a dead run had fully copied but not yet renamed into place."""
    with db.session() as session:
        staged = session.execute(
            select(TaskFile.id, TaskFile.destination_path, TaskFile.staged_run).where(
                TaskFile.task_id == task_id, TaskFile.state == ROW_STAGED
            )
        ).all()
    if not staged:
        return
    done = []
    for row_id, destination, run in staged:
        # a staged row is a copied file, which always has a destination
        path = t.cast(str, destination)
        tmp = temp_path(task_id, row_id, path, run)
        try:
            replace_into_place(dst, tmp, path)
        except StorageError:
            # No temp file: the rename happened before the worker died.
            pass
        done.append(row_id)
    recorder.set_rows(done, ROW_DONE, from_state=ROW_STAGED)


def recover_linked(db: Database, task_id: str, copier: Copier, recorder: Recorder) -> None:
    """Record rows a dead run had linked in but not recorded. A pending row whose
    destination was new at expansion only ever gets a file there by the link of a
    complete copy (see local_copy.HeldCopies), so a file there now is that copy."""
    handles = copier.fast_dst
    if handles is None:
        return
    found: list[dict[str, int]] = []
    columns = (FILES.c.id, FILES.c.destination_path)
    new = (FILES.c.kind == KIND_FILE, FILES.c.new_destination.is_(True))
    for batch in pending(db, task_id, columns, *new):
        for row_id, destination in batch:
            try:
                info = handles.lstat(destination or "/")
            except StorageError:
                continue
            if stat.S_ISREG(info.st_mode):
                found.append({"row_id": row_id, "new_size": info.st_size})
    if found:
        recorder.linked(found)


def cleanup_temps(db: Database, task_id: str) -> None:
    """Remove the temp files any run left for rows that will never finish (ended task)."""
    from globus_local.services.transfer.access import connector_and_path

    with db.session() as session:
        task = session.get(TransferTask, task_id)
        if task is None or task.type != "TRANSFER" or not task.destination_endpoint_id:
            return
        runs = task.runs or 0
        endpoint = session.get(Endpoint, task.destination_endpoint_id)
        rows = session.execute(
            select(TaskFile.id, TaskFile.destination_path).where(
                TaskFile.task_id == task_id,
                TaskFile.state.in_([ROW_PENDING, ROW_STAGED]),
                TaskFile.kind.in_([KIND_FILE, KIND_SYMLINK]),
            )
        ).all()
    if endpoint is None or not rows:
        return
    try:
        conn, _ = connector_and_path(endpoint, "/")
    except StorageError:
        return
    for row_id, destination in rows:
        if destination:
            for run in every_run(runs):
                discard(conn, temp_path(task_id, row_id, destination, run))
