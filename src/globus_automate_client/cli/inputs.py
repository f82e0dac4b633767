"""Reading the documents given on the command line: a file name or the text itself, in
JSON or (when PyYAML is installed) YAML, as the automate CLI accepts them."""

from __future__ import annotations

import json
import os
import typing as t


class InputError(ValueError):
    """An option's value could not be read as a document."""


def _parse_yaml(text: str) -> t.Any:
    try:
        import yaml  # type: ignore[import-untyped]
    except ImportError:
        raise InputError("is neither JSON nor a readable file (YAML needs PyYAML installed)")
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise InputError(f"is not valid JSON or YAML: {err}")


def read_document(value: str, what: str) -> dict[str, t.Any]:
    """The JSON object given as ``value`` or held in the file it names."""
    text = value
    if os.path.isfile(value):
        try:
            with open(value, encoding="utf-8") as f:
                text = f.read()
        except OSError as err:
            raise InputError(f"{what}: cannot read {value}: {err.strerror}")
    try:
        document = json.loads(text)
    except json.JSONDecodeError as json_error:
        try:
            document = _parse_yaml(text)
        except InputError as err:
            raise InputError(f"{what} {err} (JSON: {json_error})")
    if not isinstance(document, dict):
        raise InputError(f"{what} must be a JSON object")
    return document
