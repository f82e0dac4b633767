"""How the command line prints answers: JSON, YAML and tables."""

from __future__ import annotations

import json
import typing as t

import pytest

from globus_automate_client.cli.output import FLOW_LISTING, LOG_LISTING, render, to_yaml

yaml = pytest.importorskip("yaml")

DOCUMENTS: list[t.Any] = [
    {"a": 1, "b": [1, "two", None, True], "c": {"d": {}, "e": []}},
    {"status": "SUCCEEDED", "details": {"Hello": "World", "hello": "Hello: yes # no"}},
    [{"x": "true"}, {"y": "123"}, "", " lead", "multi\nline", "ünïcode", 1.5, -3],
    {
        "keys with spaces": "null",
        "urn": "urn:globus:auth:identity:1234",
        "t": "2026-12-07T17:00:00+00:00",
    },
]


@pytest.mark.parametrize("document", DOCUMENTS)
def test_yaml_reads_back_as_the_same_document(document: t.Any) -> None:
    assert yaml.safe_load(to_yaml(document)) == document


def test_yaml_layout_is_block_style_with_sorted_keys() -> None:
    assert to_yaml({"b": [1, {"k": 2, "j": 1}], "a": "s"}) == "a: s\nb:\n- 1\n- j: 1\n  k: 2\n"


def test_json_is_indented_by_two() -> None:
    assert render({"a": [1]}, "json") == json.dumps({"a": [1]}, indent=2)


def test_tables_show_a_listing_and_fall_back_to_json() -> None:
    doc = {
        "flows": [
            {
                "title": "Hello",
                "id": "f1",
                "flow_owner": "urn:globus:auth:identity:u1",
                "created_at": "t0",
            },
            {"title": "A longer title", "id": "f2", "flow_owner": "urn:globus:groups:id:g1"},
        ]
    }
    lines = render(doc, "table", FLOW_LISTING).splitlines()
    cells = [[c.strip() for c in line.split(" | ")] for line in lines]
    assert cells[0] == ["title", "id", "flow_owner", "created_at", "updated_at"]
    assert cells[2] == ["Hello", "f1", "User: u1", "t0", ""]
    assert cells[3][:3] == ["A longer title", "f2", "Group: g1"]
    # columns line up: every row is as wide as the header up to its last cell
    assert lines[0].index("| id") == lines[2].index("| f1") == lines[3].index("| f2")
    # an error document (no listing in it) is printed as JSON
    error = {"error": {"code": "NOT_FOUND"}}
    assert render(error, "table", LOG_LISTING) == json.dumps(error, indent=2)
