"""The REAL newest globus-sdk (4.10.0 and 3.66.0) GCSClient over the GCS Managers' TLS
listener, and the newest globus-cli's GCS commands, against a live globus-local.

The real clients only speak HTTPS to a GCS Manager: they trust the platform's local CA
through GLOBUS_SDK_VERIFY_SSL (and REQUESTS_CA_BUNDLE), verification left on.
"""

from __future__ import annotations

import json
import subprocess
import typing as t
from pathlib import Path

import pytest

from globus_local.services.auth.scopes import TRANSFER_ALL, TRANSFER_RS
from tests.compat.support import compat_env
from tests.support.platform import access_token

if t.TYPE_CHECKING:
    from globus_local.testing import LocalServer

pytestmark = pytest.mark.compat

TIMEOUT = 120
POSIX = "145812c8-decc-41f1-83cf-bb2a85a2a70b"

# Run by the real SDK: every GCS call a script for it would make, one JSON report.
SDK_SCRIPT = """
import json, os, sys
import globus_sdk
tokens = json.loads(os.environ["TOKENS"])
ep = os.environ["ENDPOINT_ID"]
gcs = globus_sdk.GCSClient(
    os.environ["MANAGER_URL"], authorizer=globus_sdk.AccessTokenAuthorizer(tokens["gcs"])
)
report = {"version": globus_sdk.__version__}
report["info_endpoint_id"] = gcs.get_gcs_info()["endpoint_id"]
report["endpoint_name"] = gcs.get_endpoint()["display_name"]
gateway = gcs.create_storage_gateway(globus_sdk.StorageGatewayDocument(
    display_name="disk", connector_id=os.environ["POSIX"], allowed_domains=["example.org"],
    policies=globus_sdk.POSIXStoragePolicies(),
))
report["gateway_listed"] = gateway["id"] in [g["id"] for g in gcs.get_storage_gateway_list()]
mapped = gcs.create_collection(globus_sdk.MappedCollectionDocument(
    display_name="real sdk", storage_gateway_id=gateway["id"], collection_base_path="/",
    allow_guest_collections=True,
))
report["collection_type"] = mapped["collection_type"]
report["listed"] = [c["id"] for c in gcs.paginated.get_collection_list().items()] == [mapped["id"]]
updated = gcs.update_collection(mapped["id"], globus_sdk.MappedCollectionDocument(
    display_name="renamed", force_verify=True))
report["renamed"] = updated["display_name"]
try:
    gcs.get_collection("00000000-0000-0000-0000-000000000000")
except globus_sdk.GCSAPIError as err:
    report["missing"] = [err.http_status, err.code]
report["deleted"] = gcs.delete_collection(mapped["id"])["code"]
report["gateway_deleted"] = gcs.delete_storage_gateway(gateway["id"])["code"]
print(json.dumps(report))
"""


def _endpoint(server: LocalServer, username: str, tmp: Path) -> dict[str, t.Any]:
    from globus_local.services.gcs.admin import create_gcs_endpoint

    return create_gcs_endpoint(
        server.db,
        username,
        "Compat GCS",
        manager_root=server.settings.gcs_manager_root,
        storage_dir=str(tmp),
    )


