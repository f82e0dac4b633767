"""flows: runs remember the request_id they were started with

Revision ID: e236a261e8fb
Revises: 783b98a026fc
Create Date: 2026-12-07 18:01:14.357491
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "e236a261e8fb"
down_revision: str | None = "783b98a026fc"
branch_labels: str | tuple[str, ...] | None = None
depends_on: str | tuple[str, ...] | None = None


def upgrade() -> None:
    with op.batch_alter_table("flows_runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("request_id", sa.String(length=255), nullable=True))
        batch_op.create_index(
            "ix_flows_runs_request", ["flow_id", "owner_id", "request_id"], unique=True
        )


def downgrade() -> None:
    with op.batch_alter_table("flows_runs", schema=None) as batch_op:
        batch_op.drop_index("ix_flows_runs_request")
        batch_op.drop_column("request_id")
