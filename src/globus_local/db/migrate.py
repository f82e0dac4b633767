"""Schema migrations with Alembic, configured in code (no alembic.ini needed at run time).

The revisions live in ``globus_local/db/migrations/versions``; the commands that write and
apply them are ``python -m globus_local.schema``. Everything here works on
``Base.metadata`` as the caller loaded it: the layers above import the models
(``globus_local.kit.service.load_models``), so this package imports no service.
"""

from __future__ import annotations

import importlib.util
import logging
import tempfile
import typing as t
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.types import TypeDecorator

from globus_local.db.base import Base
from globus_local.db.database import Database

log = logging.getLogger("globus_local.db.migrate")

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
VERSIONS_DIR = MIGRATIONS_DIR / "versions"
# PostgreSQL advisory lock id serialising schema changes between processes starting together.
_PG_LOCK_KEY = 7_470_231_001


def render_item(type_: str, obj: t.Any, autogen_context: t.Any) -> str | t.Literal[False]:
    """Render our TypeDecorators as their plain SQLAlchemy type: revisions import no app code."""
    if type_ == "type" and isinstance(obj, TypeDecorator):
        impl = obj.impl_instance
        if type(impl).__module__.startswith("sqlalchemy.sql"):
            return f"sa.{impl!r}"
    return False


def alembic_config(
    url: str,
    *,
    versions_dir: Path | None = None,
    connection: Connection | None = None,
) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("path_separator", "os")
    cfg.set_main_option("version_locations", str(versions_dir or VERSIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    cfg.set_main_option("file_template", "%%(year)d%%(month).2d%%(day).2d_%%(rev)s_%%(slug)s")
    if importlib.util.find_spec("ruff") is not None:
        cfg.set_section_option("post_write_hooks", "hooks", "ruff_fix, ruff_format")
        for name, args in (
            ("ruff_fix", "check --fix --exit-zero --silent"),
            ("ruff_format", "format --silent"),
        ):
            cfg.set_section_option("post_write_hooks", f"{name}.type", "module")
            cfg.set_section_option("post_write_hooks", f"{name}.module", "ruff")
            cfg.set_section_option(
                "post_write_hooks", f"{name}.options", f"{args} REVISION_SCRIPT_FILENAME"
            )
    cfg.attributes["connection"] = connection
    return cfg


def has_revisions(versions_dir: Path | None = None) -> bool:
    script = ScriptDirectory.from_config(alembic_config("sqlite://", versions_dir=versions_dir))
    return bool(script.get_heads())


@contextmanager
def schema_lock(db: Database) -> t.Iterator[Connection]:
    """A transaction that only one process at a time holds while changing the schema."""
    if db.dialect == "postgresql":
        with db.engine.begin() as conn:
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
            yield conn
        return
    database = make_url(db.url).database
    if db.dialect != "sqlite" or not database or database == ":memory:":
        with db.engine.begin() as conn:
            yield conn
        return
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no cross-process lock
        fcntl = None  # type: ignore[assignment]
    with open(f"{database}.schema-lock", "a+") as lock_file:
        if fcntl is not None:
            fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            with db.engine.begin() as conn:
                yield conn
        finally:
            if fcntl is not None:
                fcntl.flock(lock_file, fcntl.LOCK_UN)


def upgrade_schema(
    db: Database, revision: str = "head", *, versions_dir: Path | None = None
) -> None:
    """Bring the database to ``revision``.

    While no revision exists yet (models still being written), the tables are created
    straight from the models instead. A database made that way before the first revision
    is adopted: missing tables are created and it is stamped at head. The models must be
    loaded.
    """
    with schema_lock(db) as conn:
        if not has_revisions(versions_dir):
            Base.metadata.create_all(conn)
            return
        cfg = alembic_config(db.url, versions_dir=versions_dir, connection=conn)
        tables = set(inspect(conn).get_table_names())
        if "alembic_version" not in tables and tables & set(Base.metadata.tables):
            log.warning("database predates migrations: creating missing tables, stamping head")
            Base.metadata.create_all(conn)
            command.stamp(cfg, "head")
            return
        command.upgrade(cfg, revision)


@contextmanager
def scratch_config(versions_dir: Path | None = None) -> t.Iterator[Config]:
    """Config for a throwaway SQLite database at the newest revision (for autogenerate);
    the models must be loaded."""
    with tempfile.TemporaryDirectory(prefix="globus-local-migrate-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'scratch.sqlite3'}"
        cfg = alembic_config(url, versions_dir=versions_dir)
        if has_revisions(versions_dir):
            command.upgrade(cfg, "head")
        yield cfg


def make_revision(
    message: str, *, autogenerate: bool = True, versions_dir: Path | None = None
) -> list[Path]:
    """Write a new revision (diffing the models against the newest one); returns its file(s)."""
    with scratch_config(versions_dir) as cfg:
        scripts = command.revision(cfg, message=message, autogenerate=autogenerate)
    if scripts is None:
        return []
    items = scripts if isinstance(scripts, list) else [scripts]
    return [Path(s.path) for s in items if s is not None]


def check_models(versions_dir: Path | None = None) -> None:
    """Raise ``AutogenerateDiffsDetected`` when the models need a new revision."""
    with scratch_config(versions_dir) as cfg:
        command.check(cfg)
