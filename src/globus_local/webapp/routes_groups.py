"""Groups: my groups, a group's page (members, policies, invitations) and every membership
action, each through the Groups API (``/groups/v2``) and Auth's identity lookup.

What a page shows and which buttons it offers follow the group document the API returns
(``my_memberships``, ``memberships``, ``policies``, ``allowed_actions``): the page never
decides a right itself, and the API refuses whatever the page might still get wrong.
"""

from __future__ import annotations

import re
import typing as t
import uuid

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from globus_local.services.groups.models import SIGNUP_FIELDS
from globus_local.webapp import pages
from globus_local.webapp.pages import Services, User
from globus_local.webapp.platform_api import ApiError

router = APIRouter(prefix="/app", include_in_schema=False)

ROLES = ("member", "manager", "admin")
# Statuses the list page asks for: where the user is in, or waiting to be.
LISTED_STATUSES = "active,invited,pending"
# Memberships shown in the members table; the others (left, removed...) are past members.
CURRENT_STATUSES = ("active", "invited", "pending")
# Actions a manager takes on someone else's membership, and those a user takes on their own.
MEMBER_ACTIONS = {
    "change_role": "Role changed",
    "remove": "Member removed",
    "approve": "Request approved",
    "reject": "Request rejected",
}
SELF_ACTIONS = {
    "accept": "Invitation accepted: you are a member",
    "decline": "Invitation declined",
    "join": "You joined the group",
    "request_join": "Request sent: a manager of the group will decide",
    "leave": "You left the group",
}
# The list page looks up member counts of groups the user does not manage one by one;
# past this many it shows none rather than making the page slow.
MAX_COUNT_LOOKUPS = 25
MAX_INVITES = 50
UUID_IN_TEXT = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
GROUP_INCLUDES = "my_memberships,memberships,policies,allowed_actions"


def _group_url(group_id: str) -> str:
    return f"/app/groups/{group_id}"


def _check_id(value: str, what: str = "group") -> str:
    """A UUID from the path or a form; anything else is a 404 page, not an API call."""
    try:
        return str(uuid.UUID(value.strip()))
    except ValueError:
        raise ApiError(404, "NOT_FOUND", f"There is no {what} with ID {value!r}.") from None


def _best_membership(memberships: list[dict[str, t.Any]]) -> dict[str, t.Any] | None:
    """The membership that says most about the user (active over invited over pending,
    the higher role first) when several of their identities are in a group."""
    order = {status: i for i, status in enumerate(CURRENT_STATUSES)}
    ranked = sorted(
        memberships,
        key=lambda m: (order.get(m.get("status", ""), 9), -ROLES.index(m.get("role", "member"))),
    )
    return ranked[0] if ranked else None


async def _member_counts(
    calls: Services, groups: list[dict[str, t.Any]]
) -> dict[str, dict[str, int]]:
    """Per group, counts by status: from ``/groups/statuses`` for groups the user manages,
    and for others the active members the group's policy lets a member see."""
    try:
        counts: dict[str, dict[str, int]] = await calls.get("groups", "/groups/statuses")
    except ApiError:  # the list still stands without its counts
        counts = {}
    lookups = 0
    for group in groups:
        mine = group.get("mine") or {}
        if group["id"] in counts or mine.get("status") != "active":
            continue
        if lookups >= MAX_COUNT_LOOKUPS:
            break
        lookups += 1
        try:
            doc = await calls.get("groups", f"/groups/{group['id']}", include="memberships")
        except ApiError:
            continue
        if "memberships" in doc:
            active = sum(1 for m in doc["memberships"] if m.get("status") == "active")
            counts[group["id"]] = {"active": active}
    return counts


@router.get("/groups", response_class=HTMLResponse)
async def groups_page(request: Request, user: User) -> HTMLResponse:
    calls = pages.services(request, user)
    groups = await calls.get("groups", "/groups/my_groups", statuses=LISTED_STATUSES)
    for group in groups:
        group["mine"] = _best_membership(group.get("my_memberships", []))
    invitations = [g for g in groups if g["mine"] and g["mine"]["status"] == "invited"]
    listed = [g for g in groups if g not in invitations]
    counts = await _member_counts(calls, listed)
    return pages.render(
        request,
        "groups.html",
        user,
        section="groups",
        title="Groups",
        groups=listed,
        invitations=invitations,
        counts=counts,
    )


@router.get("/groups/open")
async def open_group(request: Request, user: User, group_id: str = "") -> RedirectResponse:
    """The "open a group" form (its ID, or the link its admins shared): groups one may
    join are reached that way."""
    found = UUID_IN_TEXT.search(group_id)
    if found is None:
        return pages.redirect(
            request, "/app/groups", ("error", f"{group_id!r} is not a group ID or link.")
        )
    return pages.redirect(request, _group_url(found.group(0).lower()))


