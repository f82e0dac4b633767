"""Transfer's endpoint-side tables: endpoints (hosts and shares), servers, roles, access
rules, bookmarks and who used which endpoint when."""

from __future__ import annotations

import datetime as dt
import typing as t
from dataclasses import dataclass

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from globus_local.db import Base, utcnow

UUID_LEN = 36

ENTITY_GCP_MAPPED = "GCP_mapped_collection"
ENTITY_GCP_GUEST = "GCP_guest_collection"
ROLE_NAMES = ("administrator", "access_manager", "activity_manager", "activity_monitor")
PRINCIPAL_TYPES = ("identity", "group", "all_authenticated_users", "anonymous")


class Endpoint(Base):
    """A Globus Connect Personal style endpoint on real storage, or a shared endpoint
    (guest collection) exposing ``host_path`` of its host endpoint."""

    __tablename__ = "transfer_endpoints"

    id: Mapped[str] = mapped_column(String(UUID_LEN), primary_key=True)
    display_name: Mapped[str] = mapped_column(String(255))
    owner_id: Mapped[str] = mapped_column(String(UUID_LEN), index=True)
    owner_string: Mapped[str] = mapped_column(String(255))
    entity_type: Mapped[str] = mapped_column(String(32), default=ENTITY_GCP_MAPPED)
    is_globus_connect: Mapped[bool] = mapped_column(Boolean, default=True)
    public: Mapped[bool] = mapped_column(Boolean, default=False)
    description: Mapped[str | None] = mapped_column(Text, default=None)
    organization: Mapped[str | None] = mapped_column(String(255), default=None)
    department: Mapped[str | None] = mapped_column(String(255), default=None)
    keywords: Mapped[str | None] = mapped_column(Text, default=None)
    default_directory: Mapped[str | None] = mapped_column(Text, default=None)
    # Host directory or fsspec URL (``s3://bucket/prefix``); None for shared endpoints.
    storage_url: Mapped[str | None] = mapped_column(Text, default=None)
    storage_options: Mapped[dict[str, t.Any] | None] = mapped_column(JSON, default=None)
    host_endpoint_id: Mapped[str | None] = mapped_column(
        ForeignKey("transfer_endpoints.id", ondelete="CASCADE"), default=None, index=True
    )
    host_path: Mapped[str | None] = mapped_column(Text, default=None)
    globus_connect_setup_key: Mapped[str | None] = mapped_column(String(64), default=None)
    # Every other documented, settable field (contact_email, location, max_concurrency...).
    settings: Mapped[dict[str, t.Any]] = mapped_column(JSON, default=dict)
    created: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_accessed: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    # Loaded with the share so its storage is known even after the session has closed.
    host_endpoint: Mapped[Endpoint | None] = relationship(
        remote_side=[id], lazy="joined", join_depth=1, passive_deletes=True
    )

    @property
    def is_shared(self) -> bool:
        return self.host_endpoint_id is not None


class EndpointServer(Base):
    __tablename__ = "transfer_endpoint_servers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    endpoint_id: Mapped[str] = mapped_column(
        ForeignKey("transfer_endpoints.id", ondelete="CASCADE"), index=True
    )
    hostname: Mapped[str] = mapped_column(String(255))
    port: Mapped[int] = mapped_column(Integer, default=2811)
    scheme: Mapped[str] = mapped_column(String(16), default="gsiftp")
    subject: Mapped[str | None] = mapped_column(Text, default=None)
    is_paused: Mapped[bool] = mapped_column(Boolean, default=False)
    incoming_data_port_start: Mapped[int | None] = mapped_column(Integer, default=None)
    incoming_data_port_end: Mapped[int | None] = mapped_column(Integer, default=None)
    outgoing_data_port_start: Mapped[int | None] = mapped_column(Integer, default=None)
    outgoing_data_port_end: Mapped[int | None] = mapped_column(Integer, default=None)


class EndpointRole(Base):
    __tablename__ = "transfer_endpoint_roles"

    id: Mapped[str] = mapped_column(String(UUID_LEN), primary_key=True)
    endpoint_id: Mapped[str] = mapped_column(
        ForeignKey("transfer_endpoints.id", ondelete="CASCADE"), index=True
    )
    principal_type: Mapped[str] = mapped_column(String(32))
    principal: Mapped[str] = mapped_column(String(UUID_LEN), index=True)
    role: Mapped[str] = mapped_column(String(32))
    created: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AccessRule(Base):
    __tablename__ = "transfer_access_rules"

    id: Mapped[str] = mapped_column(String(UUID_LEN), primary_key=True)
    endpoint_id: Mapped[str] = mapped_column(
        ForeignKey("transfer_endpoints.id", ondelete="CASCADE"), index=True
    )
    principal_type: Mapped[str] = mapped_column(String(32))
    principal: Mapped[str] = mapped_column(String(UUID_LEN), default="", index=True)
    path: Mapped[str] = mapped_column(Text)
    permissions: Mapped[str] = mapped_column(String(4))
    notify_email: Mapped[str | None] = mapped_column(String(255), default=None)
    created_by: Mapped[str | None] = mapped_column(String(UUID_LEN), default=None)
    create_time: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expiration_date: Mapped[dt.datetime | None] = mapped_column(
        DateTime(timezone=True), default=None
    )


class Bookmark(Base):
    __tablename__ = "transfer_bookmarks"

    id: Mapped[str] = mapped_column(String(UUID_LEN), primary_key=True)
    owner_id: Mapped[str] = mapped_column(String(UUID_LEN), index=True)
    name: Mapped[str] = mapped_column(String(255))
    endpoint_id: Mapped[str] = mapped_column(
        ForeignKey("transfer_endpoints.id", ondelete="CASCADE"), index=True
    )
    path: Mapped[str] = mapped_column(Text)
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    created: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class EndpointUsage(Base):
    """When an identity last used an endpoint (``recently-used`` search scope)."""

    __tablename__ = "transfer_endpoint_usage"

    identity_id: Mapped[str] = mapped_column(String(UUID_LEN), primary_key=True)
    endpoint_id: Mapped[str] = mapped_column(
        ForeignKey("transfer_endpoints.id", ondelete="CASCADE"), primary_key=True
    )
    last_used: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


# -- rows read without the ORM (endpoints.read_document) ------------------------------------
@dataclass(frozen=True)
class HostRecord:
    """What an endpoint document shows of a share's host endpoint."""

    id: str
    display_name: str
    owner_id: str
    owner_string: str
    host_endpoint_id: str | None


@dataclass(frozen=True)
class EndpointRecord:
    """An endpoint row as a driver-level read gives it: the columns its document shows,
    under the names :class:`Endpoint` gives them."""

    id: str
    display_name: str
    owner_id: str
    owner_string: str
    entity_type: str
    is_globus_connect: bool
    public: bool
    description: str | None
    organization: str | None
    department: str | None
    keywords: str | None
    default_directory: str | None
    host_endpoint_id: str | None
    host_path: str | None
    globus_connect_setup_key: str | None
    settings: dict[str, t.Any]
    last_accessed: dt.datetime | None
    host_endpoint: HostRecord | None

    @property
    def is_shared(self) -> bool:
        return self.host_endpoint_id is not None


@dataclass(frozen=True)
class ServerRecord:
    """An endpoint server row read without the ORM (the columns of :class:`EndpointServer`)."""

    id: int
    endpoint_id: str
    hostname: str
    port: int
    scheme: str
    subject: str | None
    is_paused: bool
    incoming_data_port_start: int | None
    incoming_data_port_end: int | None
    outgoing_data_port_start: int | None
    outgoing_data_port_end: int | None
