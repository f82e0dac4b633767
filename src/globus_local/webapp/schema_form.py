"""A flow's Start form, generated from its ``input_schema`` (JSON Schema), and the run input
read back from the posted form.

Plain HTML inputs cover strings, numbers, integers, booleans, enums, nested objects and
lists of strings or numbers; anything else (``oneOf``, arrays of objects, a property with no
type) is a JSON text area for that property, and the whole input can always be given as
JSON instead. Only what a field's type needs is checked here (a number that is not one,
JSON that does not parse): the schema's own rules are the Flows service's to apply, and its
400 is what the page shows.
"""

from __future__ import annotations

import json
import typing as t
from dataclasses import dataclass, field

# Deeper nesting than this is one JSON text area: a form that deep is no help to anyone.
MAX_DEPTH = 4
# A form of more inputs than this is the JSON text area alone.
MAX_FIELDS = 200
JSON_FIELD = "input_json"

SCALARS = ("string", "number", "integer", "boolean")


@dataclass
class Field:
    """One input of the form; ``name`` is its form key (``f0``, ``f1``... in schema order)."""

    name: str
    key: str  # the property's name in its object
    kind: str  # string | number | integer | boolean | enum | list | object | json
    title: str
    description: str = ""
    required: bool = False
    default: t.Any = None
    choices: list[t.Any] = field(default_factory=list)
    item_kind: str = "string"  # for lists: the items' type
    input_type: str = "text"  # for strings: text, email, url, date, datetime-local
    children: list[Field] = field(default_factory=list)

    def value_text(self, values: t.Mapping[str, str] | None) -> str:
        """What the input shows: the posted value when the form comes back, else the default."""
        if values is not None:
            return values.get(self.name, "")
        if self.default is None:
            return ""
        if self.kind == "list" and isinstance(self.default, list):
            return "\n".join(str(v) for v in self.default)
        if self.kind == "json":
            return json.dumps(self.default, indent=2)
        return str(self.default)

    def checked(self, values: t.Mapping[str, str] | None) -> bool:
        if values is not None:
            return self.name in values
        return self.default is True

    def choice_text(self, choice: t.Any) -> str:
        return choice if isinstance(choice, str) else json.dumps(choice)


@dataclass
class InputForm:
    """The form for one schema: its fields, or none when the schema is best given as JSON."""

    fields: list[Field]
    schema: dict[str, t.Any]

    @property
    def json_only(self) -> bool:
        return not self.fields


class _Counter:
    def __init__(self) -> None:
        self.n = 0

    def next(self) -> str:
        self.n += 1
        return f"f{self.n - 1}"


def build_form(schema: t.Any) -> InputForm:
    """The fields for an object schema with ``properties``; an empty list otherwise."""
    if not isinstance(schema, dict) or not isinstance(schema.get("properties"), dict):
        return InputForm([], schema if isinstance(schema, dict) else {})
    counter = _Counter()
    fields = _object_fields(schema, counter, 0)
    if counter.n > MAX_FIELDS:
        fields = []
    return InputForm(fields, schema)


def _object_fields(schema: dict[str, t.Any], counter: _Counter, depth: int) -> list[Field]:
    required = schema.get("required")
    required_names = (
        {r for r in required if isinstance(r, str)} if isinstance(required, list) else set()
    )
    fields = []
    for key, prop in schema["properties"].items():
        if counter.n > MAX_FIELDS:
            break
        fields.append(_field(str(key), prop, str(key) in required_names, counter, depth))
    return fields


def _type_of(prop: dict[str, t.Any]) -> str | None:
    kind = prop.get("type")
    if isinstance(kind, list):  # ["string", "null"]: the one non-null type, if there is one
        kinds = [k for k in kind if k != "null"]
        kind = kinds[0] if len(kinds) == 1 else None
    return kind if isinstance(kind, str) else None


