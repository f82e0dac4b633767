"""Bad input is a 400 (or 404) in Transfer's error document, never a 500: one test per
class of bad value, over HTTP against the live server on SQLite and on PostgreSQL."""

from __future__ import annotations

import typing as t
from pathlib import Path

import requests

from tests.globus_local.services.transfer.conftest import TransferUser

NINES = "9" * 400
BIGINT_PAST = str(2**63)  # one past the largest BIGINT
EARLY = "0001-01-01T00:00:00+23:59"  # before year 1 in UTC
LATE = "9999-12-31T23:59:59-23:59"  # after year 9999 in UTC


def assert_bad(response: requests.Response, what: t.Any, status: int = 400) -> None:
    """``response`` is Transfer's error document with ``status``, not a 500."""
    what = ascii(what)  # pytest cannot print an unpaired surrogate
    assert response.status_code == status, (what, response.status_code, response.text[:300])
    doc = response.json()
    assert doc["code"] == ("ClientError.BadRequest" if status == 400 else doc["code"]), what
    assert doc["request_id"] and doc["resource"].startswith("/v0.10/"), what


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
