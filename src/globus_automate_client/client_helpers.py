"""``create_action_client`` and ``create_flows_client``: clients whose tokens come from the
command line's token cache, logging in on the terminal when one is missing."""

from __future__ import annotations

import typing as t

from globus_automate_client.action_client import ActionClient
from globus_automate_client.cli.auth import CLIENT_ID, get_cli_authorizer
from globus_automate_client.flows_client import (
    MANAGE_FLOWS_SCOPE,
    PROD_FLOWS_BASE_URL,
    AuthorizerCallbackType,
    FlowsClient,
)
from globus_sdk.authorizers import GlobusAuthorizer


def create_action_client(
    action_url: str,
    action_scope: str | None = None,
    client_id: str = CLIENT_ID,
) -> ActionClient:
    """An ActionClient for the provider at ``action_url`` with a cached (or freshly
    logged-in) token for ``action_scope``, which is learned by introspecting the provider
    when not given."""
    authorizer = get_cli_authorizer(action_url, action_scope, client_id)
    return ActionClient.new_client(action_url, authorizer)


def cli_authorizer_callback(**kwargs: t.Any) -> GlobusAuthorizer | None:
    """The authorizer callback of the command line: the cached token for the flow's scope."""
    return get_cli_authorizer(kwargs["flow_url"], kwargs["flow_scope"], kwargs["client_id"])


def create_flows_client(
    client_id: str = CLIENT_ID,
    base_url: str = PROD_FLOWS_BASE_URL,
    scope: str = MANAGE_FLOWS_SCOPE,
    *,
    authorizer: GlobusAuthorizer | None = None,
    authorizer_callback: AuthorizerCallbackType = cli_authorizer_callback,
    http_timeout: int = 10,
) -> FlowsClient:
    """A FlowsClient holding a token for ``scope`` (from ``authorizer``, else the cache or
    a login) and reaching each flow with ``authorizer_callback``.

    ``base_url`` is the hosted Flows service; in the ``local`` SDK environment it is the
    local platform's.
    """
    if authorizer is None:
        authorizer = authorizer_callback(flow_url=base_url, flow_scope=scope, client_id=client_id)
    return FlowsClient.new_client(
        client_id,
        authorizer_callback=authorizer_callback,
        authorizer=authorizer,
        base_url=base_url,
        http_timeout=http_timeout,
    )
