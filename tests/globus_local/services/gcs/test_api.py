"""The GCS Manager API over raw HTTP (and its TLS listener): every answer, errors
included, is a result#1.0.0 envelope in GCS's words."""

from __future__ import annotations

import typing as t
from pathlib import Path

import pytest
import requests

from tests.support.platform import access_token, bearer, new_identity

if t.TYPE_CHECKING:
    from globus_local.testing import LocalServer


@pytest.fixture
def gcs(platform_server: LocalServer, tmp_path: Path) -> dict[str, t.Any]:
    from globus_local.services.gcs.admin import create_gcs_endpoint

    owner = new_identity(platform_server.db, "gcsapi")
    doc = create_gcs_endpoint(
        platform_server.db,
        owner["username"],
        "API test",
        manager_root=platform_server.settings.gcs_manager_root,
        storage_dir=str(tmp_path),
    )
    scope = f"urn:globus:auth:scope:{doc['id']}:manage_collections"
    token = access_token(platform_server.token(owner["username"], [scope]), doc["id"])
    base = platform_server.service_url("gcs") + doc["id"] + "/api/"
    return {"id": doc["id"], "token": token, "base": base, "doc": doc}


def _envelope(r: requests.Response, status: int, code: str) -> dict[str, t.Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert body["DATA_TYPE"] == "result#1.0.0"
    assert body["code"] == code
    assert body["http_response_code"] == status
    return body


def test_manager_url_is_the_tls_listener(gcs: dict, platform_server: LocalServer) -> None:
    url = gcs["doc"]["gcs_manager_url"]
    assert url.startswith(f"https://127.0.0.1:{platform_server.tls_port}/gcs/")
    info = requests.get(url + "/api/info", verify=platform_server.ca_bundle, timeout=30)
    body = _envelope(info, 200, "success")
    assert body["data"][0]["endpoint_id"] == gcs["id"]
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(url + "/api/info", timeout=30, verify=True)


def test_errors_are_gcs_result_documents(gcs: dict, platform_server: LocalServer) -> None:
    base, token = gcs["base"], gcs["token"]
    body = _envelope(requests.get(base + "collections", timeout=30), 401, "not_authorized")
    assert body["data"] == [] and body["has_next_page"] is False

    other = new_identity(platform_server.db, "gcsother")
    transfer_only = access_token(
        platform_server.token(
            other["username"], ["urn:globus:auth:scope:transfer.api.globus.org:all"]
        ),
        "transfer.api.globus.org",
    )
    body = _envelope(
        requests.get(base + "collections", headers=bearer(transfer_only), timeout=30),
        401,
        "not_authorized",
    )
    assert body["detail"]["DATA_TYPE"] == "missing_required_scopes#1.0.0"

    missing = requests.get(
        base + "collections/" + "0" * 8 + "-0000-0000-0000-" + "0" * 12,
        headers=bearer(token),
        timeout=30,
    )
    _envelope(missing, 404, "not_found")
    bad = requests.post(
        base + "storage_gateways",
        json={"DATA_TYPE": "storage_gateway#1.0.0", "display_name": "x", "connector_id": "nope"},
        headers=bearer(token),
        timeout=30,
    )
    body = _envelope(bad, 422, "unprocessable_entity")
    assert body["detail"]["DATA_TYPE"] == "invalid_input#1.0.0"
    escape = requests.post(
        base + "collections",
        json={"collection_type": "mapped", "display_name": "x", "collection_base_path": "/../.."},
        headers=bearer(token),
        timeout=30,
    )
    _envelope(escape, 422, "unprocessable_entity")
    paging = requests.get(base + "roles?page_size=0", headers=bearer(token), timeout=30)
    _envelope(paging, 400, "bad_request")
