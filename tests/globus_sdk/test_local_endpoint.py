from __future__ import annotations

import base64
import os
import secrets
import subprocess
import sys
import tempfile
import typing as t
import uuid

import pytest

import globus_sdk
from globus_sdk.local_endpoint import GlobusConnectPersonalOwnerInfo, LocalGlobusConnectPersonal
from globus_sdk.local_endpoint import personal as personal_module

IDENTITY_ID = "7deda7cc-077b-11ec-a137-67523ecffd4b"


@pytest.fixture
def gcp_dir(tmp_path, monkeypatch):
    monkeypatch.setattr(personal_module, "_on_windows", lambda: False)
    (tmp_path / "lta").mkdir()
    return tmp_path


def write(gcp_dir, name: str, content: str) -> None:
    (gcp_dir / "lta" / name).write_text(content)


def encoded_id(identity_id: str) -> str:
    """How GCP writes an identity ID as a common name: ``u_`` + unpadded lower base32."""
    return "u_" + base64.b32encode(uuid.UUID(identity_id).bytes).decode().rstrip("=").lower()


def gridmap_line(common_name: str, local_user: str = "localuser") -> str:
    return f'"/C=US/O=Globus Consortium/OU=Globus Connect User/CN={common_name}" {local_user}\n'


def test_top_level_exports():
    assert globus_sdk.LocalGlobusConnectPersonal is LocalGlobusConnectPersonal
    assert globus_sdk.GlobusConnectPersonalOwnerInfo is GlobusConnectPersonalOwnerInfo


def test_default_config_dir_on_unix(monkeypatch, tmp_path):
    monkeypatch.setattr(personal_module, "_on_windows", lambda: False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert LocalGlobusConnectPersonal().config_dir == os.path.join(str(tmp_path), ".globusonline")


def test_default_config_dir_on_windows(monkeypatch, tmp_path):
    monkeypatch.setattr(personal_module, "_on_windows", lambda: True)
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path))
    assert LocalGlobusConnectPersonal().config_dir == os.path.join(str(tmp_path), "Globus Connect")


def test_windows_without_localappdata_is_usage_error(monkeypatch):
    monkeypatch.setattr(personal_module, "_on_windows", lambda: True)
    monkeypatch.delenv("LOCALAPPDATA", raising=False)
    with pytest.raises(globus_sdk.GlobusSDKUsageError):
        _ = LocalGlobusConnectPersonal().config_dir


def test_windows_reads_files_from_config_dir_itself(monkeypatch, tmp_path):
    monkeypatch.setattr(personal_module, "_on_windows", lambda: True)
    (tmp_path / "client-id.txt").write_text("win-ep-id\n")
    assert LocalGlobusConnectPersonal(config_dir=str(tmp_path)).endpoint_id == "win-ep-id"


def test_explicit_config_dir(gcp_dir):
    assert LocalGlobusConnectPersonal(config_dir=str(gcp_dir)).config_dir == str(gcp_dir)


def test_endpoint_id_read_stripped_and_cached(gcp_dir):
    write(gcp_dir, "client-id.txt", "  ep-1234\n")
    local = LocalGlobusConnectPersonal(config_dir=str(gcp_dir))
    assert local.endpoint_id == "ep-1234"
    write(gcp_dir, "client-id.txt", "ep-5678\n")
    assert local.endpoint_id == "ep-1234"  # cached
    del local.endpoint_id
    assert local.endpoint_id == "ep-5678"  # reloaded


def test_endpoint_id_empty_file_is_empty_string(gcp_dir):
    write(gcp_dir, "client-id.txt", "\n")
    assert LocalGlobusConnectPersonal(config_dir=str(gcp_dir)).endpoint_id == ""


def test_endpoint_id_missing_is_none(gcp_dir):
    local = LocalGlobusConnectPersonal(config_dir=str(gcp_dir))
    assert local.endpoint_id is None
    write(gcp_dir, "client-id.txt", "late-id")
    assert local.endpoint_id == "late-id"  # a missing value is not cached


def test_endpoint_id_missing_dir_is_none(tmp_path, monkeypatch):
    monkeypatch.setattr(personal_module, "_on_windows", lambda: False)
    local = LocalGlobusConnectPersonal(config_dir=str(tmp_path / "nonexistent"))
    assert local.endpoint_id is None
    assert local.get_owner_info() is None


