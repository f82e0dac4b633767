"""transfer task files: the main index without the state, and one for skipped errors

Revision ID: 8e4b2c6f1a07
Revises: 5c1e7a3d9b20
Create Date: 2026-12-05 12:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "8e4b2c6f1a07"
down_revision: str | None = "5c1e7a3d9b20"
branch_labels: str | tuple[str, ...] | None = None
depends_on: str | tuple[str, ...] | None = None

SKIPPED = sa.text("state = 'skipped'")


def upgrade() -> None:
    with op.batch_alter_table("transfer_task_files", schema=None) as batch_op:
        batch_op.drop_index("ix_transfer_task_files_task_state")
        batch_op.create_index("ix_transfer_task_files_task", ["task_id", "id"], unique=False)
        batch_op.create_index(
            "ix_transfer_task_files_skipped",
            ["task_id", "id"],
            unique=False,
            sqlite_where=SKIPPED,
            postgresql_where=SKIPPED,
        )


def downgrade() -> None:
    with op.batch_alter_table("transfer_task_files", schema=None) as batch_op:
        batch_op.drop_index("ix_transfer_task_files_skipped")
        batch_op.drop_index("ix_transfer_task_files_task")
        batch_op.create_index(
            "ix_transfer_task_files_task_state", ["task_id", "state", "id"], unique=False
        )
