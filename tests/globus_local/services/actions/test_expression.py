"""expression_eval over HTTP: the flow language's expressions, one or several."""

from __future__ import annotations

from .support import Caller

EXPRESSION = "https://actions.globus.org/expression_eval"


def test_one_expression_with_its_arguments(alice: Caller) -> None:
    provider = alice.provider(EXPRESSION)
    doc = provider.result({"expression": "x + 5", "arguments": {"x": 6}})
    assert doc["status"] == "SUCCEEDED" and doc["details"] == {"result": 11}
    placed = provider.result(
        {"expression": "pathsplit(p)[1]", "arguments": {"p": "/a/b.txt"}, "result_path": "$.name"}
    )
    assert placed["details"] == {"name": "b.txt"}


def test_several_expressions(alice: Caller) -> None:
    doc = alice.provider(EXPRESSION).result(
        {
            "expressions": [
                {"expression": "a * 2", "arguments": {"a": 4}},
                {"expression": "s + '!'", "arguments": {"s": "hi"}, "result_path": "$.shout"},
            ]
        }
    )
    assert doc["details"] == {"results": [8, "hi!"], "shout": "hi!"}


def test_a_failing_expression_fails_the_action_and_bad_input_is_a_400(alice: Caller) -> None:
    provider = alice.provider(EXPRESSION)
    doc = provider.result({"expression": "missing + 1", "arguments": {}})
    assert doc["status"] == "FAILED" and doc["details"]["code"] == "ExpressionEvalError"
    assert provider.run({"arguments": {}}).status_code == 400
