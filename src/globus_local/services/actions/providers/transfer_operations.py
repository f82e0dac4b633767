"""The synchronous Transfer providers: ls, stat, mkdir, permissions and collection info.

Each calls Transfer's own logic as the caller's identity and answers at once, SUCCEEDED
with Transfer's document as details (a Transfer error fails the action with its code).
"""

from __future__ import annotations

import posixpath
import typing as t

from globus_local.services.actions.providers.base import (
    Description,
    Progress,
    Provider,
    StartCall,
    succeeded,
)
from globus_local.services.actions.providers.schemas import (
    BOOLEAN,
    STRING,
    endpoint_of,
    endpoint_properties,
    object_schema,
    one_of_names,
)
from globus_local.services.transfer import access, access_rules, endpoints, operations

_ENDPOINT = one_of_names("endpoint_id", "endpoint")
_STRINGS = {"anyOf": [STRING, {"type": "array", "items": STRING}]}

LS_SCHEMA = object_schema(
    {
        **endpoint_properties(),
        "path": {"type": "string"},
        "path_only": BOOLEAN,
        "show_hidden": BOOLEAN,
        "filter": _STRINGS,
        "orderby": _STRINGS,
        "limit": {"type": "integer", "minimum": 0},
        "offset": {"type": "integer", "minimum": 0},
        "local_user": {"type": "string"},
    },
    all_of=[_ENDPOINT],
)
PATH_SCHEMA = object_schema(
    {**endpoint_properties(), "path": STRING, "local_user": {"type": "string"}},
    required=["path"],
    all_of=[_ENDPOINT],
)
PERMISSION_SCHEMA = object_schema(
    {
        **endpoint_properties(),
        "operation": {"enum": ["CREATE", "UPDATE", "DELETE"]},
        "rule_id": STRING,
        "path": STRING,
        "principal_type": {"enum": ["identity", "group", "all_authenticated_users", "anonymous"]},
        "principal": {"type": "string"},
        "permissions": {"enum": ["r", "rw"]},
        "notify_email": {"type": "string"},
        "notify_message": {"type": "string"},
        "expiration_date": {"type": "string"},
    },
    required=["operation"],
    all_of=[
        _ENDPOINT,
        {
            "if": {"properties": {"operation": {"const": "CREATE"}}},
            "then": {"required": ["path", "principal_type", "permissions"]},
            "else": {"required": ["rule_id"]},
        },
    ],
)
COLLECTION_SCHEMA = object_schema(endpoint_properties(), all_of=[_ENDPOINT])


def _list(value: t.Any) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def _with_is_folder(entry: dict[str, t.Any]) -> dict[str, t.Any]:
    return {**entry, "is_folder": entry.get("type") == "dir"}


class ListDirectory(Provider):
    def __init__(self, key: str, scope: str) -> None:
        super().__init__(
            key,
            scope,
            Description(
                title="Globus Transfer List Directory",
                subtitle="List the contents of a directory on a collection",
                input_schema=LS_SCHEMA,
                synchronous=True,
                keywords=("transfer", "ls"),
            ),
        )

    def start(self, call: StartCall, body: dict[str, t.Any]) -> Progress:
        endpoint_id = endpoint_of(body)
        if body.get("path_only"):
            path = body.get("path") or "/~/"
            entry = operations.stat(call.session, call.ctx, endpoint_id, path)
            entry["name"] = posixpath.basename(path.rstrip("/")) or "/"
            return succeeded(
                {
                    "DATA_TYPE": "file_list",
                    "endpoint": endpoint_id,
                    "path": path,
                    "length": 1,
                    "total": 1,
                    "DATA": [_with_is_folder(entry)],
                }
            )
        listing = operations.ls(
            call.session,
            call.ctx,
            endpoint_id,
            body.get("path"),
            show_hidden=bool(body.get("show_hidden", True)),
            filters=_list(body.get("filter")),
            orderby=_list(body.get("orderby")),
            offset=int(body.get("offset") or 0),
            limit=body.get("limit"),
        )
        listing["DATA"] = [_with_is_folder(e) for e in listing["DATA"]]
        return succeeded(listing)


