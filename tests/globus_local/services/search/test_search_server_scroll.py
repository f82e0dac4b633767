"""Scroll queries over HTTP on both backends: marker paging through every matching subject."""

from __future__ import annotations

import typing as t

import pytest

from tests.globus_local.services.search.support import SearchEnv, User, subjects


def scroll(
    env: SearchEnv, index_id: str, user: User | None = None, **body: t.Any
) -> dict[str, t.Any]:
    resp = env.raw("POST", f"v1/index/{index_id}/scroll", user, json=body)
    assert resp.status_code == 200, resp.text
    return t.cast(dict[str, t.Any], resp.json())


def walk(env: SearchEnv, index_id: str, user: User | None = None, **body: t.Any) -> list[str]:
    """Every subject of every page, following the markers to the end."""
    seen: list[str] = []
    marker = body.pop("marker", None)
    for _ in range(100):
        page = scroll(env, index_id, user, **body, **({"marker": marker} if marker else {}))
        assert page["count"] == len(page["gmeta"]) <= body.get("limit", 10)
        seen += subjects(page)
        marker = page["marker"]
        assert page["has_next_page"] is (marker is not None)
        if marker is None:
            return seen
    raise AssertionError("the scroll never ended")


@pytest.fixture
def many(env: SearchEnv, owner: User, index_id: str) -> list[str]:
    """23 public subjects (two with a second entry, one hidden from the public)."""
    docs: list[dict[str, t.Any]] = [
        {"subject": f"s{n:02}", "content": {"n": n, "odd": n % 2 == 1, "word": "alpha"}}
        for n in range(23)
    ]
    docs += [
        {"subject": "s03", "id": "extra", "content": {"n": 103, "word": "beta"}},
        {"subject": "s04", "id": "extra", "content": {"n": 104, "word": "beta"}},
        {"subject": "secret", "content": {"n": 999, "word": "alpha"}, "visible_to": [owner.urn]},
    ]
    env.ingest(owner, index_id, docs)
    return [f"s{n:02}" for n in range(23)]


def test_walking_the_pages_returns_each_subject_once(
    env: SearchEnv, index_id: str, many: list[str]
) -> None:
    seen = walk(env, index_id, q="*", limit=5)
    assert seen == sorted(many)  # in subject order, each exactly once, none hidden
    first = scroll(env, index_id, q="*", limit=5)
    assert first["total"] == 23
    assert first["count"] == 5
    assert first["has_next_page"] is True
    assert isinstance(first["marker"], str)
    # a subject's entries come together, each the caller may see
    s03 = next(g for g in first["gmeta"] if g["subject"] == "s03")
    assert sorted(e["entry_id"] or "" for e in s03["entries"]) == ["", "extra"]
    # one page holding everything: no marker
    whole = scroll(env, index_id, q="*", limit=100)
    assert whole["count"] == 23 and whole["marker"] is None and whole["has_next_page"] is False


def test_scroll_applies_the_query_filters_and_visibility(
    env: SearchEnv, owner: User, index_id: str, many: list[str]
) -> None:
    odd = {"type": "match_any", "field_name": "odd", "values": [True]}
    assert walk(env, index_id, q="*", limit=4, filters=[odd]) == [
        f"s{n:02}" for n in range(1, 23, 2)
    ]
    assert walk(env, index_id, q="beta", limit=1) == ["s03", "s04"]
    assert walk(env, index_id, q="n:[20 TO *]", advanced=True, limit=2) == ["s03", "s04"] + [
        "s20",
        "s21",
        "s22",
    ]
    # the owner sees the hidden subject too; so does an admin bypassing visible_to
    assert "secret" in walk(env, index_id, owner, q="alpha", limit=10)
    assert "secret" not in walk(env, index_id, q="alpha", limit=10)


def test_pages_stay_consistent_while_the_index_changes(
    env: SearchEnv, owner: User, index_id: str, many: list[str]
) -> None:
    """Subjects added or removed behind the marker never shift a later page."""
    first = scroll(env, index_id, q="*", limit=10)
    env.ingest(owner, index_id, [{"subject": "a-before", "content": {"n": -1}}])
    task_id = env.client(owner).delete_subject(index_id, "s00")["task_id"]
    assert env.wait(owner, task_id)["state"] == "SUCCESS"
    rest = walk(env, index_id, q="*", limit=10, marker=first["marker"])
    assert subjects(first) + rest == sorted(many)


def test_scroll_refuses_what_it_cannot_do(env: SearchEnv, index_id: str, many: list[str]) -> None:
    def refused(body: dict[str, t.Any], field: str) -> None:
        resp = env.raw("POST", f"v1/index/{index_id}/scroll", json=body)
        assert resp.status_code == 400, resp.text
        doc = resp.json()
        assert doc["@datatype"] == "GError"
        assert doc["code"] == "BadRequest.ValidationError"
        assert field in doc["error_data"]["messages"]["json"], doc

    refused({"q": "*", "marker": "not-a-marker!"}, "marker")
    refused({"q": "*", "marker": "eyJ4IjoxfQ"}, "marker")  # JSON, but no position of ours
    refused({"q": "*", "marker": 7}, "marker")
    refused({"q": "*", "limit": 0}, "limit")
    refused({"q": "*", "facets": [{"field_name": "n"}]}, "facets")
    refused({"q": "*", "sort": [{"field_name": "n"}]}, "sort")
    refused({}, "q")
    # a marker of another index
    other = scroll(env, index_id, q="*", limit=1)["marker"]
    assert other is not None
    resp = env.raw("POST", "v1/index/00000000-0000-0000-0000-000000000000/scroll", json={"q": "*"})
    assert resp.status_code == 404
    assert resp.json()["code"] == "NotFound.NoSuchIndex"
