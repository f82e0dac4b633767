"""Groups' tables: groups (with their policies), memberships and identity preferences."""

from __future__ import annotations

import datetime as dt
import typing as t

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from globus_local.db import Base, StrEnum, utcnow

UUID_LEN = 36

ROLES = ("member", "manager", "admin")


class MembershipStatus(StrEnum):
    """Where one identity stands with one group (stored as its value)."""

    ACTIVE = "active"
    INVITED = "invited"
    PENDING = "pending"  # asked to join; a manager decides
    REJECTED = "rejected"
    REMOVED = "removed"
    LEFT = "left"
    DECLINED = "declined"


STATUSES = tuple(s.value for s in MembershipStatus)
GROUP_VISIBILITIES = ("authenticated", "private")
MEMBER_VISIBILITIES = ("members", "managers")
SIGNUP_FIELDS = (
    "institution",
    "current_project_name",
    "address",
    "city",
    "state",
    "country",
    "address1",
    "address2",
    "zip",
    "phone",
    "department",
    "field_of_science",
)
DEFAULT_SESSION_LIMIT = 28800


class Group(Base):
    """A group and its policies (one row: policies are always read with the group)."""

    __tablename__ = "groups_groups"

    id: Mapped[str] = mapped_column(String(UUID_LEN), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text, default=None)
    parent_id: Mapped[str | None] = mapped_column(
        ForeignKey("groups_groups.id"), default=None, index=True
    )
    group_type: Mapped[str] = mapped_column(String(16), default="regular")
    terms_and_conditions: Mapped[str | None] = mapped_column(Text, default=None)
    subscription_id: Mapped[str | None] = mapped_column(String(UUID_LEN), default=None)
    subscription_admin_verified_id: Mapped[str | None] = mapped_column(
        String(UUID_LEN), default=None
    )
    enforce_session: Mapped[bool] = mapped_column(Boolean, default=False)
    session_limit: Mapped[int] = mapped_column(Integer, default=DEFAULT_SESSION_LIMIT)
    # policies
    is_high_assurance: Mapped[bool] = mapped_column(Boolean, default=False)
    authentication_assurance_timeout: Mapped[int | None] = mapped_column(
        Integer, default=DEFAULT_SESSION_LIMIT
    )
    group_visibility: Mapped[str] = mapped_column(String(16), default="private")
    group_members_visibility: Mapped[str] = mapped_column(String(16), default="managers")
    join_requests: Mapped[bool] = mapped_column(Boolean, default=False)
    signup_fields: Mapped[list[str]] = mapped_column(JSON, default=list)
    created: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Membership(Base):
    """One identity's relation to one group; kept (with its final status) after it ends."""

    __tablename__ = "groups_memberships"
    __table_args__ = (UniqueConstraint("group_id", "identity_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    group_id: Mapped[str] = mapped_column(
        ForeignKey("groups_groups.id", ondelete="CASCADE"), index=True
    )
    identity_id: Mapped[str] = mapped_column(String(UUID_LEN), index=True)
    username: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default="member")
    status: Mapped[str] = mapped_column(String(16), default=MembershipStatus.ACTIVE.value)
    status_reason: Mapped[str | None] = mapped_column(Text, default=None)
    invite_email_address: Mapped[str | None] = mapped_column(String(255), default=None)
    invite_time: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    membership_fields: Mapped[dict[str, t.Any]] = mapped_column(JSON, default=dict)
    created: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class IdentityPreference(Base):
    """Per-identity Groups preferences (``allow_add``: may admins add me directly?)."""

    __tablename__ = "groups_identity_preferences"

    identity_id: Mapped[str] = mapped_column(String(UUID_LEN), primary_key=True)
    allow_add: Mapped[bool] = mapped_column(Boolean, default=True)
    updated: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


MODELS: tuple[type[t.Any], ...] = (Group, Membership, IdentityPreference)
