"""A local S3 (moto's server) for testing endpoints on object storage."""

from __future__ import annotations

import logging
import secrets
import typing as t
from contextlib import contextmanager


@contextmanager
def moto_s3() -> t.Iterator[t.Callable[[], tuple[str, dict[str, t.Any]]]]:
    """Yields ``new_bucket() -> (s3 URL of a fresh bucket prefix, fsspec storage options)``."""
    import pytest

    server_mod = pytest.importorskip("moto.server", reason="moto[server] is not installed")
    pytest.importorskip("s3fs", reason="s3fs is not installed")
    import boto3

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = server_mod.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint_url = f"http://{host}:{port}"
    creds = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
    client = boto3.client("s3", endpoint_url=endpoint_url, region_name="us-east-1", **creds)
    options = {
        "key": "testing",
        "secret": "testing",
        "client_kwargs": {"endpoint_url": endpoint_url, "region_name": "us-east-1"},
        "use_listings_cache": False,
    }

    def new_bucket() -> tuple[str, dict[str, t.Any]]:
        name = f"bucket-{secrets.token_hex(4)}"
        client.create_bucket(Bucket=name)
        return f"s3://{name}/data", options

    try:
        yield new_bucket
    finally:
        server.stop()
