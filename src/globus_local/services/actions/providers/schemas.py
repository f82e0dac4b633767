"""JSON Schema pieces the Transfer providers share: each accepts the legacy spelling
(``source_endpoint_id``, ``transfer_items``, ``endpoint_id``) and the current one
(``source_endpoint``, ``DATA``, ``endpoint``), whichever URL it is called at."""

from __future__ import annotations

import typing as t

STRING = {"type": "string", "minLength": 1}
BOOLEAN = {"type": "boolean"}


def one_of_names(*names: str) -> dict[str, t.Any]:
    """At least one of ``names`` must be given (the same value under its two spellings)."""
    return {"anyOf": [{"required": [n]} for n in names]}


def endpoint_properties() -> dict[str, t.Any]:
    return {"endpoint_id": STRING, "endpoint": STRING}


def object_schema(
    properties: dict[str, t.Any], *, required: t.Sequence[str] = (), all_of: t.Sequence[t.Any] = ()
) -> dict[str, t.Any]:
    schema: dict[str, t.Any] = {
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
    }
    if required:
        schema["required"] = list(required)
    if all_of:
        schema["allOf"] = list(all_of)
    return schema


def endpoint_of(body: dict[str, t.Any]) -> str:
    """The endpoint a one-endpoint request names, under either spelling."""
    return str(body.get("endpoint_id") or body.get("endpoint"))
