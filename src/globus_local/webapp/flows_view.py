"""What the Flows pages show beyond the API's documents: Flows' error document in words,
a definition's states in the order a run meets them, and the Start form's input kept in a
sealed cookie while the browser is away consenting to the flow's scope."""

from __future__ import annotations

import typing as t

from fastapi import Request, Response

from globus_local.webapp import session as web_session
from globus_local.webapp.platform_api import ApiError
from globus_local.webapp.session import WebSession

PENDING_COOKIE = "globus_local_app_flow_input"
PENDING_SECONDS = 600
# Larger input is not kept (browsers bound a cookie's size); the form comes back empty instead.
PENDING_MAX_BYTES = 3000


def plain_error(err: ApiError) -> ApiError:
    """The error with Flows' own document (``{"error": {"code", "detail"}}``) read: ``detail``
    is a text, or a list of ``{"loc", "msg"}`` for a request the service refused."""
    doc = err.document
    inner = doc.get("error") if isinstance(doc, dict) else None
    if not isinstance(inner, dict):
        return err
    detail = inner.get("detail")
    if isinstance(detail, list):
        parts = []
        for item in detail:
            if isinstance(item, dict):
                where = ".".join(str(x) for x in item.get("loc") or [])
                parts.append(f"{where}: {item.get('msg')}" if where else str(item.get("msg")))
            else:
                parts.append(str(item))
        detail = "; ".join(parts)
    return ApiError(err.status, str(inner.get("code") or err.code), str(detail or err.message), doc)


def definition_states(definition: t.Any) -> list[dict[str, t.Any]]:
    """The states in the order a run meets them first (then any others), for the summary."""
    if not isinstance(definition, dict) or not isinstance(definition.get("States"), dict):
        return []
    states: dict[str, t.Any] = definition["States"]
    order: list[str] = []
    todo = [definition.get("StartAt")]
    while todo:
        name = todo.pop(0)
        if not isinstance(name, str) or name in order or name not in states:
            continue
        order.append(name)
        state = states[name] if isinstance(states[name], dict) else {}
        todo += [state.get("Next"), state.get("Default")]
        todo += [c.get("Next") for c in state.get("Choices") or [] if isinstance(c, dict)]
        todo += [c.get("Next") for c in state.get("Catch") or [] if isinstance(c, dict)]
    order += [n for n in states if n not in order]
    summary = []
    for name in order:
        state = states[name] if isinstance(states[name], dict) else {}
        nexts = [state.get("Next"), state.get("Default")]
        nexts += [c.get("Next") for c in state.get("Choices") or [] if isinstance(c, dict)]
        summary.append(
            {
                "name": name,
                "type": state.get("Type", "?"),
                "action_url": state.get("ActionUrl"),
                "comment": state.get("Comment"),
                "next": [n for n in nexts if isinstance(n, str)],
                "end": bool(state.get("End")) or state.get("Type") in ("Succeed", "Fail"),
                "start": name == definition.get("StartAt"),
            }
        )
    return summary


def take_input(request: Request, user: WebSession, flow_id: str) -> dict[str, str] | None:
    """The Start form's fields this user left for this flow while consenting, if any."""
    saved = web_session.unseal(request, request.cookies.get(PENDING_COOKIE), PENDING_SECONDS)
    if (
        isinstance(saved, dict)
        and saved.get("flow") == flow_id
        and saved.get("who") == user.identity_id
    ):
        values = saved.get("values")
        if isinstance(values, dict):
            return {str(k): str(v) for k, v in values.items()}
    return None


def keep_input(
    request: Request,
    response: Response,
    user: WebSession,
    flow_id: str,
    values: dict[str, str],
) -> None:
    """Keep the form's fields for this user and flow, for the page the consent returns to."""
    sealed = web_session.seal(request, {"flow": flow_id, "who": user.identity_id, "values": values})
    if len(sealed) <= PENDING_MAX_BYTES:
        response.set_cookie(
            PENDING_COOKIE,
            sealed,
            max_age=PENDING_SECONDS,
            path=f"/app/flows/{flow_id}",
            httponly=True,
            secure=request.url.scheme == "https",
            samesite="lax",
        )


def forget_input(response: Response, flow_id: str) -> None:
    response.delete_cookie(PENDING_COOKIE, path=f"/app/flows/{flow_id}")
