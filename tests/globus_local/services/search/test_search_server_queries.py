"""Queries over HTTP on both backends: syntaxes, filters, facets, sort, boosts, paging."""

from __future__ import annotations

import typing as t

import pytest
import requests

import globus_sdk
from tests.globus_local.services.search.support import SearchEnv, User, subjects

DOCS: list[dict[str, t.Any]] = [
    {
        "subject": "ada",
        "content": {
            "title": "Notes on the Analytical Engine",
            "author": {"name": "Ada Lovelace", "born": 1815},
            "year": 1843,
            "date": "1843-07-01",
            "tags": ["math", "computing"],
            "refs": [{"kind": "book", "pages": 65}, {"kind": "letter", "pages": 3}],
            "file.ext": "pdf",
            "size": 10,
        },
    },
    {
        "subject": "babbage",
        "content": {
            "title": "Passages from the Life of a Philosopher",
            "author": {"name": "Charles Babbage", "born": 1791},
            "year": 1864,
            "date": "1864-01-15",
            "tags": ["math", "memoir"],
            "refs": [{"kind": "book", "pages": 500}],
            "size": 30,
        },
    },
    {
        "subject": "turing",
        "content": {
            "title": "On Computable Numbers",
            "author": {"name": "Alan Turing", "born": 1912},
            "year": 1936,
            "date": "1936-11-12T10:00:00Z",
            "tags": ["computing", "logic"],
            "summary": "An engine of pure logic; Lovelace is cited",
            "size": 20,
        },
    },
    {
        "subject": "hopper",
        "content": {
            "title": "The Education of a Computer",
            "author": {"name": "Grace Hopper"},
            "year": 1952,
            "tags": ["computing", "compilers"],
        },
    },
]


@pytest.fixture
def corpus(env: SearchEnv, owner: User, index_id: str) -> globus_sdk.SearchClient:
    env.ingest(owner, index_id, [dict(d) for d in DOCS])
    return env.client(None)  # anonymous: everything here is public


def q(sc: globus_sdk.SearchClient, index_id: str, query: str, advanced: bool = False) -> list[str]:
    return sorted(subjects(sc.search(index_id, query, advanced=advanced)))


def post(sc: globus_sdk.SearchClient, index_id: str, **body: t.Any) -> dict[str, t.Any]:
    return sc.post_search(index_id, body).data


def test_simple_syntax(corpus: globus_sdk.SearchClient, index_id: str) -> None:
    sc = corpus
    assert q(sc, index_id, "lovelace") == ["ada", "turing"]
    assert q(sc, index_id, "LOVELACE engine") == ["ada", "turing"]  # every word required
    assert q(sc, index_id, "lovelace memoir") == []
    assert q(sc, index_id, '"analytical engine"') == ["ada"]
    assert q(sc, index_id, '"engine analytical"') == []
    assert q(sc, index_id, "comput*") == ["ada", "hopper", "turing"]
    assert q(sc, index_id, "computing -logic") == ["ada", "hopper"]
    assert q(sc, index_id, "memoir OR compilers") == ["babbage", "hopper"]
    assert q(sc, index_id, "*") == ["ada", "babbage", "hopper", "turing"]
    # punctuation is text in the simple syntax, never an error
    assert q(sc, index_id, "(lovelace) [ :") == ["ada", "turing"]
    result = sc.search(index_id, "lovelace").data
    assert result["@datatype"] == "GSearchResult"
    assert (result["total"], result["count"], result["has_next_page"]) == (2, 2, False)
    # a match in the title and author beats a passing mention
    assert subjects(result) == ["ada", "turing"]


