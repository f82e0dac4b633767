"""visible_to on every read, tokens and scopes, and bad input answered in the GError shape."""

from __future__ import annotations

import json

import pytest

import globus_sdk
from globus_local.services.auth.scopes import GROUPS_ALL, SEARCH_INGEST, SEARCH_SEARCH
from tests.globus_local.services.search.support import SearchEnv, User, subjects


def test_visible_to(env: SearchEnv, owner: User, index_id: str) -> None:
    alice, bob, carol = env.user(), env.user(), env.user()
    group_id = env.create_group(owner)
    env.membership(owner, group_id, "add", bob)
    group_urn = f"urn:globus:groups:id:{group_id}"
    env.ingest(
        owner,
        index_id,
        [
            {"subject": "pub", "content": {"w": "shared"}},
            {"subject": "alice", "visible_to": [alice.urn], "content": {"w": "shared"}},
            {"subject": "group", "visible_to": [group_urn], "content": {"w": "shared"}},
            {
                "subject": "authn",
                "visible_to": ["all_authenticated_users"],
                "content": {"w": "shared"},
            },
            # one subject, entries with different audiences
            {"subject": "mixed", "visible_to": ["public"], "content": {"w": "shared open"}},
            {
                "subject": "mixed",
                "id": "private",
                "visible_to": [alice.urn],
                "content": {"w": "shared hidden"},
            },
        ],
    )

    def seen(user: User | None, query: str = "shared") -> list[str]:
        return sorted(subjects(env.client(user).search(index_id, query)))

    assert seen(None) == ["mixed", "pub"]
    assert seen(alice) == ["alice", "authn", "mixed", "pub"]
    assert seen(bob) == ["authn", "group", "mixed", "pub"]
    assert seen(carol) == ["authn", "mixed", "pub"]
    assert seen(None, "hidden") == [] and seen(alice, "hidden") == ["mixed"]
    # entries of a visible subject are filtered too
    anon_mixed = env.client(None).get_subject(index_id, "mixed")["entries"]
    assert [e["entry_id"] for e in anon_mixed] == [None]
    alice_mixed = env.client(alice).get_subject(index_id, "mixed")["entries"]
    assert [e["entry_id"] for e in alice_mixed] == [None, "private"]
    result = env.client(None).post_search(index_id, {"q": "*", "facets": [{"field_name": "w"}]})
    assert result["total"] == 2
    assert sum(b["count"] for b in result["facet_results"][0]["buckets"]) == 2
    with pytest.raises(globus_sdk.SearchAPIError) as err:
        env.client(carol).get_subject(index_id, "alice")
    assert err.value.http_status == 404
    with pytest.raises(globus_sdk.SearchAPIError):
        env.client(carol).get_entry(index_id, "mixed", entry_id="private")

    # leaving the group hides its entries
    env.membership(owner, group_id, "remove", bob)
    assert seen(bob) == ["authn", "mixed", "pub"]

    # bypass_visible_to is for index admins only
    everything = env.client(owner).post_search(index_id, {"q": "shared", "bypass_visible_to": True})
    assert sorted(subjects(everything)) == ["alice", "authn", "group", "mixed", "pub"]
    with pytest.raises(globus_sdk.SearchAPIError) as err:
        env.client(carol).post_search(index_id, {"q": "shared", "bypass_visible_to": True})
    assert err.value.http_status == 403


def test_tokens_and_scopes(env: SearchEnv, owner: User, index_id: str) -> None:
    env.ingest(owner, index_id, [{"subject": "pub", "content": {"w": "x"}}])
    url = f"v1/index/{index_id}/search"
    resp = env.raw("GET", url, params={"q": "x"}, headers={"Authorization": "Bearer not-a-token"})
    assert resp.status_code == 401
    assert resp.json()["@datatype"] == "GError" and resp.json()["status"] == 401
    # a token for another service is refused, not silently treated as anonymous
    groups_only = env.user()
    resp = env.raw(
        "GET",
        url,
        params={"q": "x"},
        headers={"Authorization": f"Bearer {groups_only.groups_token}"},
    )
    assert resp.status_code == 403 and resp.json()["code"] == "ConsentRequired"
    # search-only tokens search but cannot ingest; ingest tokens can
    searcher = env.user([SEARCH_SEARCH])
    assert env.client(searcher).search(index_id, "x")["total"] == 1
    with pytest.raises(globus_sdk.SearchAPIError) as err:
        env.client(searcher).create_entry(
            index_id, {"subject": "a", "visible_to": ["public"], "content": {}}
        )
    assert err.value.http_status == 403
    ingester = env.user([SEARCH_INGEST, GROUPS_ALL])
    with pytest.raises(globus_sdk.SearchAPIError) as err:  # right scope, no role on the index
        env.client(ingester).create_entry(
            index_id, {"subject": "a", "visible_to": ["public"], "content": {}}
        )
    assert err.value.http_status == 403 and err.value.code == "Forbidden.Generic"
    assert env.raw("POST", "v1/index", None, json={"display_name": "x"}).status_code == 401


