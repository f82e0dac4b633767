"""TransferData / DeleteData: the documents they build and their submission IDs."""

from __future__ import annotations

import datetime
import uuid

import pytest

import globus_sdk
from tests.globus_sdk.services.transfer.conftest import PREFIX
from tests.support.http_stub import HTTPStub, StubResponse

SRC = uuid.UUID("11111111-2222-3333-4444-555555555555")
DST = "66666666-7777-8888-9999-000000000000"


@pytest.fixture
def submission_ids(http_stub: HTTPStub) -> None:
    http_stub.add(
        "GET",
        f"{PREFIX}/submission_id",
        StubResponse(200, {"DATA_TYPE": "submission_id", "value": "sub-1"}),
        StubResponse(200, {"DATA_TYPE": "submission_id", "value": "sub-2"}),
    )


def test_transfer_data_defaults_fetch_submission_id(
    tc: globus_sdk.TransferClient, http_stub: HTTPStub, submission_ids: None
) -> None:
    tdata = globus_sdk.TransferData(tc, SRC, DST)
    assert [r.path for r in http_stub.requests] == [f"{PREFIX}/submission_id"]
    assert dict(tdata) == {
        "DATA_TYPE": "transfer",
        "submission_id": "sub-1",
        "source_endpoint": str(SRC),
        "destination_endpoint": DST,
        "verify_checksum": False,
        "preserve_timestamp": False,
        "encrypt_data": False,
        "skip_source_errors": False,
        "fail_on_quota_errors": False,
        "recursive_symlinks": "ignore",
        "delete_destination_extra": False,
        "DATA": [],
    }
    # a second document gets its own ID
    assert globus_sdk.TransferData(tc, SRC, DST)["submission_id"] == "sub-2"


def test_transfer_data_given_submission_id_makes_no_request(
    tc: globus_sdk.TransferClient, http_stub: HTTPStub
) -> None:
    sid = uuid.uuid4()
    tdata = globus_sdk.TransferData(tc, SRC, DST, submission_id=sid)
    assert tdata["submission_id"] == str(sid)
    assert http_stub.requests == []


def test_transfer_data_all_options(tc: globus_sdk.TransferClient) -> None:
    deadline = datetime.datetime(2017, 10, 12, 9, 30, tzinfo=datetime.timezone.utc)
    tdata = globus_sdk.TransferData(
        tc,
        SRC,
        DST,
        label="SDK example",
        submission_id="s",
        sync_level="checksum",
        verify_checksum=True,
        preserve_timestamp=True,
        encrypt_data=True,
        deadline=deadline,
        skip_source_errors=True,
        fail_on_quota_errors=True,
        recursive_symlinks="keep",
        delete_destination_extra=True,
        notify_on_succeeded=False,
        notify_on_failed=True,
        notify_on_inactive=False,
        additional_fields={"filter_rules": [{"method": "exclude", "name": "*.tmp"}]},
    )
    assert tdata["label"] == "SDK example"
    assert tdata["sync_level"] == 3
    assert tdata["deadline"] == "2017-10-12 09:30:00+00:00"
    for key in (
        "verify_checksum",
        "preserve_timestamp",
        "encrypt_data",
        "skip_source_errors",
        "fail_on_quota_errors",
        "delete_destination_extra",
        "notify_on_failed",
    ):
        assert tdata[key] is True, key
    assert tdata["notify_on_succeeded"] is False
    assert tdata["notify_on_inactive"] is False
    assert tdata["recursive_symlinks"] == "keep"
    assert tdata["filter_rules"] == [{"method": "exclude", "name": "*.tmp"}]


@pytest.mark.parametrize(
    ("given", "sent"),
    [("exists", 0), ("size", 1), ("mtime", 2), ("checksum", 3), ("SIZE", 1), (2, 2), (0, 0)],
)
def test_sync_level_names_and_ints(tc: globus_sdk.TransferClient, given, sent) -> None:
    assert (
        globus_sdk.TransferData(tc, SRC, DST, submission_id="s", sync_level=given)["sync_level"]
        == sent
    )


def test_string_deadline_passes_through(tc: globus_sdk.TransferClient) -> None:
    tdata = globus_sdk.TransferData(tc, SRC, DST, submission_id="s", deadline="2017-10-12 09:30Z")
    assert tdata["deadline"] == "2017-10-12 09:30Z"


