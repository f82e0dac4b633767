"""Flows pages in a real browser: a flow created through the API is listed, its Start form
is generated from its input schema, starting it goes through the consent for the flow's
scope and back, the service's validation errors are shown, the run's log follows it to
SUCCEEDED, a run can be cancelled; another user's run is not shown; forms need CSRF."""

from __future__ import annotations

import json
import re
import typing as t

import pytest
import requests
from playwright.sync_api import expect

from globus_local.services.auth.scopes import FLOWS_ALL, FLOWS_RS
from globus_local.testing import LocalServer
from globus_local.webapp import schema_form
from tests.support.platform import access_token

TIMEOUT = 60_000  # ms, for Playwright waits

INPUT_SCHEMA: dict[str, t.Any] = {
    "type": "object",
    "required": ["echo"],
    "properties": {
        "echo": {
            "type": "string",
            "title": "Message",
            "description": "What Hello World says back.",
            "pattern": "^[A-Za-z ]+$",
        },
        "count": {"type": "integer", "minimum": 1, "default": 2},
        "loud": {"type": "boolean"},
        "color": {"enum": ["red", "green", "blue"]},
        "tags": {"type": "array", "items": {"type": "string"}},
        "options": {
            "type": "object",
            "title": "Options",
            "properties": {"retries": {"type": "number"}, "note": {"type": "string"}},
        },
        "extra": {"oneOf": [{"type": "string"}, {"type": "number"}]},
    },
}

HELLO_FLOW = {
    "StartAt": "Prepare",
    "States": {
        "Prepare": {
            "Type": "Pass",
            "Parameters": {"message.$": "$.echo"},
            "ResultPath": "$.prepared",
            "Next": "Hello",
        },
        "Hello": {
            "Type": "Action",
            "ActionUrl": "https://actions.globus.org/hello_world",
            "Parameters": {"echo_string.$": "$.prepared.message"},
            "ResultPath": "$.hello",
            "End": True,
        },
    },
}

WAIT_FLOW = {
    "StartAt": "Sleep",
    "States": {"Sleep": {"Type": "Wait", "Seconds": 3600, "End": True}},
}


class FlowsApi:
    """A user's own calls to Flows, as their script would make them."""

    def __init__(self, server: LocalServer, username: str) -> None:
        self.server = server
        self.username = username
        self.base = server.url.rstrip("/") + "/flows/"
        self.token = access_token(server.token(username, [FLOWS_ALL]), FLOWS_RS)

    def call(self, method: str, path: str, token: str | None = None, **kw: t.Any) -> t.Any:
        headers = {"Authorization": f"Bearer {token or self.token}"}
        answer = requests.request(method, self.base + path, headers=headers, timeout=30, **kw)
        assert answer.status_code in (200, 201, 202), answer.text
        return answer.json()

    def create_flow(self, title: str, definition: dict[str, t.Any], **extra: t.Any) -> t.Any:
        body = {"title": title, "definition": definition, "input_schema": {}, **extra}
        return self.call("POST", "flows", json=body)

    def start(self, flow: dict[str, t.Any], body: dict[str, t.Any], label: str) -> t.Any:
        scope = flow["globus_auth_scope"]
        token = access_token(self.server.token(self.username, [scope]), flow["id"])
        return self.call(
            "POST", f"flows/{flow['id']}/run", token=token, json={"body": body, "label": label}
        )

    def runs(self) -> list[dict[str, t.Any]]:
        return t.cast(
            list[dict[str, t.Any]], self.call("GET", "runs", params={"per_page": 50})["runs"]
        )


def _consent(page: t.Any, user: t.Any) -> None:
    """Auth's pages for the flow's scope: log in if asked, then allow."""
    page.wait_for_selector("#consent-form, #login-form", timeout=TIMEOUT)
    if page.locator("#login-form").count():
        page.fill("#username", user.username)
        page.fill("#password", user.password)
        page.click("#login-form button[type=submit]")
        page.wait_for_selector("#consent-form", timeout=TIMEOUT)
    page.click("#consent-form button[value=allow]")