def test_bad_input(
    env: SearchEnv, owner: User, index_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    sc = env.client(owner)
    missing = "00000000-0000-0000-0000-000000000000"
    for call in (
        lambda: sc.get_index(missing),
        lambda: sc.search(missing, "x"),
        lambda: sc.post_search(missing, {"q": "x"}),
        lambda: sc.ingest(missing, {"ingest_type": "GMetaEntry", "ingest_data": {}}),
        lambda: sc.get_task_list(missing),
        lambda: sc.get_subject(missing, "s"),
    ):
        with pytest.raises(globus_sdk.SearchAPIError) as err:
            call()
        assert err.value.http_status == 404 and err.value.code == "NotFound.NoSuchIndex"
    with pytest.raises(globus_sdk.SearchAPIError) as err:
        sc.get_task(missing)
    assert err.value.http_status == 404

    # malformed GMetaEntry: 400 naming the field in error_data
    bad = {"ingest_type": "GMetaEntry", "ingest_data": {"subject": "s", "content": {}}}
    with pytest.raises(globus_sdk.SearchAPIError) as err:
        sc.ingest(index_id, bad)
    e = err.value
    assert (e.http_status, e.code) == (400, "BadRequest.ValidationError")
    assert e.error_data == {
        "messages": {"json": {"ingest_data.visible_to": ["Missing data for required field."]}}
    }
    assert (
        e.raw_json["@datatype"] == "GError"
        and e.raw_json["status"] == 400
        and e.raw_json["request_id"]
    )
    cases = [
        {
            "ingest_type": "GMetaList",
            "ingest_data": {"gmeta": [{"subject": "s", "visible_to": ["nobody"], "content": {}}]},
        },
        {"ingest_type": "GMetaList", "ingest_data": {"gmeta": "nope"}},
        {"ingest_type": "GMetaThing", "ingest_data": {}},
        {
            "ingest_type": "GMetaEntry",
            "ingest_data": {"subject": "s", "visible_to": ["public"], "content": [1]},
        },
        {
            "ingest_type": "GMetaEntry",
            "ingest_data": {"subject": 5, "visible_to": ["public"], "content": {}},
        },
        [1, 2],
    ]
    for body in cases:
        resp = env.raw("POST", f"v1/index/{index_id}/ingest", owner, json=body)
        assert resp.status_code == 400, body
        assert resp.json()["code"] == "BadRequest.ValidationError"
    resp = env.raw(
        "POST",
        f"v1/index/{index_id}/ingest",
        owner,
        data=b"{not json",
        headers={"Content-Type": "application/json"},
    )
    assert resp.status_code == 400 and resp.json()["@datatype"] == "GError"

    # queries
    for body in (
        {"q": "x", "filters": [{"type": "near", "field_name": "a", "values": [1]}]},
        {"q": "x", "filters": [{"type": "match_any", "field_name": "a"}]},
        {"q": "x", "filters": [{"type": "range", "field_name": "a", "values": [{"between": 1}]}]},
        {"q": "x", "filters": "match_any"},
        {"q": "x", "facets": [{"type": "numeric_histogram", "field_name": "a"}]},
        {
            "q": "x",
            "facets": [{"type": "date_histogram", "field_name": "a", "date_interval": "eon"}],
        },
        {"q": "x", "facets": [{"type": "median", "field_name": "a"}]},
        {"q": "x", "sort": [{"field_name": "a", "order": "sideways"}]},
        {"q": "x", "boosts": [{"field_name": "a", "factor": "big"}]},
        {"q": 5},
        {"limit": 5},
        {"q": "x", "limit": 10001},
        "q=x",
    ):
        resp = env.raw("POST", f"v1/index/{index_id}/search", owner, json=body)
        assert resp.status_code == 400, body
        assert resp.json()["code"] == "BadRequest.ValidationError"
    assert env.raw("GET", f"v1/index/{index_id}/search", owner).status_code == 400  # no q
    assert env.raw("GET", f"v1/index/{index_id}/subject", owner).status_code == 400  # no subject

    # oversized ingest documents: 413
    import globus_local.services.search.writes as writes

    monkeypatch.setattr(writes, "MAX_INGEST_BYTES", 2000)
    big = {
        "ingest_type": "GMetaEntry",
        "ingest_data": {
            "subject": "big",
            "visible_to": ["public"],
            "content": {"blob": "x" * 5000},
        },
    }
    assert len(json.dumps(big)) > 2000
    with pytest.raises(globus_sdk.SearchAPIError) as err:
        sc.ingest(index_id, big)
    assert err.value.http_status == 413 and err.value.code == "RequestTooLarge"
