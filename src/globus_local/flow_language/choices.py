"""Choice rules: their shape (checked when a flow is defined) and their truth against a state.

A rule is `And`/`Or` over rules, `Not` of a rule, or a `Variable` path with one operator.
Comparisons of values of the wrong type are false; a comparison whose Variable is absent is
an error (guard it with `IsPresent`), while the type tests are simply false for it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from globus_local.flow_language import paths
from globus_local.flow_language.errors import DefinitionError
from globus_local.flow_language.timestamps import parse_timestamp

MAX_RULE_DEPTH = 32
MAX_PATTERN_LENGTH = 1024

_TYPE_TESTS = ("IsNull", "IsPresent", "IsNumeric", "IsString", "IsBoolean", "IsTimestamp")
_COMPARISONS = ("Equals", "LessThan", "GreaterThan", "LessThanEquals", "GreaterThanEquals")
_FAMILIES = ("String", "Numeric", "Timestamp")


class ChoiceError(ValueError):
    """A rule could not be decided against the state (its Variable is absent)."""


def operators() -> frozenset[str]:
    """Every operator a Variable rule may use."""
    names = {f"{family}{kind}" for family in _FAMILIES for kind in _COMPARISONS}
    names |= {"StringMatches", "BooleanEquals"}
    names |= {f"{name}Path" for name in names if name != "StringMatches"}
    return frozenset(names | set(_TYPE_TESTS))


OPERATORS = operators()


def check_rule(state: str, rule: Any, top: bool, depth: int = 0) -> None:
    """Raise DefinitionError unless `rule` is a well-formed Choice rule."""
    if depth > MAX_RULE_DEPTH:
        raise DefinitionError(
            state, "choice-depth", f"Choice rules nest deeper than {MAX_RULE_DEPTH}"
        )
    if not isinstance(rule, dict):
        raise DefinitionError(state, "choice-rule", "each Choice rule must be an object")
    extra = {"Next"} if top else set()
    if top and not isinstance(rule.get("Next"), str):
        raise DefinitionError(state, "choice-next", "each rule in Choices must have a 'Next'")
    if not top and "Next" in rule:
        raise DefinitionError(state, "choice-next", "a nested Choice rule may not have a 'Next'")
    combinators = [key for key in ("And", "Or", "Not") if key in rule]
    if combinators:
        key = combinators[0]
        _only(state, rule, {key, "Comment"} | extra)
        operands = rule[key]
        if key == "Not":
            check_rule(state, operands, False, depth + 1)
            return
        if not isinstance(operands, list) or not operands:
            raise DefinitionError(state, "choice-rule", f"'{key}' needs a non-empty list of rules")
        for operand in operands:
            check_rule(state, operand, False, depth + 1)
        return
    variable = rule.get("Variable")
    if not isinstance(variable, str) or not paths.is_path(variable):
        raise DefinitionError(
            state, "choice-variable", "a Choice rule needs 'And', 'Or', 'Not' or a 'Variable' path"
        )
    ops = [key for key in rule if key not in ("Variable", "Comment", "Next")]
    if len(ops) != 1 or ops[0] not in OPERATORS:
        found = ", ".join(repr(op) for op in ops) or "none"
        raise DefinitionError(
            state,
            "choice-operator",
            f"a Choice rule needs exactly one known operator, found {found}",
        )
    _check_operand(state, ops[0], rule[ops[0]])


def matches(rule: dict[str, Any], document: Any, context: dict[str, Any] | None) -> bool:
    """Whether a checked rule holds for the state `document`."""
    if "And" in rule:
        return all(matches(item, document, context) for item in rule["And"])
    if "Or" in rule:
        return any(matches(item, document, context) for item in rule["Or"])
    if "Not" in rule:
        return not matches(rule["Not"], document, context)
    variable = rule["Variable"]
    op = next(key for key in rule if key in OPERATORS)
    operand = rule[op]
    present = paths.has_path(document, variable, context)
    if op in _TYPE_TESTS:
        value = paths.get_path(document, variable, context) if present else None
        return _type_test(op, present, value) == operand
    if not present:
        raise ChoiceError(f"the Variable '{variable}' is not present (guard it with IsPresent)")
    value = paths.get_path(document, variable, context)
    if op.endswith("Path"):
        op = op[:-4]
        try:
            operand = paths.get_path(document, operand, context)
        except paths.PathNotFound as exc:
            raise ChoiceError(f"'{rule[op + 'Path']}' is not present") from exc
    return _compare(op, value, operand)


def _only(state: str, rule: dict[str, Any], allowed: set[str]) -> None:
    unknown = sorted(set(rule) - allowed)
    if unknown:
        raise DefinitionError(
            state, "choice-rule", f"unexpected fields in a Choice rule: {', '.join(unknown)}"
        )


def _check_operand(state: str, op: str, operand: Any) -> None:
    if op in _TYPE_TESTS:
        ok, want = isinstance(operand, bool), "true or false"
    elif op.endswith("Path"):
        ok, want = paths.is_path(operand), "a JSONPath"
    elif op.startswith("String"):
        ok, want = isinstance(operand, str), "a string"
        if op == "StringMatches" and ok and len(operand) > MAX_PATTERN_LENGTH:
            ok, want = False, f"a pattern of at most {MAX_PATTERN_LENGTH} characters"
    elif op.startswith("Numeric"):
        ok, want = _is_number(operand), "a number"
    elif op.startswith("Boolean"):
        ok, want = isinstance(operand, bool), "true or false"
    else:
        ok, want = parse_timestamp(operand) is not None, "an RFC 3339 timestamp"
    if not ok:
        raise DefinitionError(state, "choice-operand", f"the value of '{op}' must be {want}")


def _type_test(op: str, present: bool, value: Any) -> bool:
    tests: dict[str, Callable[[Any], bool]] = {
        "IsPresent": lambda _: present,
        "IsNull": lambda v: present and v is None,
        "IsNumeric": lambda v: present and _is_number(v),
        "IsString": lambda v: present and isinstance(v, str),
        "IsBoolean": lambda v: present and isinstance(v, bool),
        "IsTimestamp": lambda v: present and parse_timestamp(v) is not None,
    }
    return tests[op](value)


def _compare(op: str, value: Any, operand: Any) -> bool:
    if op == "StringMatches":
        return (
            isinstance(value, str) and isinstance(operand, str) and string_matches(value, operand)
        )
    if op == "BooleanEquals":
        return isinstance(value, bool) and isinstance(operand, bool) and value == operand
    family = next(name for name in _FAMILIES if op.startswith(name))
    kind = op[len(family) :]
    left: Any
    right: Any
    if family == "String":
        if not (isinstance(value, str) and isinstance(operand, str)):
            return False
        left, right = value, operand
    elif family == "Numeric":
        if not (_is_number(value) and _is_number(operand)):
            return False
        left, right = value, operand
    else:
        left, right = parse_timestamp(value), parse_timestamp(operand)
        if left is None or right is None:
            return False
    return {
        "Equals": left == right,
        "LessThan": left < right,
        "GreaterThan": left > right,
        "LessThanEquals": left <= right,
        "GreaterThanEquals": left >= right,
    }[kind]


def string_matches(value: str, pattern: str) -> bool:
    """Glob match where `*` is any run of characters, `\\*` a star and `\\\\` a backslash.

    Greedy matching with one backtrack point, so the time is at most len(value) * len(pattern).
    """
    tokens = _pattern_tokens(pattern)
    v = t = 0
    star_t = star_v = -1
    while v < len(value):
        if t < len(tokens) and tokens[t] is not None and tokens[t] == value[v]:
            v += 1
            t += 1
        elif t < len(tokens) and tokens[t] is None:
            star_t, star_v = t, v
            t += 1
        elif star_t >= 0:
            star_v += 1
            v, t = star_v, star_t + 1
        else:
            return False
    while t < len(tokens) and tokens[t] is None:
        t += 1
    return t == len(tokens)


def _pattern_tokens(pattern: str) -> list[str | None]:
    """The pattern as literal characters, with None for each unescaped `*`."""
    tokens: list[str | None] = []
    escaped = False
    for char in pattern:
        if escaped:
            tokens.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        else:
            tokens.append(None if char == "*" else char)
    if escaped:
        tokens.append("\\")
    return tokens


def _is_number(value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return not isinstance(value, float) or math.isfinite(value)
