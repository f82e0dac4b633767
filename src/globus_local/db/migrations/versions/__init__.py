"""Schema revisions, oldest first; create new ones with ``python -m globus_local.schema revision``."""
