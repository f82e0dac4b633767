"""Collections: find endpoints and guest collections, see one, and manage its roles, its
sharing (guest collections and their access rules), its name and its life.

Every read and change is a Transfer call as the user (Auth for usernames, Groups for the
user's groups), so what a page offers is what the API lets that user do: a panel the user
may not manage shows the API's own refusal.
"""

from __future__ import annotations

import typing as t
import uuid
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from globus_local.webapp import pages
from globus_local.webapp.pages import Services, User
from globus_local.webapp.platform_api import ApiError

router = APIRouter(prefix="/app", include_in_schema=False)

SECTION = "collections"
PAGE_SIZE = 25
# The search tabs: (filter_scope, label, what an empty tab tells the user).
SCOPES = (
    ("all", "Search all", "No collection you can see matches that search."),
    ("my-endpoints", "Mine", "You own no collections yet."),
    ("administered-by-me", "Administered by me", "You administer no collections."),
    ("shared-with-me", "Shared with me", "Nobody has shared a guest collection with you yet."),
    ("recently-used", "Recently used", "You have not used any collection recently."),
)
SCOPE_NAMES = tuple(name for name, _, _ in SCOPES)
ROLE_NAMES = ("administrator", "access_manager", "activity_manager", "activity_monitor")
RULE_PRINCIPALS = ("identity", "group", "all_authenticated_users", "anonymous")
GUEST_TYPES = ("GCP_guest_collection", "GCSv4_share", "GCSv5_guest_collection")


class FormProblem(Exception):
    """A form the page can tell is incomplete before any call is made."""


def _page(below: str, /, **query: str) -> str:
    """A path in this section with its query string."""
    kept = {k: v for k, v in query.items() if v}
    return f"/app/collections{below}" + ("?" + urlencode(kept) if kept else "")


def _back(endpoint_id: str, anchor: str = "") -> str:
    """A collection's page, at one of its panels."""
    return f"/app/collections/{endpoint_id}" + (f"#{anchor}" if anchor else "")


def _checked_id(value: str) -> str | None:
    """A UUID from the URL in its canonical spelling; anything else names nothing."""
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None


def _not_found(request: Request, user: User, what: str) -> HTMLResponse:
    return pages.render(
        request,
        "error.html",
        user,
        status=404,
        section=SECTION,
        title="Not found",
        message=f"There is no {what} with that ID.",
    )


# -- search ----------------------------------------------------------------------------------
@router.get("/collections", response_class=HTMLResponse)
async def collections_page(
    request: Request, user: User, q: str = "", scope: str = "", offset: str = "0"
) -> HTMLResponse:
    """The search tabs; with no text and no tab chosen, the user's own collections."""
    text = q.strip()
    scope = scope if scope in SCOPE_NAMES else ("all" if text else "my-endpoints")
    start = int(offset) if offset.isascii() and offset.isdigit() else 0  # else the first page
    start = min(start, 1000 - PAGE_SIZE)  # Transfer serves no result past the 1000th
    found: list[dict[str, t.Any]] = []
    more = False
    error = None
    if scope != "all" or text:
        try:
            page = await pages.services(request, user).get(
                "transfer",
                "/endpoint_search",
                filter_scope=scope,
                filter_fulltext=text or None,
                limit=PAGE_SIZE,
                offset=start,
            )
            found, more = page.get("DATA", []), bool(page.get("has_next_page"))
        except ApiError as err:
            error = pages.error_message(err)
    return pages.render(
        request,
        "collections.html",
        user,
        section=SECTION,
        title="Collections",
        scopes=SCOPES,
        scope=scope,
        empty_text=next(words for name, _, words in SCOPES if name == scope),
        q=text,
        found=found,
        error=error,
        guest_types=GUEST_TYPES,
        prev_url=_page("", q=text, scope=scope, offset=str(max(0, start - PAGE_SIZE)))
        if start > 0
        else None,
        next_url=_page("", q=text, scope=scope, offset=str(start + PAGE_SIZE)) if more else None,
        first=start + 1,
    )


# -- one collection ------------------------------------------------------------------------------
async def _try(call: t.Awaitable[t.Any]) -> tuple[t.Any, str | None]:
    """An API answer, or the service's refusal as text for the panel that asked."""
    try:
        return await call, None
    except ApiError as err:
        return None, pages.error_message(err)


async def _identity_names(calls: Services, ids: t.Iterable[str]) -> dict[str, str]:
    """Usernames for identity IDs (one Auth call); an ID Auth does not answer stays an ID."""
    wanted = sorted({i for i in ids if i})
    if not wanted:
        return {}
    found, _ = await _try(calls.get("auth", "/v2/api/identities", ids=",".join(wanted)))
    return {i["id"]: i["username"] for i in (found or {}).get("identities", [])}


