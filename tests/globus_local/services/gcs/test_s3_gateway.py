"""An S3 storage gateway: a mapped collection on a bucket, read through Transfer with the
S3 keys of its owner's user credential."""

from __future__ import annotations

import typing as t
from pathlib import Path

import fsspec
import requests

from tests.support.platform import access_token, bearer, new_identity

if t.TYPE_CHECKING:
    from globus_local.testing import LocalServer

S3 = "7643e831-5f6c-4b47-a07f-8ee90f401d23"


def test_mapped_collection_on_a_bucket(
    platform_server: LocalServer, s3_bucket_factory: t.Callable, tmp_path: Path
) -> None:
    from globus_local.services.gcs.admin import create_gcs_endpoint

    url, options = s3_bucket_factory()
    bucket_path = url[len("s3://") :].rstrip("/")
    fs = fsspec.filesystem("s3", **options)
    fs.pipe(f"{bucket_path}/hello.txt", b"from s3")

    server = platform_server
    owner = new_identity(server.db, "s3owner")
    endpoint = create_gcs_endpoint(
        server.db,
        owner["username"],
        "S3 GCS",
        manager_root=server.service_url("gcs"),
        storage_dir=str(tmp_path),
    )
    ep = endpoint["id"]
    scopes = [
        f"urn:globus:auth:scope:{ep}:manage_collections",
        "urn:globus:auth:scope:transfer.api.globus.org:all",
    ]
    tokens = server.token(owner["username"], scopes)
    gcs_token, transfer_token = (
        access_token(tokens, ep),
        access_token(tokens, "transfer.api.globus.org"),
    )
    base = server.service_url("gcs") + ep + "/api/"

    def post(path: str, body: dict[str, t.Any]) -> dict[str, t.Any]:
        r = requests.post(base + path, json=body, headers=bearer(gcs_token), timeout=30)
        assert r.status_code == 201, r.text
        return t.cast(dict, r.json()["data"][0])

    gateway = post(
        "storage_gateways",
        {
            "DATA_TYPE": "storage_gateway#1.0.0",
            "display_name": "bucket",
            "connector_id": S3,
            "allowed_domains": ["example.org"],
            "policies": {
                "DATA_TYPE": "s3_storage_policies#1.0.0",
                "s3_endpoint": options["client_kwargs"]["endpoint_url"],
                "s3_buckets": [bucket_path.split("/")[0]],
                "s3_user_credential_required": True,
            },
        },
    )
    post(
        "user_credentials",
        {
            "DATA_TYPE": "user_credential#1.0.0",
            "storage_gateway_id": gateway["id"],
            "identity_id": owner["id"],
            "username": "s3user",
            "policies": {
                "DATA_TYPE": "s3_user_credential_policies#1.0.0",
                "s3_key_id": options["key"],
                "s3_secret_key": options["secret"],
            },
        },
    )
    listed = requests.get(base + "user_credentials", headers=bearer(gcs_token), timeout=30)
    assert listed.json()["data"][0]["policies"]["s3_secret_key"] is None
    mapped = post(
        "collections",
        {
            "DATA_TYPE": "collection#1.0.0",
            "collection_type": "mapped",
            "display_name": "bucket data",
            "storage_gateway_id": gateway["id"],
            "collection_base_path": "/" + bucket_path,
        },
    )
    ls = requests.get(
        server.service_url("transfer") + f"v0.10/operation/endpoint/{mapped['id']}/ls",
        params={"path": "/"},
        headers=bearer(transfer_token),
        timeout=30,
    )
    assert ls.status_code == 200, ls.text
    assert [f["name"] for f in ls.json()["DATA"]] == ["hello.txt"]
