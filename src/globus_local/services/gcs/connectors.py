"""The storage connectors a gateway can use here (by the ids GCS gives them), and where a
gateway's and a collection's files are."""

from __future__ import annotations

import posixpath
import typing as t

POSIX = "145812c8-decc-41f1-83cf-bb2a85a2a70b"
S3 = "7643e831-5f6c-4b47-a07f-8ee90f401d23"

CONNECTORS = {POSIX: "POSIX", S3: "S3"}


def connector_name(connector_id: str) -> str:
    return CONNECTORS.get(connector_id, f"UNKNOWN ({connector_id})")


def clean_path(path: str) -> str:
    """An absolute, normalised path (``/`` for the root); never climbs above the root."""
    joined = posixpath.normpath("/" + path.strip().lstrip("/"))
    return "/" if joined == "/" else joined.rstrip("/")


def join(base: str, path: str) -> str:
    """``path`` taken below ``base``, both collection-style paths."""
    return clean_path(clean_path(base) + "/" + clean_path(path))


def location(connector_id: str, root: str | None, gateway_path: str) -> str:
    """Where ``gateway_path`` of a gateway is: a directory under a POSIX gateway's root, or
    ``s3://<bucket>/<key prefix>`` (the path's first part names the bucket)."""
    if connector_id == S3:
        return "s3://" + clean_path(gateway_path).lstrip("/")
    return clean_path(str(root)) if gateway_path == "/" else str(root).rstrip("/") + gateway_path


def storage_options(
    connector_id: str, policies: dict[str, t.Any], credential: dict[str, t.Any] | None
) -> dict[str, t.Any] | None:
    """fsspec options for an S3 gateway: its service URL and the credential's keys."""
    if connector_id != S3:
        return None
    options: dict[str, t.Any] = {}
    if policies.get("s3_endpoint"):
        options["client_kwargs"] = {"endpoint_url": policies["s3_endpoint"]}
    if credential and credential.get("s3_key_id"):
        options["key"] = credential["s3_key_id"]
        options["secret"] = credential.get("s3_secret_key")
    return options


def posix_root(storage_dir: str, gateway_root: str | None) -> str:
    """The host directory of a POSIX gateway's ``/``: its root inside the endpoint's
    storage directory."""
    from globus_local.storage import resolve

    return resolve(storage_dir, gateway_root or "/")