# -- a new guest collection --------------------------------------------------------------------
# Before the ``{endpoint_id}`` routes, which would otherwise take the path.
@router.get("/collections/new-guest", response_class=HTMLResponse)
async def new_guest_page(
    request: Request, user: User, host: str = "", path: str = "/", name: str = ""
) -> HTMLResponse:
    """The form that shares a folder of one of the user's collections as a guest collection."""
    calls = pages.services(request, user)
    mine, error = await _try(
        calls.get("transfer", "/endpoint_search", filter_scope="my-endpoints", limit=100)
    )
    hosts = [e for e in (mine or {}).get("DATA", []) if e.get("shareable")]
    chosen = _checked_id(host) if host else None
    if chosen and all(e["id"] != chosen for e in hosts):
        other, _ = await _try(calls.get("transfer", f"/endpoint/{chosen}"))
        if other and other.get("shareable"):
            hosts.append(other)
    return pages.render(
        request,
        "collections_new_guest.html",
        user,
        section=SECTION,
        title="New guest collection",
        hosts=hosts,
        error=error,
        chosen=chosen,
        path=path or "/",
        name=name,
    )


@router.post("/collections/new-guest")
async def create_guest(request: Request, user: User) -> Response:
    form = await pages.checked_form(request, user)
    host, path = form.get("host_endpoint", ""), form.get("host_path", "").strip()
    name = form.get("display_name", "").strip()
    document = {
        "DATA_TYPE": "shared_endpoint",
        "host_endpoint": host,
        "host_path": path,
        "display_name": name,
        "description": form.get("description", "").strip() or None,
    }
    try:
        created = await pages.services(request, user).post("transfer", "/shared_endpoint", document)
    except ApiError as err:
        again = _page("/new-guest", host=host, path=path, name=name)
        return pages.redirect(request, again, ("error", pages.error_message(err)))
    notice = ("ok", "Guest collection created. Add an access rule to share it.")
    return pages.redirect(request, _back(created["id"], "sharing"), notice)


@router.get("/collections/{endpoint_id}", response_class=HTMLResponse)
async def collection_page(request: Request, user: User, endpoint_id: str) -> HTMLResponse:
    checked = _checked_id(endpoint_id)
    if checked is None:
        return _not_found(request, user, "collection")
    calls = pages.services(request, user)
    try:
        endpoint = await calls.get("transfer", f"/endpoint/{checked}")
    except ApiError as err:
        return pages.page_error(request, user, err, section=SECTION)
    roles, roles_error = await _try(calls.get("transfer", f"/endpoint/{checked}/role_list"))
    rules, rules_error = (None, None)
    if endpoint.get("acl_available"):
        rules, rules_error = await _try(calls.get("transfer", f"/endpoint/{checked}/access_list"))
    shares, shares_error = (None, None)
    if endpoint.get("shareable"):
        shares, shares_error = await _try(
            calls.get("transfer", f"/endpoint/{checked}/shared_endpoint_list")
        )
    role_rows = (roles or {}).get("DATA", [])
    rule_rows = (rules or {}).get("DATA", [])
    groups, _ = await _try(calls.get("groups", "/groups/my_groups"))
    identity_ids = [
        row["principal"]
        for row in [*role_rows, *rule_rows]
        if row.get("principal_type") == "identity"
    ]
    return pages.render(
        request,
        "collections_detail.html",
        user,
        section=SECTION,
        title=endpoint.get("display_name") or "Collection",
        endpoint=endpoint,
        is_admin="administrator" in endpoint.get("my_effective_roles", []),
        roles=role_rows,
        roles_error=roles_error,
        rules=rule_rows,
        rules_error=rules_error,
        shares=(shares or {}).get("shared_endpoints", []),
        shares_error=shares_error,
        names=await _identity_names(calls, identity_ids),
        groups=groups or [],
        group_names={g["id"]: g.get("name") or g["id"] for g in groups or []},
        role_names=ROLE_NAMES,
        rule_principals=RULE_PRINCIPALS,
        file_manager_url="/app/file-manager?" + urlencode({"origin_id": checked}),
    )


# -- changing a collection -----------------------------------------------------------------------
@router.post("/collections/{endpoint_id}/edit")
async def edit_collection(request: Request, user: User, endpoint_id: str) -> Response:
    form = await pages.checked_form(request, user)
    checked = _checked_id(endpoint_id)
    if checked is None:
        return _not_found(request, user, "collection")
    document = {
        "display_name": form.get("display_name", "").strip(),
        "description": form.get("description", "").strip() or None,
    }
    try:
        await pages.services(request, user).put("transfer", f"/endpoint/{checked}", document)
    except ApiError as err:
        return pages.redirect(request, _back(checked, "edit"), ("error", pages.error_message(err)))
    return pages.redirect(request, _back(checked), ("ok", "Collection updated"))


