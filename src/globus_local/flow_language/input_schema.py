"""A flow's input schema: checked when the flow is defined, applied to each run's input."""

from __future__ import annotations

from typing import Any

import jsonschema
from jsonschema import exceptions as schema_errors
from referencing import Registry
from referencing.exceptions import Unresolvable

from globus_local.flow_language.errors import DefinitionError

MAX_INPUT_ERRORS = 20


def check_input_schema(schema: Any) -> None:
    """Raise DefinitionError unless `schema` is a JSON Schema object (draft 7)."""
    if not isinstance(schema, dict):
        raise DefinitionError(None, "input-schema", "the input schema must be an object")
    try:
        jsonschema.Draft7Validator.check_schema(schema)
    except schema_errors.SchemaError as exc:
        where = _where(exc.absolute_path)
        raise DefinitionError(
            None, "input-schema", f"the input schema is not valid at {where}: {exc.message}"
        ) from exc
    except (RecursionError, ValueError) as exc:
        raise DefinitionError(
            None, "input-schema", f"the input schema is not valid: {exc}"
        ) from exc


def validate_input(schema: dict[str, Any], body: Any) -> list[str]:
    """What is wrong with a run's input under a checked schema, one message per problem."""
    if not isinstance(body, dict):
        return ["$: the input must be an object"]
    validator = jsonschema.Draft7Validator(
        schema, registry=_LOCAL_ONLY, format_checker=jsonschema.FormatChecker()
    )
    try:
        errors = sorted(validator.iter_errors(body), key=lambda error: list(error.absolute_path))
    except (schema_errors.SchemaError, Unresolvable) as exc:
        return [f"$: the input schema cannot be applied: {exc}"]
    except (RecursionError, ValueError) as exc:
        return [f"$: the input cannot be checked: {exc}"]
    return [f"{_where(error.absolute_path)}: {error.message}" for error in errors][
        :MAX_INPUT_ERRORS
    ]


_LOCAL_ONLY: Registry[Any] = Registry()
"""An empty registry retrieves nothing; without one jsonschema would fetch remote `$ref`s."""


def _where(location: Any) -> str:
    """A JSONPath naming the place an error was found, such as `$.items[0].name`."""
    text = "$"
    for step in location:
        text += f"[{step}]" if isinstance(step, int) else f".{step}"
    return text