# -- owner info -----------------------------------------------------------------------


def owner_of(gcp_dir) -> GlobusConnectPersonalOwnerInfo | None:
    return LocalGlobusConnectPersonal(config_dir=str(gcp_dir)).get_owner_info()


def test_owner_info_username_gets_globusid_domain(gcp_dir):
    write(gcp_dir, "gridmap", gridmap_line("foo", "foo"))
    info = owner_of(gcp_dir)
    assert isinstance(info, GlobusConnectPersonalOwnerInfo)
    assert info.username == "foo@globusid.org"
    assert info.id is None
    assert repr(info) == "GlobusConnectPersonalOwnerInfo(username='foo@globusid.org')"
    assert str(info) == "GlobusConnectPersonalOwnerInfo(username=foo@globusid.org)"


def test_owner_info_identity_id_from_its_base32_form(gcp_dir):
    write(gcp_dir, "gridmap", gridmap_line(encoded_id(IDENTITY_ID), "sirosen"))
    info = owner_of(gcp_dir)
    assert info is not None
    assert info.id == IDENTITY_ID
    assert info.username is None
    assert repr(info) == f"GlobusConnectPersonalOwnerInfo(id='{IDENTITY_ID}')"
    assert str(info) == f"GlobusConnectPersonalOwnerInfo(id={IDENTITY_ID})"


@pytest.mark.parametrize(
    "common_name",
    [
        IDENTITY_ID,  # a plain UUID is a username as far as GCP's gridmap goes
        "u_short",
        "u_" + "1" * 26,  # right length, not base32
        "bar@example.edu",  # the domain is always added
    ],
)
def test_owner_info_other_common_names_are_usernames(gcp_dir, common_name):
    write(gcp_dir, "gridmap", gridmap_line(common_name))
    info = owner_of(gcp_dir)
    assert info is not None
    assert info.id is None
    assert info.username == f"{common_name}@globusid.org"


def test_owner_info_first_owner_line_wins(gcp_dir):
    write(
        gcp_dir,
        "gridmap",
        '"/C=US/O=Other/CN=someone" x\n' + gridmap_line("first") + gridmap_line("second"),
    )
    info = owner_of(gcp_dir)
    assert info is not None and info.username == "first@globusid.org"


@pytest.mark.parametrize(
    "content",
    [
        "",
        "\n\n",
        "garbage without quotes\n",
        '"/C=US/O=X" u\n',  # not GCP's subject
        ' "/C=US/O=Globus Consortium/OU=Globus Connect User/CN=foo" foo\n',  # not at line start
        '"/C=US/O=Globus Consortium/OU=Globus Connect User/CN=foo"\n',  # no local user
        '"/C=US/O=Globus Consortium/OU=Globus Connect User/CN=foo" a b\n',  # two local users
        '"/C=US/O=Globus Consortium/OU=Globus Connect User/CN=foo x\n',  # unbalanced quote
    ],
)
def test_owner_info_without_an_owner_is_none(gcp_dir, content):
    write(gcp_dir, "gridmap", content)
    assert owner_of(gcp_dir) is None


def test_owner_info_undecodable_gridmap_is_none(gcp_dir):
    (gcp_dir / "lta" / "gridmap").write_bytes(b'"/C=US/O=Globus \xff\xfe" x\n')
    assert owner_of(gcp_dir) is None


def test_owner_info_direct_construction():
    line = '"/C=US/O=Globus Consortium/OU=Globus Connect User/CN=someone" someone'
    assert GlobusConnectPersonalOwnerInfo(config_dn=line).username == "someone@globusid.org"
    # fewer components: the common name is whatever follows the last "="
    short = GlobusConnectPersonalOwnerInfo(config_dn='"/O=Globus/CN=other" x')
    assert short.username == "other@globusid.org"
    with pytest.raises(ValueError):  # a bare DN, without the local user
        GlobusConnectPersonalOwnerInfo(config_dn='"/C=US/O=Globus Consortium/CN=someone"')
    with pytest.raises(ValueError):
        GlobusConnectPersonalOwnerInfo(config_dn='"/C=US/CN=a" b c')


# -- files that exist but cannot be read ------------------------------------------------