def test_advanced_syntax(corpus: globus_sdk.SearchClient, index_id: str) -> None:
    sc = corpus
    assert q(sc, index_id, 'author.name: "Ada Lovelace"', True) == ["ada"]
    assert q(sc, index_id, "author.name:lovelace", True) == ["ada"]
    assert q(sc, index_id, "title:engine", True) == ["ada"]
    assert q(sc, index_id, "tags:computing AND NOT tags:logic", True) == ["ada", "hopper"]
    assert q(sc, index_id, "tags:memoir OR author.name:grace", True) == ["babbage", "hopper"]
    assert q(sc, index_id, "tags:(memoir OR logic) && -year:1864", True) == ["turing"]
    assert q(sc, index_id, "year:[1840 TO 1900]", True) == ["ada", "babbage"]
    assert q(sc, index_id, "year:{1843 TO 1936]", True) == ["babbage", "turing"]
    assert q(sc, index_id, "year:>=1936", True) == ["hopper", "turing"]
    assert q(sc, index_id, "date:[1850 TO *]", True) == ["babbage", "turing"]
    assert q(sc, index_id, "author.born:[* TO 1800]", True) == ["babbage"]
    assert q(sc, index_id, "title:comput*", True) == ["hopper", "turing"]
    assert q(sc, index_id, "_exists_:summary", True) == ["turing"]
    assert q(sc, index_id, "author.born:*", True) == ["ada", "babbage", "turing"]
    assert q(sc, index_id, "refs.kind:letter", True) == ["ada"]
    assert q(sc, index_id, r"file\.ext:pdf", True) == ["ada"]
    assert q(sc, index_id, "(lovelace OR hopper) AND computing", True) == [
        "ada",
        "hopper",
        "turing",
    ]
    for bad in ("year:[1800 TO", "(lovelace", 'title:"open', "AND", ":x"):
        with pytest.raises(globus_sdk.SearchAPIError) as err:
            sc.search(index_id, bad, advanced=True)
        assert err.value.http_status == 400, bad
        assert err.value.code == "BadRequest.ValidationError"


def test_filters(corpus: globus_sdk.SearchClient, index_id: str) -> None:
    sc = corpus

    def filtered(*filters: dict[str, t.Any], query: str = "*") -> list[str]:
        return sorted(subjects(post(sc, index_id, q=query, filters=list(filters))))

    assert filtered({"type": "match_any", "field_name": "tags", "values": ["memoir", "logic"]}) == [
        "babbage",
        "turing",
    ]
    assert filtered(
        {"type": "match_all", "field_name": "tags", "values": ["math", "computing"]}
    ) == ["ada"]
    assert filtered({"type": "match_any", "field_name": "year", "values": [1843, "1952"]}) == [
        "ada",
        "hopper",
    ]
    # nested fields by dotted path, also inside lists of objects
    assert filtered(
        {"type": "match_any", "field_name": "author.name", "values": ["Alan Turing"]}
    ) == ["turing"]
    assert filtered({"type": "match_any", "field_name": "refs.kind", "values": ["letter"]}) == [
        "ada"
    ]
    assert filtered(
        {"type": "range", "field_name": "refs.pages", "values": [{"from": 100, "to": "*"}]}
    ) == ["babbage"]
    assert filtered({"type": "match_any", "field_name": "file\\.ext", "values": ["pdf"]}) == ["ada"]
    # dates: "to" a day includes that whole day; several ranges are OR'ed
    assert filtered(
        {"type": "range", "field_name": "date", "values": [{"from": "*", "to": "1843-07-01"}]}
    ) == ["ada"]
    assert filtered(
        {
            "type": "range",
            "field_name": "date",
            "values": [
                {"from": "1843-07-02", "to": "1900"},
                {"from": "1936-11-12", "to": "1936-11-12"},
            ],
        }
    ) == ["babbage", "turing"]
    assert filtered(
        {"type": "range", "field_name": "year", "values": [{"gt": 1843, "lt": 1952}]}
    ) == [
        "babbage",
        "turing",
    ]
    assert filtered({"type": "exists", "field_name": "author.born"}) == ["ada", "babbage", "turing"]
    assert filtered({"type": "exists", "field_name": "author"}) == [
        "ada",
        "babbage",
        "hopper",
        "turing",
    ]
    assert filtered({"type": "like", "field_name": "author.name", "value": "a* l*"}) == ["ada"]
    assert filtered(
        {"type": "not", "filter": {"type": "match_any", "field_name": "tags", "values": ["math"]}}
    ) == ["hopper", "turing"]
    # filters combine with the query, and stand alone without one
    assert filtered(
        {"type": "match_any", "field_name": "tags", "values": ["computing"]}, query="lovelace"
    ) == [
        "ada",
        "turing",
    ]
    assert sorted(
        subjects(
            post(
                sc,
                index_id,
                filters=[{"type": "match_any", "field_name": "tags", "values": ["logic"]}],
            )
        )
    ) == ["turing"]