def _field(key: str, prop: t.Any, required: bool, counter: _Counter, depth: int) -> Field:
    name = counter.next()
    if not isinstance(prop, dict):
        return Field(name, key, "json", key, required=required)
    base = Field(
        name,
        key,
        "json",
        str(prop.get("title") or key),
        description=str(prop.get("description") or ""),
        required=required,
        default=prop.get("default"),
    )
    kind = _type_of(prop)
    if isinstance(prop.get("enum"), list) and prop["enum"] and "oneOf" not in prop:
        base.kind, base.choices = "enum", list(prop["enum"])
    elif kind in SCALARS and not _combined(prop):
        base.kind = kind
        if kind == "string":
            base.input_type = _STRING_FORMATS.get(str(prop.get("format")), "text")
    elif kind == "array" and not _combined(prop):
        items = prop.get("items")
        item_kind = _type_of(items) if isinstance(items, dict) else None
        if item_kind in ("string", "number", "integer") and not _combined(items):
            base.kind, base.item_kind = "list", str(item_kind)
    elif (
        kind == "object"
        and isinstance(prop.get("properties"), dict)
        and prop["properties"]
        and depth + 1 < MAX_DEPTH
        and not _combined(prop)
    ):
        base.kind = "object"
        base.children = _object_fields(prop, counter, depth + 1)
    return base


def _combined(prop: t.Any) -> bool:
    return isinstance(prop, dict) and any(
        k in prop for k in ("oneOf", "anyOf", "allOf", "$ref", "not")
    )


_STRING_FORMATS = {"email": "email", "uri": "url", "date": "date"}


class FormProblem(ValueError):
    """A field's text cannot be its type (a number that is not one, JSON that does not parse)."""


def read_input(form: InputForm, posted: t.Mapping[str, str]) -> dict[str, t.Any]:
    """The run's input from the posted fields; the JSON text area, when filled, wins."""
    raw = posted.get(JSON_FIELD, "").strip()
    if raw or form.json_only:
        try:
            value = json.loads(raw or "{}")
        except ValueError as err:
            raise FormProblem(f"The input is not valid JSON: {err}") from None
        if not isinstance(value, dict):
            raise FormProblem('The input must be a JSON object, such as {"name": "value"}.')
        return value
    problems: list[str] = []
    value = _read_object(form.fields, posted, problems, "$")
    if problems:
        raise FormProblem("; ".join(problems))
    return value


def _read_object(
    fields: list[Field], posted: t.Mapping[str, str], problems: list[str], where: str
) -> dict[str, t.Any]:
    out: dict[str, t.Any] = {}
    for f in fields:
        path = f"{where}.{f.key}"
        if f.kind == "object":
            inner = _read_object(f.children, posted, problems, path)
            if inner or f.required:
                out[f.key] = inner
            continue
        if f.kind == "boolean":
            out[f.key] = f.name in posted
            continue
        text = posted.get(f.name, "")
        if f.kind != "string" and not text.strip():
            continue
        if f.kind == "string" and text == "":
            continue  # left empty: not given (a required one is the service's to name)
        try:
            out[f.key] = _convert(f, text)
        except FormProblem as err:
            problems.append(f"{path}: {err}")
    return out


def _convert(f: Field, text: str) -> t.Any:
    if f.kind == "string":
        return text
    if f.kind in ("number", "integer"):
        return _number(text.strip(), f.kind)
    if f.kind == "enum":
        for choice in f.choices:
            if f.choice_text(choice) == text:
                return choice
        raise FormProblem("choose one of the listed values")
    if f.kind == "list":
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        if f.item_kind == "string":
            return lines
        return [_number(line, f.item_kind) for line in lines]
    try:
        return json.loads(text)
    except ValueError as err:
        raise FormProblem(f"not valid JSON ({err})") from None


def _number(text: str, kind: str) -> int | float:
    try:
        if kind == "integer":
            return int(text)
        number = float(text)
    except ValueError:
        raise FormProblem(
            f"{text!r} is not {'an integer' if kind == 'integer' else 'a number'}"
        ) from None
    if number != number or number in (float("inf"), float("-inf")):
        raise FormProblem(f"{text!r} is not a finite number")
    return (
        int(number)
        if number.is_integer() and "." not in text and "e" not in text.lower()
        else number
    )
