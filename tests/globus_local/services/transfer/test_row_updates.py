"""The mover records finished rows by runs of consecutive ids (``rows.update_rows``): only
the rows named change, and only from the state named, on both databases."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from globus_local.app import prepare_schema
from globus_local.db import Database
from globus_local.db.bulk import insert_rows
from globus_local.services.transfer.models_tasks import TaskFile
from globus_local.services.transfer.mover.rows import DEFAULTS, id_runs, update_rows
from tests.globus_local.services.transfer.support import submit_tree_copy


def test_id_runs() -> None:
    assert id_runs([]) == []
    assert id_runs([7]) == [(7, 7)]
    assert id_runs([5, 3, 4, 9, 10, 12, 4]) == [(3, 5), (9, 10), (12, 12)]


def test_update_rows_touches_only_the_ids_named(tmp_path: Path, own_database_url: str) -> None:
    from globus_local.app import create_app
    from globus_local.config import Settings

    settings = Settings.from_env(
        data_dir=tmp_path / "data", database_url=own_database_url, run_workers=False
    )
    db = Database(settings.database_url)
    prepare_schema(db)
    app = create_app(settings, database=db)
    task_id, _ = submit_tree_copy(app, db, tmp_path / "src", tmp_path / "dst", {"a": b"a"}, "u")
    rows = [
        {"task_id": task_id, "kind": "file", "source_path": f"/{n}", "destination_path": f"/{n}"}
        for n in range(40)
    ]
    with db.session() as session:
        ids = insert_rows(session, TaskFile.__table__, rows, DEFAULTS, returning_ids=True)
    with db.session() as session:  # one row already moved on: left as it is
        session.get(TaskFile, ids[3]).state = "failed"  # type: ignore[union-attr]
    chosen = ids[0:5] + ids[7:8] + ids[20:30] + ids[39:40]
    with db.session() as session:
        update_rows(session, chosen, "pending", {"state": "staged", "outcome": "transferred"})
    with db.session() as session:
        states = dict(
            session.execute(
                select(TaskFile.id, TaskFile.state).where(TaskFile.task_id == task_id)
            ).all()
        )
    expected = {
        row_id: "failed" if row_id == ids[3] else "staged" if row_id in chosen else "pending"
        for row_id in ids
    }
    assert states == expected
    db.dispose()