def test_facets(corpus: globus_sdk.SearchClient, index_id: str) -> None:
    query = (
        globus_sdk.SearchQuery("*")
        .add_facet("Tags", "tags", size=2)
        .add_facet("Years", "year", type="numeric_histogram", size=2, histogram_range=(1800, 2000))
        .add_facet("By century", "date", type="date_histogram", date_interval="year")
        .add_facet("Total size", "size", type="sum")
        .add_facet("Mean size", "size", type="avg")
        .add_facet("Mean size, missing 0", "size", type="avg", additional_fields={"missing": 0})
    )
    facets = {f["name"]: f for f in corpus.post_search(index_id, query)["facet_results"]}
    tags = [(b["value"], b["count"]) for b in facets["Tags"]["buckets"]]
    assert tags == [("computing", 3), ("math", 2)]
    assert facets["Tags"]["@datatype"] == "GFacetResult"
    assert facets["Tags"]["buckets"][0]["@datatype"] == "GBucket"
    years = [(b["value"], b["count"]) for b in facets["Years"]["buckets"]]
    assert years == [({"from": 1800.0, "to": 1900.0}, 2), ({"from": 1900.0, "to": 2000.0}, 2)]
    dates = [(b["value"][:4], b["count"]) for b in facets["By century"]["buckets"]]
    assert dates == [("1843", 1), ("1864", 1), ("1936", 1)]
    assert facets["Total size"]["value"] == 60
    assert facets["Mean size"]["value"] == 20
    assert facets["Mean size, missing 0"]["value"] == 15

    # query#1.0.0: filters narrow the results and what the facets count
    logic = {"type": "match_any", "field_name": "tags", "values": ["logic"]}
    tag_facet = {"field_name": "tags", "type": "terms"}
    result = post(corpus, index_id, **V1, q="*", filters=[logic], facets=[tag_facet])
    assert subjects(result) == ["turing"]
    assert buckets(result) == {"computing": 1, "logic": 1}
    # 2017-09-01 (no version): post_filter, true by default except match_all
    result = post(corpus, index_id, q="*", filters=[logic], facets=[tag_facet])
    assert subjects(result) == ["turing"]
    assert buckets(result)["math"] == 2
    result = post(
        corpus, index_id, q="*", filters=[{**logic, "post_filter": False}], facets=[tag_facet]
    )
    assert buckets(result) == {"computing": 1, "logic": 1}
    match_all = {"type": "match_all", "field_name": "tags", "values": ["logic"]}
    assert buckets(post(corpus, index_id, q="*", filters=[match_all], facets=[tag_facet])) == {
        "computing": 1,
        "logic": 1,
    }


V1 = {"@version": "query#1.0.0"}


def buckets(result: dict[str, t.Any], facet: int = 0) -> dict[t.Any, int]:
    return {b["value"]: b["count"] for b in result["facet_results"][facet]["buckets"]}


