"""Every provider the platform serves, by its place under ``/actions/`` (``<host>/<path>``
of its Globus URL), built from :data:`~globus_local.services.actions.urls.HOSTED_PROVIDERS`
so a provider's URL and scope are written down once."""

from __future__ import annotations

from collections.abc import Callable

from globus_local.services.actions.providers.base import Provider
from globus_local.services.actions.providers.expression import ExpressionEval
from globus_local.services.actions.providers.hello import HelloWorld
from globus_local.services.actions.providers.notify import Notify
from globus_local.services.actions.providers.search import SearchTaskProvider
from globus_local.services.actions.providers.transfer_operations import (
    CollectionInfo,
    ListDirectory,
    MakeDirectory,
    ManagePermission,
    Stat,
)
from globus_local.services.actions.providers.transfer_tasks import TaskProvider
from globus_local.services.actions.urls import HOSTED_PROVIDERS, provider_key

# How each provider is built from its key and scope: both URL families of a Transfer
# provider share one implementation.
_BUILDERS: dict[str, Callable[[str, str], Provider]] = {
    "actions.globus.org/hello_world": HelloWorld,
    "actions.globus.org/transfer/transfer": lambda k, s: TaskProvider(k, s, "transfer"),
    "actions.globus.org/transfer/delete": lambda k, s: TaskProvider(k, s, "delete"),
    "actions.globus.org/transfer/ls": ListDirectory,
    "actions.globus.org/transfer/mkdir": MakeDirectory,
    "actions.globus.org/transfer/set_permission": ManagePermission,
    "actions.globus.org/transfer/collection_info": CollectionInfo,
    "transfer.actions.globus.org/transfer": lambda k, s: TaskProvider(k, s, "transfer"),
    "transfer.actions.globus.org/delete": lambda k, s: TaskProvider(k, s, "delete"),
    "transfer.actions.globus.org/ls": ListDirectory,
    "transfer.actions.globus.org/stat": Stat,
    "transfer.actions.globus.org/mkdir": MakeDirectory,
    "transfer.actions.globus.org/manage_permission": ManagePermission,
    "transfer.actions.globus.org/collection_info": CollectionInfo,
    "actions.globus.org/search/ingest": lambda k, s: SearchTaskProvider(k, s, "ingest"),
    "actions.globus.org/search/delete": lambda k, s: SearchTaskProvider(k, s, "delete"),
    "actions.globus.org/notification/notify": Notify,
    "actions.globus.org/expression_eval": ExpressionEval,
}

PROVIDERS: dict[str, Provider] = {
    provider_key(url): _BUILDERS[provider_key(url)](provider_key(url), scope)
    for url, scope in HOSTED_PROVIDERS.items()
}

__all__ = ["PROVIDERS", "Provider"]
