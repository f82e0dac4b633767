"""IdentityMap batching and caching (identities served by a scripted HTTP stub)."""

from __future__ import annotations

import uuid

import pytest

import globus_sdk
from tests.support.http_stub import HTTPStub, RecordedRequest, StubResponse

KNOWN = {str(uuid.uuid4()): f"user{i}@example.org" for i in range(5)}


def identities_responder(req: RecordedRequest) -> StubResponse:
    found = []
    for key in (req.query.get("ids") or req.query.get("usernames") or [""])[0].split(","):
        for ident, username in KNOWN.items():
            if key.lower() in (ident, username):
                found.append({"id": ident, "username": username, "status": "used"})
    return StubResponse(200, {"identities": found})


@pytest.fixture
def idmap_client(http_stub: HTTPStub) -> globus_sdk.AuthClient:
    http_stub.route("GET", "/v2/api/identities", identities_responder)
    return globus_sdk.AuthClient(base_url=http_stub.url)


def test_seeded_lookups_are_batched_and_cached(http_stub, idmap_client) -> None:
    ids = list(KNOWN)
    idmap = globus_sdk.IdentityMap(idmap_client, ids[:3] + ["user3@example.org"])
    assert idmap[ids[0]]["username"] == "user0@example.org"
    assert len(http_stub.requests) == 1
    sent = http_stub.requests[0].query["ids"][0].split(",")
    assert sent[0] == ids[0] and sorted(sent) == sorted(ids[:3])  # the key asked for first
    assert idmap[ids[1]]["id"] == ids[1]
    assert idmap["user0@example.org"]["id"] == ids[0]  # cached under username too
    assert len(http_stub.requests) == 1
    assert idmap["user3@example.org"]["id"] == ids[3]
    assert len(http_stub.requests) == 2
    assert http_stub.requests[1].query == {
        "usernames": ["user3@example.org"],
        "provision": ["false"],
    }


def test_add_reports_duplicates(idmap_client) -> None:
    ident = next(iter(KNOWN))
    idmap = globus_sdk.IdentityMap(idmap_client)
    assert idmap.add(ident) is True
    assert idmap.add(ident) is False
    idmap[ident]
    assert idmap.add(ident) is False  # already resolved


def test_batches_respect_batch_size(http_stub, idmap_client) -> None:
    unknown = [str(uuid.uuid4()) for _ in range(250)]
    idmap = globus_sdk.IdentityMap(idmap_client, unknown)
    for key in unknown:
        assert idmap.get(key) is None
    # 250 pending ids: 100 + 100 + 50 in three requests, not one per id
    assert [len(r.query["ids"][0].split(",")) for r in http_stub.requests] == [100, 100, 50]

    http_stub.requests.clear()
    small = globus_sdk.IdentityMap(idmap_client, list(KNOWN), id_batch_size=2)
    for key in KNOWN:
        small[key]
    assert len(http_stub.requests) == 3


def test_missing_identity_raises_keyerror_and_get_default(http_stub, idmap_client) -> None:
    idmap = globus_sdk.IdentityMap(idmap_client)
    with pytest.raises(KeyError):
        idmap["no-such-valid-id@example.org"]
    assert idmap.get("no-such-valid-id@example.org", "dflt") == "dflt"
    assert idmap.add("no-such-valid-id@example.org") is False
    assert len(http_stub.requests) == 1  # a miss is remembered
    assert idmap.get(str(uuid.uuid4())) is None


def test_delitem_and_shared_cache(http_stub, idmap_client) -> None:
    ident = next(iter(KNOWN))
    cache: dict = {}
    idmap = globus_sdk.IdentityMap(idmap_client, cache=cache)
    idmap[ident]
    assert cache[ident]["id"] == ident
    other = globus_sdk.IdentityMap(idmap_client, cache=cache)
    assert other[KNOWN[ident]]["id"] == ident
    assert len(http_stub.requests) == 1
    del idmap[ident]
    with pytest.raises(KeyError):
        del idmap[ident]
    idmap[ident]  # looked up again
    assert len(http_stub.requests) == 2


def test_lookup_spelling_is_remembered(http_stub, idmap_client) -> None:
    ident = next(iter(KNOWN))
    idmap = globus_sdk.IdentityMap(idmap_client)
    assert idmap[ident.upper()]["id"] == ident
    assert idmap[KNOWN[ident].upper()]["id"] == ident
    assert len(http_stub.requests) == 2
