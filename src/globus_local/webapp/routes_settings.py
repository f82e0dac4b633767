"""Settings: the account's identity, as Auth reports it."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from globus_local.webapp import pages
from globus_local.webapp.pages import User

router = APIRouter(prefix="/app", include_in_schema=False)


@router.get("/settings", response_class=HTMLResponse)
async def settings_page(request: Request, user: User) -> HTMLResponse:
    calls = pages.services(request, user)
    info = await calls.get("auth", "/v2/oauth2/userinfo")
    identities = await calls.get("auth", "/v2/api/identities", ids=user.identity_id)
    return pages.render(
        request,
        "settings.html",
        user,
        section="settings",
        title="Settings",
        info=info,
        identities=identities.get("identities", []),
    )