@pytest.mark.parametrize("sdk", ["compat_python_newest_sdk", "compat_python_sdk3"])
def test_real_gcs_client_over_tls(
    sdk: str,
    request: pytest.FixtureRequest,
    globus_local_server: LocalServer,
    tmp_path: Path,
) -> None:
    python: Path = request.getfixturevalue(sdk)
    server = globus_local_server
    owner = server.create_user(f"gcs-compat-{tmp_path.name}@example.org")
    endpoint = _endpoint(server, owner["username"], tmp_path / "storage")
    scope = f"urn:globus:auth:scope:{endpoint['id']}:manage_collections"
    tokens = {"gcs": access_token(server.token(owner["username"], [scope]), endpoint["id"])}
    env = compat_env(server, tmp_path)
    env.update(
        TOKENS=json.dumps(tokens),
        ENDPOINT_ID=endpoint["id"],
        MANAGER_URL=endpoint["gcs_manager_url"],
        POSIX=POSIX,
        REQUESTS_CA_BUNDLE=server.ca_bundle,
        GLOBUS_SDK_VERIFY_SSL=server.ca_bundle,
    )
    proc = subprocess.run(
        [str(python), "-c", SDK_SCRIPT],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=TIMEOUT,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert report["info_endpoint_id"] == endpoint["id"]
    assert report["endpoint_name"] == "Compat GCS"
    assert report["gateway_listed"] is True
    assert report["collection_type"] == "mapped"
    assert report["listed"] is True
    assert report["renamed"] == "renamed"
    assert report["missing"] == [404, "not_found"]
    assert report["deleted"] == "success"
    assert report["gateway_deleted"] == "success"


class Cli(t.NamedTuple):
    globus: Path
    env: dict[str, str]
    home: Path

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(
            [str(self.globus), *args],
            capture_output=True,
            text=True,
            cwd=self.home,
            env=self.env,
            timeout=TIMEOUT,
            check=False,
        )
        assert proc.returncode == 0, f"globus {' '.join(args)}: {proc.stderr}"
        return proc


def test_newest_cli_gcs_commands(
    compat_python_newest_cli: Path, globus_local_server: LocalServer, tmp_path: Path
) -> None:
    import globus_sdk

    server = globus_local_server
    client = server.create_client("confidential", "gcs cli robot")
    robot_username = f"{client['client_id']}@clients.auth.globus.org"
    endpoint = _endpoint(server, robot_username, tmp_path / "storage")
    ep = endpoint["id"]
    # a gateway and a collection made through our own SDK, as the robot
    scope = f"urn:globus:auth:scope:{ep}:manage_collections"
    token = access_token(server.token(robot_username, [scope, TRANSFER_ALL]), ep)
    assert TRANSFER_RS
    gcs = globus_sdk.GCSClient(
        server.service_url("gcs") + ep, authorizer=globus_sdk.AccessTokenAuthorizer(token)
    )
    gateway = gcs.create_storage_gateway(
        globus_sdk.StorageGatewayDocument(
            display_name="cli disk", connector_id=POSIX, allowed_domains=["*"]
        )
    )
    mapped = gcs.create_collection(
        globus_sdk.MappedCollectionDocument(
            display_name="cli data", storage_gateway_id=gateway["id"], collection_base_path="/"
        )
    )
    env = compat_env(server, tmp_path)
    env.update(
        GLOBUS_CLI_CLIENT_ID=client["client_id"],
        GLOBUS_CLI_CLIENT_SECRET=client["client_secret"],
        REQUESTS_CA_BUNDLE=server.ca_bundle,
        GLOBUS_SDK_VERIFY_SSL=server.ca_bundle,
    )
    cli = Cli(compat_python_newest_cli.parent / "globus", env, tmp_path)

    shown = json.loads(cli.run("gcs", "endpoint", "show", ep, "-F", "json").stdout)
    assert shown["id"] == ep and shown["display_name"] == "Compat GCS"
    gateways = json.loads(cli.run("gcs", "storage-gateway", "list", ep, "-F", "json").stdout)
    assert [g["id"] for g in gateways["data"]] == [gateway["id"]]
    listed = json.loads(cli.run("collection", "list", ep, "-F", "json").stdout)
    assert [c["id"] for c in listed["DATA"]] == [mapped["id"]], listed
    show = json.loads(cli.run("collection", "show", mapped["id"], "-F", "json").stdout)
    assert show["display_name"] == "cli data"
    cli.run("collection", "update", mapped["id"], "--display-name", "cli renamed")
    assert gcs.get_collection(mapped["id"])["display_name"] == "cli renamed"
    assert "success" in cli.run("collection", "delete", mapped["id"]).stdout
