"""A provider outside the platform, called at its own ActionUrl with a dependent token for
its own scope. It is scripted (``http_stub``) to ask for consent, which no provider of the
platform does: the run waits INACTIVE, and on resume the provider's action is resumed."""

from __future__ import annotations

import secrets

from globus_local.services.auth.tokens import lookup_token
from tests.support.http_stub import HTTPStub, StubResponse

from .support import FlowsUser


def _status(status: str, **details: object) -> dict[str, object]:
    return {"action_id": "act-1", "status": status, "creator_id": "x", "details": details}


def test_consent_required_then_resumed(owner: FlowsUser, http_stub: HTTPStub) -> None:
    resource_server = f"stub-ap-{secrets.token_hex(4)}"
    scope = f"https://auth.globus.org/scopes/{resource_server}/act"
    inactive = _status(
        "INACTIVE", code="ConsentRequired", description="consent please", required_scope=scope
    )
    http_stub.add("POST", "/ap/run", body=inactive, status=202)
    http_stub.add("POST", "/ap/act-1/resume", body=_status("ACTIVE"))
    http_stub.add("GET", "/ap/act-1/status", body=_status("SUCCEEDED", answer=42))
    http_stub.add("POST", "/ap/act-1/release", body=_status("SUCCEEDED", answer=42))
    definition = {
        "StartAt": "Ask",
        "States": {
            "Ask": {
                "Type": "Action",
                "ActionUrl": http_stub.url + "ap",
                "ActionScope": scope,
                "Parameters": {"question.$": "$.q"},
                "ResultPath": "$.answer",
                "End": True,
            }
        },
    }
    flow = owner.create_flow(definition)
    rid = owner.run(flow, {"q": "life"})["run_id"]
    waiting = owner.wait_run(rid, statuses=("INACTIVE",))
    assert waiting["details"]["code"] == "ConsentRequired"
    assert waiting["details"]["required_scope"] == scope
    assert waiting["details"]["action_statuses"][0]["status"] == "INACTIVE"

    # The provider was called at its own URL with a token for its own scope, as the user.
    (start,) = http_stub.requests_to("/ap/run")
    assert start.json["body"] == {"question": "life"} and start.json["request_id"]
    token = start.headers["Authorization"].removeprefix("Bearer ")
    with owner.server.db.session() as session:
        row = lookup_token(session, token)
        assert row is not None and row.resource_server == resource_server
        assert row.scopes == [scope] and row.identity_id == owner.id

    from tests.support.platform import call

    r = call(owner.base_url, "POST", f"runs/{rid}/resume", owner.flow_token(flow))
    assert r.status_code == 200 and r.json()["status"] == "ACTIVE"
    done = owner.wait_run(rid)
    assert done["status"] == "SUCCEEDED", done
    assert done["details"]["output"]["answer"]["details"] == {"answer": 42}
    assert len(http_stub.requests_to("/ap/act-1/resume")) == 1
    assert len(http_stub.requests_to("/ap/run")) == 1
    assert len(http_stub.requests_to("/ap/act-1/release")) == 1


def test_unreachable_provider_is_unable_to_run(owner: FlowsUser, http_stub: HTTPStub) -> None:
    """A provider answering 5xx is tried again a few times, then the action is unable to run."""
    http_stub.add("POST", "/down/run", StubResponse(503, {"code": "Busy"}))
    definition = {
        "StartAt": "Try",
        "States": {
            "Try": {
                "Type": "Action",
                "ActionUrl": http_stub.url + "down",
                "ActionScope": f"https://auth.globus.org/scopes/stub-{secrets.token_hex(4)}/x",
                "Parameters": {},
                "ResultPath": "$.r",
                "End": True,
            }
        },
    }
    flow = owner.create_flow(definition)
    done = owner.wait_run(owner.run(flow, {})["run_id"], timeout=60)
    assert done["status"] == "FAILED", done
    assert done["details"]["details"]["error"] == "ActionUnableToRun"
    assert len(http_stub.requests_to("/down/run")) == 5
