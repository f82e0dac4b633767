"""Transfer response classes and TransferAPIError, built from real HTTP responses."""

from __future__ import annotations

import time

import pytest

import globus_sdk
from globus_sdk.services.transfer._params import format_filter, format_time_range
from globus_sdk.services.transfer.response import (
    ActivationRequirementsResponse,
    IterableTransferResponse,
)
from tests.globus_sdk.services.transfer.conftest import PREFIX
from tests.support.http_stub import HTTPStub

EP = "aa752cea-8222-5bc8-acd9-555b090c0ccb"


def _requirements(tc, http_stub, body) -> ActivationRequirementsResponse:
    http_stub.add("GET", f"{PREFIX}/endpoint/{EP}/activation_requirements", body=body)
    return tc.endpoint_get_activation_requirements(EP)


def _req(type_: str, name: str = "x") -> dict:
    return {"DATA_TYPE": "activation_requirement", "type": type_, "name": name, "value": None}


def test_always_activated_endpoint(tc, http_stub: HTTPStub) -> None:
    doc = _requirements(
        tc,
        http_stub,
        {
            "DATA_TYPE": "activation_requirements",
            "activated": True,
            "expires_in": -1,
            "auto_activation_supported": True,
            "DATA": [],
        },
    )
    assert doc.always_activated
    assert doc.supports_auto_activation
    assert doc.supports_web_activation
    assert doc.active_until(10**9)
    assert doc.active_until(int(time.time()) + 10**9, relative_time=False)
    assert doc["expires_in"] == -1


def test_expiring_activation(tc, http_stub: HTTPStub) -> None:
    doc = _requirements(
        tc,
        http_stub,
        {
            "activated": True,
            "expires_in": 3600,
            "auto_activation_supported": False,
            "DATA": [_req("myproxy", "hostname"), _req("delegate_proxy", "public_key")],
        },
    )
    assert not doc.always_activated
    assert not doc.supports_auto_activation
    assert doc.supports_web_activation
    assert doc.active_until(600)
    assert not doc.active_until(7200)
    now = int(time.time())
    assert doc.active_until(now + 600, relative_time=False)
    assert not doc.active_until(now + 7200, relative_time=False)


def test_not_activated_and_not_web_activatable(tc, http_stub: HTTPStub) -> None:
    doc = _requirements(
        tc,
        http_stub,
        {
            "activated": False,
            "expires_in": 0,
            "auto_activation_supported": False,
            "DATA": [_req("delegate_proxy", "public_key")],
        },
    )
    assert not doc.always_activated
    assert not doc.supports_auto_activation
    assert not doc.supports_web_activation
    assert not doc.active_until(1)
    assert not doc.active_until(0)


def test_oauth_server_makes_it_web_activatable(tc, http_stub: HTTPStub) -> None:
    base = {"activated": False, "expires_in": 0, "auto_activation_supported": False}
    doc = _requirements(
        tc, http_stub, {**base, "oauth_server": "oauth.example.org", "DATA": [_req("oauth")]}
    )
    assert doc.supports_web_activation
    # an oauth requirement alone, with no server named, is not one the web can meet
    doc = _requirements(tc, http_stub, {**base, "oauth_server": None, "DATA": [_req("oauth")]})
    assert not doc.supports_web_activation
    doc = _requirements(tc, http_stub, {**base, "DATA": [_req("delegate_myproxy")]})
    assert doc.supports_web_activation


