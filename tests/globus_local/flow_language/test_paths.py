"""JSONPath reads and writes on a state document, and the read-only run context."""

from __future__ import annotations

import pytest

from globus_local.flow_language.paths import (
    InvalidPath,
    PathError,
    PathNotFound,
    ReadOnlyPath,
    check_path,
    check_writable,
    get_path,
    has_path,
    is_path,
    set_path,
)

STATE = {"a": {"b": 1, "list": [{"n": "x"}, {"n": "y"}]}, "s": "text", "z": None}
CONTEXT = {"run_id": "r-1", "username": "alice"}


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("$", STATE),
        ("$.a.b", 1),
        ("$.a.list[1].n", "y"),
        ("$.a.list[-1].n", "y"),
        ("$['a']['b']", 1),
        ("$.z", None),
        ("$.a.list[*].n", ["x", "y"]),
        ("$..n", ["x", "y"]),
    ],
)
def test_get_path_reads_definite_paths_as_values_and_others_as_lists(path, value):
    assert get_path(STATE, path) == value


@pytest.mark.parametrize("path", ["$.missing", "$.a.b.c", "$.a.list[5]", "$.s.x", "$._context"])
def test_get_path_raises_path_not_found_for_absent_places(path):
    with pytest.raises(PathNotFound):
        get_path(STATE, path)


def test_a_wildcard_that_matches_nothing_is_an_empty_list():
    assert get_path(STATE, "$.missing[*]") == []
    assert not has_path(STATE, "$.missing[*]")
    assert has_path(STATE, "$.a.list[*]")


def test_context_is_read_from_the_callers_context():
    assert get_path(STATE, "$._context.run_id", context=CONTEXT) == "r-1"
    assert get_path(STATE, "$._context", context=CONTEXT) == CONTEXT
    assert "_context" not in STATE
    assert has_path(STATE, "$._context.username", CONTEXT)
    assert not has_path(STATE, "$._context.email", CONTEXT)


@pytest.mark.parametrize("path", ["a.b", "", "$x", "$.", "$.a[?(@.b)]", "$" + ".a" * 600, 5, None])
def test_invalid_paths_are_refused(path):
    assert not is_path(path)
    with pytest.raises(InvalidPath):
        check_path(path)
    with pytest.raises(InvalidPath):
        get_path(STATE, path)


def test_is_path_accepts_jsonpath():
    assert is_path("$")
    assert is_path("$.a.list[0].n")
    assert not is_path("plain text")


def test_set_path_returns_a_new_document_and_leaves_the_old_one():
    new = set_path(STATE, "$.a.c", 2)
    assert new["a"] == {"b": 1, "list": STATE["a"]["list"], "c": 2}
    assert "c" not in STATE["a"]


def test_set_path_creates_missing_objects():
    assert set_path({}, "$.x.y.z", 1) == {"x": {"y": {"z": 1}}}


def test_set_path_replaces_items_of_existing_lists():
    new = set_path(STATE, "$.a.list[0].n", "changed")
    assert new["a"]["list"][0]["n"] == "changed"
    assert STATE["a"]["list"][0]["n"] == "x"


def test_set_path_at_root_replaces_the_document():
    assert set_path(STATE, "$", {"only": True}) == {"only": True}
    with pytest.raises(PathError):
        set_path(STATE, "$", [1, 2])


@pytest.mark.parametrize(
    "path", ["$.s.inner", "$.a.list[9]", "$.a.b[0]", "$.a.list[*]", "$..n", "$.a['b','c']"]
)
def test_set_path_refuses_places_it_cannot_write(path):
    with pytest.raises(PathError):
        set_path(STATE, path, 1)


def test_the_context_cannot_be_written():
    with pytest.raises(ReadOnlyPath):
        set_path(STATE, "$._context.run_id", "other")
    with pytest.raises(ReadOnlyPath):
        check_writable("$._context")
    check_writable("$.result")


def test_the_whole_state_may_not_bring_its_own_context():
    with pytest.raises(ReadOnlyPath):
        set_path(STATE, "$", {"_context": {"run_id": "forged"}})
