"""How an identity may come into a group by its own action: ``join`` or ``request_join``.

A group's policies make it one of three kinds:

- **open**: visible to every authenticated user, taking no join requests, not high
  assurance and asking no sign-up fields. Anyone may ``join`` it and is active at once;
  there is nothing for its managers to review.
- **by request**: taking join requests (``join_requests``). A newcomer ``request_join``\\ s
  and stays pending until a manager approves; ``join`` is refused, naming
  ``request_join``.
- **by invitation**: anything else (private, high assurance, or asking sign-up fields
  without taking requests). Only an invited identity gets in.

Whatever the kind, an invited identity may ``join`` (as ``accept`` does), and an identity
that managers removed or whose request they rejected cannot let itself back in: it may
only ask again (``request_join``, where the group takes requests), which its managers
review like any other request.
"""

from __future__ import annotations

from globus_local.services.groups.models import Group, Membership, MembershipStatus

# Statuses a manager's decision left: only a manager (invite, add) undoes them.
_SHUT_OUT = frozenset({MembershipStatus.REMOVED, MembershipStatus.REJECTED})


class JoinRefused(Exception):
    """A self-service join the group's policies do not allow: a code and its detail."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


def is_open(group: Group) -> bool:
    """Whether anyone may join without approval or invitation."""
    return (
        group.group_visibility == "authenticated"
        and not group.join_requests
        and not group.is_high_assurance
        and not group.signup_fields
    )


def check_join(group: Group, membership: Membership | None) -> None:
    """Refuse a direct ``join`` the group does not allow this identity (its current
    membership, if any); return when it may become active."""
    status = membership.status if membership is not None else None
    if status == MembershipStatus.ACTIVE:
        raise JoinRefused(
            "ALREADY_ACTIVE", "The identity is already an active member of the group."
        )
    if status == MembershipStatus.INVITED:
        return
    if status in _SHUT_OUT:
        raise JoinRefused(
            "JOIN_NOT_ALLOWED",
            f"The identity's membership was {status} by the group's managers; "
            "it can only come back by invitation or an approved request.",
        )
    if is_open(group):
        return
    if group.join_requests:
        raise JoinRefused(
            "JOIN_NOT_ALLOWED",
            "The group requires approval to join; use request_join to ask its managers.",
        )
    raise JoinRefused("JOIN_NOT_ALLOWED", f"The group can only be joined by {_why_invited(group)}.")


def _why_invited(group: Group) -> str:
    if group.is_high_assurance:
        return "invitation: it is high assurance"
    if group.signup_fields:
        return "invitation: it asks for sign-up fields and takes no join requests"
    return "invitation"


def check_request_join(group: Group, membership: Membership | None) -> None:
    """Refuse a ``request_join`` the group does not take from this identity."""
    if not group.join_requests:
        how = "join it directly" if is_open(group) else "ask for an invitation"
        raise JoinRefused(
            "JOIN_REQUESTS_NOT_ALLOWED", f"The group does not accept requests to join; {how}."
        )
    status = membership.status if membership is not None else None
    if status == MembershipStatus.ACTIVE:
        raise JoinRefused(
            "ALREADY_ACTIVE", "The identity is already an active member of the group."
        )
    if status == MembershipStatus.PENDING:
        raise JoinRefused("ALREADY_PENDING", "A request to join is already pending.")
    if status == MembershipStatus.INVITED:
        raise JoinRefused("ALREADY_INVITED", "The identity is invited; accept the invitation.")


def may_join(group: Group, membership: Membership | None) -> bool:
    try:
        check_join(group, membership)
    except JoinRefused:
        return False
    return True


def may_request_join(group: Group, membership: Membership | None) -> bool:
    try:
        check_request_join(group, membership)
    except JoinRefused:
        return False
    return True