def test_post_facet_filters_narrow_results_not_facets(
    corpus: globus_sdk.SearchClient, index_id: str
) -> None:
    logic = {"type": "match_any", "field_name": "tags", "values": ["logic"]}
    math = {"type": "match_any", "field_name": "tags", "values": ["math"]}
    tags = {"field_name": "tags", "type": "terms"}
    every = {"computing": 3, "math": 2, "memoir": 1, "logic": 1, "compilers": 1}
    result = post(corpus, index_id, **V1, q="*", post_facet_filters=[logic], facets=[tags])
    assert subjects(result) == ["turing"]
    assert result["total"] == 1
    assert buckets(result) == every
    # the 2017-09-01 flag on a filter means the same
    flagged = {**logic, "post_filter": True}
    result = post(corpus, index_id, q="*", filters=[flagged], facets=[tags])
    assert subjects(result) == ["turing"]
    assert buckets(result) == every
    # both at once: facets see the filters, results see both
    result = post(
        corpus,
        index_id,
        **{"@version": "query#1.0.0"},
        q="*",
        filters=[math],
        post_facet_filters=[{"type": "match_any", "field_name": "tags", "values": ["memoir"]}],
        facets=[tags, {"field_name": "size", "type": "sum"}],
    )
    assert subjects(result) == ["babbage"]
    assert buckets(result) == {"math": 2, "computing": 1, "memoir": 1}
    assert result["facet_results"][1]["value"] == 40
    bad = post_raw(corpus, index_id, q="*", post_facet_filters=[{"type": "nope"}])
    assert bad.status_code == 400
    assert bad.json()["code"] == "BadRequest.ValidationError"
    assert "post_facet_filters.0.type" in bad.json()["error_data"]["messages"]["json"]


def post_raw(sc: globus_sdk.SearchClient, index_id: str, **body: t.Any) -> t.Any:
    return requests.post(f"{sc.base_url}v1/index/{index_id}/search", json=body, timeout=30)


def test_sort_and_boosts(corpus: globus_sdk.SearchClient, index_id: str) -> None:
    sc = corpus
    by_year = post(sc, index_id, q="*", sort=[{"field_name": "year", "order": "asc"}])
    assert subjects(by_year) == ["ada", "babbage", "turing", "hopper"]
    assert subjects(post(sc, index_id, q="*", sort=[{"field_name": "year"}])) == [
        "hopper",
        "turing",
        "babbage",
        "ada",
    ]
    # entries lacking the sort field come last
    assert subjects(post(sc, index_id, q="*", sort=[{"field_name": "size", "order": "desc"}]))[
        -1
    ] == ("hopper")
    by_name = post(sc, index_id, q="*", sort=[{"field_name": "author.name", "order": "asc"}])
    assert subjects(by_name) == ["ada", "turing", "babbage", "hopper"]
    # boosting a field puts its matches first
    plain = subjects(post(sc, index_id, q="engine"))
    assert sorted(plain) == ["ada", "turing"]
    boosted = subjects(
        post(sc, index_id, q="engine", boosts=[{"field_name": "summary", "factor": 10}])
    )
    assert boosted == ["turing", "ada"]
    boosted = subjects(
        post(sc, index_id, q="engine", boosts=[{"field_name": "title", "factor": 10}])
    )
    assert boosted == ["ada", "turing"]


def test_paging(env: SearchEnv, owner: User, index_id: str) -> None:
    env.ingest(
        owner,
        index_id,
        [{"subject": f"doc-{i:02d}", "content": {"n": i, "text": "common"}} for i in range(25)],
    )
    sc = env.client(owner)
    page = sc.search(index_id, "common", limit=10, offset=20).data
    assert (page["total"], page["count"], page["offset"], page["has_next_page"]) == (
        25,
        5,
        20,
        False,
    )
    page = sc.search(index_id, "common", limit=10).data
    assert (page["count"], page["has_next_page"]) == (10, True)
    assert sc.search(index_id, "common", limit=0)["total"] == 25
    pages = list(sc.paginated.search(index_id, "common", limit=7))
    assert [p["count"] for p in pages] == [7, 7, 7, 4]
    items = list(sc.paginated.search(index_id, "common").items())
    assert sorted(i["subject"] for i in items) == [f"doc-{i:02d}" for i in range(25)]
    for params in ({"limit": 10001}, {"offset": 9995, "limit": 10}, {"limit": -1}, {"offset": "x"}):
        resp = env.raw(
            "GET", f"v1/index/{index_id}/search", owner, params={"q": "common", **params}
        )
        assert resp.status_code == 400, params
        assert resp.json()["code"] == "BadRequest.ValidationError"
