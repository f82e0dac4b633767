"""Alembic runtime environment: the target is ``Base.metadata``, every model loaded by the
caller (``globus_local.schema``, the app at start).

``globus_local.db.migrate`` builds the Alembic config in code and may hand over an open
connection (``config.attributes["connection"]``) so the upgrade runs inside its lock.
"""

from __future__ import annotations

import typing as t

from alembic import context
from sqlalchemy import create_engine, pool

from globus_local.db import Base
from globus_local.db.database import normalize_url
from globus_local.db.migrate import render_item

config = context.config
target_metadata = Base.metadata


def _configure(**kwargs: t.Any) -> None:
    context.configure(
        target_metadata=target_metadata,
        compare_type=True,
        # Batch mode lets SQLite (no ALTER for most changes) run the same revisions as PostgreSQL.
        render_as_batch=True,
        render_item=render_item,
        **kwargs,
    )


def run_offline() -> None:
    _configure(
        url=normalize_url(config.get_main_option("sqlalchemy.url") or ""), literal_binds=True
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(
        normalize_url(config.get_main_option("sqlalchemy.url") or ""), poolclass=pool.NullPool
    )
    with engine.connect() as conn:
        _configure(connection=conn)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
