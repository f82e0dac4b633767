"""Bad input is a 400 (or 404) in Transfer's error document, never a 500: one test per
class of bad value, over HTTP against the live server on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import typing as t
from pathlib import Path

import requests

from tests.globus_local.services.transfer.support import TransferUser, submit, transfer_doc

NINES = "9" * 400
BIGINT_PAST = str(2**63)  # one past the largest BIGINT
INT_PAST = 2**31  # one past the largest INTEGER on PostgreSQL
EARLY = "0001-01-01T00:00:00+23:59"  # before year 1 in UTC
LATE = "9999-12-31T23:59:59-23:59"  # after year 9999 in UTC


def assert_bad(response: requests.Response, what: t.Any, status: int = 400) -> None:
    """``response`` is Transfer's error document with ``status``, not a 500."""
    what = ascii(what)  # pytest cannot print an unpaired surrogate
    assert response.status_code == status, (what, response.status_code, response.text[:300])
    doc = response.json()
    assert doc["code"] == ("ClientError.BadRequest" if status == 400 else doc["code"]), what
    assert doc["request_id"] and doc["resource"].startswith("/v0.10/"), what


def _share(alice: TransferUser, endpoint_id: str) -> str:
    doc = {"DATA_TYPE": "shared_endpoint", "host_endpoint": endpoint_id, "host_path": "/dir1/",
           "display_name": "bad input share"}  # fmt: skip
    response = alice.post("shared_endpoint", doc)
    assert response.status_code == 200, response.text
    return str(response.json()["id"])


def test_ls_filter_number_out_of_range_keeps_the_connection(
    alice: TransferUser, alice_endpoint: tuple[str, Path]
) -> None:
    """The tester's case: ``size:>`` and 400 nines was a 500 (OverflowError) that also
    closed the keep-alive connection."""
    endpoint_id, _ = alice_endpoint
    url = f"{alice.base_url}operation/endpoint/{endpoint_id}/ls"
    headers = {"Authorization": f"Bearer {alice.token}"}
    with requests.Session() as session:
        for bad in (f"size:>{NINES}", f"size:{NINES}", f"size:<-{NINES}", f"size:,{NINES}",
                    f"size:{BIGINT_PAST}"):  # fmt: skip
            response = session.get(url, params={"filter": bad}, headers=headers, timeout=30)
            assert_bad(response, bad)
        # The same connection still answers.
        assert session.get(url, headers=headers, timeout=30).status_code == 200


def test_ls_filter_malformed(alice: TransferUser, alice_endpoint: tuple[str, Path]) -> None:
    endpoint_id, _ = alice_endpoint
    for bad in (
        "size:", "size:>", "size:,", "size:=<1", "size:1_000", "size:\u0661\u0662",
        "type:", "type:bogus", "name:", "name:~", "name:!,", "Size:1", "nocolon",
        f"last_modified:{EARLY}", f"last_modified:>{LATE}", "last_modified:2020-13-01",
    ):  # fmt: skip
        assert_bad(alice.ls(endpoint_id, "/", filter=bad), bad)
    assert alice.ls(endpoint_id, "/", filter="type:!dir,invalid_symlink").status_code == 200


def test_task_list_filter_malformed(alice: TransferUser) -> None:
    for bad in ("status:", "status:BOGUS", "type:COPY", "task_id:", "owner_id:,", "endpoint:"):
        assert_bad(alice.get("task_list", params={"filter": bad}), bad)
    for key, value in (("filter_status", "BOGUS"), ("filter_type", "COPY")):
        assert_bad(alice.get("task_list", params={key: value}), key)
    assert_bad(alice.get("endpoint_manager/task_list", params={"filter_status": "X"}), "manager")
    assert alice.get("task_list", params={"filter": "status:active,failed"}).status_code == 200


