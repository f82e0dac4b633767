"""What a transfer timer submits: the Transfer task document of a v2 timer (``body``), or
the Transfer action's input of a legacy job (``callback_body.body``), checked and stored as
one Transfer submission without its ``submission_id`` (each run is given its own)."""

from __future__ import annotations

import typing as t
import uuid
from urllib.parse import urlsplit

from globus_local.services.timer.errors import invalid

# The Transfer action provider URLs legacy transfer jobs name (hosts and paths).
TRANSFER_ACTION_URL = "https://actions.automate.globus.org/transfer/transfer/run"
_TRANSFER_ACTIONS = {
    ("actions.automate.globus.org", "/transfer/transfer/run"),
    ("actions.globus.org", "/transfer/transfer/run"),
    ("transfer.actions.globus.org", "/transfer/run"),
}
# Booleans of a Transfer document and Timers' defaults for them.
BOOLEAN_DEFAULTS = {
    "delete_destination_extra": False,
    "encrypt_data": False,
    "fail_on_quota_errors": False,
    "notify_on_failed": True,
    "notify_on_inactive": True,
    "notify_on_succeeded": True,
    "preserve_timestamp": False,
    "skip_source_errors": False,
    "store_base_path_info": False,
    "verify_checksum": False,
}
_PASSED = (
    "label",
    "deadline",
    "sync_level",
    "filter_rules",
    "source_local_user",
    "destination_local_user",
    "recursive_symlinks",
)
_ITEM_KEYS = (
    "source_path",
    "destination_path",
    "recursive",
    "external_checksum",
    "checksum_algorithm",
)
SYNC_LEVELS = ("exists", "size", "mtime", "checksum")
# Client fields Timers does not take: each run is its own submission.
_DROPPED = ("submission_id", "skip_activation_check")


def _endpoint(value: t.Any, loc: list[str | int]) -> str:
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        raise invalid("must be an endpoint or collection id (a UUID)", loc) from None


def _items(raw: t.Any, loc: list[str | int]) -> list[dict[str, t.Any]]:
    if not isinstance(raw, list) or not raw:
        raise invalid("at least one transfer item is required", loc)
    items: list[dict[str, t.Any]] = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict):
            raise invalid("a transfer item must be an object", [*loc, i])
        for key in ("source_path", "destination_path"):
            if not isinstance(item.get(key), str) or not item[key]:
                raise invalid("field required", [*loc, i, key])
        if "recursive" in item and not isinstance(item["recursive"], bool):
            raise invalid("recursive must be a boolean", [*loc, i, "recursive"])
        kept = {k: item[k] for k in _ITEM_KEYS if item.get(k) is not None}
        items.append({"DATA_TYPE": "transfer_item", **kept})
    return items


def _document(
    raw: dict[str, t.Any], source: t.Any, destination: t.Any, items: t.Any, loc: list[str | int]
) -> dict[str, t.Any]:
    doc: dict[str, t.Any] = {
        "DATA_TYPE": "transfer",
        "source_endpoint": _endpoint(source, [*loc, "source_endpoint"]),
        "destination_endpoint": _endpoint(destination, [*loc, "destination_endpoint"]),
        "DATA": _items(items, [*loc, "DATA"]),
    }
    for key, default in BOOLEAN_DEFAULTS.items():
        value = raw.get(key, default)
        if not isinstance(value, bool):
            raise invalid(f"{key} must be a boolean", [*loc, key])
        doc[key] = value
    doc.update({k: raw[k] for k in _PASSED if raw.get(k) is not None})
    if "sync_level" in doc:
        doc["sync_level"] = _sync_level(doc["sync_level"], [*loc, "sync_level"])
    if "filter_rules" in doc and not (
        isinstance(doc["filter_rules"], list)
        and all(isinstance(r, dict) and isinstance(r.get("name"), str) for r in doc["filter_rules"])
    ):
        raise invalid("filter_rules must be a list of rules with a name", [*loc, "filter_rules"])
    for key in ("label", "source_local_user", "destination_local_user"):
        if key in doc and not isinstance(doc[key], str):
            raise invalid(f"{key} must be a string", [*loc, key])
    return doc


def _sync_level(value: t.Any, loc: list[str | int]) -> int:
    """0-3, or the CLI's names for them."""
    if isinstance(value, str) and value in SYNC_LEVELS:
        return SYNC_LEVELS.index(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 3:
        raise invalid("sync_level must be 0-3 (exists, size, mtime, checksum)", loc)
    return value


def transfer_body(raw: t.Any) -> dict[str, t.Any]:
    """A v2 transfer timer's ``body``: a Transfer task document."""
    loc: list[str | int] = ["body", "timer", "body"]
    if not isinstance(raw, dict):
        raise invalid("field required", loc)
    if raw.get("DATA_TYPE", "transfer") != "transfer":
        raise invalid("DATA_TYPE must be 'transfer'", [*loc, "DATA_TYPE"])
    raw = {k: v for k, v in raw.items() if k not in _DROPPED}
    return _document(
        raw, raw.get("source_endpoint"), raw.get("destination_endpoint"), raw.get("DATA"), loc
    )


def is_transfer_action(url: t.Any) -> bool:
    parts = urlsplit(str(url))
    return parts.scheme == "https" and (parts.netloc, parts.path.rstrip("/")) in _TRANSFER_ACTIONS


def job_body(callback_url: t.Any, callback_body: t.Any) -> dict[str, t.Any]:
    """A legacy job's Transfer action input (``source_endpoint_id``, ``transfer_items``...
    or the Transfer API's own names), as the Transfer submission each run makes."""
    if not isinstance(callback_url, str) or not callback_url:
        raise invalid("field required", ["body", "callback_url"])
    if not is_transfer_action(callback_url):
        raise invalid("only Transfer action jobs are supported", ["body", "callback_url"])
    if not isinstance(callback_body, dict) or not isinstance(callback_body.get("body"), dict):
        raise invalid('callback_body must be {"body": {...}}', ["body", "callback_body"])
    raw = {k: v for k, v in callback_body["body"].items() if k not in _DROPPED}
    return _document(
        raw,
        raw.get("source_endpoint_id", raw.get("source_endpoint")),
        raw.get("destination_endpoint_id", raw.get("destination_endpoint")),
        raw.get("transfer_items", raw.get("DATA")),
        ["body", "callback_body", "body"],
    )
