"""transfer task files say whether their destination was new when the task was expanded

Revision ID: 5c1e7a3d9b20
Revises: 92089879f8c8
Create Date: 2026-12-05 11:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "5c1e7a3d9b20"
down_revision: str | None = "92089879f8c8"
branch_labels: str | tuple[str, ...] | None = None
depends_on: str | tuple[str, ...] | None = None


def upgrade() -> None:
    with op.batch_alter_table("transfer_task_files", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("new_destination", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("transfer_task_files", schema=None) as batch_op:
        batch_op.drop_column("new_destination")
