"""Choice rules against a state: every operator, its Path form, nesting and missing values."""

from __future__ import annotations

import pytest

from globus_local.flow_language.choices import (
    OPERATORS,
    ChoiceError,
    check_rule,
    matches,
    string_matches,
)
from globus_local.flow_language.errors import DefinitionError

STATE = {
    "name": "report.txt",
    "other_name": "report.txt",
    "low": "apple",
    "n": 5,
    "f": 2.5,
    "ten": 10,
    "flag": True,
    "nothing": None,
    "when": "2024-05-01T12:00:00Z",
    "later": "2024-05-01T13:00:00+00:00",
    "list": [1, 2],
}
CONTEXT = {"username": "alice"}


def holds(rule):
    check_rule("S", rule, top=False)
    return matches(rule, STATE, CONTEXT)


@pytest.mark.parametrize(
    ("operator", "value", "expected"),
    [
        ("StringEquals", "report.txt", True),
        ("StringEquals", "other", False),
        ("StringLessThan", "s", True),
        ("StringGreaterThan", "s", False),
        ("StringLessThanEquals", "report.txt", True),
        ("StringGreaterThanEquals", "report.txt", True),
        ("StringMatches", "*.txt", True),
        ("StringMatches", "rep*", True),
        ("StringMatches", "*", True),
        ("StringMatches", "r*o*t.txt", True),
        ("StringMatches", "*.csv", False),
        ("StringMatches", "report", False),
        ("NumericEquals", 5, True),
        ("NumericEquals", 5.0, True),
        ("NumericLessThan", 6, True),
        ("NumericGreaterThan", 6, False),
        ("NumericLessThanEquals", 5, True),
        ("NumericGreaterThanEquals", 5.5, False),
        ("BooleanEquals", True, True),
        ("BooleanEquals", False, False),
        ("TimestampEquals", "2024-05-01T14:00:00+02:00", True),
        ("TimestampLessThan", "2024-05-02T00:00:00Z", True),
        ("TimestampGreaterThan", "2024-05-02T00:00:00Z", False),
        ("TimestampLessThanEquals", "2024-05-01T12:00:00Z", True),
        ("TimestampGreaterThanEquals", "2024-05-01T12:00:01Z", False),
    ],
)
def test_comparisons(operator, value, expected):
    variable = {
        "String": "$.name",
        "Numeric": "$.n",
        "Boolean": "$.flag",
        "Timestamp": "$.when",
    }[next(f for f in ("String", "Numeric", "Boolean", "Timestamp") if operator.startswith(f))]
    assert holds({"Variable": variable, operator: value}) is expected


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ({"Variable": "$.name", "StringEqualsPath": "$.other_name"}, True),
        ({"Variable": "$.low", "StringLessThanPath": "$.name"}, True),
        ({"Variable": "$.low", "StringGreaterThanPath": "$.name"}, False),
        ({"Variable": "$.name", "StringLessThanEqualsPath": "$.other_name"}, True),
        ({"Variable": "$.name", "StringGreaterThanEqualsPath": "$.low"}, True),
        ({"Variable": "$.n", "NumericEqualsPath": "$.n"}, True),
        ({"Variable": "$.n", "NumericLessThanPath": "$.ten"}, True),
        ({"Variable": "$.n", "NumericGreaterThanPath": "$.f"}, True),
        ({"Variable": "$.n", "NumericLessThanEqualsPath": "$.f"}, False),
        ({"Variable": "$.ten", "NumericGreaterThanEqualsPath": "$.ten"}, True),
        ({"Variable": "$.flag", "BooleanEqualsPath": "$.flag"}, True),
        ({"Variable": "$.when", "TimestampEqualsPath": "$.when"}, True),
        ({"Variable": "$.when", "TimestampLessThanPath": "$.later"}, True),
        ({"Variable": "$.when", "TimestampGreaterThanPath": "$.later"}, False),
        ({"Variable": "$.later", "TimestampLessThanEqualsPath": "$.when"}, False),
        ({"Variable": "$.later", "TimestampGreaterThanEqualsPath": "$.when"}, True),
        ({"Variable": "$._context.username", "StringEquals": "alice"}, True),
    ],
)
def test_path_variants_compare_with_another_place_in_the_state(rule, expected):
    assert holds(rule) is expected


