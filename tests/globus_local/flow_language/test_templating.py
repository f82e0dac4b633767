"""Parameters templates: constants, `.$` paths, `.=` expressions, and private parameters."""

from __future__ import annotations

import pytest

from globus_local.flow_language.templating import (
    MAX_SHOWN_DEPTH,
    TOO_DEEP,
    TemplateError,
    hide_private,
    private_names,
    render,
    strip_private,
)

STATE = {
    "source": {"path": "/~/in/file.txt", "endpoint": "ep-1"},
    "items": [1, 2],
    "secret": "s3cr3t",
}
CONTEXT = {"run_id": "run-9", "username": "alice@example.org"}


def test_constants_render_as_themselves():
    template = {"a": 1, "b": [True, None, "x"], "c": {"d": 2.5}}
    assert render(template, STATE, CONTEXT) == template


def test_path_keys_take_values_from_the_state_and_lose_their_suffix():
    rendered = render(
        {"source_path.$": "$.source.path", "first.$": "$.items[0]", "all.$": "$"}, STATE, CONTEXT
    )
    assert rendered == {"source_path": "/~/in/file.txt", "first": 1, "all": STATE}


def test_expression_keys_compute_from_the_state_and_context():
    rendered = render(
        {
            "dest.=": "pathsplit(source.path)[0] + '/' + _context.run_id",
            "count.=": "len(items) * 10",
        },
        STATE,
        CONTEXT,
    )
    assert rendered == {"dest": "/~/in/run-9", "count": 20}


def test_context_paths_read_the_run_context():
    assert render({"who.$": "$._context.username"}, STATE, CONTEXT) == {"who": "alice@example.org"}


def test_templates_nest_through_objects_and_lists():
    template = {
        "DATA": [
            {"source_path.$": "$.source.path", "recursive": False},
            {"n.=": "items[1] + 1"},
        ],
        "outer": {"inner": {"ep.$": "$.source.endpoint"}},
    }
    assert render(template, STATE, CONTEXT) == {
        "DATA": [{"source_path": "/~/in/file.txt", "recursive": False}, {"n": 3}],
        "outer": {"inner": {"ep": "ep-1"}},
    }


def test_private_parameter_lists_are_not_part_of_the_result():
    template = {"token.$": "$.secret", "__Private_Parameters": ["token"], "nested": {"x": 1}}
    assert render(template, STATE) == {"token": "s3cr3t", "nested": {"x": 1}}


@pytest.mark.parametrize(
    "template",
    [{"x.$": "$.missing"}, {"x.=": "missing + 1"}, {"x.=": "1 / 0"}, {"x.$": "not a path"}],
)
def test_failures_are_template_errors(template):
    with pytest.raises(TemplateError):
        render(template, STATE, CONTEXT)


def test_private_names_collects_every_level_without_suffixes():
    parameters = {
        "__Private_Parameters": ["password.$", "key"],
        "deep": [{"__Private_Parameters": ["token.="]}],
    }
    assert private_names(parameters) == {"password", "key", "token"}
    assert private_names(None) == set()


def test_strip_private_removes_listed_parameters_at_their_level():
    definition = {
        "StartAt": "A",
        "States": {
            "A": {
                "Type": "Action",
                "ActionUrl": "https://example.org/ap",
                "Parameters": {
                    "__Private_Parameters": ["password"],
                    "password.$": "$.pw",
                    "user": "alice",
                    "inner": {"__Private_Parameters": ["key.="], "key.=": "k", "keep": 1},
                },
                "End": True,
            },
            "B": {"Type": "Pass", "End": True},
        },
    }
    stripped = strip_private(definition)
    params = stripped["States"]["A"]["Parameters"]
    assert "password.$" not in params
    assert params["user"] == "alice"
    assert params["inner"] == {"__Private_Parameters": ["key.="], "keep": 1}
    assert stripped["States"]["B"] == {"Type": "Pass", "End": True}
    assert "password.$" in definition["States"]["A"]["Parameters"]


def test_strip_private_leaves_what_is_not_a_definition():
    assert strip_private([1]) == [1]
    assert strip_private({"States": 5}) == {"States": 5}


def test_hide_private_drops_named_and_underscore_private_keys_everywhere():
    values = {
        "password": "x",
        "user": "alice",
        "_private_note": "n",
        "list": [{"password": "y", "ok": 1}],
        "token.$": "$.t",
    }
    assert hide_private(values, {"password", "token"}) == {"user": "alice", "list": [{"ok": 1}]}
    assert hide_private("plain", {"x"}) == "plain"


def test_hide_private_stops_at_a_depth_instead_of_recursing_forever():
    deep: object = {"_private_x": 1}
    for _ in range(5000):
        deep = [deep]
    shown = hide_private({"top": deep}, set())
    level = shown["top"]
    for _ in range(MAX_SHOWN_DEPTH - 1):
        level = level[0]
    assert level == TOO_DEEP