def test_unreadable_gridmap_path_is_raised(gcp_dir):
    (gcp_dir / "lta" / "gridmap").mkdir()  # exists, but open() fails
    with pytest.raises(IsADirectoryError):
        owner_of(gcp_dir)


def test_unreadable_client_id_path_is_raised(gcp_dir):
    (gcp_dir / "lta" / "client-id.txt").mkdir()
    with pytest.raises(IsADirectoryError):
        _ = LocalGlobusConnectPersonal(config_dir=str(gcp_dir)).endpoint_id


# run as root, the probe imports everything first, then becomes an unprivileged user
UNREADABLE_PROBE = """
import os
import sys
import tempfile

from globus_sdk.local_endpoint import LocalGlobusConnectPersonal

local = LocalGlobusConnectPersonal(config_dir=sys.argv[1])
os.setgroups([])
os.setgid(65534)
os.setuid(65534)
for name, read in [("gridmap", local.get_owner_info), ("client-id.txt", lambda: local.endpoint_id)]:
    try:
        read()
    except PermissionError:
        print(name, "PermissionError")
    else:
        print(name, "read")
"""


def test_permission_denied_is_raised():
    """Files GCP's user may not read raise PermissionError, as 3.2 does.

    Root reads any file, so under root the check runs in a process that gives root up.
    """
    with tempfile.TemporaryDirectory() as tmp:
        os.chmod(tmp, 0o755)  # reachable by the unprivileged user
        lta = os.path.join(tmp, "lta")
        os.mkdir(lta)
        for name, content in [("gridmap", gridmap_line("foo")), ("client-id.txt", "ep-1\n")]:
            path = os.path.join(lta, name)
            with open(path, "w") as f:
                f.write(content)
            os.chmod(path, 0)
        if os.geteuid() != 0:
            local = LocalGlobusConnectPersonal(config_dir=tmp)
            with pytest.raises(PermissionError):
                local.get_owner_info()
            with pytest.raises(PermissionError):
                _ = local.endpoint_id
            return
        out = subprocess.run(
            [sys.executable, "-c", UNREADABLE_PROBE, tmp],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        ).stdout
    assert out.splitlines() == ["gridmap PermissionError", "client-id.txt PermissionError"]


# -- the owner's identity, from Globus Auth ----------------------------------------------


@pytest.fixture
def auth_client(globus_local_server) -> globus_sdk.ConfidentialAppAuthClient:
    app = globus_local_server.create_client("confidential", "GCP Owner Lookup")
    return globus_sdk.ConfidentialAppAuthClient(app["client_id"], app["client_secret"])


@pytest.fixture
def gcp_owner(globus_local_server) -> dict[str, t.Any]:
    """A Globus ID user, as GCP owners are (the gridmap drops the domain)."""
    return globus_local_server.create_user(f"gcp-{secrets.token_hex(4)}@globusid.org")


def test_owner_identity_by_username(gcp_dir, auth_client, gcp_owner):
    write(gcp_dir, "gridmap", gridmap_line(gcp_owner["username"].split("@")[0]))
    identity = LocalGlobusConnectPersonal(config_dir=str(gcp_dir)).get_owner_info(auth_client)
    assert identity is not None
    assert (identity["id"], identity["username"]) == (gcp_owner["id"], gcp_owner["username"])


def test_owner_identity_by_id(gcp_dir, auth_client, gcp_owner):
    write(gcp_dir, "gridmap", gridmap_line(encoded_id(gcp_owner["id"])))
    local = LocalGlobusConnectPersonal(config_dir=str(gcp_dir))
    identity = local.get_owner_info(auth_client=auth_client)
    assert identity is not None and identity["username"] == gcp_owner["username"]


def test_owner_identity_unknown_to_auth_is_none(gcp_dir, auth_client):
    write(gcp_dir, "gridmap", gridmap_line(f"nobody-{secrets.token_hex(4)}"))
    assert LocalGlobusConnectPersonal(config_dir=str(gcp_dir)).get_owner_info(auth_client) is None


def test_owner_identity_without_gridmap_is_none(gcp_dir, auth_client):
    assert LocalGlobusConnectPersonal(config_dir=str(gcp_dir)).get_owner_info(auth_client) is None
