"""Text no database stores is refused for every service by the one check in
``globus_local.kit.text``, before routing, in the service's own error document."""

from __future__ import annotations

import json

import pytest
import requests

from globus_local.kit.service import SERVICE_NAMES
from globus_local.kit.text import TextRule, body_holds_unstorable, body_is_document, nul_in
from globus_local.testing import LocalServer

# Where the service answers the refusal otherwise than with a 400.
STATUS = {"timer": 422}
JSON = {"Content-Type": "application/json"}


def test_a_body_holds_unstorable_text_only_where_a_string_does() -> None:
    surrogate = json.dumps({"k": ["x", {"deep": "a\ud800"}]}).encode()
    assert body_holds_unstorable(surrogate, nul=False)
    assert body_holds_unstorable(json.dumps({"\udc00": 1}).encode(), nul=False)
    paired = json.dumps({"k": "\U0001f600"}).encode()  # a pair of surrogates is one character
    assert not body_holds_unstorable(paired, nul=True)
    nul = json.dumps({"k": "a\x00b"}).encode()
    assert body_holds_unstorable(nul, nul=True) and not body_holds_unstorable(nul, nul=False)
    assert not body_holds_unstorable(b'"\\\\u0000 is only spelled here"', nul=True)
    assert not body_holds_unstorable(b"{not json \\ud800", nul=False)
    assert not body_holds_unstorable(b"[" * 100_000 + b'"\\ud800"', nul=False)  # too deep


def test_only_json_documents_of_writing_methods_are_looked_at() -> None:
    rule = TextRule(file_paths=("/v0.10/https/",))
    assert body_is_document(rule, "POST", "/transfer/v0.10/task", "")
    assert body_is_document(rule, "PUT", "/x", "application/json; charset=utf-8")
    assert body_is_document(rule, "PATCH", "/x", "application/merge-patch+json")
    assert not body_is_document(rule, "GET", "/x", "application/json")
    assert not body_is_document(rule, "POST", "/x", "application/x-www-form-urlencoded")
    assert not body_is_document(rule, "PUT", "/transfer/v0.10/https/ep/file.json", "")
    assert nul_in("/a\x00b", b"") == "path"
    assert nul_in("/a", b"q=a%00b") == "query"
    assert nul_in("/a", b"q=ab") is None


@pytest.mark.parametrize("service", SERVICE_NAMES)
def test_every_service_refuses_a_surrogate_in_a_json_body(
    platform_server: LocalServer, service: str
) -> None:
    """Before routing: even a path no route has is answered with the refusal."""
    url = platform_server.service_url(service) + "no/such/route"
    body = json.dumps({"name": "a\ud800"}).encode()
    response = requests.post(url, data=body, headers=JSON, timeout=30)
    assert response.status_code == STATUS.get(service, 400), response.text
    assert "surrogate" in response.text  # in the service's own document
    fine = requests.post(url, data=json.dumps({"name": "a"}).encode(), headers=JSON, timeout=30)
    assert fine.status_code in (401, 404, 405), fine.text  # routing (or the token) answers


# Actions and Search answer ids holding NUL themselves (they name nothing: 404), Auth its
# OAuth requests (an error redirect).
OWN_NUL = ("actions", "auth", "search")


@pytest.mark.parametrize("service", [s for s in SERVICE_NAMES if s not in OWN_NUL])
def test_every_service_refuses_nul_in_the_query(platform_server: LocalServer, service: str) -> None:
    url = platform_server.service_url(service) + "no/such/route?filter=a%00b"
    response = requests.get(url, timeout=30)
    assert response.status_code == STATUS.get(service, 400), response.text
    assert "NUL" in response.text


def test_a_body_with_nul_is_refused_where_the_service_stores_text(
    platform_server: LocalServer,
) -> None:
    body = json.dumps({"label": "a\x00b"}).encode()
    for service, status in (("transfer", 400), ("gcs", 400), ("flows", 404)):
        url = platform_server.service_url(service) + "no/such/route"
        response = requests.post(url, data=body, headers=JSON, timeout=30)
        assert response.status_code in (status, 401), (service, response.text)
        assert (response.status_code == 400) == (status == 400), (service, response.text)
