"""Expression evaluation: the flow language's ``.=`` expressions as an action.

``{"expression", "arguments", "result_path"?}`` evaluates one expression with the
arguments as its names, the value placed at ``result_path`` of the details (``$.result``
by default); ``{"expressions": [...]}`` evaluates several, their values listed under
``results`` (and each also at its own ``result_path``). An expression that fails fails the
action with ``ExpressionEvalError`` and the evaluator's message.
"""

from __future__ import annotations

import typing as t

from globus_local.flow_language import ExpressionError, PathError, evaluate, set_path
from globus_local.services.actions.providers.base import (
    Description,
    Progress,
    Provider,
    StartCall,
    failed,
    succeeded,
)
from globus_local.services.actions.providers.schemas import STRING, object_schema

DEFAULT_RESULT_PATH = "$.result"
MAX_EXPRESSIONS = 100

_ONE = {
    "expression": STRING,
    "arguments": {"type": "object"},
    "result_path": STRING,
}
SCHEMA = object_schema(
    {
        **_ONE,
        "expressions": {
            "type": "array",
            "minItems": 1,
            "maxItems": MAX_EXPRESSIONS,
            "items": object_schema(_ONE, required=["expression"]),
        },
    },
    all_of=[{"oneOf": [{"required": ["expression"]}, {"required": ["expressions"]}]}],
)
DESCRIPTION = Description(
    title="Expression Evaluation",
    subtitle="Evaluate expressions over the values given",
    input_schema=SCHEMA,
    synchronous=True,
    keywords=("expression", "evaluate"),
)


def _details(body: dict[str, t.Any]) -> dict[str, t.Any]:
    if "expression" in body:
        value = evaluate(body["expression"], body.get("arguments") or {})
        return set_path({}, body.get("result_path") or DEFAULT_RESULT_PATH, value)
    details: dict[str, t.Any] = {"results": []}
    for item in body["expressions"]:
        value = evaluate(item["expression"], item.get("arguments") or {})
        details["results"].append(value)
        if item.get("result_path"):
            details = set_path(details, item["result_path"], value)
    return details


def evaluate_body(body: dict[str, t.Any]) -> Progress:
    """SUCCEEDED with the values, or FAILED with the language's message."""
    try:
        return succeeded(_details(body))
    except (ExpressionError, PathError) as exc:
        return failed("ExpressionEvalError", str(exc))


class ExpressionEval(Provider):
    def __init__(self, key: str, scope: str) -> None:
        super().__init__(key, scope, DESCRIPTION)

    def start(self, call: StartCall, body: dict[str, t.Any]) -> Progress:
        return evaluate_body(body)
