"""Flows: the flows a user may see, a flow's definition and its Start form, runs and their
live log. Every call is the Flows API (``/flows/flows``, ``/flows/runs``); starting a run
carries a token for the flow's own scope, which the browser is sent to consent to first."""

from __future__ import annotations

import typing as t
import uuid

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from globus_local.webapp import flows_view, login, pages, schema_form
from globus_local.webapp.pages import User
from globus_local.webapp.platform_api import ApiError
from globus_local.webapp.session import WebSession

router = APIRouter(prefix="/app", include_in_schema=False)

PER_PAGE = 20
LOG_PAGE = 100
LOG_PAGES = 5  # a run page shows at most this many pages of its log
RUN_STATUSES = ("ACTIVE", "INACTIVE", "SUCCEEDED", "FAILED", "ENDED")
ENDED = ("SUCCEEDED", "FAILED", "ENDED")
REFRESH_MS = 1000


async def _flows(
    request: Request, user: WebSession, method: str, path: str, **params: t.Any
) -> t.Any:
    """One Flows call as the user; its error, if any, with the service's own words."""
    calls = pages.services(request, user)
    try:
        if method == "POST":
            return await calls.post("flows", path)
        return await calls.get("flows", path, **params)
    except ApiError as err:
        raise flows_view.plain_error(err) from None


def _checked_id(value: str, what: str) -> str:
    """Flow and run ids are UUIDs; anything else never reaches the API."""
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise ApiError(404, "NOT_FOUND", f"No {what} has the id {value!r}.") from None


# -- flows ------------------------------------------------------------------------------------
@router.get("/flows", response_class=HTMLResponse)
async def flows_page(
    request: Request, user: User, show: str = "mine", q: str = "", marker: str = ""
) -> HTMLResponse:
    show = "all" if show == "all" else "mine"
    query: dict[str, t.Any] = {"per_page": PER_PAGE, "orderby": "updated_at DESC"}
    if show == "all":  # every flow the user may see, those shared with everyone included
        query["filter_role"] = "flow_viewer"
    if q.strip():
        query["filter_fulltext"] = q.strip()
    error = None
    try:
        page = await _flows(request, user, "GET", "/flows", **query, marker=marker or None)
    except ApiError as err:
        if err.status == 401:
            raise
        page, error = {"flows": [], "has_next_page": False}, pages.error_message(err)
    return pages.render(
        request,
        "flows.html",
        user,
        section="flows",
        title="Flows",
        flows=page.get("flows", []),
        next_marker=page.get("marker") if page.get("has_next_page") else None,
        show=show,
        q=q,
        first_page=not marker,
        list_error=error,
    )


async def _runs_list(
    request: Request, user: WebSession, status: str, marker: str
) -> dict[str, t.Any]:
    status = status.upper() if status.upper() in RUN_STATUSES else ""
    page = await _flows(
        request,
        user,
        "GET",
        "/runs",
        per_page=PER_PAGE,
        orderby="start_time DESC",
        filter_status=status or None,
        marker=marker or None,
    )
    runs = page.get("runs", [])
    return {
        "runs": runs,
        "next_marker": page.get("marker") if page.get("has_next_page") else None,
        "shown_status": status,
        "marker": marker,
        "any_running": any(r.get("status") not in ENDED for r in runs),
    }


@router.get("/flows/runs", response_class=HTMLResponse)
async def runs_page(
    request: Request, user: User, status: str = "", marker: str = ""
) -> HTMLResponse:
    return pages.render(
        request,
        "flows_runs.html",
        user,
        section="flows",
        title="Runs",
        statuses=RUN_STATUSES,
        first_page=not marker,
        refresh_ms=REFRESH_MS * 2,
        **await _runs_list(request, user, status, marker),
    )


@router.get("/flows/runs/live")
async def runs_fragment(
    request: Request, user: User, status: str = "", marker: str = ""
) -> JSONResponse:
    """The list's rows for the live refresh; ``final`` once none of them can change."""
    view = await _runs_list(request, user, status, marker)
    html = pages.templates.get_template("flows_runs_rows.html").render(**view)
    return JSONResponse(
        {"html": html, "final": not view["any_running"]}, headers={"Cache-Control": "no-store"}
    )


