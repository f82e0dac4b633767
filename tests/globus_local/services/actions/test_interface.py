"""The whole Action Provider interface, on hello_world, over HTTP: introspection, both run
routes, status, cancel, release, resume, log paging, the listing, idempotent request_id,
monitor_by/manage_by, tokens and scopes, and bad input."""

from __future__ import annotations

import time
import typing as t
import uuid

from globus_local.services.auth.scopes import AP_HELLO_WORLD, TRANSFER_ALL

from .support import HELLO_WORLD, Caller, Provider


def test_introspection_is_public_and_describes_the_provider(alice: Caller) -> None:
    anonymous = alice.provider(HELLO_WORLD)
    anonymous.token = None
    for path in ("", "/"):
        response = anonymous.http("GET", path) if path else anonymous.http("GET", "")
        assert response.status_code == 200, response.text
        doc = response.json()
        assert doc["globus_auth_scope"] == AP_HELLO_WORLD
        assert doc["title"] == "Hello World"
        assert doc["visible_to"] == ["public"]
        assert doc["runnable_by"] == ["all_authenticated_users"]
        assert doc["types"] == ["Action"] and doc["api_version"] == "1.0"
        assert doc["input_schema"]["properties"]["echo_string"] == {"type": "string"}
        assert response.headers["Access-Control-Allow-Origin"] == "*"
    preflight = anonymous.http("OPTIONS", "")
    assert preflight.status_code == 204
    assert "GET" in preflight.headers["Access-Control-Allow-Methods"]


def test_run_answers_the_echo_on_both_run_routes(alice: Caller) -> None:
    hello = alice.provider(HELLO_WORLD)
    for new_style in (False, True):
        response = hello.run({"echo_string": "hi there"}, new_style=new_style, label="greet")
        assert response.status_code == 202, response.text
        doc = response.json()
        assert doc["status"] == "SUCCEEDED"
        assert doc["details"] == {"Hello": "World", "hello": "hi there"}
        assert doc["creator_id"] == alice.urn
        assert doc["label"] == "greet"
        assert doc["monitor_by"] == [alice.urn] and doc["manage_by"] == [alice.urn]
        assert doc["completion_time"] is not None
        assert doc["release_after"] == "P30D"


def test_status_on_classic_and_new_routes(alice: Caller) -> None:
    hello = alice.provider(HELLO_WORLD)
    action_id = hello.started({"echo_string": "x"})["action_id"]
    for path in (f"{action_id}/status", f"actions/{action_id}"):
        response = hello.http("GET", path)
        assert response.status_code == 200, response.text
        assert response.json()["action_id"] == action_id
        assert response.json()["details"]["hello"] == "x"


def test_sleep_time_keeps_the_action_active_until_it_is_over(alice: Caller) -> None:
    hello = alice.provider(HELLO_WORLD)
    doc = hello.started({"echo_string": "zz", "sleep_time": 1.5})
    assert doc["status"] == "ACTIVE"
    assert doc["details"]["estimated_complete"]
    assert hello.status(doc["action_id"]).json()["status"] == "ACTIVE"
    time.sleep(1.6)
    final = hello.status(doc["action_id"]).json()
    assert final["status"] == "SUCCEEDED"
    assert final["details"] == {"Hello": "World", "hello": "zz"}


def test_a_repeated_request_id_is_the_same_action(alice: Caller) -> None:
    hello = alice.provider(HELLO_WORLD)
    request_id = str(uuid.uuid4())
    first = hello.run({"echo_string": "once"}, request_id=request_id)
    assert first.status_code == 202
    again = hello.run({"echo_string": "once"}, request_id=request_id)
    assert again.status_code == 200, again.text
    assert again.json()["action_id"] == first.json()["action_id"]
    other = hello.run({"echo_string": "twice"}, request_id=request_id)
    assert other.status_code == 409, other.text
    assert other.json()["code"] == "ActionConflict"


def test_the_same_request_id_from_another_user_is_another_action(
    alice: Caller, bob: Caller
) -> None:
    request_id = str(uuid.uuid4())
    mine = alice.provider(HELLO_WORLD).started({"echo_string": "a"}, request_id=request_id)
    theirs = bob.provider(HELLO_WORLD).started({"echo_string": "b"}, request_id=request_id)
    assert mine["action_id"] != theirs["action_id"]