def test_transfer_items(tc: globus_sdk.TransferClient) -> None:
    tdata = globus_sdk.TransferData(tc, SRC, DST, submission_id="s")
    tdata.add_item("/source/path/dir/", "/dest/path/dir/", recursive=True)
    tdata.add_item(
        "/src/file.txt",
        "/dst/file.txt",
        external_checksum="abc",
        checksum_algorithm="MD5",
        additional_fields={"extra": 1},
    )
    tdata.add_symlink_item("/src/link", "/dst/link")
    assert list(tdata.iter_items()) == [
        {
            "DATA_TYPE": "transfer_item",
            "source_path": "/source/path/dir/",
            "destination_path": "/dest/path/dir/",
            "recursive": True,
            "external_checksum": None,
            "checksum_algorithm": None,
        },
        {
            "DATA_TYPE": "transfer_item",
            "source_path": "/src/file.txt",
            "destination_path": "/dst/file.txt",
            "recursive": False,
            "external_checksum": "abc",
            "checksum_algorithm": "MD5",
            "extra": 1,
        },
        {
            "DATA_TYPE": "transfer_symlink_item",
            "source_path": "/src/link",
            "destination_path": "/dst/link",
        },
    ]


def test_submit_transfer_sends_the_document(
    tc: globus_sdk.TransferClient, http_stub: HTTPStub, submission_ids: None
) -> None:
    http_stub.add(
        "POST",
        f"{PREFIX}/transfer",
        body={"DATA_TYPE": "transfer_result", "code": "Accepted", "task_id": "t-1"},
    )
    tdata = globus_sdk.TransferData(tc, SRC, DST, label="SDK example", sync_level="checksum")
    tdata.add_item("/source/path/file.txt", "/dest/path/file.txt")
    result = tc.submit_transfer(tdata)
    assert result["task_id"] == "t-1"
    sent = http_stub.requests[-1]
    assert sent.json == dict(tdata)
    assert sent.json["submission_id"] == "sub-1"
    # resubmitting the same document reuses its submission ID (no new GET /submission_id)
    tc.submit_transfer(tdata)
    assert len(http_stub.requests_to(f"{PREFIX}/submission_id")) == 1
    assert http_stub.requests[-1].json["submission_id"] == "sub-1"


def test_delete_data_defaults_and_items(
    tc: globus_sdk.TransferClient, http_stub: HTTPStub, submission_ids: None
) -> None:
    ddata = globus_sdk.DeleteData(tc, SRC)
    ddata.add_item("/dir/to/delete/")
    ddata.add_item("/file/to/delete/file.txt", additional_fields={"x": "y"})
    assert dict(ddata) == {
        "DATA_TYPE": "delete",
        "submission_id": "sub-1",
        "endpoint": str(SRC),
        "recursive": False,
        "DATA": [
            {"DATA_TYPE": "delete_item", "path": "/dir/to/delete/"},
            {"DATA_TYPE": "delete_item", "path": "/file/to/delete/file.txt", "x": "y"},
        ],
    }
    assert list(ddata.iter_items()) == ddata["DATA"]

    http_stub.add("POST", f"{PREFIX}/delete", body={"code": "Accepted", "task_id": "t-2"})
    assert tc.submit_delete(ddata)["task_id"] == "t-2"
    assert http_stub.requests[-1].json == dict(ddata)


def test_delete_data_all_options(tc: globus_sdk.TransferClient) -> None:
    ddata = globus_sdk.DeleteData(
        tc,
        DST,
        label="cleanup",
        submission_id="s",
        recursive=True,
        deadline=datetime.datetime(2030, 1, 1),
        ignore_missing=True,
        interpret_globs=False,
        notify_on_succeeded=False,
        notify_on_failed=False,
        notify_on_inactive=True,
        additional_fields={"local_user": "alice"},
    )
    assert ddata["recursive"] is True
    assert ddata["label"] == "cleanup"
    assert ddata["deadline"] == "2030-01-01 00:00:00"
    assert ddata["ignore_missing"] is True
    assert ddata["interpret_globs"] is False
    assert (ddata["notify_on_succeeded"], ddata["notify_on_failed"]) == (False, False)
    assert ddata["notify_on_inactive"] is True
    assert ddata["local_user"] == "alice"


def test_payloads_are_payload_wrappers(tc: globus_sdk.TransferClient) -> None:
    from globus_sdk.utils import PayloadWrapper

    assert isinstance(globus_sdk.TransferData(tc, SRC, DST, submission_id="s"), PayloadWrapper)
    assert isinstance(globus_sdk.DeleteData(tc, SRC, submission_id="s"), PayloadWrapper)