@router.post("/groups")
async def create_group(request: Request, user: User) -> RedirectResponse:
    form = await pages.checked_form(request, user)
    name = form.get("name", "").strip()
    if not name:
        return pages.redirect(request, "/app/groups", ("error", "Give the group a name."))
    body: dict[str, t.Any] = {"name": name}
    description = form.get("description", "").strip()
    if description:
        body["description"] = description
    try:
        group = await pages.services(request, user).post("groups", "/groups", body)
    except ApiError as err:
        return pages.redirect(request, "/app/groups", ("error", pages.error_message(err)))
    return pages.redirect(request, _group_url(group["id"]), ("ok", f"Group {name!r} created"))


async def _names(calls: Services, identity_ids: list[str]) -> dict[str, dict[str, t.Any]]:
    """Auth's identity records of the members (for their names), by identity ID; without
    them the members table falls back to the usernames Groups reports."""
    found: dict[str, dict[str, t.Any]] = {}
    unique = list(dict.fromkeys(identity_ids))
    for start in range(0, len(unique), 100):
        chunk = unique[start : start + 100]
        try:
            doc = await calls.get("auth", "/v2/api/identities", ids=",".join(chunk))
        except ApiError:
            return found
        for identity in doc.get("identities", []):
            found[identity["id"]] = identity
    return found


def _how_to_join(policies: dict[str, t.Any]) -> str:
    """The group's policies in one sentence, as the Groups API applies them to newcomers."""
    if policies.get("group_visibility") != "authenticated":
        return "Private: only people who are invited can see the group and join it."
    if policies.get("join_requests"):
        return "Anyone signed in can see the group and ask to join; a manager approves."
    if policies.get("is_high_assurance") or policies.get("signup_fields"):
        return "Anyone signed in can see the group; only people who are invited can join."
    return "Open: anyone signed in can see the group and join it at once."


@router.get("/groups/{group_id}", response_class=HTMLResponse)
async def group_page(request: Request, user: User, group_id: str) -> HTMLResponse:
    calls = pages.services(request, user)
    try:
        group = await calls.get("groups", f"/groups/{_check_id(group_id)}", include=GROUP_INCLUDES)
    except ApiError as err:
        return pages.page_error(request, user, err, section="groups")
    allowed = group.get("allowed_actions", {})
    me = {user.identity_id, *(m["identity_id"] for m in group.get("my_memberships", []))}
    members = group.get("memberships")
    names = await _names(calls, [m["identity_id"] for m in members]) if members else {}
    current = [m for m in members or [] if m.get("status") in CURRENT_STATUSES]
    past = [m for m in members or [] if m.get("status") not in CURRENT_STATUSES]
    policies = group.get("policies", {})
    mine = _best_membership(group.get("my_memberships", []))
    admins = [m for m in current if m.get("role") == "admin" and m.get("status") == "active"]
    return pages.render(
        request,
        "groups_detail.html",
        user,
        section="groups",
        title=group["name"],
        group=group,
        mine=mine,
        link=str(request.url.replace(query="", fragment="")),
        # the API refuses the last admin's leaving; the page says so instead of offering it
        sole_admin=bool(mine and mine.get("role") == "admin" and len(admins) == 1),
        me=me,
        allowed={action: bool(ids) for action, ids in allowed.items()},
        members_visible=members is not None,
        current=current,
        past=past,
        names=names,
        policies=policies,
        how_to_join=_how_to_join(policies),
        signup_fields=SIGNUP_FIELDS,
        roles=ROLES,
    )


async def _batch(
    request: Request, user: User, group_id: str, action: str, items: list[dict[str, t.Any]]
) -> RedirectResponse | None:
    """One batch membership action; a redirect back with the error when any item failed."""
    calls = pages.services(request, user)
    try:
        result = await calls.post("groups", f"/groups/{group_id}", {action: items})
    except ApiError as err:
        return pages.redirect(request, _group_url(group_id), ("error", pages.error_message(err)))
    failed = result.get("errors", {}).get(action, [])
    if failed:
        message = "; ".join(f"{e.get('detail')} ({e.get('code')})" for e in failed)
        return pages.redirect(request, _group_url(group_id), ("error", message))
    return None


def _usernames(text: str) -> list[str]:
    return list(dict.fromkeys(u for u in re.split(r"[\s,;]+", text) if u))