class Stat(Provider):
    def __init__(self, key: str, scope: str) -> None:
        super().__init__(
            key,
            scope,
            Description(
                title="Globus Transfer Stat",
                subtitle="Describe one file or directory on a collection",
                input_schema=PATH_SCHEMA,
                synchronous=True,
                keywords=("transfer", "stat"),
            ),
        )

    def start(self, call: StartCall, body: dict[str, t.Any]) -> Progress:
        entry = operations.stat(call.session, call.ctx, endpoint_of(body), body["path"])
        return succeeded(_with_is_folder(entry))


class MakeDirectory(Provider):
    def __init__(self, key: str, scope: str) -> None:
        super().__init__(
            key,
            scope,
            Description(
                title="Globus Transfer Make Directory",
                subtitle="Make a directory on a collection",
                input_schema=PATH_SCHEMA,
                synchronous=True,
                keywords=("transfer", "mkdir"),
            ),
        )

    def start(self, call: StartCall, body: dict[str, t.Any]) -> Progress:
        operations.mkdir(call.session, call.ctx, endpoint_of(body), body["path"])
        return succeeded(
            {
                "DATA_TYPE": "mkdir_result",
                "code": "DirectoryCreated",
                "message": "The directory was created successfully",
                "path": body["path"],
            }
        )


class ManagePermission(Provider):
    """Create, update or delete an access rule on a collection the caller manages."""

    def __init__(self, key: str, scope: str) -> None:
        super().__init__(
            key,
            scope,
            Description(
                title="Globus Transfer Manage Permission",
                subtitle="Create, update or delete an access rule on a collection",
                input_schema=PERMISSION_SCHEMA,
                synchronous=True,
                keywords=("transfer", "acl", "permission"),
            ),
        )

    def start(self, call: StartCall, body: dict[str, t.Any]) -> Progress:
        session, ctx, endpoint_id = call.session, call.ctx, endpoint_of(body)
        fields = {k: v for k, v in body.items() if k not in ("operation", "rule_id", "endpoint")}
        fields.pop("endpoint_id", None)
        operation = body["operation"]
        if operation == "CREATE":
            endpoint = access.endpoint_for(session, ctx, endpoint_id, need="manage")
            rule = access_rules.create_rule(session, ctx, endpoint, fields)
            return succeeded(
                {
                    "DATA_TYPE": "access_create_result",
                    "code": "Created",
                    "message": "Access rule created successfully.",
                    "access_id": rule.id,
                }
            )
        endpoint = access_rules.acl_endpoint(session, ctx, endpoint_id, need="manage")
        rule_id = str(body["rule_id"])
        if operation == "UPDATE":
            access_rules.update_rule(access_rules.get_rule(session, endpoint, rule_id), fields)
            code, message = "Updated", f"Access rule '{rule_id}' updated successfully"
        else:
            access_rules.delete_rule(session, endpoint, rule_id)
            code, message = "Deleted", f"Access rule '{rule_id}' deleted successfully"
        return succeeded({"DATA_TYPE": "result", "code": code, "message": message})


class CollectionInfo(Provider):
    def __init__(self, key: str, scope: str) -> None:
        super().__init__(
            key,
            scope,
            Description(
                title="Globus Transfer Collection Info",
                subtitle="Describe a collection",
                input_schema=COLLECTION_SCHEMA,
                synchronous=True,
                keywords=("transfer", "collection"),
            ),
        )

    def start(self, call: StartCall, body: dict[str, t.Any]) -> Progress:
        endpoint = access.endpoint_for(call.session, call.ctx, endpoint_of(body), need="read")
        doc = endpoints.document(call.session, call.ctx, endpoint)
        return succeeded({**doc, "is_managed": bool(doc.get("subscription_id"))})
