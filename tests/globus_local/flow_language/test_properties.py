"""Properties over random input: the language answers every JSON value with a result or its own error."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from globus_local.flow_language.expressions import ExpressionError, evaluate
from globus_local.flow_language.interpreter import after_action, after_error, step
from globus_local.flow_language.outcomes import (
    CallAction,
    Fail,
    Goto,
    Succeed,
    WaitUntil,
)
from globus_local.flow_language.templating import TemplateError, render
from globus_local.flow_language.validation import DefinitionError, check_definition

SETTINGS = settings(
    max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**6), max_value=10**6),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)

NAMES = ["A", "B", "C"]
PATHS = ["$", "$.a", "$.a.b", "$.list[0]", "$._context.run_id", "$.list[*]", "a.b", "$["]
EXPRESSIONS = ["a + 1", "a.b", "pathsplit(p)", "is_present('a')", "1 +", "x.__class__", "n * 2"]
TIMESTAMPS = ["2024-01-01T00:00:00Z", "later", "2024-13-01T00:00:00Z"]
FIELDS = [
    "Type",
    "Next",
    "End",
    "Comment",
    "ActionUrl",
    "ActionScope",
    "Parameters",
    "InputPath",
    "ResultPath",
    "WaitTime",
    "ExceptionOnActionFailure",
    "RunAs",
    "Catch",
    "Choices",
    "Default",
    "Seconds",
    "SecondsPath",
    "Timestamp",
    "TimestampPath",
    "Error",
    "Cause",
    "ErrorPath",
    "CausePath",
    "OutputPath",
]
TYPES = ["Action", "Pass", "Choice", "Wait", "Fail", "ExpressionEval", "Succeed", "Task", "X"]
OPERATORS = [
    "StringEquals",
    "StringMatches",
    "NumericLessThan",
    "BooleanEquals",
    "TimestampGreaterThan",
    "NumericEqualsPath",
    "IsPresent",
    "IsNull",
    "IsTimestamp",
]

paths = st.sampled_from(PATHS)
template_keys = st.one_of(
    st.sampled_from(["x", "y.$", "z.=", "__Private_Parameters", "x.$"]), st.text(max_size=5)
)
templates = st.recursive(
    st.one_of(scalars, paths, st.sampled_from(EXPRESSIONS)),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(template_keys, inner, max_size=4)
    ),
    max_leaves=10,
)
variable_rules = st.fixed_dictionaries(
    {"Variable": paths},
).flatmap(
    lambda base: st.sampled_from(OPERATORS).flatmap(
        lambda op: st.one_of(scalars, paths, st.sampled_from(TIMESTAMPS)).map(
            lambda value: {**base, op: value}
        )
    )
)
rules = st.recursive(
    variable_rules,
    lambda inner: st.one_of(
        st.fixed_dictionaries({"And": st.lists(inner, max_size=3)}),
        st.fixed_dictionaries({"Or": st.lists(inner, max_size=3)}),
        st.fixed_dictionaries({"Not": inner}),
    ),
    max_leaves=5,
)
top_rules = st.tuples(rules, st.sampled_from(NAMES)).map(lambda pair: {**pair[0], "Next": pair[1]})
catchers = st.fixed_dictionaries(
    {
        "ErrorEquals": st.lists(
            st.sampled_from(["States.ALL", "ActionTimeout", "ActionUnableToRun", 5]),
            max_size=2,
        ),
        "Next": st.sampled_from(NAMES),
    },
    optional={"ResultPath": paths},
)
FIELD_VALUES = {
    "Type": st.sampled_from(TYPES),
    "Next": st.sampled_from(NAMES + ["Z"]),
    "End": st.booleans(),
    "ActionUrl": st.sampled_from(["https://ap.example.org/x", "ftp://x", ""]),
    "Parameters": templates,
    "InputPath": paths,
    "ResultPath": paths,
    "WaitTime": st.integers(min_value=-1, max_value=10**8),
    "RunAs": st.sampled_from(["User", "Flow", "Role", ""]),
    "Catch": st.lists(catchers, max_size=2),
    "Choices": st.lists(top_rules, max_size=3),
    "Default": st.sampled_from(NAMES),
    "Seconds": st.integers(min_value=-1, max_value=10**8),
    "SecondsPath": paths,
    "Timestamp": st.sampled_from(TIMESTAMPS),
    "TimestampPath": paths,
    "ErrorPath": paths,
    "CausePath": paths,
}
states = st.lists(st.sampled_from(FIELDS), max_size=7, unique=True).flatmap(
    lambda fields: st.fixed_dictionaries(
        {"Type": st.sampled_from(TYPES)}
        | {field: FIELD_VALUES.get(field, json_values) for field in fields if field != "Type"}
    )
)
definitions = st.fixed_dictionaries(
    {
        "StartAt": st.sampled_from(NAMES),
        "States": st.dictionaries(st.sampled_from(NAMES), states, min_size=1, max_size=3),
    }
)
documents = st.fixed_dictionaries(
    {},
    optional={
        "a": json_values,
        "list": st.lists(json_values, max_size=3),
        "n": json_values,
        "p": json_values,
    },
)
CONTEXT = {"run_id": "r", "username": "u"}


def check(definition: Any) -> bool:
    try:
        check_definition(definition)
    except DefinitionError as error:
        assert error.rule and error.message
        return False
    return True


@SETTINGS
@given(json_values)
def test_any_json_is_a_definition_or_a_definition_error(value):
    check(value)


@SETTINGS
@given(definitions)
def test_state_machine_shaped_json_is_checked_without_surprises(definition):
    check(definition)


@SETTINGS
@given(definitions, documents, json_values)
def test_a_valid_definition_steps_every_state_on_any_document(definition, document, status):
    if not check(definition):
        return
    for name, state in definition["States"].items():
        outcome = step(definition, name, document, CONTEXT)
        assert isinstance(outcome, (Goto, Succeed, Fail, CallAction, WaitUntil))
        if state["Type"] == "Action":
            full = status if isinstance(status, dict) else {"status": status}
            assert isinstance(after_action(definition, name, document, full), (Goto, Succeed, Fail))
            assert isinstance(
                after_error(definition, name, document, "ActionTimeout", status),
                (Goto, Succeed, Fail),
            )


@SETTINGS
@given(templates, documents)
def test_templates_render_or_raise_template_error(template, document):
    try:
        render(template, document, CONTEXT)
    except TemplateError:
        pass


@SETTINGS
@given(
    st.one_of(
        st.text(max_size=40),
        st.lists(
            st.sampled_from(
                [
                    "a",
                    "n",
                    "1",
                    "+",
                    "*",
                    "**",
                    "(",
                    ")",
                    "[",
                    "]",
                    "'s'",
                    ".",
                    "b",
                    "pathsplit",
                    "getattr",
                    ",",
                    " if ",
                    " else ",
                    "not ",
                    "-",
                    "9",
                ]
            ),
            max_size=20,
        ).map("".join),
    ),
    documents,
)
def test_expressions_evaluate_or_raise_expression_error(expression, document):
    try:
        evaluate(expression, {**document, "_context": CONTEXT})
    except ExpressionError:
        pass


GOOD_PATHS = ["$.a", "$.a.b", "$.list[0]", "$.n", "$.p", "$._context.run_id", "$.list[*]"]
WRITABLE = ["$", "$.a", "$.r", "$.a.b", "$.list[0]"]
GOOD_EXPRESSIONS = [
    "n + 1",
    "a.b",
    "pathsplit(p)",
    "is_present('a.b')",
    "getattr('n', 0) * 2",
    "list[0]",
    "str(n) + p",
    "len(list)",
    "_context.run_id",
]
good_paths = st.sampled_from(GOOD_PATHS)
good_templates = st.recursive(
    st.one_of(scalars, st.sampled_from(GOOD_PATHS)),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(["k", "m", "q"]), inner, max_size=2),
    ),
    max_leaves=6,
).flatmap(
    lambda constant: st.fixed_dictionaries(
        {"const": st.just(constant)},
        optional={
            "from.$": good_paths,
            "calc.=": st.sampled_from(GOOD_EXPRESSIONS),
            "__Private_Parameters": st.just(["from"]),
            "nested": st.fixed_dictionaries({"deep.$": good_paths}),
        },
    )
)
OPERAND = {
    "String": st.text(max_size=4),
    "Numeric": st.integers(-5, 5),
    "Boolean": st.booleans(),
    "Timestamp": st.just("2024-01-01T00:00:00Z"),
}
good_variable_rules = st.tuples(
    good_paths,
    st.sampled_from(["String", "Numeric", "Boolean", "Timestamp", "Is"]),
    st.booleans(),
).flatmap(
    lambda parts: (
        st.sampled_from(["IsNull", "IsPresent", "IsNumeric", "IsString", "IsTimestamp"]).flatmap(
            lambda op: st.booleans().map(lambda flag: {"Variable": parts[0], op: flag})
        )
        if parts[1] == "Is"
        else st.just({"Variable": parts[0], f"{parts[1]}EqualsPath": "$.n"})
        if parts[2]
        else OPERAND[parts[1]].map(
            lambda value: {
                "Variable": parts[0],
                ("StringMatches" if parts[1] == "String" else f"{parts[1]}Equals"): value,
            }
        )
    )
)
good_rules = st.recursive(
    good_variable_rules,
    lambda inner: st.one_of(
        st.lists(inner, min_size=1, max_size=2).map(lambda items: {"And": items}),
        st.lists(inner, min_size=1, max_size=2).map(lambda items: {"Or": items}),
        inner.map(lambda item: {"Not": item}),
    ),
    max_leaves=4,
)


def good_state(kind: str, names: list[str], index: int):
    after = names[index + 1] if index + 1 < len(names) else None
    ending = {"Next": after} if after else {"End": True}
    anywhere = st.sampled_from(names)
    if kind == "Pass":
        return st.fixed_dictionaries(
            {"Type": st.just("Pass"), **{k: st.just(v) for k, v in ending.items()}},
            optional={
                "Parameters": good_templates,
                "InputPath": good_paths,
                "ResultPath": st.sampled_from(WRITABLE),
            },
        )
    if kind == "ExpressionEval":
        return st.fixed_dictionaries(
            {
                "Type": st.just("ExpressionEval"),
                "Parameters": good_templates,
                "ResultPath": st.sampled_from(WRITABLE),
                **{k: st.just(v) for k, v in ending.items()},
            }
        )
    if kind == "Action":
        return st.fixed_dictionaries(
            {
                "Type": st.just("Action"),
                "ActionUrl": st.just("https://ap.example.org/run"),
                "Parameters": good_templates,
                **{k: st.just(v) for k, v in ending.items()},
            },
            optional={
                "ResultPath": st.sampled_from(WRITABLE),
                "WaitTime": st.integers(1, 1000),
                "ExceptionOnActionFailure": st.booleans(),
                "RunAs": st.sampled_from(["User", "Flow", "Reviewer"]),
                "Catch": st.lists(
                    st.fixed_dictionaries(
                        {
                            "ErrorEquals": st.sampled_from(
                                [["ActionTimeout"], ["ActionUnableToRun", "ActionFailedException"]]
                            ),
                            "Next": anywhere,
                        },
                        optional={"ResultPath": st.sampled_from(WRITABLE)},
                    ),
                    max_size=2,
                ),
            },
        )
    if kind == "Choice":
        return st.fixed_dictionaries(
            {
                "Type": st.just("Choice"),
                "Choices": st.lists(
                    st.tuples(good_rules, anywhere).map(lambda p: {**p[0], "Next": p[1]}),
                    min_size=1,
                    max_size=3,
                ),
                "Default": st.just(after or names[0]),
            }
        )
    if kind == "Wait":
        return st.one_of(
            st.fixed_dictionaries({"Seconds": st.integers(0, 100)}),
            st.fixed_dictionaries({"SecondsPath": good_paths}),
            st.fixed_dictionaries({"Timestamp": st.just("2024-01-01T00:00:00Z")}),
            st.fixed_dictionaries({"TimestampPath": good_paths}),
        ).map(lambda form: {"Type": "Wait", **form, **ending})
    return st.fixed_dictionaries(
        {"Type": st.just("Fail")},
        optional={"Error": st.text(max_size=5), "CausePath": good_paths},
    )


good_definitions = st.lists(
    st.sampled_from(["Pass", "ExpressionEval", "Action", "Choice", "Wait", "Fail"]),
    min_size=1,
    max_size=5,
).flatmap(
    lambda kinds: st.tuples(
        *[good_state(kind, [f"S{i}" for i in range(len(kinds))], i) for i, kind in enumerate(kinds)]
    ).map(lambda built: {"StartAt": "S0", "States": {f"S{i}": s for i, s in enumerate(built)}})
)


@SETTINGS
@given(good_definitions, documents, json_values)
def test_well_formed_definitions_step_on_any_document(definition, document, status):
    if not check(definition):
        return
    for name, state in definition["States"].items():
        outcome = step(definition, name, document, CONTEXT)
        assert isinstance(outcome, (Goto, Succeed, Fail, CallAction, WaitUntil))
        if state["Type"] == "Action":
            full = status if isinstance(status, dict) else {"status": status}
            after_action(definition, name, document, full)
            after_action(definition, name, document, {"status": "FAILED", "details": status})
            after_error(definition, name, document, "ActionUnableToRun", status)
