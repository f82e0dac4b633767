"""Alembic environment for the platform schema (configured in code by ``globus_local.db.migrate``; commands in ``globus_local.schema``)."""