def test_integer_query_parameters_out_of_range(
    alice: TransferUser, alice_endpoint: tuple[str, Path]
) -> None:
    endpoint_id, _ = alice_endpoint
    item = {"source_path": "/file1.txt", "destination_path": "/copy.txt"}
    task_id = submit(alice, transfer_doc(endpoint_id, endpoint_id, [item]))
    for path, params in (
        (f"task/{task_id}/event_list", {"offset": NINES}),
        (f"task/{task_id}/event_list", {"offset": BIGINT_PAST}),
        (f"task/{task_id}/successful_transfers", {"marker": NINES}),
        (f"task/{task_id}/skipped_errors", {"marker": BIGINT_PAST}),
        ("task_list", {"filter": f"min_faults:{NINES}"}),
        ("task_list", {"filter": f"min_faults:{INT_PAST}"}),
        ("endpoint_manager/task_list", {"filter_min_faults": NINES}),
        ("endpoint_manager/task_list", {"filter_min_faults": f"-{NINES}"}),
        ("endpoint_search", {"filter_scope": "my-endpoints", "offset": "\u0661"}),
        (f"operation/endpoint/{endpoint_id}/ls", {"limit": "1e3"}),
    ):
        assert_bad(alice.get(path, params=params), (path, params))
    # A server id no server can have is simply not found.
    for server_id in (NINES, str(INT_PAST), "-1"):
        assert_bad(alice.get(f"endpoint/{endpoint_id}/server/{server_id}"), server_id, 404)


def test_times_out_of_range(alice: TransferUser, alice_endpoint: tuple[str, Path]) -> None:
    """Times that leave years 1..9999 once in UTC: refused in filters and never stored
    (a stored one broke every later read of its rows)."""
    endpoint_id, _ = alice_endpoint
    share = _share(alice, endpoint_id)
    item = {"source_path": "/file1.txt", "destination_path": "/copy.txt"}
    for when in (EARLY, LATE):
        for params in ({"filter_request_time": f"{when},"}, {"filter": f"completion_time:,{when}"}):
            assert_bad(alice.get("task_list", params=params), params)
        doc = transfer_doc(endpoint_id, endpoint_id, [item], deadline=when)
        assert_bad(alice.post("transfer", doc), ("deadline", when))
        rule = {"DATA_TYPE": "pause_rule", "endpoint_id": endpoint_id, "start_time": when}
        assert_bad(alice.post("endpoint_manager/pause_rule", rule), ("start_time", when))
        access = {"DATA_TYPE": "access", "principal_type": "all_authenticated_users",
                  "principal": "", "path": "/", "permissions": "r", "expiration_date": when}  # fmt: skip
        assert_bad(alice.post(f"endpoint/{share}/access", access), ("expiration_date", when))
    assert alice.get(f"endpoint/{share}/access_list").status_code == 200


def test_nul_and_unpaired_surrogates(alice: TransferUser, alice_endpoint: tuple[str, Path]) -> None:
    """Text no database stores (NUL for PostgreSQL, unpaired surrogates for both)."""
    endpoint_id, _ = alice_endpoint
    assert_bad(alice.get("task/a%00b"), "NUL in the path")
    assert_bad(alice.get("task_list", params={"filter_label": "a\x00b"}), "NUL in the query")
    assert_bad(alice.get("endpoint_search", params={"filter_fulltext": "\x00"}), "NUL query")
    for text in ("a\x00b", "a\ud800b"):
        for path, body in (
            ("endpoint", {"display_name": text}),
            ("bookmark", {"name": text, "endpoint_id": endpoint_id, "path": "/"}),
            (f"operation/endpoint/{endpoint_id}/mkdir", {"path": f"/{text}"}),
            ("endpoint_manager/admin_cancel", {"task_id_list": [text]}),
            ("transfer", transfer_doc(endpoint_id, endpoint_id,
                                      [{"source_path": f"/{text}", "destination_path": "/x"}])),
        ):  # fmt: skip
            raw = json.dumps(body)  # escapes both as \uXXXX, as any JSON client may
            response = alice.post(path, data=raw, headers={"Content-Type": "application/json"})
            assert_bad(response, (path, text))
    # Paired surrogates (an emoji) and an escaped backslash before "u0000" are fine.
    name = {"name": "\U0001f4c1 data \\u0000", "endpoint_id": endpoint_id, "path": "/"}
    response = alice.post("bookmark", data=json.dumps(name),
                          headers={"Content-Type": "application/json"})  # fmt: skip
    assert response.status_code == 200, response.text
    assert response.json()["name"] == name["name"]