def test_start_a_flow_from_its_generated_form_through_consent_to_succeeded(
    open_browser: t.Any, make_web_user: t.Any, globus_local_server: LocalServer
) -> None:
    user = make_web_user("lin", name="Lin Wei")
    api = FlowsApi(globus_local_server, user.username)
    browser = open_browser()
    browser.login(user, start="/app/flows")
    page = browser.page
    assert page.locator("#no-flows").is_visible()
    browser.shot("flows-empty")

    flow = api.create_flow(
        "Say hello",
        HELLO_FLOW,
        subtitle="Hello World, politely",
        description="Passes the message on, then asks Hello World to echo it.",
        keywords=["demo"],
        input_schema=INPUT_SCHEMA,
    )
    browser.goto("/app/flows")
    assert "Say hello" in page.locator("#flow-list").inner_text()
    browser.shot("flows-list")
    page.click("#flow-list a:text('Say hello')")
    page.wait_for_url(re.compile(f".*/app/flows/{flow['id']}$"))
    states = page.locator("#flow-definition").inner_text()
    assert "Prepare" in states and "Hello" in states and "hello_world" in states
    assert user.username in page.locator("#flow-facts").inner_text()  # the owner, by name
    # the form follows the schema: a text field, a number with its default, a checkbox,
    # a choice, a list, a nested object's fields, and JSON for what a form cannot say
    form = page.locator("#start-form")
    assert form.get_by_label("Message").count() == 1
    assert form.get_by_label("count").input_value() == "2"
    assert form.locator("input[type=checkbox]").count() == 1
    assert form.locator("select option").all_inner_texts()[1:] == ["red", "green", "blue"]
    assert form.locator("fieldset.subfields legend").inner_text().startswith("Options")
    browser.shot("flow-page")

    form.get_by_label("Message").fill("HELLO 123")  # breaks the schema's pattern
    form.get_by_label("count").fill("3")
    form.get_by_label("loud").check()
    form.get_by_label("color").select_option("green")
    form.get_by_label("tags").fill("alpha\nbeta\n")
    form.get_by_label("retries").fill("1.5")
    form.get_by_label("extra").fill("42")
    page.click("#start-run")

    _consent(page, user)  # the first start asks for the flow's own scope
    page.wait_for_url(re.compile(f".*/app/flows/{flow['id']}\\?consented=1$"))
    assert "Consent given" in page.locator("#start").inner_text()
    assert form.get_by_label("Message").input_value() == "HELLO 123"  # kept across the trip
    assert form.get_by_label("tags").input_value().split() == ["alpha", "beta"]
    page.click("#start-run")
    error = page.locator("#form-error")
    expect(error).to_contain_text("does not match", timeout=TIMEOUT)  # the service's 400
    assert "$.echo" in error.inner_text()
    assert form.get_by_label("color").input_value() == "green"
    browser.shot("flow-validation-error")

    form.get_by_label("Message").fill("Hello there")
    page.fill("#run-label", "First greeting")
    page.click("#start-run")
    page.wait_for_url(re.compile(r".*/app/flows/runs/[0-9a-f-]{36}$"))
    assert "The run has started" in page.locator(".notice.ok").inner_text()
    expect(page.locator("#run-status")).to_have_text("SUCCEEDED", timeout=TIMEOUT)
    log = page.locator("#run-log").inner_text()
    for code in ("FlowStarted", "ActionStarted", "ActionCompleted", "FlowSucceeded"):
        assert code in log
    output = json.loads(page.locator("#run-output").inner_text())
    assert output["hello"]["details"]["hello"] == "Hello there"
    assert output["count"] == 3 and output["loud"] is True and output["color"] == "green"
    assert output["tags"] == ["alpha", "beta"] and output["options"] == {"retries": 1.5}
    assert output["extra"] == 42
    assert page.locator("#cancel-run").count() == 0
    browser.shot("run-succeeded")

    browser.goto("/app/flows/runs")
    assert "First greeting" in page.locator("#run-list").inner_text()
    browser.shot("runs-list")

    phone = open_browser(width=390, height=844)
    phone.login(user, start=f"/app/flows/{flow['id']}")
    phone.shot("flow-phone")
    assert phone.page.evaluate("document.documentElement.scrollWidth") <= 390
    phone.page.click("a:text('Runs')")
    phone.page.click("#run-list a:text('First greeting')")
    expect(phone.page.locator("#run-status")).to_have_text("SUCCEEDED")
    phone.shot("run-phone")
    assert phone.page.evaluate("document.documentElement.scrollWidth") <= 390


def test_cancel_a_waiting_run_from_its_page(
    open_browser: t.Any, make_web_user: t.Any, globus_local_server: LocalServer
) -> None:
    user = make_web_user("ravi")
    api = FlowsApi(globus_local_server, user.username)
    flow = api.create_flow("Wait an hour", WAIT_FLOW)
    run = api.start(flow, {}, "Long wait")
    browser = open_browser()
    browser.login(user, start="/app/flows/runs")
    page = browser.page
    assert page.locator("#run-rows[data-refresh-url]").count() == 1  # follows active runs
    assert "ACTIVE" in page.locator("#run-list").inner_text()
    browser.shot("runs-active")
    page.click("#run-list a:text('Long wait')")
    page.wait_for_url(re.compile(f".*/app/flows/runs/{run['run_id']}$"))
    assert page.locator("#run-status").inner_text() == "ACTIVE"
    assert page.locator("#run-live[data-refresh-url]").count() == 1
    browser.shot("run-active")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#cancel-run")
    expect(page.locator(".notice.ok")).to_contain_text("canceled", timeout=TIMEOUT)
    expect(page.locator("#run-status")).to_have_text("FAILED", timeout=TIMEOUT)
    assert "FlowCanceled" in page.locator("#run-log").inner_text()
    browser.shot("run-canceled")
    assert api.call("GET", f"runs/{run['run_id']}")["status"] == "FAILED"
    browser.goto("/app/flows/runs")
    assert "FAILED" in page.locator("#run-list").inner_text()
    assert page.locator("#run-rows[data-refresh-url]").count() == 0