def test_bad_input_is_a_400_naming_the_field(alice: Caller) -> None:
    hello = alice.provider(HELLO_WORLD)
    response = hello.run({"echo_string": 5})
    assert response.status_code == 400
    assert response.json()["code"] == "RequestValidationError"
    assert "body.echo_string" in response.json()["description"]
    response = hello.run({"unknown": 1})
    assert response.status_code == 400 and "unknown" in response.json()["description"]
    response = hello.http("POST", "run", json={"body": {}})
    assert response.status_code == 400 and "request_id" in response.json()["description"]
    response = hello.http("POST", "run", json=[1])
    assert response.status_code == 400 and response.json()["code"] == "BadActionRequest"
    response = hello.run({}, release_after="soon")
    assert response.status_code == 400 and "release_after" in response.json()["description"]
    response = hello.run({}, deadline="2999-01-01T00:00:00Z")
    assert response.status_code == 400 and "deadline" in response.json()["description"]
    response = hello.run({"echo_string": "nul\x00"})
    assert response.status_code == 400 and "NUL" in response.json()["description"]
    assert hello.status("nul\x00").status_code == 404
    response = hello.run({}, monitor_by=["alice"])
    assert response.status_code == 400 and "monitor_by" in response.json()["description"]


def test_tokens_without_the_scope_are_refused(make_user: t.Callable[..., Caller]) -> None:
    transfer_only = make_user([TRANSFER_ALL])
    hello = Provider(
        transfer_only.server,
        "actions.globus.org/hello_world",
        transfer_only.tokens["transfer.api.globus.org"],
    )
    response = hello.run({"echo_string": "x"})
    assert response.status_code == 401
    assert response.json()["code"] == "UnauthorizedRequest"
    hello.token = None
    assert hello.run({"echo_string": "x"}).status_code == 401
    hello.token = "not-a-token"
    assert hello.http("GET", "actions").status_code == 401


def test_a_token_for_one_provider_does_not_open_another(
    make_user: t.Callable[..., Caller],
) -> None:
    only_hello = make_user([AP_HELLO_WORLD])
    token = only_hello.tokens["actions.globus.org"]
    legacy_transfer = Provider(only_hello.server, "actions.globus.org/transfer/transfer", token)
    response = legacy_transfer.run({})
    assert response.status_code == 401, response.text


def test_release_of_an_active_action_is_refused_then_allowed_once_done(alice: Caller) -> None:
    hello = alice.provider(HELLO_WORLD)
    action_id = hello.started({"sleep_time": 1})["action_id"]
    response = hello.http("POST", f"{action_id}/release")
    assert response.status_code == 409, response.text
    assert response.json()["code"] == "ActionConflict"
    hello.wait(action_id)
    released = hello.http("POST", f"{action_id}/release")
    assert released.status_code == 200 and released.json()["status"] == "SUCCEEDED"
    gone = hello.status(action_id)
    assert gone.status_code == 404 and gone.json()["code"] == "ActionNotFound"


def test_delete_releases_on_the_new_routes(alice: Caller) -> None:
    hello = alice.provider(HELLO_WORLD)
    action_id = hello.started({"echo_string": "x"})["action_id"]
    response = hello.http("DELETE", f"actions/{action_id}")
    assert response.status_code == 200 and response.json()["action_id"] == action_id
    assert hello.http("GET", f"actions/{action_id}").status_code == 404


def test_cancel_ends_an_active_action_and_a_done_one_is_a_conflict(alice: Caller) -> None:
    hello = alice.provider(HELLO_WORLD)
    for path in ("{}/cancel", "actions/{}/cancel"):
        action_id = hello.started({"sleep_time": 60})["action_id"]
        response = hello.http("POST", path.format(action_id))
        assert response.status_code == 200, response.text
        assert response.json()["status"] == "FAILED"
        assert response.json()["details"]["code"] == "ActionCanceled"
        again = hello.http("POST", path.format(action_id))
        assert again.status_code == 409


def test_resume_answers_the_status(alice: Caller) -> None:
    hello = alice.provider(HELLO_WORLD)
    action_id = hello.started({"echo_string": "r"})["action_id"]
    for path in (f"{action_id}/resume", f"actions/{action_id}/resume"):
        response = hello.http("POST", path)
        assert response.status_code == 200, response.text
        assert response.json()["status"] == "SUCCEEDED"


