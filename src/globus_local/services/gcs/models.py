"""The GCS Manager's tables: endpoints, storage gateways, collections, roles and user
credentials. Each row keeps the columns that are looked up or joined on; the rest of its
document (which grows with each document version) is kept as JSON."""

from __future__ import annotations

import datetime as dt
import typing as t

from sqlalchemy import JSON, DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from globus_local.db import Base, utcnow

UUID_LEN = 36


class GcsEndpoint(Base):
    """A Globus Connect Server endpoint whose GCS Manager API the platform serves."""

    __tablename__ = "gcs_endpoints"

    id: Mapped[str] = mapped_column(String(UUID_LEN), primary_key=True)
    display_name: Mapped[str] = mapped_column(String(255))
    owner_id: Mapped[str] = mapped_column(String(UUID_LEN), index=True)
    # Where clients reach its GCS Manager, without ``/api`` (as Transfer shows it).
    manager_url: Mapped[str] = mapped_column(Text)
    # The settable fields of the endpoint document (network_use, public, contact_email ...).
    fields: Mapped[dict[str, t.Any]] = mapped_column(JSON, default=dict)
    created: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class StorageGateway(Base):
    """Storage (a local directory or an S3 service) and who may reach it."""

    __tablename__ = "gcs_storage_gateways"

    id: Mapped[str] = mapped_column(String(UUID_LEN), primary_key=True)
    endpoint_id: Mapped[str] = mapped_column(
        ForeignKey("gcs_endpoints.id", ondelete="CASCADE"), index=True
    )
    connector_id: Mapped[str] = mapped_column(String(UUID_LEN))
    # The directory a POSIX gateway's paths start from; unused for S3.
    root: Mapped[str | None] = mapped_column(Text, default=None)
    # Every other field of the storage gateway document.
    fields: Mapped[dict[str, t.Any]] = mapped_column(JSON, default=dict)
    created: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Collection(Base):
    """A mapped or guest collection; also a Transfer endpoint with the same id."""

    __tablename__ = "gcs_collections"

    id: Mapped[str] = mapped_column(String(UUID_LEN), primary_key=True)
    endpoint_id: Mapped[str] = mapped_column(
        ForeignKey("gcs_endpoints.id", ondelete="CASCADE"), index=True
    )
    collection_type: Mapped[str] = mapped_column(String(16))
    storage_gateway_id: Mapped[str] = mapped_column(
        ForeignKey("gcs_storage_gateways.id", ondelete="CASCADE"), index=True
    )
    mapped_collection_id: Mapped[str | None] = mapped_column(
        ForeignKey("gcs_collections.id", ondelete="CASCADE"), default=None, index=True
    )
    user_credential_id: Mapped[str | None] = mapped_column(String(UUID_LEN), default=None)
    identity_id: Mapped[str] = mapped_column(String(UUID_LEN), index=True)
    created_by: Mapped[str] = mapped_column(String(UUID_LEN), index=True)
    # Absolute on the gateway (mapped) or relative to the mapped collection (guest).
    base_path: Mapped[str] = mapped_column(Text)
    # Every other field of the collection document.
    fields: Mapped[dict[str, t.Any]] = mapped_column(JSON, default=dict)
    created: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Role(Base):
    """A role on the endpoint (``collection_id`` None) or on one collection."""

    __tablename__ = "gcs_roles"

    id: Mapped[str] = mapped_column(String(UUID_LEN), primary_key=True)
    endpoint_id: Mapped[str] = mapped_column(
        ForeignKey("gcs_endpoints.id", ondelete="CASCADE"), index=True
    )
    collection_id: Mapped[str | None] = mapped_column(
        ForeignKey("gcs_collections.id", ondelete="CASCADE"), default=None, index=True
    )
    # ``urn:globus:auth:identity:<id>`` or ``urn:globus:groups:id:<id>``
    principal: Mapped[str] = mapped_column(String(80), index=True)
    role: Mapped[str] = mapped_column(String(32))
    created: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class UserCredential(Base):
    """Which storage username (and, for S3, which keys) an identity uses on a gateway."""

    __tablename__ = "gcs_user_credentials"

    id: Mapped[str] = mapped_column(String(UUID_LEN), primary_key=True)
    storage_gateway_id: Mapped[str] = mapped_column(
        ForeignKey("gcs_storage_gateways.id", ondelete="CASCADE"), index=True
    )
    identity_id: Mapped[str] = mapped_column(String(UUID_LEN), index=True)
    username: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str | None] = mapped_column(String(255), default=None)
    policies: Mapped[dict[str, t.Any]] = mapped_column(JSON, default=dict)
    created: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
