"""flows: flows, runs and their log

Revision ID: 783b98a026fc
Revises: 0b7561b18982
Create Date: 2026-12-07 17:43:44.948803
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "783b98a026fc"
down_revision: str | None = "0b7561b18982"
branch_labels: str | tuple[str, ...] | None = None
depends_on: str | tuple[str, ...] | None = None


def upgrade() -> None:
    op.create_table(
        "flows_flows",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("subtitle", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("keywords", sa.JSON(), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("input_schema", sa.JSON(), nullable=False),
        sa.Column("owner_id", sa.String(length=36), nullable=False),
        sa.Column("created_by", sa.String(length=36), nullable=False),
        sa.Column("flow_viewers", sa.JSON(), nullable=False),
        sa.Column("flow_starters", sa.JSON(), nullable=False),
        sa.Column("flow_administrators", sa.JSON(), nullable=False),
        sa.Column("run_managers", sa.JSON(), nullable=False),
        sa.Column("run_monitors", sa.JSON(), nullable=False),
        sa.Column("subscription_id", sa.String(length=36), nullable=True),
        sa.Column("scope_string", sa.String(length=512), nullable=False),
        sa.Column("action_scopes", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_flows_flows")),
    )
    with op.batch_alter_table("flows_flows", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_flows_flows_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_flows_flows_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_flows_flows_updated_at"), ["updated_at"], unique=False)

    op.create_table(
        "flows_flow_roles",
        sa.Column("flow_id", sa.String(length=36), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("principal", sa.String(length=128), nullable=False),
        sa.ForeignKeyConstraint(
            ["flow_id"],
            ["flows_flows.id"],
            name=op.f("fk_flows_flow_roles_flow_id_flows_flows"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("flow_id", "role", "principal", name=op.f("pk_flows_flow_roles")),
    )
    with op.batch_alter_table("flows_flow_roles", schema=None) as batch_op:
        batch_op.create_index("ix_flows_flow_roles_principal", ["principal", "role"], unique=False)

    op.create_table(
        "flows_runs",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("flow_id", sa.String(length=36), nullable=False),
        sa.Column("flow_title", sa.String(length=255), nullable=False),
        sa.Column("flow_last_updated", sa.DateTime(timezone=True), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("input_schema", sa.JSON(), nullable=False),
        sa.Column("action_scopes", sa.JSON(), nullable=False),
        sa.Column("owner_id", sa.String(length=36), nullable=False),
        sa.Column("label", sa.String(length=255), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("run_managers", sa.JSON(), nullable=False),
        sa.Column("run_monitors", sa.JSON(), nullable=False),
        sa.Column("activity_notification_policy", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("input", sa.JSON(), nullable=False),
        sa.Column("context", sa.JSON(), nullable=False),
        sa.Column("public_root", sa.String(length=512), nullable=False),
        sa.Column("start_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completion_time", sa.DateTime(timezone=True), nullable=True),
        sa.Column("state_name", sa.String(length=255), nullable=True),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("state_entries", sa.JSON(), nullable=False),
        sa.Column("action", sa.JSON(), nullable=True),
        sa.Column("action_id", sa.String(length=255), nullable=True),
        sa.Column("action_started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("poll_interval", sa.Float(), nullable=False),
        sa.Column("wait_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("wait_then", sa.JSON(), nullable=True),
        sa.Column("cancel_requested", sa.Boolean(), nullable=False),
        sa.Column("log_count", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.String(length=36), nullable=True),
        sa.Column("released", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["flow_id"], ["flows_flows.id"], name=op.f("fk_flows_runs_flow_id_flows_flows")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_flows_runs")),
    )
    with op.batch_alter_table("flows_runs", schema=None) as batch_op:
        batch_op.create_index("ix_flows_runs_flow_start", ["flow_id", "start_time"], unique=False)
        batch_op.create_index(batch_op.f("ix_flows_runs_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_flows_runs_status"), ["status"], unique=False)

    op.create_table(
        "flows_run_log",
        sa.Column("run_id", sa.String(length=36), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["flows_runs.id"],
            name=op.f("fk_flows_run_log_run_id_flows_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("run_id", "seq", name=op.f("pk_flows_run_log")),
    )
    op.create_table(
        "flows_run_roles",
        sa.Column("run_id", sa.String(length=36), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("principal", sa.String(length=128), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["flows_runs.id"],
            name=op.f("fk_flows_run_roles_run_id_flows_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("run_id", "role", "principal", name=op.f("pk_flows_run_roles")),
    )
    with op.batch_alter_table("flows_run_roles", schema=None) as batch_op:
        batch_op.create_index("ix_flows_run_roles_principal", ["principal", "role"], unique=False)

    op.create_table(
        "flows_run_tokens",
        sa.Column("run_id", sa.String(length=36), nullable=False),
        sa.Column("scope", sa.String(length=512), nullable=False),
        sa.Column("resource_server", sa.String(length=255), nullable=False),
        sa.Column("access_token", sa.Text(), nullable=False),
        sa.Column("refresh_token", sa.Text(), nullable=True),
        sa.Column("expires_at", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["flows_runs.id"],
            name=op.f("fk_flows_run_tokens_run_id_flows_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("run_id", "scope", name=op.f("pk_flows_run_tokens")),
    )


def downgrade() -> None:
    op.drop_table("flows_run_tokens")
    with op.batch_alter_table("flows_run_roles", schema=None) as batch_op:
        batch_op.drop_index("ix_flows_run_roles_principal")

    op.drop_table("flows_run_roles")
    op.drop_table("flows_run_log")
    with op.batch_alter_table("flows_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_flows_runs_status"))
        batch_op.drop_index(batch_op.f("ix_flows_runs_owner_id"))
        batch_op.drop_index("ix_flows_runs_flow_start")

    op.drop_table("flows_runs")
    with op.batch_alter_table("flows_flow_roles", schema=None) as batch_op:
        batch_op.drop_index("ix_flows_flow_roles_principal")

    op.drop_table("flows_flow_roles")
    with op.batch_alter_table("flows_flows", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_flows_flows_updated_at"))
        batch_op.drop_index(batch_op.f("ix_flows_flows_owner_id"))
        batch_op.drop_index(batch_op.f("ix_flows_flows_created_at"))

    op.drop_table("flows_flows")