def test_another_users_flow_and_run_are_not_shown_and_forms_need_csrf(
    globus_local_server: LocalServer, logged_in_http: t.Any, make_web_user: t.Any
) -> None:
    base = globus_local_server.url.rstrip("/")
    owner = make_web_user("owner")
    api = FlowsApi(globus_local_server, owner.username)
    flow = api.create_flow("Owner secret flow", WAIT_FLOW)
    run = api.start(flow, {}, "Owner secret run")

    shared = api.create_flow(
        "Shared greeting flow", WAIT_FLOW, flow_starters=["all_authenticated_users"]
    )
    stranger, _ = logged_in_http()
    mine = stranger.get(base + "/app/flows", timeout=30).text
    assert "Shared greeting flow" not in mine and 'id="no-flows"' in mine
    everyone = stranger.get(base + "/app/flows?show=all&q=greeting", timeout=30).text
    assert "Shared greeting flow" in everyone
    page = stranger.get(base + f"/app/flows/{shared['id']}", timeout=30).text
    assert 'id="start-form"' in page and "Definition" in page  # a starter may start it
    for path in (
        f"/app/flows/{flow['id']}",
        f"/app/flows/runs/{run['run_id']}",
        f"/app/flows/runs/{run['run_id']}/live",
    ):
        answer = stranger.get(base + path, allow_redirects=False, timeout=30)
        assert answer.status_code in (403, 404), (path, answer.status_code)
        assert "Owner secret" not in answer.text
    for path in ("/app/flows", "/app/flows?show=all", "/app/flows/runs"):
        answer = stranger.get(base + path, timeout=30)
        assert answer.status_code == 200 and "Owner secret" not in answer.text
    listing = stranger.get(base + "/app/flows/runs", timeout=30)
    assert 'id="no-runs"' in listing.text
    csrf = _csrf(stranger.get(base + "/app/settings", timeout=30).text)
    answer = stranger.post(
        base + f"/app/flows/runs/{run['run_id']}/cancel",
        data={"csrf_token": csrf},
        allow_redirects=False,
        timeout=30,
    )
    assert answer.status_code in (403, 404) and "Owner secret" not in answer.text
    assert stranger.get(base + "/app/flows/not-a-flow", timeout=30).status_code == 404

    http, _ = logged_in_http(owner)
    assert "Owner secret flow" in http.get(base + f"/app/flows/{flow['id']}", timeout=30).text
    before = len(api.runs())
    for path in (f"/app/flows/{flow['id']}/start", f"/app/flows/runs/{run['run_id']}/cancel"):
        for data in ({"input_json": "{}"}, {"input_json": "{}", "csrf_token": "x" * 32}):
            answer = http.post(base + path, data=data, allow_redirects=False, timeout=30)
            assert answer.status_code == 403 and "Form rejected" in answer.text
    assert len(api.runs()) == before  # no run started
    assert api.call("GET", f"runs/{run['run_id']}")["status"] == "ACTIVE"  # none cancelled
    api.call("POST", f"runs/{run['run_id']}/cancel")


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF token in the page"
    return found.group(1)


# -- the form built from a schema ------------------------------------------------------------------
def test_schema_form_reads_each_kind_and_falls_back_to_json() -> None:
    form = schema_form.build_form(INPUT_SCHEMA)
    names = {f.key: f for f in form.fields}
    assert [
        names[k].kind for k in ("echo", "count", "loud", "color", "tags", "options", "extra")
    ] == ["string", "integer", "boolean", "enum", "list", "object", "json"]
    by_key = {f.key: f.name for f in form.fields}
    retries = names["options"].children[0].name
    posted = {
        by_key["echo"]: "hi",
        by_key["count"]: "7",
        by_key["color"]: "blue",
        by_key["tags"]: "a\n\nb",
        retries: "2",
        by_key["extra"]: "5",
    }
    assert schema_form.read_input(form, posted) == {
        "echo": "hi",
        "count": 7,
        "loud": False,
        "color": "blue",
        "tags": ["a", "b"],
        "options": {"retries": 2},
        "extra": 5,
    }
    with pytest.raises(schema_form.FormProblem, match=r"\$\.count"):
        schema_form.read_input(form, {by_key["count"]: "seven"})
    with pytest.raises(schema_form.FormProblem, match="JSON object"):
        schema_form.read_input(form, {schema_form.JSON_FIELD: "[1]"})
    assert schema_form.read_input(form, {schema_form.JSON_FIELD: '{"x": 1}'}) == {"x": 1}
    assert schema_form.build_form({}).json_only
    assert schema_form.build_form({"type": "object", "additionalProperties": True}).json_only
    deep: dict[str, t.Any] = {"type": "string"}
    for _ in range(8):
        deep = {"type": "object", "properties": {"in": deep}}
    assert schema_form.build_form(deep).fields  # deep nesting ends in a JSON field
