"""The `.=` expression language: Python-like expressions over a run's state, made safe.

Names resolve into the state (`foo`, `object_val.sub_val1`, `items[0].name`,
`_context.run_id`); the documented functions are `pathsplit`, `is_present` and `getattr`.
simpleeval does the evaluating; this module narrows it so that user text can reach nothing
but the state: attributes only index objects, only the listed functions are callable, names
starting `__` are refused, and every operation that can grow a value checks the size it would
make, while a budget of evaluation steps bounds the whole run. Anything that goes wrong is an
ExpressionError with a message for the flow's author.
"""

from __future__ import annotations

import ast
import math
import operator
import posixpath
import re
import warnings
from collections.abc import Callable, Mapping
from typing import Any

import simpleeval

from globus_local.flow_language import paths

MAX_EXPRESSION_LENGTH = 4096
MAX_DEPTH = 64
MAX_WORK = 1_000_000
"""Evaluation steps plus the items measured while checking sizes, for one expression."""
MAX_INT_BITS = 4096
MAX_SIZE = 100_000
"""Largest value an expression may build, counting list items, object entries and characters."""


class ExpressionError(ValueError):
    """An expression that does not parse, refers to what is not there, or does too much."""


def evaluate(expression: str, names: Mapping[str, Any]) -> Any:
    """The value of `expression` with `names` (usually the state plus `_context`) in scope."""
    tree, bound = _prepare(expression, names)
    evaluator = _Evaluator({**names, **bound})
    try:
        return evaluator.json(evaluator.eval(expression, previously_parsed=tree))
    except ExpressionError:
        raise
    except simpleeval.InvalidExpression as exc:
        raise ExpressionError(_describe(exc)) from exc
    except (KeyError, IndexError) as exc:
        raise ExpressionError(f"no item {exc} in the value") from exc
    except ZeroDivisionError as exc:
        raise ExpressionError("division by zero") from exc
    except (TypeError, ValueError, OverflowError, AttributeError) as exc:
        raise ExpressionError(str(exc)) from exc
    except (RecursionError, MemoryError) as exc:
        raise ExpressionError("the expression is too complex") from exc


def check_expression(expression: object) -> None:
    """Raise ExpressionError unless `expression` is text that parses as an expression."""
    _prepare(expression, {})


def pathsplit(path: object) -> list[str]:
    """`[directory, name]` of a slash path; the home prefix `/~/` stays whole."""
    if not isinstance(path, str):
        raise ExpressionError(f"pathsplit() needs a string, not {_type_name(path)}")
    head, tail = posixpath.split(path)
    if head in ("/~", "~"):
        head += "/"
    return [head, tail]


_BACKTICK = re.compile(r"`([^`]*)`")
_FUNCTIONS = frozenset({"pathsplit", "is_present", "getattr", "len", "str", "int", "float", "bool"})
_ALLOWED_NODES = (
    ast.Expression,
    ast.Expr,
    ast.Constant,
    ast.Name,
    ast.Load,
    ast.BinOp,
    ast.UnaryOp,
    ast.BoolOp,
    ast.Compare,
    ast.IfExp,
    ast.Call,
    ast.keyword,
    ast.Subscript,
    ast.Slice,
    ast.Attribute,
    ast.List,
    ast.Tuple,
    ast.Dict,
    ast.operator,
    ast.unaryop,
    ast.boolop,
    ast.cmpop,
)
_REFUSED_OPERATORS = (ast.BitAnd, ast.BitOr, ast.BitXor, ast.LShift, ast.RShift, ast.MatMult)


def _prepare(expression: object, names: Mapping[str, Any]) -> tuple[ast.AST, dict[str, Any]]:
    """The checked syntax tree, with each backtick JSONPath bound to a name of its own."""
    if not isinstance(expression, str):
        raise ExpressionError(f"an expression must be a string, not {_type_name(expression)}")
    if len(expression) > MAX_EXPRESSION_LENGTH:
        raise ExpressionError(f"an expression may be at most {MAX_EXPRESSION_LENGTH} characters")
    bound: dict[str, Any] = {}

    def bind(match: re.Match[str]) -> str:
        name = f"__path{len(bound)}__"
        path = match.group(1).strip()
        try:
            paths.check_path(path)
            bound[name] = paths.get_path(dict(names), path) if names else None
        except paths.InvalidPath as exc:
            raise ExpressionError(str(exc)) from exc
        except paths.PathNotFound as exc:
            if names:
                raise ExpressionError(str(exc)) from exc
        return name

    text = _BACKTICK.sub(bind, expression).strip()
    if not text:
        raise ExpressionError("the expression is empty")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SyntaxWarning)  # e.g. `1if x else 2`: parses, warns
            module = ast.parse(text, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        raise ExpressionError(f"the expression does not parse: {_syntax_message(exc)}") from exc
    _check_tree(module, set(bound))
    return module.body, bound


def _check_tree(tree: ast.AST, bound: set[str]) -> None:
    stack: list[tuple[ast.AST, int]] = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ExpressionError(f"the expression nests deeper than {MAX_DEPTH} levels")
        if not isinstance(node, _ALLOWED_NODES) or isinstance(node, _REFUSED_OPERATORS):
            raise ExpressionError(f"'{type(node).__name__}' is not allowed in an expression")
        if isinstance(node, ast.Name) and node.id.startswith("__") and node.id not in bound:
            raise ExpressionError(f"the name '{node.id}' is not allowed")
        if isinstance(node, ast.Attribute) and node.attr.startswith("__"):
            raise ExpressionError(f"the attribute '{node.attr}' is not allowed")
        if isinstance(node, ast.Call) and not (
            isinstance(node.func, ast.Name) and node.func.id in _FUNCTIONS
        ):
            raise ExpressionError(
                f"only these functions may be called: {', '.join(sorted(_FUNCTIONS))}"
            )
        if isinstance(node, ast.Constant) and not isinstance(
            node.value, (str, int, float, type(None))
        ):
            raise ExpressionError(f"the constant {node.value!r} is not allowed")
        if isinstance(node, ast.Dict) and None in node.keys:
            raise ExpressionError("'**' is not allowed in an expression")
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))