# -- runs ---------------------------------------------------------------------------------------
async def _run_view(request: Request, user: WebSession, run_id: str) -> dict[str, t.Any]:
    """The run and its log (oldest first), as the template pair for a run shows them."""
    run = await _flows(request, user, "GET", f"/runs/{run_id}")
    entries: list[dict[str, t.Any]] = []
    marker = None
    more = False
    for _ in range(LOG_PAGES):
        page = await _flows(
            request, user, "GET", f"/runs/{run_id}/log", limit=LOG_PAGE, marker=marker
        )
        entries += page.get("entries", [])
        more = bool(page.get("has_next_page"))
        marker = page.get("marker")
        if not more or not marker:
            break
    roles = set(run.get("user_roles") or [])
    return {
        "run": run,
        "entries": entries,
        "log_truncated": more,
        "final": run.get("status") in ENDED,
        "can_cancel": run.get("status") not in ENDED
        and bool(roles & {"run_owner", "run_manager", "flow_run_manager"}),
    }


@router.get("/flows/runs/{run_id}", response_class=HTMLResponse)
async def run_page(request: Request, user: User, run_id: str) -> HTMLResponse:
    run_id = _checked_id(run_id, "run")
    view = await _run_view(request, user, run_id)
    run = view["run"]
    return pages.render(
        request,
        "flows_run.html",
        user,
        section="flows",
        title=run.get("label") or run.get("flow_title") or "Run",
        refresh_ms=REFRESH_MS,
        **view,
    )


@router.get("/flows/runs/{run_id}/live")
async def run_fragment(request: Request, user: User, run_id: str) -> JSONResponse:
    """The run's status and log for the page's live refresh; ``final`` once it has ended."""
    run_id = _checked_id(run_id, "run")
    view = await _run_view(request, user, run_id)
    html = pages.templates.get_template("flows_run_live.html").render(csrf=user.csrf, **view)
    return JSONResponse(
        {"html": html, "final": view["final"]}, headers={"Cache-Control": "no-store"}
    )


@router.post("/flows/runs/{run_id}/cancel")
async def cancel_run(request: Request, user: User, run_id: str) -> Response:
    await pages.checked_form(request, user)
    run_id = _checked_id(run_id, "run")
    to = f"/app/flows/runs/{run_id}"
    try:
        await _flows(request, user, "POST", f"/runs/{run_id}/cancel")
    except ApiError as err:
        if err.status in (401, 403, 404):
            raise
        return pages.redirect(request, to, ("error", pages.error_message(err)))
    return pages.redirect(request, to, ("ok", "The run was canceled."))


# -- one flow, and starting it ------------------------------------------------------------------
def _flow_page(
    request: Request,
    user: WebSession,
    flow: dict[str, t.Any],
    runs: list[dict[str, t.Any]],
    *,
    values: dict[str, str] | None = None,
    form_error: str | None = None,
    consented: bool = False,
    status: int = 200,
) -> HTMLResponse:
    form = schema_form.build_form(flow.get("input_schema"))
    response = pages.render(
        request,
        "flows_flow.html",
        user,
        status=status,
        section="flows",
        title=flow.get("title") or "Flow",
        flow=flow,
        states=flows_view.definition_states(flow.get("definition")),
        form=form,
        values=values,
        label=(values or {}).get("label", ""),
        json_text=(values or {}).get(schema_form.JSON_FIELD, ""),
        form_error=form_error,
        consented=consented,
        can_start="flow_starter" in (flow.get("user_roles") or []),
        has_scope=user.has_scope(str(flow.get("globus_auth_scope") or "")),
        runs=runs,
    )
    return response