@router.post("/groups/{group_id}/invite")
async def invite(request: Request, user: User, group_id: str) -> RedirectResponse:
    form = await pages.checked_form(request, user)
    group_id = _check_id(group_id)
    back = _group_url(group_id)
    usernames = _usernames(form.get("usernames", ""))
    role = form.get("role", "member")
    if not usernames:
        return pages.redirect(request, back, ("error", "Enter the username of who to invite."))
    if len(usernames) > MAX_INVITES:
        return pages.redirect(
            request, back, ("error", f"Invite at most {MAX_INVITES} people at once.")
        )
    calls = pages.services(request, user)
    try:
        found = await calls.get("auth", "/v2/api/identities", usernames=",".join(usernames))
    except ApiError as err:
        return pages.redirect(request, back, ("error", pages.error_message(err)))
    identities = found.get("identities", [])
    known = {i["username"].lower() for i in identities}
    unknown = [u for u in usernames if u.lower() not in known]
    if unknown:
        return pages.redirect(
            request, back, ("error", "No user with the username " + ", ".join(unknown) + ".")
        )
    items = [{"identity_id": i["id"], "role": role} for i in identities]
    failed = await _batch(request, user, group_id, "invite", items)
    done = ", ".join(i["username"] for i in identities)
    return failed or pages.redirect(request, back, ("ok", f"Invited {done} as {role}"))


@router.post("/groups/{group_id}/members/{identity_id}/{action}")
async def member_action(
    request: Request, user: User, group_id: str, identity_id: str, action: str
) -> RedirectResponse:
    """A manager's action on one membership: change its role, remove it, decide a request."""
    form = await pages.checked_form(request, user)
    group_id = _check_id(group_id)
    if action not in MEMBER_ACTIONS:
        raise ApiError(404, "NOT_FOUND", f"There is no member action {action!r}.")
    item: dict[str, t.Any] = {"identity_id": _check_id(identity_id, "identity")}
    if action == "change_role":
        item["role"] = form.get("role", "")
    failed = await _batch(request, user, group_id, action, [item])
    return failed or pages.redirect(request, _group_url(group_id), ("ok", MEMBER_ACTIONS[action]))


@router.post("/groups/{group_id}/me/{action}")
async def self_action(request: Request, user: User, group_id: str, action: str) -> RedirectResponse:
    """The user's own membership: accept or decline an invitation, join, ask, leave.
    It acts as the identity the API lists for that action (else the logged-in one)."""
    form = await pages.checked_form(request, user)
    group_id = _check_id(group_id)
    if action not in SELF_ACTIONS:
        raise ApiError(404, "NOT_FOUND", f"There is no action {action!r}.")
    calls = pages.services(request, user)
    try:
        group = await calls.get("groups", f"/groups/{group_id}", include="allowed_actions")
    except ApiError as err:
        return pages.redirect(request, "/app/groups", ("error", pages.error_message(err)))
    allowed = group.get("allowed_actions", {}).get(action) or [user.identity_id]
    failed = await _batch(request, user, group_id, action, [{"identity_id": allowed[0]}])
    if failed is not None:
        return failed
    # after leaving or declining a private group, its page is no longer the user's to see
    to = "/app/groups" if form.get("back") == "list" or action in ("leave", "decline") else None
    return pages.redirect(request, to or _group_url(group_id), ("ok", SELF_ACTIONS[action]))


@router.post("/groups/{group_id}/policies")
async def set_policies(request: Request, user: User, group_id: str) -> RedirectResponse:
    form = await pages.checked_form(request, user)
    group_id = _check_id(group_id)
    body = {
        "group_visibility": form.get("group_visibility"),
        "group_members_visibility": form.get("group_members_visibility"),
        "join_requests": form.get("join_requests") == "on",
        "is_high_assurance": form.get("is_high_assurance") == "on",
        "signup_fields": [f for f in SIGNUP_FIELDS if form.get(f"signup_{f}") == "on"],
    }
    back = _group_url(group_id)
    try:
        await pages.services(request, user).put("groups", f"/groups/{group_id}/policies", body)
    except ApiError as err:
        return pages.redirect(request, back, ("error", pages.error_message(err)))
    return pages.redirect(request, back, ("ok", "Policies saved"))


@router.post("/groups/{group_id}/edit")
async def edit_group(request: Request, user: User, group_id: str) -> RedirectResponse:
    form = await pages.checked_form(request, user)
    group_id = _check_id(group_id)
    back = _group_url(group_id)
    name = form.get("name", "").strip()
    if not name:
        return pages.redirect(request, back, ("error", "A group needs a name."))
    body = {"name": name, "description": form.get("description", "").strip() or None}
    try:
        await pages.services(request, user).put("groups", f"/groups/{group_id}", body)
    except ApiError as err:
        return pages.redirect(request, back, ("error", pages.error_message(err)))
    return pages.redirect(request, back, ("ok", "Group details saved"))


@router.post("/groups/{group_id}/delete")
async def delete_group(request: Request, user: User, group_id: str) -> RedirectResponse:
    await pages.checked_form(request, user)
    group_id = _check_id(group_id)
    try:
        group = await pages.services(request, user).delete("groups", f"/groups/{group_id}")
    except ApiError as err:
        return pages.redirect(request, _group_url(group_id), ("error", pages.error_message(err)))
    return pages.redirect(request, "/app/groups", ("ok", f"Group {group['name']!r} deleted"))