class _Evaluator(simpleeval.EvalWithCompoundTypes):
    """simpleeval limited to objects, lists and the documented functions."""

    def __init__(self, names: Mapping[str, Any]) -> None:
        self._work = 0
        self._scope = names
        functions: dict[str, Callable[..., Any]] = {
            "pathsplit": pathsplit,
            "is_present": self._is_present,
            "getattr": self._getattr,
            "len": len,
            "str": self._str,
            "int": int,
            "float": float,
            "bool": bool,
        }
        operators = {
            ast.Add: self._add,
            ast.Sub: operator.sub,
            ast.Mult: self._mult,
            ast.Div: operator.truediv,
            ast.FloorDiv: operator.floordiv,
            ast.Mod: _mod,
            ast.Pow: _power,
            ast.Eq: operator.eq,
            ast.NotEq: operator.ne,
            ast.Gt: operator.gt,
            ast.Lt: operator.lt,
            ast.GtE: operator.ge,
            ast.LtE: operator.le,
            ast.Not: operator.not_,
            ast.USub: operator.neg,
            ast.UAdd: operator.pos,
            ast.Invert: operator.invert,
            ast.In: lambda x, y: operator.contains(y, x),
            ast.NotIn: lambda x, y: not operator.contains(y, x),
            ast.Is: lambda x, y: x is y,
            ast.IsNot: lambda x, y: x is not y,
        }
        super().__init__(operators=operators, functions=functions, names=dict(names))
        for node_type in (ast.Set, ast.ListComp, ast.GeneratorExp, ast.DictComp):
            self.nodes.pop(node_type, None)

    def _eval(self, node: ast.AST) -> Any:
        self._charge(1)
        return super()._eval(node)

    def _charge(self, work: int) -> None:
        self._work += work
        if self._work > MAX_WORK:
            raise ExpressionError("the expression does too much work")

    def _eval_name(self, node: ast.Name) -> Any:
        if node.id in self.names:
            return self.names[node.id]
        raise ExpressionError(f"'{node.id}' is not present in the state")

    def _eval_attribute(self, node: ast.Attribute) -> Any:
        container = self._eval(node.value)
        if not isinstance(container, dict):
            raise ExpressionError(f"'.{node.attr}' needs an object, not {_type_name(container)}")
        if node.attr not in container:
            raise ExpressionError(f"'{node.attr}' is not present in the object")
        return container[node.attr]

    def _eval_subscript(self, node: ast.Subscript) -> Any:
        container = self._eval(node.value)
        key = self._eval(node.slice)
        if isinstance(container, dict) and isinstance(key, str):
            if key not in container:
                raise ExpressionError(f"'{key}' is not present in the object")
            return container[key]
        if isinstance(container, (list, tuple, str)) and isinstance(key, (int, slice)):
            if isinstance(key, bool):
                raise ExpressionError("a list index must be a number")
            return container[key]
        raise ExpressionError(f"cannot index a {_type_name(container)} with {_type_name(key)}")

    def _eval_slice(self, node: ast.Slice) -> slice:
        result = super()._eval_slice(node)
        for part in (result.start, result.stop, result.step):
            if part is not None and (not isinstance(part, int) or isinstance(part, bool)):
                raise ExpressionError("slice bounds must be whole numbers")
        return result

    def _eval_call(self, node: ast.Call) -> Any:
        function = self.functions[node.func.id]  # type: ignore[attr-defined]
        args = [self._eval(arg) for arg in node.args]
        kwargs = dict(self._eval(keyword) for keyword in node.keywords)
        return function(*args, **kwargs)

    def _is_present(self, dotted: object) -> bool:
        found, _ = _lookup(self._scope, dotted)
        return found

    def _getattr(self, dotted: object, default: Any = None) -> Any:
        found, value = _lookup(self._scope, dotted)
        return value if found else default

    def _str(self, value: Any = "") -> str:
        self._size(value)
        return str(value)

    def _add(self, left: Any, right: Any) -> Any:
        if isinstance(left, (str, list, tuple)) and isinstance(right, (str, list, tuple)):
            _limit(self._size(left) + self._size(right))
        return left + right

    def _mult(self, left: Any, right: Any) -> Any:
        for seq, count in ((left, right), (right, left)):
            if isinstance(seq, (str, list, tuple)) and isinstance(count, int):
                _limit(self._size(seq) * max(count, 0))
        if _is_int(left) and _is_int(right):
            if left.bit_length() + right.bit_length() > MAX_INT_BITS:
                raise ExpressionError(f"the product would exceed {MAX_INT_BITS} bits")
        return left * right

    def _size(self, value: Any) -> int:
        """Items plus characters in `value`, stopping once it passes MAX_SIZE."""
        total = 0
        visited = 0
        stack = [value]
        while stack:
            item = stack.pop()
            visited += 1
            total += len(item) if isinstance(item, str) else 1
            if isinstance(item, (list, tuple)):
                stack.extend(item)
            elif isinstance(item, dict):
                stack.extend(item.keys())
                stack.extend(item.values())
            if total > MAX_SIZE:
                _limit(total)
        self._charge(visited)
        return total

    def json(self, value: Any) -> Any:
        """`value` as JSON data: tuples become lists; anything else non-JSON is an error."""
        self._size(value)
        return _to_json(value)


