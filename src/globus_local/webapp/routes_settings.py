"""Settings: the account's identity, the consents it granted, and the apps it registered
(client ids and secrets: what a developer needs to script against the platform)."""

from __future__ import annotations

import typing as t
import uuid
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from globus_local.webapp import pages
from globus_local.webapp.pages import User
from globus_local.webapp.platform_api import ApiError

router = APIRouter(prefix="/app", include_in_schema=False)

SETTINGS = "/app/settings"


def _client_path(client_id: str) -> str:
    return "/v2/api/clients/" + quote(str(uuid.UUID(client_id)))


def _uuid_or_none(value: str) -> str | None:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None


@router.get("/settings", response_class=HTMLResponse)
async def settings_page(request: Request, user: User) -> HTMLResponse:
    calls = pages.services(request, user)
    identities = await calls.get("auth", "/v2/api/identities", ids=user.identity_id)
    consents = await calls.get("auth", f"/v2/api/identities/{user.identity_id}/consents")
    clients = (await calls.get("auth", "/v2/api/clients"))["clients"]
    for client in clients:
        client["credentials"] = (
            []
            if client["public_client"]
            else (await calls.get("auth", _client_path(client["id"]) + "/credentials"))[
                "credentials"
            ]
        )
    return pages.render(
        request,
        "settings.html",
        user,
        section="settings",
        title="Settings",
        identities=identities.get("identities", []),
        consents=_by_client(consents["consents"]),
        clients=clients,
    )


def _by_client(consents: list[dict[str, t.Any]]) -> list[dict[str, t.Any]]:
    grouped: dict[str, dict[str, t.Any]] = {}
    for consent in consents:
        entry = grouped.setdefault(
            consent["client"],
            {"client": consent["client"], "name": consent.get("client_name"), "scopes": []},
        )
        entry["scopes"].append({**consent, "label": _scope_label(consent)})
    return list(grouped.values())


def _scope_label(consent: dict[str, t.Any]) -> str:
    """``transfer all`` rather than a bare ``all``: the service a scope belongs to, by its
    resource server's first name (Auth's own scopes and id-named servers need none)."""
    rs, name = consent.get("resource_server"), str(consent.get("scope_name"))
    if not rs or rs == "auth.globus.org" or _uuid_or_none(rs):
        return name
    return f"{rs.split('.')[0]} {name}"


@router.post("/settings/consents/revoke")
async def revoke_consent(request: Request, user: User) -> Response:
    form = await pages.checked_form(request, user)
    client_id = _uuid_or_none(form.get("client_id", ""))
    if client_id is None:
        return pages.redirect(request, SETTINGS, ("error", "No such app"))
    calls = pages.services(request, user)
    try:
        await calls.delete(
            "auth", f"/v2/api/identities/{user.identity_id}/consents", client_id=client_id
        )
    except ApiError as err:
        return pages.redirect(request, SETTINGS, ("error", pages.error_message(err)))
    return pages.redirect(
        request, SETTINGS, ("ok", "Consent withdrawn; that app's tokens are revoked")
    )


@router.post("/settings/apps")
async def create_app(request: Request, user: User) -> Response:
    form = await pages.checked_form(request, user)
    name = form.get("name", "").strip()
    if not name:
        return pages.redirect(request, SETTINGS + "#apps", ("error", "Give the app a name"))
    uris = [u.strip() for u in form.get("redirect_uris", "").split() if u.strip()]
    spec: dict[str, t.Any] = {"name": name, "public_client": form.get("kind") == "native"}
    if uris:
        spec["redirect_uris"] = uris
    calls = pages.services(request, user)
    try:
        created = await calls.post("auth", "/v2/api/clients", {"client": spec})
    except ApiError as err:
        return pages.redirect(request, SETTINGS + "#apps", ("error", pages.error_message(err)))
    client_id = created["client"]["id"]
    secret = (created.get("included") or {}).get("client_credential", {}).get("secret")
    message = f"App registered: client id {client_id}"
    if secret:
        message += f". Its secret, shown only now: {secret}"
    return pages.redirect(request, SETTINGS + "#apps", ("ok", message))


@router.post("/settings/apps/{client_id}/delete")
async def delete_app(client_id: str, request: Request, user: User) -> Response:
    await pages.checked_form(request, user)
    if _uuid_or_none(client_id) is None:
        return pages.redirect(request, SETTINGS + "#apps", ("error", "No such app"))
    try:
        await pages.services(request, user).delete("auth", _client_path(client_id))
    except ApiError as err:
        return pages.redirect(request, SETTINGS + "#apps", ("error", pages.error_message(err)))
    return pages.redirect(request, SETTINGS + "#apps", ("ok", "App deleted"))


@router.post("/settings/apps/{client_id}/secrets")
async def new_secret(client_id: str, request: Request, user: User) -> Response:
    await pages.checked_form(request, user)
    if _uuid_or_none(client_id) is None:
        return pages.redirect(request, SETTINGS + "#apps", ("error", "No such app"))
    try:
        doc = await pages.services(request, user).post(
            "auth", _client_path(client_id) + "/credentials", {"credential": {"name": "web app"}}
        )
    except ApiError as err:
        return pages.redirect(request, SETTINGS + "#apps", ("error", pages.error_message(err)))
    secret = doc["credential"]["secret"]
    return pages.redirect(
        request, SETTINGS + "#apps", ("ok", f"New secret, shown only now: {secret}")
    )


@router.post("/settings/apps/{client_id}/secrets/{credential_id}/delete")
async def delete_secret(
    client_id: str, credential_id: str, request: Request, user: User
) -> Response:
    await pages.checked_form(request, user)
    if _uuid_or_none(client_id) is None or _uuid_or_none(credential_id) is None:
        return pages.redirect(request, SETTINGS + "#apps", ("error", "No such secret"))
    path = _client_path(client_id) + "/credentials/" + quote(credential_id)
    try:
        await pages.services(request, user).delete("auth", path)
    except ApiError as err:
        return pages.redirect(request, SETTINGS + "#apps", ("error", pages.error_message(err)))
    return pages.redirect(request, SETTINGS + "#apps", ("ok", "Secret deleted"))
