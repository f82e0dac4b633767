"""The two query syntaxes and the text helpers, without a server."""

from __future__ import annotations

import time

import pytest

from globus_local.kit.errors import ServiceError
from globus_local.services.search.limits import MAX_QUERY_CHARS, MAX_QUERY_DEPTH, MAX_QUERY_TERMS
from globus_local.services.search.query import parser
from globus_local.services.search.query.ast import And, Exists, MatchAll, Not, Or, Range, Term
from globus_local.services.search.query.compile import join
from globus_local.services.search.query.parser import (
    QueryLimitError,
    QuerySyntaxError,
    parse_advanced,
    parse_query,
    parse_simple,
)
from globus_local.services.search.shape import check_json
from globus_local.services.search.text import (
    date_span,
    flatten,
    parse_date,
    parse_number,
    range_bound_problem,
    tokenize,
)


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


# -- limits: nothing recurses with its input, nothing grows faster than it ----------------------


def test_deep_parentheses_raise_a_limit_error_not_recursion() -> None:
    with pytest.raises(QueryLimitError, match=f"more than {MAX_QUERY_DEPTH} levels"):
        parse_advanced("(" * 5000 + "a" + ")" * 5000)
    with pytest.raises(QueryLimitError):
        parse_advanced("x:" + "(" * (MAX_QUERY_DEPTH + 1) + "a" + ")" * (MAX_QUERY_DEPTH + 1))
    deepest = "(" * MAX_QUERY_DEPTH + "a" + ")" * MAX_QUERY_DEPTH
    assert parse_advanced(deepest) == Term(None, ("a",))
    # prefix operators: a loop, and an even number of them cancels out
    assert parse_advanced("NOT " * 5001 + "a") == Not(Term(None, ("a",)))
    assert parse_advanced("NOT -" * 2500 + "a") == Term(None, ("a",))
    assert parse_advanced("a AND " + "+" * 5000 + "b") == And(
        (Term(None, ("a",)), Term(None, ("b",)))
    )


def test_query_length_and_terms_are_bounded() -> None:
    with pytest.raises(QueryLimitError, match=f"at most {MAX_QUERY_CHARS}"):
        parse_query("a" * (MAX_QUERY_CHARS + 1), advanced=False)
    words = [f"w{i}" for i in range(MAX_QUERY_TERMS + 1)]
    for q, advanced in ((" ".join(words), False), (" OR ".join(words), True)):
        with pytest.raises(QueryLimitError, match=f"more than {MAX_QUERY_TERMS} terms"):
            parse_query(q, advanced)
    assert parse_query(" ".join(words[:-1]), advanced=False) == And(
        tuple(Term(None, (w,)) for w in words[:-1])
    )


def test_simple_or_chains_parse_in_linear_time(monkeypatch: pytest.MonkeyPatch) -> None:
    assert parse_simple("a OR b OR c d -e OR f") == And(
        (
            Or((Term(None, ("a",)), Term(None, ("b",)), Term(None, ("c",)))),
            Term(None, ("d",)),
            Or((Not(Term(None, ("e",))), Term(None, ("f",)))),
        )
    )
    monkeypatch.setattr(parser, "MAX_QUERY_TERMS", 10**6)
    q = " OR ".join(f"w{i}" for i in range(60_000))
    started = time.monotonic()
    node = parse_simple(q)
    assert time.monotonic() - started < 5  # re-flattening per OR took minutes
    assert isinstance(node, Or) and len(node.items) == 60_000


def test_dates_at_the_ends_of_the_calendar() -> None:
    assert date_span("9999-12-31") == (parse_date("9999-12-31"), parse_date("9999-12-31") + 86400)
    assert date_span("9999") is not None and date_span("0001-01") is not None
    assert parse_date("0001-01-01T00:00:00+01:00") is None  # before year 1 in UTC
    assert parse_date("9999-12-31T23:59:59-01:00") is None
    assert parse_number(10**400) is None


@pytest.mark.parametrize(
    ("bound", "problem"),
    [
        (10**400, "finite"),
        ("9" * 400, "finite"),
        ("inf", "finite"),
        ("NaN", "finite"),
        (float("-inf"), "finite"),
        ("2020-02-30", "date"),
        ("0001-01-01T00:00:00+01:00", "date"),
        ([1], "not a number"),
        (1e308, None),
        ("9999-12-31", None),
        ("0000", None),  # a number, if not a date
        ("pear", None),
        ("*", None),
        (None, None),
    ],
)
def test_range_bounds(bound: object, problem: str | None) -> None:
    found = range_bound_problem(bound)
    assert (found is None) if problem is None else (problem in (found or ""))


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


def test_long_conjunctions_compile_to_shallow_sql() -> None:
    joined = join([f"c{i}" for i in range(5000)], "AND")
    depth = max_depth = 0
    for ch in joined:
        depth += {"(": 1, ")": -1}.get(ch, 0)
        max_depth = max(max_depth, depth)
    assert max_depth <= 3 and joined.count("c") == 5000
    assert join(["a"], "OR") == "(a)"
