"""How the command line prints what a service answered: JSON (indented by two spaces, as
the automate CLI has always printed it), YAML, or a table of a listing's chief fields.

Results go to stdout alone, so they can be piped into ``jq``; ``--verbose`` request
details go to stderr.
"""

from __future__ import annotations

import json
import re
import sys
import typing as t
from dataclasses import dataclass

from globus_sdk.response import GlobusHTTPResponse

JSON, YAML, TABLE = "json", "yaml", "table"


@dataclass(frozen=True)
class Listing:
    """Which list in a document a table shows, and which of each item's fields."""

    keys: tuple[str, ...]  # the first key present holds the list
    fields: tuple[tuple[str, str], ...]  # (field, placeholder when missing)


FLOW_LISTING = Listing(
    ("flows",),
    (("title", ""), ("id", ""), ("flow_owner", ""), ("created_at", ""), ("updated_at", "")),
)
RUN_LISTING = Listing(
    ("runs", "actions"),
    (
        ("action_id", ""),
        ("label", "<EMPTY>"),
        ("status", ""),
        ("start_time", ""),
        ("created_by", ""),
        ("flow_id", "<DELETED>"),
    ),
)
LOG_LISTING = Listing(("entries",), (("code", ""), ("description", ""), ("time", "")))


def render(data: t.Any, fmt: str, listing: Listing | None = None) -> str:
    """``data`` in the chosen format; a table falls back to JSON for a document that is
    not a listing (an error, say)."""
    if fmt == YAML:
        return to_yaml(data).rstrip("\n")
    if fmt == TABLE and listing is not None and isinstance(data, dict):
        rows = next((data[k] for k in listing.keys if isinstance(data.get(k), list)), None)
        if rows is not None:
            return to_table(rows, listing)
    return json.dumps(data, indent=2)


def http_details(response: GlobusHTTPResponse) -> str:
    """The request and response line of a call, for ``--verbose`` (credentials hidden)."""
    raw = response._raw_response
    request = raw.request
    headers = "\n".join(
        f"  {name}: {'***' if name.lower() == 'authorization' else value}"
        for name, value in request.headers.items()
    )
    return (
        f"Request: {request.method} {request.url}\nHeaders:\n{headers}\nResponse: {raw.status_code}"
    )


def echo(text: str, *, err: bool = False) -> None:
    stream = sys.stderr if err else sys.stdout
    stream.write(text + "\n")
    stream.flush()


# -- tables -------------------------------------------------------------------------------


def _cell(value: t.Any) -> str:
    if isinstance(value, str):
        for prefix, kind in (
            ("urn:globus:auth:identity:", "User"),
            ("urn:globus:groups:id:", "Group"),
        ):
            if value.startswith(prefix):
                return f"{kind}: {value[len(prefix) :]}"
        return value
    return "" if value is None else json.dumps(value)


def to_table(rows: list[t.Any], listing: Listing) -> str:
    """Rows as aligned columns under their field names."""
    header = [field for field, _ in listing.fields]
    body = [
        [
            _cell(row.get(field, missing)) if isinstance(row, dict) else ""
            for field, missing in listing.fields
        ]
        for row in rows
    ]
    widths = [max(len(line[i]) for line in [header, *body]) for i in range(len(header))]
    rule = "-+-".join("-" * w for w in widths)
    lines = [
        " | ".join([*(c.ljust(w) for c, w in zip(line[:-1], widths, strict=False)), line[-1]])
        for line in [header, *body]
    ]
    return "\n".join([lines[0], rule, *lines[1:]])


# -- YAML ---------------------------------------------------------------------------------

_PLAIN = re.compile(r"^[A-Za-z_/][A-Za-z0-9_ ./@()-]*$")
_YAML_WORDS = frozenset({"y", "n", "yes", "no", "on", "off", "true", "false", "null", "~", ""})


def _scalar(value: t.Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    text = str(value)
    if _PLAIN.match(text) and text.lower() not in _YAML_WORDS and not text.endswith(" "):
        return text
    return json.dumps(text)  # a JSON string is a valid double-quoted YAML scalar


def to_yaml(data: t.Any, indent: int = 0) -> str:
    """``data`` as block-style YAML with sorted keys (the layout of ``yaml.dump``)."""
    pad = " " * indent
    if isinstance(data, dict):
        if not data:
            return pad + "{}\n"
        out = []
        for key in sorted(data, key=str):
            value = data[key]
            if isinstance(value, (dict, list)) and value:
                child_indent = indent + 2 if isinstance(value, dict) else indent
                out.append(f"{pad}{_scalar(key)}:\n{to_yaml(value, child_indent)}")
            else:
                out.append(f"{pad}{_scalar(key)}: {to_yaml(value).strip()}\n")
        return "".join(out)
    if isinstance(data, list):
        if not data:
            return pad + "[]\n"
        out = []
        for item in data:
            text = to_yaml(item, indent + 2)
            out.append(f"{pad}- {text[indent + 2 :]}")
        return "".join(out)
    return pad + _scalar(data) + "\n"
