"""The two query syntaxes and the text helpers, without a server."""

from __future__ import annotations

import pytest

from globus_local.errors import ServiceError
from globus_local.services.search.query.ast import And, Exists, MatchAll, Not, Or, Range, Term
from globus_local.services.search.query.parser import QuerySyntaxError, parse_advanced, parse_simple
from globus_local.services.search.shape import check_json
from globus_local.services.search.text import date_span, flatten, parse_date, tokenize


def test_tokenize_folds_case_and_accents() -> None:
    assert tokenize("Café-Bar, ÉCOLE_normale 42") == ["cafe", "bar", "ecole", "normale", "42"]


def test_simple_syntax() -> None:
    assert parse_simple("Ada lovelace") == And((Term(None, ("ada",)), Term(None, ("lovelace",))))
    assert parse_simple('"analytical engine"') == Term(None, ("analytical", "engine"))
    assert parse_simple("comp* -logic") == And(
        (Term(None, ("comp",), True), Not(Term(None, ("logic",))))
    )
    assert parse_simple("a OR b") == Or((Term(None, ("a",)), Term(None, ("b",))))
    assert parse_simple("*") == MatchAll()
    assert parse_simple("field:[1 TO") == And((Term(None, ("field", "1")), Term(None, ("to",))))


def test_advanced_syntax() -> None:
    assert parse_advanced('author: "Ada Lovelace"') == Term("author", ("ada", "lovelace"))
    assert parse_advanced("a AND NOT b") == And((Term(None, ("a",)), Not(Term(None, ("b",)))))
    assert parse_advanced("a b || c") == Or(
        (And((Term(None, ("a",)), Term(None, ("b",)))), Term(None, ("c",)))
    )
    assert parse_advanced("x:[1 TO *]") == Range("x", "1", None)
    assert parse_advanced("x:{-5 TO 5}") == Range("x", "-5", "5", False, False)
    assert parse_advanced("x:<10") == Range("x", None, "10", include_high=False)
    assert parse_advanced("_exists_:a.b") == Exists("a.b")
    assert parse_advanced("t:(a OR b*)") == Or((Term("t", ("a",)), Term("t", ("b",), True)))
    assert parse_advanced(r"a\.b:c") == Term(r"a\.b", ("c",))


@pytest.mark.parametrize(
    "bad", ["", "(a", "a)", "x:[1 TO", 'x:"open', "AND", "x:(y:z)", "[1 TO 2]"]
)
def test_advanced_syntax_errors(bad: str) -> None:
    with pytest.raises(QuerySyntaxError):
        parse_advanced(bad)


def test_dates() -> None:
    assert parse_date("1970-01-02") == 86400
    assert parse_date("1970-01-01T01:00:00+01:00") == 0
    assert parse_date("not a date") is None
    assert date_span("1970") == (0, 365 * 86400)
    assert date_span("1970-02") == (31 * 86400, 59 * 86400)


def test_flatten_paths() -> None:
    flat = flatten({"a": {"b.c": [1, {"d": True}]}, "n": None, "s": "Hi there"})
    assert [(f.path, f.value_text, f.value_num) for f in flat.fields] == [
        (r"a.b\.c", "1", 1.0),
        (r"a.b\.c.d", "true", None),
        ("s", "Hi there", None),
    ]
    assert flat.text.split()[:4] == ["1", "true", "hi", "there"]


def test_check_json_walks_without_recursion() -> None:
    deep: object = "x"
    for _ in range(100_000):
        deep = [deep]
    with pytest.raises(ServiceError) as err:
        check_json({"a": deep}, "content", max_objects=20, max_containers=64)
    assert err.value.http_status == 400
    assert err.value.extra["error_data"]["messages"]["json"] == {
        "content.a" + ".0" * 63: [err.value.message]
    }
    with pytest.raises(ServiceError, match="NUL"):
        check_json({"a.b": ["ok", "n\x00"]}, "c", max_objects=20, max_containers=64)
    with pytest.raises(ServiceError) as err:
        check_json({"a.b": [1, float("nan")]}, "c", max_objects=20, max_containers=64)
    assert err.value.extra["error_data"]["messages"]["json"] == {r"c.a\.b.1": [err.value.message]}
    check_json({"a": [[{"b": 1e308, "c": 10**300}]]}, "c", max_objects=3, max_containers=4)