async def _owner_name(request: Request, user: WebSession, flow: dict[str, t.Any]) -> str:
    """The flow owner's username from Auth's identities API, or their identity id."""
    owner = str(flow.get("flow_owner") or "").rpartition(":")[2]
    try:
        found = await pages.services(request, user).get("auth", "/v2/api/identities", ids=owner)
    except ApiError as err:
        if err.status == 401:
            raise
        return owner
    for identity in found.get("identities", []):
        if identity.get("id") == owner and identity.get("username"):
            return str(identity["username"])
    return owner


async def _flow_and_runs(
    request: Request, user: WebSession, flow_id: str
) -> tuple[dict[str, t.Any], list[dict[str, t.Any]]]:
    flow = await _flows(request, user, "GET", f"/flows/{flow_id}")
    try:
        runs = await _flows(request, user, "GET", "/runs", filter_flow_id=flow_id, per_page=10)
    except ApiError as err:
        if err.status == 401:
            raise
        runs = {"runs": []}
    flow["owner_name"] = await _owner_name(request, user, flow)
    return flow, runs.get("runs", [])


@router.get("/flows/{flow_id}", response_class=HTMLResponse)
async def flow_page(request: Request, user: User, flow_id: str, consented: str = "") -> Response:
    flow_id = _checked_id(flow_id, "flow")
    flow, runs = await _flow_and_runs(request, user, flow_id)
    values = flows_view.take_input(request, user, flow_id)
    scope = str(flow.get("globus_auth_scope") or "")
    error = None
    if consented and not user.has_scope(scope):
        error = (
            "The consent for this flow did not reach your login; start the flow again "
            "to ask for it once more."
        )
    response = _flow_page(
        request,
        user,
        flow,
        runs,
        values=values,
        form_error=error,
        consented=bool(consented) and values is not None and error is None,
    )
    if values is not None:
        flows_view.forget_input(response, flow_id)
    return response


def _flow_token(user: WebSession, flow: dict[str, t.Any]) -> str | None:
    """The session's token for the flow's scope: Auth names its resource server the flow's id."""
    scope = str(flow.get("globus_auth_scope") or "")
    token = user.tokens.get(str(flow.get("id")))
    if token is not None and scope in token.scope.split():
        return token.access_token
    for tok in user.tokens.values():
        if scope in tok.scope.split():
            return tok.access_token
    return None


@router.post("/flows/{flow_id}/start", response_model=None)
async def start_run(request: Request, user: User, flow_id: str) -> Response:
    posted = await pages.checked_form(request, user)
    flow_id = _checked_id(flow_id, "flow")
    flow, runs = await _flow_and_runs(request, user, flow_id)
    values = {k: v for k, v in posted.items() if k != "csrf_token"}
    form = schema_form.build_form(flow.get("input_schema"))
    try:
        body = schema_form.read_input(form, values)
    except schema_form.FormProblem as err:
        return _flow_page(request, user, flow, runs, values=values, form_error=str(err), status=400)
    token = _flow_token(user, flow)
    if token is None:
        return _consent_trip(request, user, flow, values)
    document: dict[str, t.Any] = {"body": body}
    if values.get("label", "").strip():
        document["label"] = values["label"].strip()
    answer = await pages.api(request).call(
        "POST", f"/flows/flows/{flow_id}/run", token=token, json_body=document
    )
    try:
        run = answer.checked()
    except ApiError as raw:
        refused = flows_view.plain_error(raw)
        if refused.status == 401:  # the flow's token ended: consent again, keeping the input
            return _consent_trip(request, user, flow, values)
        return _flow_page(
            request,
            user,
            flow,
            runs,
            values=values,
            form_error=pages.error_message(refused),
            status=400 if refused.status < 500 else 502,
        )
    return pages.redirect(
        request, f"/app/flows/runs/{run['run_id']}", ("ok", "The run has started.")
    )


def _consent_trip(
    request: Request, user: WebSession, flow: dict[str, t.Any], values: dict[str, str]
) -> Response:
    """Send the browser to consent to the flow's scope; the filled form waits in a cookie."""
    flow_id = str(flow["id"])
    response = login.start_login(
        request, f"/app/flows/{flow_id}?consented=1", [str(flow["globus_auth_scope"])]
    )
    flows_view.keep_input(request, response, user, flow_id, values)
    return response
