"""The GCS documents name the oldest version holding their keys; addresses become API roots."""

from __future__ import annotations

import uuid

import pytest

import globus_sdk
from globus_sdk.services.gcs.client import manager_url


@pytest.mark.parametrize(
    ("kwargs", "version"),
    [
        ({}, "1.0.0"),
        ({"user_message": "hi"}, "1.1.0"),
        ({"sharing_users_allow": ["a"]}, "1.2.0"),
        ({"force_verify": False, "user_message": "x"}, "1.4.0"),
        ({"disable_anonymous_writes": True}, "1.5.0"),
        ({"additional_fields": {"delete_protected": False}}, "1.8.0"),
    ],
)
def test_mapped_collection_version_follows_its_keys(kwargs: dict, version: str) -> None:
    doc = globus_sdk.MappedCollectionDocument(collection_base_path="/", **kwargs)
    assert doc["DATA_TYPE"] == f"collection#{version}"
    assert doc["collection_type"] == "mapped"


def test_none_arguments_are_left_out_and_ids_are_strings() -> None:
    mapped = uuid.uuid4()
    doc = globus_sdk.GuestCollectionDocument(
        mapped_collection_id=mapped, display_name=None, keywords="one"
    )
    assert doc.data == {
        "DATA_TYPE": "collection#1.0.0",
        "collection_type": "guest",
        "mapped_collection_id": str(mapped),
        "keywords": ["one"],
    }


def test_explicit_data_type_wins() -> None:
    doc = globus_sdk.MappedCollectionDocument(data_type="collection#1.9.0", force_verify=True)
    assert doc["DATA_TYPE"] == "collection#1.9.0"


def test_other_documents_versions() -> None:
    assert globus_sdk.StorageGatewayDocument(require_mfa=False)["DATA_TYPE"] == (
        "storage_gateway#1.1.0"
    )
    assert globus_sdk.EndpointDocument(display_name="x")["DATA_TYPE"] == "endpoint#1.0.0"
    assert globus_sdk.EndpointDocument(gridftp_control_channel_port=443)["DATA_TYPE"] == (
        "endpoint#1.1.0"
    )


@pytest.mark.parametrize(
    ("address", "root"),
    [
        ("abc.data.globus.org", "https://abc.data.globus.org/api/"),
        ("127.0.0.1:8443", "https://127.0.0.1:8443/api/"),
        ("https://h/gcs/E", "https://h/gcs/E/api/"),
        ("https://h/gcs/E/api/", "https://h/gcs/E/api/"),
        ("http://127.0.0.1:8700/gcs/E/api", "http://127.0.0.1:8700/gcs/E/api/"),
    ],
)
def test_manager_url(address: str, root: str) -> None:
    assert manager_url(address) == root
    assert globus_sdk.GCSClient(address).base_url == root
