"""Where the Globus-hosted action providers live on this platform.

A flow written for Globus names a provider by its Globus URL
(``https://actions.globus.org/hello_world``); the platform serves the same provider at
``<root>actions/<host>/<path>``. The Flows engine maps URLs with :func:`platform_action_url`
(the SDK keeps its own copy of the rule, since it may not import the platform).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from globus_local.services.auth.scopes import (
    AP_COLLECTION_INFO,
    AP_DELETE,
    AP_EXPRESSION,
    AP_HELLO_WORLD,
    AP_LS,
    AP_MKDIR,
    AP_NOTIFY,
    AP_SEARCH_DELETE,
    AP_SEARCH_INGEST,
    AP_SET_PERMISSION,
    AP_TRANSFER,
    TRANSFER_ALL,
)

# The service's own path segment under the platform root.
SERVICE_PATH = "actions"

# Every Globus-hosted provider the platform serves: its Globus URL and the scope its
# tokens carry (the ``transfer.actions.globus.org`` family takes Transfer's own scope).
HOSTED_PROVIDERS: dict[str, str] = {
    "https://actions.globus.org/hello_world": AP_HELLO_WORLD,
    "https://actions.globus.org/transfer/transfer": AP_TRANSFER,
    "https://actions.globus.org/transfer/delete": AP_DELETE,
    "https://actions.globus.org/transfer/ls": AP_LS,
    "https://actions.globus.org/transfer/mkdir": AP_MKDIR,
    "https://actions.globus.org/transfer/set_permission": AP_SET_PERMISSION,
    "https://actions.globus.org/transfer/collection_info": AP_COLLECTION_INFO,
    "https://transfer.actions.globus.org/transfer": TRANSFER_ALL,
    "https://transfer.actions.globus.org/delete": TRANSFER_ALL,
    "https://transfer.actions.globus.org/ls": TRANSFER_ALL,
    "https://transfer.actions.globus.org/stat": TRANSFER_ALL,
    "https://transfer.actions.globus.org/mkdir": TRANSFER_ALL,
    "https://transfer.actions.globus.org/manage_permission": TRANSFER_ALL,
    "https://transfer.actions.globus.org/collection_info": TRANSFER_ALL,
    "https://actions.globus.org/search/ingest": AP_SEARCH_INGEST,
    "https://actions.globus.org/search/delete": AP_SEARCH_DELETE,
    "https://actions.globus.org/notification/notify": AP_NOTIFY,
    "https://actions.globus.org/expression_eval": AP_EXPRESSION,
}


def provider_key(action_url: str) -> str:
    """``https://<host>/<path>`` → ``<host>/<path>``: the provider's place under ``/actions/``."""
    parts = urlsplit(action_url)
    return parts.netloc + parts.path.rstrip("/")


def hosted_base(action_url: str) -> str | None:
    """The Globus-hosted provider URL that ``action_url`` is, or lies under; None if none."""
    url = action_url.rstrip("/")
    for base in HOSTED_PROVIDERS:
        if url == base or url.startswith(base + "/"):
            return base
    return None


def platform_action_url(public_root: str, action_url: str) -> str:
    """Where the platform serves ``action_url``: ``<public_root>actions/<host>/<path>`` for a
    Globus-hosted provider (anything after its base kept), ``action_url`` unchanged else."""
    base = hosted_base(action_url)
    if base is None:
        return action_url
    root = public_root if public_root.endswith("/") else public_root + "/"
    rest = action_url.rstrip("/")[len(base) :]
    trailing = "/" if action_url.endswith("/") else ""
    return f"{root}{SERVICE_PATH}/{provider_key(base)}{rest}{trailing}"
