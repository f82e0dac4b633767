"""auth: failed-login counts per account and per client address (login throttling)

Revision ID: bf3752e53d19
Revises: 8e4b2c6f1a07
Create Date: 2026-12-07 06:00:02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "bf3752e53d19"
down_revision: str | None = "8e4b2c6f1a07"
branch_labels: str | tuple[str, ...] | None = None
depends_on: str | tuple[str, ...] | None = None


def upgrade() -> None:
    op.create_table(
        "auth_login_throttle",
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure", sa.Integer(), nullable=False),
        sa.Column("blocked_until", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key_hash", name=op.f("pk_auth_login_throttle")),
    )
    with op.batch_alter_table("auth_login_throttle", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_auth_login_throttle_last_failure"), ["last_failure"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("auth_login_throttle", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_auth_login_throttle_last_failure"))

    op.drop_table("auth_login_throttle")
