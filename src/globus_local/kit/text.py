"""Request text no database stores, refused for every service before its routes run.

PostgreSQL text cannot hold NUL, and no database (nor a file name) takes a string that is
not valid Unicode, which JSON can spell as an unpaired UTF-16 surrogate (``"\\ud800"``).
Such a value reaching a query or a file operation failed it with a 500; so the platform
refuses, in the owning service's error document:

- NUL in the request path or query, for every service but those that answer it
  themselves (an action id holding NUL names no action: 404);
- an unpaired surrogate in a JSON body, for every service;
- NUL in a JSON body, for the services whose :class:`TextRule` says so (Transfer and GCS
  store every value as text; Flows and Search keep JSON documents, and Search refuses NUL
  itself, naming where it stands).

A service states only its :class:`TextRule` (on its ``Service``); the check itself is this
module's, run once per request by the platform's dispatch.
"""

from __future__ import annotations

import json
import re
import typing as t
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from globus_local.kit.errors import BadRequest, ServiceError

# Methods whose JSON body is looked at.
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
# How JSON spells NUL or a UTF-16 surrogate: a body holding neither spelling is parsed no
# further (most bodies), so the check costs one regular-expression scan.
_SUSPECT = re.compile(rb"\\u(?:0000|[dD][89a-fA-F])")
_SURROGATE_SUSPECT = re.compile(rb"\\u[dD][89a-fA-F]")

DEFAULT_MESSAGE = "Request text must not hold NUL characters or unpaired UTF-16 surrogates"


def _bad_request(message: str, where: str) -> ServiceError:
    return BadRequest(message)


@dataclass(frozen=True)
class TextRule:
    """How a service refuses unstorable request text.

    ``error`` builds the service's own error for the refusal from the message and where
    the text stood (``path``, ``query`` or ``body``): a 400 ``BadRequest`` unless the
    service reports invalid input otherwise (Timers' 422 naming the location);
    ``file_paths`` are path fragments whose bodies are file contents, stored as sent, not
    documents."""

    nul_in_path_and_query: bool = True
    nul_in_body: bool = False
    error: Callable[[str, str], ServiceError] = _bad_request
    message: str = DEFAULT_MESSAGE
    file_paths: tuple[str, ...] = field(default=())


def nul_in(path: str, query_string: bytes) -> str | None:
    """Where NUL stands in the path or query (``path``, ``query``), if anywhere."""
    if "\x00" in path:
        return "path"
    if b"%00" in query_string or b"\x00" in query_string:
        return "query"
    return None


def body_is_document(rule: TextRule, method: str, path: str, content_type: str) -> bool:
    """Whether the body is a JSON document to look at: a writing method, not a file
    route, and declared as JSON (or not declared: the route will parse it as JSON)."""
    if method not in BODY_METHODS or any(fragment in path for fragment in rule.file_paths):
        return False
    kind = content_type.split(";", 1)[0].strip().lower()
    return not kind or kind == "application/json" or kind.endswith("+json")


def body_holds_unstorable(body: bytes, *, nul: bool) -> bool:
    """Whether a string (or key) of the JSON ``body`` holds an unpaired surrogate (or, with
    ``nul``, NUL); walked without recursion, as deep as the parser allowed. A body that is
    not JSON holds nothing here: the route's own parsing answers it."""
    if not (_SUSPECT if nul else _SURROGATE_SUSPECT).search(body):
        return False
    try:
        stack: list[t.Any] = [json.loads(body)]
    except (ValueError, RecursionError):
        return False
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            if not _storable(value, nul=nul):
                return True
        elif isinstance(value, dict):
            stack.extend(value.keys())
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return False


def _storable(text: str, *, nul: bool) -> bool:
    if nul and "\x00" in text:
        return False
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # an unpaired surrogate
        return False
    return True


async def refusal(
    rule: TextRule,
    scope: Mapping[str, t.Any],
    content_type: str,
    read_body: Callable[[], t.Awaitable[bytes]],
) -> ServiceError | None:
    """The service's error if the request holds unstorable text, else None; reads the
    body (with ``read_body``) only when it is a document that could hold some."""
    path: str = scope["path"]
    if rule.nul_in_path_and_query:
        where = nul_in(path, scope.get("query_string", b""))
        if where is not None:
            return rule.error(rule.message, where)
    if not body_is_document(rule, scope["method"], path, content_type):
        return None
    if body_holds_unstorable(await read_body(), nul=rule.nul_in_body):
        return rule.error(rule.message, "body")
    return None