@pytest.mark.parametrize(
    ("test", "variable", "expected"),
    [
        ("IsPresent", "$.n", True),
        ("IsPresent", "$.missing", False),
        ("IsPresent", "$.nothing", True),
        ("IsNull", "$.nothing", True),
        ("IsNull", "$.n", False),
        ("IsNull", "$.missing", False),
        ("IsNumeric", "$.n", True),
        ("IsNumeric", "$.f", True),
        ("IsNumeric", "$.flag", False),
        ("IsNumeric", "$.name", False),
        ("IsString", "$.name", True),
        ("IsString", "$.n", False),
        ("IsBoolean", "$.flag", True),
        ("IsBoolean", "$.n", False),
        ("IsTimestamp", "$.when", True),
        ("IsTimestamp", "$.name", False),
        ("IsTimestamp", "$.missing", False),
    ],
)
def test_type_tests(test, variable, expected):
    assert holds({"Variable": variable, test: True}) is expected
    assert holds({"Variable": variable, test: False}) is (not expected)


@pytest.mark.parametrize(
    "rule",
    [
        {"Variable": "$.n", "StringEquals": "5"},
        {"Variable": "$.name", "NumericEquals": 5},
        {"Variable": "$.flag", "NumericEquals": 1},
        {"Variable": "$.n", "BooleanEquals": True},
        {"Variable": "$.name", "TimestampLessThan": "2030-01-01T00:00:00Z"},
        {"Variable": "$.n", "StringMatches": "*"},
        {"Variable": "$.name", "NumericEqualsPath": "$.n"},
    ],
)
def test_values_of_another_type_do_not_match(rule):
    assert holds(rule) is False


def test_and_or_not_nest():
    five = {"Variable": "$.n", "NumericEquals": 5}
    six = {"Variable": "$.n", "NumericEquals": 6}
    assert holds({"And": [five, {"Not": six}]})
    assert not holds({"And": [five, six]})
    assert holds({"Or": [six, five]})
    assert not holds({"Or": [six, {"Not": five}]})
    assert holds({"Not": {"And": [five, six]}})
    assert holds({"Or": [{"And": [five, {"Or": [six, {"Not": six}]}]}]})


def test_a_missing_variable_in_a_comparison_is_an_error():
    with pytest.raises(ChoiceError):
        holds({"Variable": "$.missing", "StringEquals": "x"})
    with pytest.raises(ChoiceError):
        holds({"Variable": "$.n", "NumericEqualsPath": "$.missing"})


def test_is_present_guards_a_missing_variable():
    guarded = {
        "And": [
            {"Variable": "$.missing", "IsPresent": True},
            {"Variable": "$.missing", "StringEquals": "x"},
        ]
    }
    assert holds(guarded) is False


@pytest.mark.parametrize(
    ("value", "pattern", "expected"),
    [
        ("a*b", "a\\*b", True),
        ("axb", "a\\*b", False),
        ("a\\b", "a\\\\b", True),
        ("", "*", True),
        ("", "", True),
        ("abc", "", False),
        ("abc", "a*c*", True),
        ("log-2024.txt", "log-*.txt", True),
        ("aaa", "a*a*a*a", False),
        ("ends\\", "ends\\", True),
    ],
)
def test_string_matches_wildcards_and_escapes(value, pattern, expected):
    assert string_matches(value, pattern) is expected


def test_string_matches_takes_polynomial_time_on_hostile_patterns():
    # Backtracking would take exponential time here and never end within the test's
    # timeout; the matcher answers at once.
    assert not string_matches("a" * 5000, "*a" * 500 + "b")


def test_every_documented_operator_is_known():
    for family in ("String", "Numeric", "Timestamp"):
        for kind in ("Equals", "LessThan", "GreaterThan", "LessThanEquals", "GreaterThanEquals"):
            assert f"{family}{kind}" in OPERATORS
            assert f"{family}{kind}Path" in OPERATORS
    for name in ("StringMatches", "BooleanEquals", "BooleanEqualsPath", "IsNull", "IsPresent"):
        assert name in OPERATORS
    assert "StringMatchesPath" not in OPERATORS


def test_check_rule_requires_next_only_at_the_top():
    check_rule("S", {"Variable": "$.n", "IsNull": True, "Next": "T"}, top=True)
    with pytest.raises(DefinitionError):
        check_rule("S", {"Variable": "$.n", "IsNull": True}, top=True)
    with pytest.raises(DefinitionError):
        check_rule("S", {"Variable": "$.n", "IsNull": True, "Next": "T"}, top=False)
