"""globus-local: the Globus platform's REST services, self-hosted.

One ASGI app (``globus_local.app``) serves Auth, Transfer, Groups, Search, Flows, Actions and
GCS under their own path prefixes, with state in SQLAlchemy (SQLite or PostgreSQL).
"""

__version__ = "0.1.0"
