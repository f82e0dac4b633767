"""actions: actions started by the action providers

Revision ID: 0b7561b18982
Revises: 294220a4d6ad
Create Date: 2026-12-07 17:41:31.335476
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0b7561b18982"
down_revision: str | None = "294220a4d6ad"
branch_labels: str | tuple[str, ...] | None = None
depends_on: str | tuple[str, ...] | None = None


def upgrade() -> None:
    op.create_table(
        "actions_actions",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("provider", sa.String(length=100), nullable=False),
        sa.Column("creator_id", sa.String(length=36), nullable=False),
        sa.Column("request_id", sa.String(length=256), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("display_status", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=64), nullable=True),
        sa.Column("monitor_by", sa.JSON(), nullable=False),
        sa.Column("manage_by", sa.JSON(), nullable=False),
        sa.Column("start_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completion_time", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deadline", sa.DateTime(timezone=True), nullable=True),
        sa.Column("release_after", sa.Integer(), nullable=False),
        sa.Column("release_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("log", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_actions_actions")),
        sa.UniqueConstraint(
            "provider", "creator_id", "request_id", name=op.f("uq_actions_actions_provider")
        ),
    )
    with op.batch_alter_table("actions_actions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_actions_actions_creator_id"), ["creator_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_actions_actions_release_at"), ["release_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_actions_actions_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("actions_actions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_actions_actions_status"))
        batch_op.drop_index(batch_op.f("ix_actions_actions_release_at"))
        batch_op.drop_index(batch_op.f("ix_actions_actions_creator_id"))

    op.drop_table("actions_actions")