def test_text_longer_than_its_column(alice: TransferUser, alice_endpoint: tuple[str, Path]) -> None:
    """PostgreSQL refuses text longer than a column holds (a 500); SQLite kept it."""
    endpoint_id, _ = alice_endpoint
    share = _share(alice, endpoint_id)
    long = "n" * 256
    item = {"source_path": "/file1.txt", "destination_path": "/x", "external_checksum": "a" * 257}
    for method, path, body in (
        ("POST", "endpoint", {"display_name": long}),
        ("PUT", f"endpoint/{endpoint_id}", {"display_name": long}),
        ("PUT", f"endpoint/{endpoint_id}", {"organization": long}),
        ("POST", f"endpoint/{endpoint_id}/server", {"hostname": long}),
        ("POST", "bookmark", {"name": long, "endpoint_id": endpoint_id, "path": "/"}),
        ("POST", f"endpoint/{share}/access",
         {"principal_type": "all_authenticated_users", "principal": "", "path": "/",
          "permissions": "r", "notify_email": long}),
        ("POST", "transfer", transfer_doc(endpoint_id, endpoint_id, [item])),
        ("POST", "endpoint_manager/pause_rule",
         {"endpoint_id": endpoint_id, "identity_id": "not-an-identity-" + long}),
    ):  # fmt: skip
        assert_bad(alice.http(method, path, json=body), (path, body))


def test_endpoint_integer_settings_out_of_range(
    alice: TransferUser, alice_endpoint: tuple[str, Path]
) -> None:
    endpoint_id, _ = alice_endpoint
    for key, value in (
        ("max_concurrency", int(NINES)),
        ("preferred_parallelism", INT_PAST),
        ("max_parallelism", -1),
        ("authentication_timeout_mins", int(NINES)),
    ):
        assert_bad(alice.put(f"endpoint/{endpoint_id}", {key: value}), key)
        assert_bad(alice.post("endpoint", {"display_name": "bad", key: value}), key)
    assert alice.put(f"endpoint/{endpoint_id}", {"max_concurrency": 8}).status_code == 200


def test_body_not_a_json_object(alice: TransferUser, alice_endpoint: tuple[str, Path]) -> None:
    """A body that is not JSON, or not the object a route takes, is refused with
    Transfer's own code (the platform's generic ``BadRequest`` was passed through)."""
    endpoint_id, _ = alice_endpoint
    headers = {"Content-Type": "application/json"}
    for path, raw in (
        ("endpoint", "[]"),
        ("bookmark", "null"),
        (f"operation/endpoint/{endpoint_id}/mkdir", "1"),
        ("endpoint", "{"),
        ("transfer", '{"a":' * 3000 + "1" + "}" * 3000),
    ):
        response = alice.post(path, data=raw, headers=headers)
        assert response.status_code == 400, (path, raw[:20], response.text)
        assert response.json()["code"] == "ClientError.BadRequest", (path, raw[:20])


def test_sync_level_digits_int_cannot_read(
    alice: TransferUser, alice_endpoint: tuple[str, Path]
) -> None:
    """``str.isdigit`` holds for "²", which ``int`` cannot read: that sync_level was a 500."""
    endpoint_id, _ = alice_endpoint
    items = [{"source_path": "/file1.txt", "destination_path": "/copy.txt"}]
    for bad in ("\u00b2", "\u0661", "1\u00b2"):
        doc = transfer_doc(endpoint_id, endpoint_id, items, sync_level=bad)
        assert_bad(alice.post("transfer", doc), bad)
