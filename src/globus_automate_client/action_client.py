"""ActionClient: one Action Provider, spoken to through the Action Provider interface.

A provider lives at a base URL; the client introspects it (``GET <url>/``) and runs,
watches and ends actions under it (``/run``, ``/<action_id>/status|cancel|release|
resume|log``). In the ``local`` SDK environment a Globus-hosted provider URL is served
by the local platform (see :mod:`globus_automate_client.urls`).
"""

from __future__ import annotations

import typing as t
import uuid
from collections.abc import Iterable, Mapping

from globus_automate_client.errors import AutomateAPIError
from globus_automate_client.helpers import merge_lists
from globus_automate_client.urls import resolve_url
from globus_sdk.authorizers import (
    AccessTokenAuthorizer,
    ClientCredentialsAuthorizer,
    GlobusAuthorizer,
    RefreshTokenAuthorizer,
)
from globus_sdk.client import BaseClient
from globus_sdk.response import GlobusHTTPResponse

AllowedAuthorizersType = t.Union[
    AccessTokenAuthorizer, RefreshTokenAuthorizer, ClientCredentialsAuthorizer
]
#: optional fields of an action request, passed through when given as keyword arguments
_REQUEST_EXTRAS = ("tags", "deadline", "release_after", "allowed_clients")

_ActionClient = t.TypeVar("_ActionClient", bound="ActionClient")


class ActionClient(BaseClient):
    """A client for one Action Provider, at the URL given as ``base_url``."""

    allowed_authorizer_types = (
        AccessTokenAuthorizer,
        RefreshTokenAuthorizer,
        ClientCredentialsAuthorizer,
    )
    AllowedAuthorizersType = AllowedAuthorizersType

    service_name = "actions"
    error_class = AutomateAPIError

    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        if kwargs.get("base_url") is not None:
            kwargs["base_url"] = resolve_url(kwargs["base_url"], kwargs.get("environment"))
        super().__init__(*args, **kwargs)
        self._action_scope: str | None = None

    @property
    def action_scope(self) -> str:
        """The provider's Globus Auth scope, learned once by introspecting it (which needs
        an authorizer unless the provider is visible to the public)."""
        if self._action_scope is None:
            data = self.introspect().data
            scope = data.get("globus_auth_scope") if isinstance(data, dict) else None
            self._action_scope = scope if isinstance(scope, str) else ""
        return self._action_scope

    def introspect(self, **kwargs: t.Any) -> GlobusHTTPResponse:
        """The provider's description: its ``globus_auth_scope``, ``input_schema``,
        ``synchronous``, ``admin_contact``..."""
        return self.get("")

    def run(
        self,
        body: Mapping[str, t.Any],
        request_id: str | None = None,
        manage_by: Iterable[str] | None = None,
        monitor_by: Iterable[str] | None = None,
        label: str | None = None,
        force_path: str | None = None,
        **kwargs: t.Any,
    ) -> GlobusHTTPResponse:
        """Start an action with ``body`` as its input.

        ``request_id`` (a new UUID unless given) makes a repeated request the same action.
        ``run_monitors`` and ``run_managers`` are accepted for ``monitor_by`` and
        ``manage_by``; ``force_path`` (a path or full URL) replaces ``/run``.
        """
        document: dict[str, t.Any] = {
            "request_id": str(request_id) if request_id is not None else str(uuid.uuid4()),
            "body": dict(body),
            "monitor_by": merge_lists(monitor_by, kwargs, "run_monitors"),
            "manage_by": merge_lists(manage_by, kwargs, "run_managers"),
            "label": label,
        }
        for extra in _REQUEST_EXTRAS:
            document[extra] = kwargs.pop(extra, None)
        data = {key: value for key, value in document.items() if value is not None}
        return self.post(force_path or "/run", data=data)

    def status(self, action_id: str) -> GlobusHTTPResponse:
        """The action's current status document."""
        return self.get(f"{action_id}/status")

    def resume(self, action_id: str) -> GlobusHTTPResponse:
        """Resume an INACTIVE action, after the cause (often ``ConsentRequired``) was dealt
        with, e.g. with a token carrying the newly consented scope."""
        return self.post(f"{action_id}/resume")

    def cancel(self, action_id: str) -> GlobusHTTPResponse:
        """Ask the provider to stop a running action."""
        return self.post(f"{action_id}/cancel")

    def release(self, action_id: str) -> GlobusHTTPResponse:
        """Have the provider forget a finished action; its final status is returned."""
        return self.post(f"{action_id}/release")

    def log(
        self,
        action_id: str,
        limit: int = 10,
        reverse_order: bool = False,
        marker: str | None = None,
        per_page: int | None = None,
    ) -> GlobusHTTPResponse:
        """The action's log entries, ``limit`` at most, newest first with
        ``reverse_order``; ``marker`` continues a previous page (``per_page`` is ignored
        then)."""
        params: dict[str, t.Any] = {"limit": limit}
        if reverse_order:
            params["reverse_order"] = True
        if marker is not None:  # providers read one name or the other
            params["pagination_token"] = params["marker"] = marker
        elif per_page is not None:
            params["per_page"] = per_page
        return self.get(f"{action_id}/log", query_params=params)

    @classmethod
    def new_client(
        cls: type[_ActionClient],
        action_url: str,
        authorizer: GlobusAuthorizer | None,
        http_timeout: int = 10,
    ) -> _ActionClient:
        """An ActionClient for the provider at ``action_url``, sending ``authorizer``'s
        credentials and giving up on a connection after ``http_timeout`` seconds."""
        return cls(
            app_name="Globus Automate SDK - ActionClient",
            base_url=action_url,
            authorizer=authorizer,
            transport_params={"http_timeout": http_timeout},
        )
