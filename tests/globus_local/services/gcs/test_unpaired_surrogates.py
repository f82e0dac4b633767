"""Text no database stores (an unpaired UTF-16 surrogate, NUL) in a GCS Manager body is a
``bad_request`` result document, as Transfer answers for the same collections."""

from __future__ import annotations

import json
from pathlib import Path

import requests

from globus_local.services.gcs.connectors import POSIX
from globus_local.testing import LocalServer
from tests.support.platform import access_token, bearer, new_identity


def test_unstorable_text_in_a_body_is_a_400(platform_server: LocalServer, tmp_path: Path) -> None:
    from globus_local.services.gcs.admin import create_gcs_endpoint

    owner = new_identity(platform_server.db, "gcstext")
    endpoint = create_gcs_endpoint(
        platform_server.db,
        owner["username"],
        "Text",
        manager_root=platform_server.settings.gcs_manager_root,
        storage_dir=str(tmp_path),
    )
    ep = endpoint["id"]
    scope = f"urn:globus:auth:scope:{ep}:manage_collections"
    headers = {
        **bearer(access_token(platform_server.token(owner["username"], [scope]), ep)),
        "Content-Type": "application/json",
    }
    base = platform_server.service_url("gcs") + ep + "/api/"
    for text in ("\ud800", "a\x00b"):
        body = json.dumps({"display_name": text, "connector_id": POSIX})
        r = requests.post(base + "storage_gateways", data=body, headers=headers, timeout=30)
        assert r.status_code == 400, r.text
        assert r.json()["code"] == "bad_request"
        r = requests.patch(
            base + "endpoint", data=json.dumps({"description": text}), headers=headers, timeout=30
        )
        assert r.status_code == 400, r.text