def _lookup(scope: Mapping[str, Any], dotted: object) -> tuple[bool, Any]:
    """Follow `a.b[0].c` (or a `$.` JSONPath) into the state: (found, value)."""
    if not isinstance(dotted, str):
        raise ExpressionError(f"a state path must be a string, not {_type_name(dotted)}")
    if dotted.startswith("$"):
        try:
            return True, paths.get_path(dict(scope), dotted)
        except paths.PathNotFound:
            return False, None
        except paths.InvalidPath as exc:
            raise ExpressionError(str(exc)) from exc
    value: Any = scope
    for step in _dotted_steps(dotted):
        if isinstance(step, str):
            if not isinstance(value, Mapping) or step not in value:
                return False, None
            value = value[step]
        else:
            if not isinstance(value, list) or not -len(value) <= step < len(value):
                return False, None
            value = value[step]
    return True, value


_DOTTED = re.compile(r"[^.\[\]]+(\[-?\d+\])*(\.[^.\[\]]+(\[-?\d+\])*)*")
_DOTTED_STEP = re.compile(r"([^.\[\]]+)|\[(-?\d+)\]")


def _dotted_steps(dotted: str) -> list[str | int]:
    if not _DOTTED.fullmatch(dotted):
        raise ExpressionError(f"'{dotted}' is not a dotted name such as 'a.b[0].c'")
    return [field or int(index) for field, index in _DOTTED_STEP.findall(dotted)]


def _mod(left: Any, right: Any) -> Any:
    if isinstance(left, str):
        raise ExpressionError("'%' formatting of strings is not allowed; use '+'")
    return left % right


def _power(base: Any, exponent: Any) -> Any:
    if _is_int(base) and _is_int(exponent) and exponent > 0 and abs(base) > 1:
        if math.log2(abs(base)) * exponent > MAX_INT_BITS:
            raise ExpressionError(f"the power would exceed {MAX_INT_BITS} bits")
    if isinstance(exponent, (int, float)) and abs(exponent) > MAX_INT_BITS:
        if not (isinstance(base, (int, float)) and abs(base) <= 1):
            raise ExpressionError("the exponent is too large")
    result = base**exponent
    if isinstance(result, complex):
        raise ExpressionError("the power has no real value")
    return result


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _limit(size: int) -> None:
    if size > MAX_SIZE:
        raise ExpressionError(f"the value would be larger than {MAX_SIZE} items and characters")


def _to_json(value: Any) -> Any:
    if isinstance(value, tuple):
        value = list(value)
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ExpressionError("the result is not a finite number")
        return value
    if isinstance(value, list):
        return [_to_json(item) for item in value]
    if isinstance(value, dict):
        if not all(isinstance(key, str) for key in value):
            raise ExpressionError("object keys must be strings")
        return {key: _to_json(item) for key, item in value.items()}
    raise ExpressionError(f"the result is a {_type_name(value)}, which is not JSON")


def _type_name(value: Any) -> str:
    names = {dict: "object", list: "list", str: "string", bool: "boolean", type(None): "null"}
    if type(value) in names:
        return names[type(value)]
    if isinstance(value, (int, float)):
        return "number"
    return "function" if callable(value) else type(value).__name__


def _describe(exc: Exception) -> str:
    return str(exc).split(" in expression ", 1)[0]


def _syntax_message(exc: BaseException) -> str:
    if isinstance(exc, SyntaxError):
        return exc.msg or "invalid syntax"
    return "too complex" if isinstance(exc, (RecursionError, MemoryError)) else str(exc)