@router.post("/collections/{endpoint_id}/delete")
async def delete_collection(request: Request, user: User, endpoint_id: str) -> Response:
    await pages.checked_form(request, user)
    checked = _checked_id(endpoint_id)
    if checked is None:
        return _not_found(request, user, "collection")
    try:
        await pages.services(request, user).delete("transfer", f"/endpoint/{checked}")
    except ApiError as err:
        return pages.redirect(request, _back(checked), ("error", pages.error_message(err)))
    return pages.redirect(request, _page("", scope="my-endpoints"), ("ok", "Collection deleted"))


async def _principal(calls: Services, form: dict[str, str]) -> tuple[str, str]:
    """The (principal_type, principal) a role or access rule form names: an identity by
    username (looked up in Auth), a group by ID or picked from the user's groups, or
    everyone (no principal)."""
    kind = form.get("principal_type", "")
    if kind == "identity":
        username = form.get("username", "").strip()
        if not username:
            raise FormProblem("Enter the username of the person to add.")
        found = await calls.get("auth", "/v2/api/identities", usernames=username)
        identities = found.get("identities", [])
        if not identities:
            raise FormProblem(f"No user has the username '{username}'.")
        return kind, identities[0]["id"]
    if kind == "group":
        group_id = form.get("group_id", "").strip() or form.get("group_pick", "").strip()
        if not group_id:
            raise FormProblem("Pick one of your groups or enter a group ID.")
        return kind, group_id
    return kind, ""


@router.post("/collections/{endpoint_id}/roles")
async def add_role(request: Request, user: User, endpoint_id: str) -> Response:
    form = await pages.checked_form(request, user)
    checked = _checked_id(endpoint_id)
    if checked is None:
        return _not_found(request, user, "collection")
    calls = pages.services(request, user)
    try:
        kind, principal = await _principal(calls, form)
        document = {
            "DATA_TYPE": "role",
            "principal_type": kind,
            "principal": principal,
            "role": form.get("role", ""),
        }
        await calls.post("transfer", f"/endpoint/{checked}/role", document)
    except FormProblem as problem:
        return pages.redirect(request, _back(checked, "roles"), ("error", str(problem)))
    except ApiError as err:
        return pages.redirect(request, _back(checked, "roles"), ("error", pages.error_message(err)))
    return pages.redirect(request, _back(checked, "roles"), ("ok", "Role added"))


@router.post("/collections/{endpoint_id}/roles/{role_id}/delete")
async def delete_role(request: Request, user: User, endpoint_id: str, role_id: str) -> Response:
    await pages.checked_form(request, user)
    checked, role = _checked_id(endpoint_id), _checked_id(role_id)
    if checked is None or role is None:
        return _not_found(request, user, "role")
    try:
        await pages.services(request, user).delete("transfer", f"/endpoint/{checked}/role/{role}")
    except ApiError as err:
        return pages.redirect(request, _back(checked, "roles"), ("error", pages.error_message(err)))
    return pages.redirect(request, _back(checked, "roles"), ("ok", "Role removed"))


@router.post("/collections/{endpoint_id}/access")
async def add_access_rule(request: Request, user: User, endpoint_id: str) -> Response:
    form = await pages.checked_form(request, user)
    checked = _checked_id(endpoint_id)
    if checked is None:
        return _not_found(request, user, "collection")
    calls = pages.services(request, user)
    try:
        kind, principal = await _principal(calls, form)
        document = {
            "DATA_TYPE": "access",
            "principal_type": kind,
            "principal": principal,
            "path": form.get("path", "").strip() or "/",
            "permissions": form.get("permissions", ""),
        }
        await calls.post("transfer", f"/endpoint/{checked}/access", document)
    except FormProblem as problem:
        return pages.redirect(request, _back(checked, "sharing"), ("error", str(problem)))
    except ApiError as err:
        message = pages.error_message(err)
        return pages.redirect(request, _back(checked, "sharing"), ("error", message))
    return pages.redirect(request, _back(checked, "sharing"), ("ok", "Access rule added"))


@router.post("/collections/{endpoint_id}/access/{rule_id}/delete")
async def delete_access_rule(
    request: Request, user: User, endpoint_id: str, rule_id: str
) -> Response:
    await pages.checked_form(request, user)
    checked, rule = _checked_id(endpoint_id), _checked_id(rule_id)
    if checked is None or rule is None:
        return _not_found(request, user, "access rule")
    try:
        await pages.services(request, user).delete("transfer", f"/endpoint/{checked}/access/{rule}")
    except ApiError as err:
        message = pages.error_message(err)
        return pages.redirect(request, _back(checked, "sharing"), ("error", message))
    return pages.redirect(request, _back(checked, "sharing"), ("ok", "Access rule removed"))