def test_log_pages_with_a_marker_and_in_reverse(alice: Caller) -> None:
    hello = alice.provider(HELLO_WORLD)
    action_id = hello.started({"sleep_time": 60})["action_id"]
    hello.http("POST", f"{action_id}/cancel")
    whole = hello.http("GET", f"{action_id}/log").json()
    codes = [e["code"] for e in whole["entries"]]
    assert codes == ["ActionStarted", "ActionCanceled", "ActionFailed"]
    assert whole["has_next_page"] is False and whole["marker"] is None
    first = hello.http("GET", f"actions/{action_id}/log", params={"limit": 2}).json()
    assert [e["code"] for e in first["entries"]] == codes[:2] and first["has_next_page"]
    rest = hello.http(
        "GET", f"actions/{action_id}/log", params={"limit": 2, "marker": first["marker"]}
    ).json()
    assert [e["code"] for e in rest["entries"]] == codes[2:] and not rest["has_next_page"]
    backwards = hello.http("GET", f"{action_id}/log", params={"reverse_order": "true"}).json()
    assert [e["code"] for e in backwards["entries"]] == codes[::-1]
    bad = hello.http("GET", f"{action_id}/log", params={"marker": "???"})
    assert bad.status_code == 400
    assert hello.http("GET", f"{action_id}/log", params={"limit": 1000}).status_code == 400


def test_listing_by_status_and_role(alice: Caller, bob: Caller) -> None:
    hello = alice.provider(HELLO_WORLD)
    active = hello.started({"sleep_time": 60})["action_id"]
    done = hello.started({"echo_string": "d"})["action_id"]
    watched = bob.provider(HELLO_WORLD).started({"sleep_time": 60}, monitor_by=[alice.urn])
    listed = hello.http("GET", "actions").json()
    assert [a["action_id"] for a in listed] == [active]
    both = hello.http("GET", "actions", params={"status": "active,succeeded"}).json()
    assert {a["action_id"] for a in both} == {active, done}
    monitored = hello.http("GET", "actions", params={"roles": "monitor_by"}).json()
    assert watched["action_id"] in {a["action_id"] for a in monitored}
    assert hello.http("GET", "actions", params={"status": "sleepy"}).status_code == 400


def test_monitor_by_may_look_and_manage_by_may_change(
    alice: Caller, bob: Caller, make_user: t.Callable[..., Caller]
) -> None:
    carol = make_user(prefix="carol")
    hello = alice.provider(HELLO_WORLD)
    watched = hello.started({"sleep_time": 60}, monitor_by=[bob.urn])["action_id"]
    managed = hello.started({"sleep_time": 60}, manage_by=[bob.urn])["action_id"]
    as_bob = bob.provider(HELLO_WORLD)
    as_carol = carol.provider(HELLO_WORLD)

    assert as_bob.status(watched).status_code == 200
    assert as_bob.http("GET", f"{watched}/log").status_code == 200
    refused = as_bob.http("POST", f"{watched}/cancel")
    assert refused.status_code == 403 and refused.json()["code"] == "ForbiddenRequest"
    assert as_carol.status(watched).status_code == 403

    assert as_bob.status(managed).status_code == 200
    canceled = as_bob.http("POST", f"{managed}/cancel")
    assert canceled.status_code == 200 and canceled.json()["status"] == "FAILED"
    assert as_carol.http("POST", f"{managed}/release").status_code == 403
    assert as_bob.http("POST", f"{managed}/release").status_code == 200


def test_an_unknown_action_and_another_providers_action_are_not_found(alice: Caller) -> None:
    hello = alice.provider(HELLO_WORLD)
    assert hello.status(str(uuid.uuid4())).status_code == 404
    assert hello.status("x" * 100).status_code == 404
    action_id = hello.started({"echo_string": "x"})["action_id"]
    expression = alice.provider("https://actions.globus.org/expression_eval")
    assert expression.status(action_id).status_code == 404


def test_a_deadline_that_passes_fails_the_action(alice: Caller) -> None:
    hello = alice.provider(HELLO_WORLD)
    soon = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 1))
    action_id = hello.started({"sleep_time": 60}, deadline=soon)["action_id"]
    time.sleep(1.5)
    doc = hello.status(action_id).json()
    assert doc["status"] == "FAILED"
    assert doc["details"]["code"] == "DeadlineExceeded"


def test_optional_fields_may_be_null_and_release_after_seconds(alice: Caller) -> None:
    hello = alice.provider(HELLO_WORLD)
    doc = hello.started(
        {"echo_string": "n"},
        label=None,
        monitor_by=None,
        manage_by=None,
        deadline=None,
        release_after=3600,
        tags=None,
    )
    assert doc["monitor_by"] == [alice.urn] and doc["release_after"] == "PT3600S"
