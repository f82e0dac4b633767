"""Group membership as a principal for other services (Search ``visible_to``, Transfer
access rules): an identity set stands for its identity URNs plus the URNs of every group
one of its identities is an active member of."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from globus_local.services.groups.models import Membership, MembershipStatus

IDENTITY_URN_PREFIX = "urn:globus:auth:identity:"
GROUP_URN_PREFIX = "urn:globus:groups:id:"


def group_ids_for_identities(session: Session, identity_ids: Iterable[str]) -> set[str]:
    ids = sorted(set(identity_ids))
    if not ids:
        return set()
    rows = session.scalars(
        select(Membership.group_id).where(
            Membership.identity_id.in_(ids), Membership.status == MembershipStatus.ACTIVE
        )
    )
    return set(rows)


def group_ids_for_identity(session: Session, identity_id: str) -> set[str]:
    """Groups in which ``identity_id`` has an active membership."""
    return group_ids_for_identities(session, [identity_id])


def principal_urns_for(session: Session, identity_set: Iterable[str]) -> set[str]:
    """``urn:globus:auth:identity:<id>`` for each identity and ``urn:globus:groups:id:<gid>``
    for each group any of them actively belongs to."""
    ids = set(identity_set)
    urns = {IDENTITY_URN_PREFIX + i for i in ids}
    urns.update(GROUP_URN_PREFIX + g for g in group_ids_for_identities(session, ids))
    return urns
