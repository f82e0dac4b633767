from __future__ import annotations

import os
import typing as t

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


class FakeAuthClient:
    def __init__(self, identities: list[dict[str, t.Any]]) -> None:
        self.identities = identities
        self.calls: list[dict[str, t.Any]] = []

    def get_identities(self, **kwargs: t.Any) -> dict[str, t.Any]:
        self.calls.append(kwargs)
        return {"identities": self.identities}


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


def test_owner_info_username_gets_globusid_domain(gcp_dir):
    write(
        gcp_dir,
        "gridmap",
        '"/C=US/O=Globus Consortium/OU=Globus Connect User/CN=foo" foo\n',
    )
    info = LocalGlobusConnectPersonal(config_dir=str(gcp_dir)).get_owner_info()
    assert isinstance(info, GlobusConnectPersonalOwnerInfo)
    assert info.username == "foo@globusid.org"
    assert info.id is None
    assert repr(info) == "GlobusConnectPersonalOwnerInfo(username='foo@globusid.org')"


def test_owner_info_username_with_domain_kept(gcp_dir):
    write(
        gcp_dir,
        "gridmap",
        '"/C=US/O=Globus Consortium/OU=Globus Connect User/CN=bar@example.edu" bar\n',
    )
    info = LocalGlobusConnectPersonal(config_dir=str(gcp_dir)).get_owner_info()
    assert info.username == "bar@example.edu"


def test_owner_info_identity_id(gcp_dir):
    write(
        gcp_dir,
        "gridmap",
        f'"/C=US/O=Globus Consortium/OU=Globus Connect User/CN={IDENTITY_ID}" sirosen\n',
    )
    info = LocalGlobusConnectPersonal(config_dir=str(gcp_dir)).get_owner_info()
    assert info.id == IDENTITY_ID
    assert info.username is None
    assert repr(info) == f"GlobusConnectPersonalOwnerInfo(id='{IDENTITY_ID}')"


@pytest.mark.parametrize("content", ["", "\n\n", "garbage without quotes\n", '"/C=US/O=X" u\n'])
def test_owner_info_unparseable_is_none(gcp_dir, content):
    write(gcp_dir, "gridmap", content)
    assert LocalGlobusConnectPersonal(config_dir=str(gcp_dir)).get_owner_info() is None


def test_owner_info_direct_construction():
    info = GlobusConnectPersonalOwnerInfo(config_dn="/C=US/O=Globus Consortium/CN=someone")
    assert info.username == "someone@globusid.org"
    with pytest.raises(ValueError):
        GlobusConnectPersonalOwnerInfo(config_dn="/C=US/O=Globus Consortium")


def test_owner_info_via_auth_client_by_username(gcp_dir):
    write(gcp_dir, "gridmap", '"/C=US/O=Globus Consortium/OU=Globus Connect User/CN=foo" foo\n')
    identity = {"id": IDENTITY_ID, "username": "foo@globusid.org"}
    client = FakeAuthClient([identity])
    result = LocalGlobusConnectPersonal(config_dir=str(gcp_dir)).get_owner_info(client)
    assert result == identity
    assert client.calls == [{"usernames": "foo@globusid.org"}]


def test_owner_info_via_auth_client_by_id(gcp_dir):
    write(gcp_dir, "gridmap", f'"/C=US/O=Globus Consortium/CN={IDENTITY_ID}" x\n')
    identity = {"id": IDENTITY_ID, "username": "foo@globusid.org"}
    client = FakeAuthClient([identity])
    local = LocalGlobusConnectPersonal(config_dir=str(gcp_dir))
    assert local.get_owner_info(auth_client=client) == identity
    assert client.calls == [{"ids": IDENTITY_ID}]


def test_owner_info_via_auth_client_unknown_identity(gcp_dir):
    write(gcp_dir, "gridmap", '"/C=US/O=Globus Consortium/CN=foo" foo\n')
    client = FakeAuthClient([])
    assert LocalGlobusConnectPersonal(config_dir=str(gcp_dir)).get_owner_info(client) is None


def test_owner_info_without_gridmap_does_not_call_auth(gcp_dir):
    client = FakeAuthClient([{"id": "x"}])
    assert LocalGlobusConnectPersonal(config_dir=str(gcp_dir)).get_owner_info(client) is None
    assert client.calls == []
