"""Opening a task's endpoints at the start of each run: access is checked again as the
task's owner (it can be revoked after submission), then each endpoint's storage is opened."""

from __future__ import annotations

import typing as t

from globus_local.kit.tokens import AuthContext
from globus_local.services.auth.scopes import TRANSFER_RS
from globus_local.services.transfer.models_endpoints import Endpoint
from globus_local.services.transfer.models_tasks import TransferTask
from globus_local.services.transfer.mover.faults import Fault
from globus_local.storage import StorageConnector
from globus_local.storage.errors import StorageError

# The storage a run works on: (source, destination); a DELETE task has no source.
Opened = tuple[StorageConnector | None, StorageConnector]


def owner_context(task: TransferTask) -> AuthContext:
    """The task's owner as a request would carry them, with the identities linked when the
    task was submitted."""
    ids = tuple(task.owner_identity_set or ()) or (task.owner_id,)
    return AuthContext(
        identity_id=task.owner_id,
        username=task.username,
        client_id="",
        scopes=frozenset(),
        resource_server=TRANSFER_RS,
        identity_set=ids,
        token_hash="",
    )


def open_endpoints(session: t.Any, task: TransferTask, items: list[dict[str, t.Any]]) -> Opened:
    """Check the owner's access to every path of ``items`` again and open both endpoints'
    storage; raises a fatal :class:`Fault` when an endpoint is gone or access is denied."""
    from globus_local.services.transfer.access import check_path_access, connector_and_path

    ctx = owner_context(task)
    sides: list[tuple[str | None, str, list[str]]] = []
    if task.type == "TRANSFER":
        sides.append((task.source_endpoint_id, "r", [i["source_path"] for i in items]))
        sides.append((task.destination_endpoint_id, "rw", [i["destination_path"] for i in items]))
    else:
        sides.append((task.source_endpoint_id, "rw", [i["path"] for i in items]))
    connectors: list[StorageConnector] = []
    for endpoint_id, need, paths in sides:
        endpoint = session.get(Endpoint, endpoint_id) if endpoint_id else None
        if endpoint is None:
            raise Fault("ENDPOINT_NOT_FOUND", f"endpoint {endpoint_id} no longer exists", "fatal")
        try:
            try:
                check_path_access(session, ctx, endpoint, "/", need)  # type: ignore[arg-type]
            except Exception:
                for path in paths:
                    check_path_access(session, ctx, endpoint, path, need)  # type: ignore[arg-type]
            conn, _ = connector_and_path(endpoint, "/")
        except StorageError as exc:
            raise Fault("ENDPOINT_ERROR", exc.message, "fatal") from None
        except Exception as exc:
            message = getattr(exc, "message", None) or str(exc)
            raise Fault("PERMISSION_DENIED", message, "fatal") from None
        connectors.append(conn)
    if task.type == "TRANSFER":
        src, dst = connectors
        return src, dst
    return None, connectors[0]
