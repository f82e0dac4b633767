"""Search tables: indices, roles, entries (+ their visibility and field values), tasks.

The full-text index itself is not here: it is backend specific (an FTS5 virtual table or a
tsvector table) and is created by ``backends`` next to these tables.
"""

from __future__ import annotations

import datetime as dt
import typing as t

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from globus_local.db import Base, StrEnum, utcnow


class IndexStatus(StrEnum):
    """An index's status as Search reports it."""

    OPEN = "open"
    DELETE_PENDING = "delete-pending"  # deleted; its entries go with the next purge


class TaskState(StrEnum):
    """A write task's state as Search reports it."""

    PENDING = "PENDING"
    PROGRESS = "PROGRESS"
    SUCCESS = "SUCCESS"
    FAILED = "FAILED"


class SearchIndex(Base):
    __tablename__ = "search_indexes"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    display_name: Mapped[str] = mapped_column(String(1000))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(32), default="open")  # an IndexStatus
    is_trial: Mapped[bool] = mapped_column(Boolean, default=True)
    max_size_in_mb: Mapped[int] = mapped_column(Integer, default=1)
    creator_id: Mapped[str] = mapped_column(String(36))
    creation_date: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    content_last_modified: Mapped[dt.datetime | None] = mapped_column(
        DateTime(timezone=True), default=None
    )


class SearchRole(Base):
    __tablename__ = "search_roles"
    __table_args__ = (UniqueConstraint("index_id", "role_name", "principal"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    index_id: Mapped[str] = mapped_column(
        ForeignKey("search_indexes.id", ondelete="CASCADE"), index=True
    )
    role_name: Mapped[str] = mapped_column(String(16))
    principal: Mapped[str] = mapped_column(String(200))
    creation_date: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SearchEntry(Base):
    """One GMetaEntry: (subject, entry_id) within an index."""

    __tablename__ = "search_entries"
    __table_args__ = (
        UniqueConstraint("index_id", "subject", "entry_key"),
        Index("ix_search_entries_index_subject", "index_id", "subject"),
        # Entries with an id (the only way a subject gets several): one probe tells
        # whether a search must group its matches by subject.
        Index(
            "ix_search_entries_keyed",
            "index_id",
            "entry_key",
            sqlite_where=text("entry_key <> ''"),
            postgresql_where=text("entry_key <> ''"),
        ),
    )

    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    index_id: Mapped[str] = mapped_column(ForeignKey("search_indexes.id", ondelete="CASCADE"))
    subject: Mapped[str] = mapped_column(Text)
    entry_id: Mapped[str | None] = mapped_column(Text, default=None)
    # entry_id made non-null for the unique key: "" for null, "=" + id otherwise.
    entry_key: Mapped[str] = mapped_column(Text)
    visible_to: Mapped[list[str]] = mapped_column(JSON)
    # Shortcut for the common case: readable by anyone, no visibility join needed.
    is_public: Mapped[bool] = mapped_column(Boolean, default=False)
    size_bytes: Mapped[int] = mapped_column(Integer, default=0)
    modified: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SearchEntryContent(Base):
    """An entry's content (JSON text), apart so that entry rows stay small and quick to join."""

    __tablename__ = "search_entry_contents"

    entry_pk: Mapped[int] = mapped_column(
        ForeignKey("search_entries.pk", ondelete="CASCADE"), primary_key=True
    )
    content: Mapped[str] = mapped_column(Text)


class SearchVisibility(Base):
    """One principal an entry is visible to (its ``visible_to`` list, one row each)."""

    __tablename__ = "search_visibility"
    __table_args__ = (Index("ix_search_visibility_entry_principal", "entry_pk", "principal"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entry_pk: Mapped[int] = mapped_column(ForeignKey("search_entries.pk", ondelete="CASCADE"))
    principal: Mapped[str] = mapped_column(String(200))


class SearchField(Base):
    """One scalar of an entry's content at a dotted path, typed for filters, facets and sort."""

    __tablename__ = "search_fields"
    __table_args__ = (
        Index("ix_search_fields_entry_path", "entry_pk", "path"),
        # Filters select the entries having a value: ending with entry_pk, these indexes
        # answer them alone, without a lookup of each field row.
        Index("ix_search_fields_index_path_text", "index_id", "path", "value_text", "entry_pk"),
        Index("ix_search_fields_index_path_num", "index_id", "path", "value_num", "entry_pk"),
        Index("ix_search_fields_index_path_date", "index_id", "path", "value_date", "entry_pk"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entry_pk: Mapped[int] = mapped_column(ForeignKey("search_entries.pk", ondelete="CASCADE"))
    index_id: Mapped[str] = mapped_column(String(36))
    path: Mapped[str] = mapped_column(Text)
    value_text: Mapped[str] = mapped_column(Text)
    value_num: Mapped[float | None] = mapped_column(Float, default=None)
    value_date: Mapped[float | None] = mapped_column(Float, default=None)


class SearchTask(Base):
    """An asynchronous write (ingest, delete...): applied in ``seq`` order per index."""

    __tablename__ = "search_tasks"
    __table_args__ = (Index("ix_search_tasks_index_state_seq", "index_id", "state", "seq"),)

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    task_id: Mapped[str] = mapped_column(String(36), unique=True)
    index_id: Mapped[str] = mapped_column(String(36))
    task_type: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(16), default="PENDING")  # a TaskState
    state_description: Mapped[str] = mapped_column(Text, default="Task pending")
    # Deferred: an ingest's payload is its documents (megabytes); only applying the task
    # reads it, not reading the task's status.
    payload: Mapped[dict[str, t.Any]] = mapped_column(JSON, deferred=True)
    message: Mapped[str | None] = mapped_column(Text, default=None)
    additional_details: Mapped[dict[str, t.Any] | None] = mapped_column(JSON, default=None)
    creation_date: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    completion_date: Mapped[dt.datetime | None] = mapped_column(
        DateTime(timezone=True), default=None
    )