def test_expires_at_is_fixed_when_the_response_arrives(
    tc, http_stub: HTTPStub, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = 1_700_000_000.0
    monkeypatch.setattr(time, "time", lambda: now)
    body = {"activated": True, "expires_in": 3600, "auto_activation_supported": False}
    doc = _requirements(tc, http_stub, {**body, "DATA": []})
    assert doc.expires_at == int(now) + 3600
    now += 3000  # later questions count from the arrival, not from now
    assert doc.active_until(599)
    assert not doc.active_until(600)
    assert doc.active_until(int(now) + 599, relative_time=False)
    assert not doc.active_until(int(now) + 600, relative_time=False)
    forever = _requirements(tc, http_stub, {**body, "expires_in": -1, "DATA": []})
    assert forever.expires_at is None and forever.always_activated
    assert forever.active_until(10**12)


def test_iterable_transfer_response_iter_key(tc, http_stub: HTTPStub) -> None:
    http_stub.add(
        "GET",
        f"{PREFIX}/bookmark_list",
        body={"DATA_TYPE": "bookmark_list", "DATA": [{"id": "b1"}, {"id": "b2"}], "other": [1]},
    )
    r = tc.bookmark_list()
    assert isinstance(r, IterableTransferResponse)
    assert [b["id"] for b in r] == ["b1", "b2"]
    assert r["DATA_TYPE"] == "bookmark_list"
    assert list(IterableTransferResponse(r, iter_key="other")) == [1]
    assert r.http_status == 200


def test_transfer_api_error_fields(tc, http_stub: HTTPStub) -> None:
    http_stub.add(
        "POST",
        f"{PREFIX}/transfer",
        status=400,
        body={
            "code": "ClientError.BadRequest.NoTransferItems",
            "message": "A transfer requires at least one item",
            "request_id": "oUAA6Sq2P",
            "resource": "/v0.10/transfer",
        },
    )
    with pytest.raises(globus_sdk.TransferAPIError) as caught:
        tc.submit_transfer({"DATA_TYPE": "transfer", "submission_id": "s", "DATA": []})
    err = caught.value
    assert isinstance(err, globus_sdk.GlobusAPIError)
    assert err.http_status == 400
    assert err.code == "ClientError.BadRequest.NoTransferItems"
    assert err.message == "A transfer requires at least one item"
    assert err.request_id == "oUAA6Sq2P"
    assert "oUAA6Sq2P" in str(err)
    assert "Bearer" in str(err) and "tok" not in str(err).replace("Bearer", "")


def test_transfer_api_error_non_json(tc, http_stub: HTTPStub) -> None:
    http_stub.add("GET", f"{PREFIX}/endpoint/{EP}", status=404, body="plain failure")
    with pytest.raises(globus_sdk.TransferAPIError) as caught:
        tc.get_endpoint(EP)
    assert caught.value.request_id is None
    assert caught.value.code == "Error"
    assert caught.value.message == "plain failure"


def test_transfer_api_error_consent_required(tc, http_stub: HTTPStub) -> None:
    http_stub.add(
        "GET",
        f"{PREFIX}/operation/endpoint/{EP}/ls",
        status=403,
        body={
            "code": "ConsentRequired",
            "message": "Missing required data_access consent",
            "request_id": "abc",
            "required_scopes": ["urn:globus:auth:scope:transfer.api.globus.org:all[*x]"],
        },
    )
    with pytest.raises(globus_sdk.TransferAPIError) as caught:
        tc.operation_ls(EP)
    assert caught.value.info.consent_required
    assert caught.value.MESSAGE_FIELDS == ["message"]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("type:dir", "type:dir"),
        ({"type": "file"}, "type:file"),
        ({"type": ["file", "dir"], "name": "~*.txt"}, "type:file,dir/name:~*.txt"),
        ({"last_modified": ["", "2021-01-01"]}, "last_modified:,2021-01-01"),
        ({"size": 5}, "size:5"),
        ({"task_id": ("a", "b")}, "task_id:a,b"),
        (["type:dir", {"name": "x"}], ["type:dir", "name:x"]),
        (None, None),
    ],
)
def test_filter_formatting(given, expected) -> None:
    assert format_filter(given) == expected


def test_filter_formatting_rejects_other_types() -> None:
    with pytest.raises(TypeError):
        format_filter(5)  # type: ignore[arg-type]


def test_time_range_formatting() -> None:
    assert format_time_range(None) is None
    assert format_time_range("a,b") == "a,b"
    assert format_time_range(("", "2021-01-01")) == ",2021-01-01"
