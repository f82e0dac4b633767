"""GCS Manager bodies no endpoint could take answer a 4xx result document, never a 500:
text no database stores (an unpaired UTF-16 surrogate, NUL; a ``bad_request`` as Transfer
answers for the same collections), and ids or names of the wrong JSON type."""

from __future__ import annotations

import json
import typing as t
from pathlib import Path

import pytest
import requests

from globus_local.services.gcs.connectors import POSIX
from globus_local.testing import LocalServer
from tests.support.platform import access_token, bearer, new_identity


@pytest.fixture
def manager(platform_server: LocalServer, tmp_path: Path) -> tuple[str, dict[str, str]]:
    """An endpoint's GCS Manager API root, and its owner's headers for it."""
    from globus_local.services.gcs.admin import create_gcs_endpoint

    owner = new_identity(platform_server.db, "gcsbodies")
    endpoint = create_gcs_endpoint(
        platform_server.db,
        owner["username"],
        "Bodies",
        manager_root=platform_server.settings.gcs_manager_root,
        storage_dir=str(tmp_path),
    )
    ep = endpoint["id"]
    scope = f"urn:globus:auth:scope:{ep}:manage_collections"
    headers = {
        **bearer(access_token(platform_server.token(owner["username"], [scope]), ep)),
        "Content-Type": "application/json",
    }
    return platform_server.service_url("gcs") + ep + "/api/", headers


def _send(manager: tuple[str, dict[str, str]], method: str, path: str, doc: t.Any) -> t.Any:
    base, headers = manager
    # json.dumps writes a lone surrogate as its escape, as a client's encoder may.
    return requests.request(method, base + path, data=json.dumps(doc), headers=headers, timeout=30)


def test_unstorable_text_in_a_body_is_a_400(manager: tuple[str, dict[str, str]]) -> None:
    for text in ("\ud800", "a\x00b"):
        body = {"display_name": text, "connector_id": POSIX}
        r = _send(manager, "POST", "storage_gateways", body)
        assert r.status_code == 400, r.text
        assert r.json()["code"] == "bad_request"
        r = _send(manager, "PATCH", "endpoint", {"description": text})
        assert r.status_code == 400, r.text


@pytest.mark.parametrize("value", [{"a": 1}, [POSIX], 0])
def test_a_connector_id_not_text_is_a_422(
    manager: tuple[str, dict[str, str]], value: t.Any
) -> None:
    r = _send(manager, "POST", "storage_gateways", {"display_name": "g", "connector_id": value})
    assert r.status_code == 422, r.text
    assert r.json()["detail"]["DATA_TYPE"] == "invalid_input#1.0.0"


@pytest.mark.parametrize("value", [0, False, [], {"id": "x"}])
def test_a_role_collection_not_text_is_a_422(
    manager: tuple[str, dict[str, str]], value: t.Any
) -> None:
    body = {
        "DATA_TYPE": "role#1.0.0",
        "collection": value,
        "principal": "urn:globus:auth:identity:" + "0" * 8 + "-0000-0000-0000-" + "0" * 12,
        "role": "activity_monitor",
    }
    r = _send(manager, "POST", "roles", body)
    assert r.status_code == 422, r.text
    assert r.json()["code"] == "unprocessable_entity"
