"""Request text Transfer refuses before any route runs: values no database (nor a file
name) can store. The parsers every service shares are in :mod:`globus_local.kit.params`."""

from __future__ import annotations

import json
import re
import typing as t

from fastapi import Request

from globus_local.kit.errors import BadRequest

# Methods whose JSON body is looked at for text no database stores.
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
# How a JSON text spells NUL or a UTF-16 surrogate; a body without these holds neither.
_JSON_SUSPECT = re.compile(rb"\\u(?:0000|[dD][89a-fA-F])")
_UNSTORABLE = "Request values must not contain NUL characters or unpaired surrogates"


async def refuse_unstorable_text(request: Request) -> None:
    """Router dependency: refuse NUL characters in the path, the query or the JSON body,
    and unpaired UTF-16 surrogates in the body.

    PostgreSQL text cannot hold NUL, and neither database (nor a file name) takes a string
    that is not valid Unicode: such a value would fail a query or a file operation with a
    500. No Transfer value (ids, paths, names, labels) needs one.
    """
    if "\x00" in request.scope["path"] or b"%00" in request.scope.get("query_string", b""):
        raise BadRequest(_UNSTORABLE)
    if request.method not in _BODY_METHODS or not _json_body_expected(request):
        return
    body = await request.body()
    if _JSON_SUSPECT.search(body) and _holds_unstorable(body):
        raise BadRequest(_UNSTORABLE)


def _json_body_expected(request: Request) -> bool:
    """Bodies of API documents, not files: the HTTPS file route stores bytes as they come,
    and a body declared as something other than JSON is not a document."""
    if "/v0.10/https/" in request.scope["path"]:
        return False
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    return not content_type or content_type == "application/json" or content_type.endswith("+json")


def _storable(text: str) -> bool:
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # an unpaired surrogate
        return False
    return True


def _holds_unstorable(body: bytes) -> bool:
    """Whether a string (or key) of the JSON ``body`` is not :func:`_storable`; walked
    without recursion, as deep as the parser allowed."""
    try:
        stack: list[t.Any] = [json.loads(body)]
    except ValueError:  # not JSON: the route's own parsing answers
        return False
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            if not _storable(value):
                return True
        elif isinstance(value, dict):
            stack.extend(value.keys())
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return False
