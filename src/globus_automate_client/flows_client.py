"""FlowsClient: the Flows service, and each deployed flow as an Action Provider.

Two kinds of credentials are at play. Managing flows (deploy, update, list, delete) uses
the client's own ``authorizer``, which carries a Flows scope such as
``MANAGE_FLOWS_SCOPE``. Running a flow and watching its runs uses a token for that
flow's own scope (``https://auth.globus.org/scopes/<flow_id>/flow_<id>_user``), which
the ``authorizer_callback`` supplies on demand (``flow_url``, ``flow_scope`` and
``client_id`` keyword arguments); an ``authorizer=`` keyword on a call overrides it.
A flow is served at ``<flows url>/flows/<flow_id>`` with the Action Provider routes.
"""

from __future__ import annotations

import contextlib
import typing as t
from collections.abc import Callable, Iterable, Iterator, Mapping
from urllib.parse import urlparse

from globus_automate_client.action_client import ActionClient
from globus_automate_client.errors import AutomateAPIError, FlowValidationError
from globus_automate_client.helpers import as_list, merge_lists, one_spelling
from globus_automate_client.urls import PROD_FLOWS_BASE_URL, flows_service_url, resolve_url
from globus_automate_client.validation import validate_flow_definition, validate_input_schema
from globus_sdk import utils
from globus_sdk.authorizers import (
    AccessTokenAuthorizer,
    ClientCredentialsAuthorizer,
    GlobusAuthorizer,
    RefreshTokenAuthorizer,
)
from globus_sdk.client import BaseClient
from globus_sdk.response import GlobusHTTPResponse

__all__ = [
    "ALL_FLOW_SCOPES",
    "FLOWS_CLIENT_ID",
    "MANAGE_FLOWS_SCOPE",
    "PROD_FLOWS_BASE_URL",
    "RUN_FLOWS_SCOPE",
    "RUN_MANAGE_SCOPE",
    "RUN_STATUS_SCOPE",
    "VIEW_FLOWS_SCOPE",
    "AllowedAuthorizersType",
    "AuthorizerCallbackType",
    "FlowValidationError",
    "FlowsClient",
    "validate_flow_definition",
    "validate_input_schema",
]

FLOWS_CLIENT_ID = "eec9b274-0c81-4334-bdc2-54e90e689b9a"
_SCOPE_PREFIX = f"https://auth.globus.org/scopes/{FLOWS_CLIENT_ID}"
MANAGE_FLOWS_SCOPE = f"{_SCOPE_PREFIX}/manage_flows"
VIEW_FLOWS_SCOPE = f"{_SCOPE_PREFIX}/view_flows"
RUN_FLOWS_SCOPE = f"{_SCOPE_PREFIX}/run"
RUN_STATUS_SCOPE = f"{_SCOPE_PREFIX}/run_status"
RUN_MANAGE_SCOPE = f"{_SCOPE_PREFIX}/run_manage"
NULL_SCOPE = f"{_SCOPE_PREFIX}/null"
ALL_FLOW_SCOPES = (
    MANAGE_FLOWS_SCOPE,
    VIEW_FLOWS_SCOPE,
    RUN_FLOWS_SCOPE,
    RUN_STATUS_SCOPE,
    RUN_MANAGE_SCOPE,
)

AllowedAuthorizersType = t.Union[
    AccessTokenAuthorizer, RefreshTokenAuthorizer, ClientCredentialsAuthorizer
]
AuthorizerCallbackType = Callable[..., GlobusAuthorizer | None]

#: query parameters a caller's ``filters`` may not overwrite
_RESERVED_PARAMS = (
    "filter_role",
    "filter_roles",
    "filter_status",
    "marker",
    "orderby",
    "pagination_token",
    "per_page",
)

#: role names older services used, as the current ones (``roles`` may still carry them)
OLD_FLOW_ROLES = {
    "created_by": "flow_owner",
    "visible_to": "flow_viewer",
    "runnable_by": "flow_starter",
    "administered_by": "flow_administrator",
}
OLD_RUN_ROLES = {"created_by": "run_owner", "monitor_by": "run_monitor", "manage_by": "run_manager"}

_FlowsClient = t.TypeVar("_FlowsClient", bound="FlowsClient")


def _listing_params(
    *,
    role: str | None,
    roles: Iterable[str] | None,
    marker: str | None,
    per_page: int | None,
    filters: Mapping[str, t.Any] | None,
    orderings: Mapping[str, str] | None,
    statuses: Iterable[str] | None = None,
    old_roles: Mapping[str, str],
) -> dict[str, t.Any]:
    """The query parameters of a flow or run listing: ``role`` wins over the older
    ``roles``, ``marker`` over ``per_page``; ``filters`` cannot replace these. Old role
    names are sent as the current ones."""
    params: dict[str, t.Any] = {}
    if role:
        params["filter_role"] = old_roles.get(role, role)
    elif roles:
        params["filter_roles"] = ",".join(old_roles.get(r, r) for r in as_list(roles) or [])
    if marker:  # the Flows service reads one name or the other, by route
        params["pagination_token"] = params["marker"] = marker
    elif per_page:
        params["per_page"] = str(per_page)
    if statuses:
        params["filter_status"] = ",".join(as_list(statuses) or [])
    if orderings:
        params["orderby"] = ",".join(f"{field} {order}" for field, order in orderings.items())
    for key, value in (filters or {}).items():
        if key not in _RESERVED_PARAMS:
            params[key] = value
    return params


class FlowsClient(BaseClient):
    """A client for the Flows service; see the module docstring for its two authorizers.

    :param client_id: the Native App client on whose behalf flow tokens are obtained
    :param get_authorizer_callback: returns the authorizer for one flow (see above)
    """

    allowed_authorizer_types = (
        AccessTokenAuthorizer,
        RefreshTokenAuthorizer,
        ClientCredentialsAuthorizer,
    )

    service_name = "flows"
    error_class = AutomateAPIError

    def __init__(
        self,
        client_id: str,
        get_authorizer_callback: AuthorizerCallbackType,
        **kwargs: t.Any,
    ) -> None:
        environment = kwargs.get("environment")
        base_url = kwargs.get("base_url")
        if base_url is None:
            kwargs["base_url"] = flows_service_url(environment)
        else:
            kwargs["base_url"] = resolve_url(base_url, environment).rstrip("/")
        super().__init__(**kwargs)
        self.client_id = client_id
        self.get_authorizer_callback = get_authorizer_callback

    @property
    def authorizer_callback(self) -> AuthorizerCallbackType:
        """The callback giving the authorizer for one flow."""
        return self.get_authorizer_callback

    @contextlib.contextmanager
    def use_temporary_authorizer(self, authorizer: GlobusAuthorizer | None) -> Iterator[None]:
        """Send the requests made inside the block with ``authorizer``, then restore the
        client's own, even when a request fails."""
        original, self.authorizer = self.authorizer, authorizer
        try:
            yield
        finally:
            self.authorizer = original

    # -- flows ----------------------------------------------------------------------------

    def deploy_flow(
        self,
        flow_definition: Mapping[str, t.Any],
        title: str,
        subtitle: str | None = None,
        description: str | None = None,
        keywords: Iterable[str] = (),
        flow_viewers: Iterable[str] = (),
        flow_starters: Iterable[str] = (),
        flow_administrators: Iterable[str] = (),
        subscription_id: str | None = None,
        input_schema: Mapping[str, t.Any] | None = None,
        validate_definition: bool = True,
        validate_schema: bool = True,
        dry_run: bool = False,
        **kwargs: t.Any,
    ) -> GlobusHTTPResponse:
        """Deploy a new flow (``POST /flows``; ``/flows/dry-run`` with ``dry_run``).

        The definition and input schema are checked locally first unless
        ``validate_definition`` / ``validate_schema`` are False (``FlowValidationError``).
        The roles also take their old names: ``visible_to``/``viewers``,
        ``runnable_by``/``starters``, ``administered_by``/``administrators``.
        """
        if validate_definition:
            validate_flow_definition(flow_definition)
        if validate_schema and input_schema is not None:
            validate_input_schema(input_schema)
        body: dict[str, t.Any] = {
            "definition": flow_definition,
            "title": title,
            "subtitle": subtitle,
            "description": description,
            "keywords": as_list(keywords),
            **self._role_lists(flow_viewers, flow_starters, flow_administrators, kwargs),
            "subscription_id": subscription_id,
        }
        data = {key: value for key, value in body.items() if value}
        if input_schema is not None:  # {} is a valid, all-accepting schema
            data["input_schema"] = input_schema
        return self.post("/flows/dry-run" if dry_run else "/flows", data=data, **kwargs)

    def update_flow(
        self,
        flow_id: str,
        flow_definition: Mapping[str, t.Any] | None = None,
        title: str | None = None,
        subtitle: str | None = None,
        description: str | None = None,
        keywords: Iterable[str] | None = None,
        flow_viewers: Iterable[str] | None = None,
        flow_starters: Iterable[str] | None = None,
        flow_administrators: Iterable[str] | None = None,
        subscription_id: str | None = None,
        input_schema: Mapping[str, t.Any] | None = None,
        validate_definition: bool = True,
        validate_schema: bool = True,
        **kwargs: t.Any,
    ) -> GlobusHTTPResponse:
        """Change a deployed flow (``PUT /flows/<id>``); fields left None keep their
        value, an empty list or string clears one. ``flow_owner`` (a URN) hands the flow
        to another owner, which a flow administrator may do to take it over."""
        if validate_definition and flow_definition is not None:
            validate_flow_definition(flow_definition)
        if validate_schema and input_schema is not None:
            validate_input_schema(input_schema)
        body: dict[str, t.Any] = {
            "definition": flow_definition,
            "title": title,
            "subtitle": subtitle,
            "description": description,
            "keywords": as_list(keywords),
            **self._role_lists(flow_viewers, flow_starters, flow_administrators, kwargs),
            "subscription_id": subscription_id,
            "input_schema": input_schema,
            "flow_owner": kwargs.pop("flow_owner", None),
        }
        data = {key: value for key, value in body.items() if value is not None}
        return self.put(f"/flows/{flow_id}", data=data, **kwargs)

    @staticmethod
    def _role_lists(
        viewers: Iterable[str] | None,
        starters: Iterable[str] | None,
        administrators: Iterable[str] | None,
        kwargs: dict[str, t.Any],
    ) -> dict[str, list[str] | None]:
        return {
            "flow_viewers": as_list(
                one_spelling(("flow_viewers", viewers), kwargs, "viewers", "visible_to")
            ),
            "flow_starters": as_list(
                one_spelling(("flow_starters", starters), kwargs, "starters", "runnable_by")
            ),
            "flow_administrators": as_list(
                one_spelling(
                    ("flow_administrators", administrators),
                    kwargs,
                    "administrators",
                    "administered_by",
                )
            ),
        }

    def get_flow(self, flow_id: str, **kwargs: t.Any) -> GlobusHTTPResponse:
        """A deployed flow's definition and metadata."""
        return self.get(f"/flows/{flow_id}", **kwargs)

    def list_flows(
        self,
        roles: Iterable[str] | None = None,
        marker: str | None = None,
        per_page: int | None = None,
        filters: dict[str, t.Any] | None = None,
        orderings: dict[str, str] | None = None,
        role: str | None = None,
        **kwargs: t.Any,
    ) -> GlobusHTTPResponse:
        """Flows on which the caller has at least ``role`` (``flow_viewer`` <
        ``flow_starter`` < ``flow_administrator`` < ``flow_owner``), filtered by
        ``filters`` (``{"filter_title": "..."}``) and ordered by ``orderings``
        (``{"created_at": "DESC"}``), one page at a time."""
        params = _listing_params(
            role=role,
            roles=roles,
            marker=marker,
            per_page=per_page,
            filters=filters,
            orderings=orderings,
            old_roles=OLD_FLOW_ROLES,
        )
        return self.get("/flows", query_params=params, **kwargs)

    def delete_flow(self, flow_id: str, **kwargs: t.Any) -> GlobusHTTPResponse:
        """Remove a flow; its last document is returned."""
        return self.delete(f"/flows/{flow_id}", **kwargs)

    def validate_flow(
        self,
        flow_definition: Mapping[str, t.Any],
        input_schema: Mapping[str, t.Any] | None = None,
        **kwargs: t.Any,
    ) -> GlobusHTTPResponse:
        """Have the service check a definition (and schema) without deploying it; the
        answer lists the scopes a run would need."""
        data: dict[str, t.Any] = {"definition": flow_definition}
        if input_schema is not None:
            data["input_schema"] = input_schema
        return self.post("/flows/validate", data=data, **kwargs)

    # -- one flow, as an Action Provider ------------------------------------------------

    def _flow_url(self, flow_id: str) -> str:
        return utils.slash_join(self.base_url, f"flows/{flow_id}")

    def scope_for_flow(self, flow_id: str) -> str:
        """The scope a token needs to run the flow, read from its introspection."""
        return ActionClient.new_client(self._flow_url(flow_id), self.authorizer).action_scope

    def _get_authorizer_for_flow(
        self, flow_id: str, flow_scope: str | None, extras: dict[str, t.Any]
    ) -> GlobusAuthorizer | None:
        """The ``authorizer`` keyword if the caller gave one, else the callback's."""
        if "authorizer" in extras:
            return t.cast("GlobusAuthorizer | None", extras.pop("authorizer"))
        if flow_scope is None:
            flow_scope = self.scope_for_flow(flow_id)
        return self.get_authorizer_callback(
            flow_url=self._flow_url(flow_id), flow_scope=flow_scope, client_id=self.client_id
        )

    def _flow_action_client(
        self, flow_id: str, flow_scope: str | None, extras: dict[str, t.Any]
    ) -> ActionClient:
        authorizer = self._get_authorizer_for_flow(flow_id, flow_scope, extras)
        return ActionClient.new_client(self._flow_url(flow_id), authorizer)

    def run_flow(
        self,
        flow_id: str,
        flow_scope: str | None,
        flow_input: Mapping[str, t.Any],
        run_managers: Iterable[str] | None = None,
        run_monitors: Iterable[str] | None = None,
        dry_run: bool = False,
        label: str | None = None,
        tags: Iterable[str] | None = None,
        **kwargs: t.Any,
    ) -> GlobusHTTPResponse:
        """Start a run of the flow with ``flow_input`` as its initial state.

        ``flow_scope`` None means introspect the flow for it. ``manage_by`` and
        ``monitor_by`` are accepted for the run roles; ``dry_run`` checks the input and
        starts nothing.
        """
        ac = self._flow_action_client(flow_id, flow_scope, kwargs)
        managers = merge_lists(run_managers, kwargs, "manage_by") or None
        monitors = merge_lists(run_monitors, kwargs, "monitor_by") or None
        return ac.run(
            flow_input,
            manage_by=managers,
            monitor_by=monitors,
            label=label,
            tags=as_list(tags),
            force_path=f"{self._flow_url(flow_id)}/dry-run" if dry_run else None,
            **kwargs,
        )

    def flow_action_status(
        self, flow_id: str, flow_scope: str | None, flow_action_id: str, **kwargs: t.Any
    ) -> GlobusHTTPResponse:
        """The status of one run of the flow."""
        return self._flow_action_client(flow_id, flow_scope, kwargs).status(flow_action_id)

    def flow_action_resume(
        self, flow_id: str, flow_scope: str | None, flow_action_id: str, **kwargs: t.Any
    ) -> GlobusHTTPResponse:
        """Resume an INACTIVE run, e.g. after consenting to the scope it was waiting for."""
        return self._flow_action_client(flow_id, flow_scope, kwargs).resume(flow_action_id)

    def flow_action_release(
        self, flow_id: str, flow_scope: str | None, flow_action_id: str, **kwargs: t.Any
    ) -> GlobusHTTPResponse:
        """Forget a finished run; its final status is returned."""
        return self._flow_action_client(flow_id, flow_scope, kwargs).release(flow_action_id)

    def flow_action_cancel(
        self, flow_id: str, flow_scope: str | None, flow_action_id: str, **kwargs: t.Any
    ) -> GlobusHTTPResponse:
        """Stop a run; it ends FAILED with the code ``FlowCanceled``."""
        return self._flow_action_client(flow_id, flow_scope, kwargs).cancel(flow_action_id)

    def flow_action_log(
        self,
        flow_id: str,
        flow_scope: str | None,
        flow_action_id: str,
        limit: int = 10,
        reverse_order: bool = False,
        marker: str | None = None,
        per_page: int | None = None,
        **kwargs: t.Any,
    ) -> GlobusHTTPResponse:
        """The steps a run took, as log entries (``FlowStarted``, ``ActionStarted``...)."""
        ac = self._flow_action_client(flow_id, flow_scope, kwargs)
        return ac.log(flow_action_id, limit, reverse_order, marker, per_page)

    def get_flow_definition_for_run(
        self, flow_id: str, flow_scope: str | None, flow_action_id: str, **kwargs: t.Any
    ) -> GlobusHTTPResponse:
        """The definition and input schema the flow had when the run started; the
        authorizer is the callback's for ``RUN_STATUS_SCOPE`` (``flow_scope`` is unused)."""
        authorizer = self._get_authorizer_for_flow(flow_id, RUN_STATUS_SCOPE, kwargs)
        with self.use_temporary_authorizer(authorizer):
            return self.get(f"/runs/{flow_action_id}/definition", **kwargs)

    # -- runs of every flow -------------------------------------------------------------

    def enumerate_runs(
        self,
        roles: Iterable[str] | None = None,
        statuses: Iterable[str] | None = None,
        marker: str | None = None,
        per_page: int | None = None,
        filters: dict[str, t.Any] | None = None,
        orderings: dict[str, str] | None = None,
        role: str | None = None,
        **kwargs: t.Any,
    ) -> GlobusHTTPResponse:
        """Runs of any flow on which the caller has at least ``role`` (``run_monitor`` <
        ``run_manager`` < ``run_owner``) and one of ``statuses``; the authorizer is the
        callback's for ``RUN_STATUS_SCOPE``."""
        params = _listing_params(
            role=role,
            roles=roles,
            marker=marker,
            per_page=per_page,
            filters=filters,
            orderings=orderings,
            statuses=statuses,
            old_roles=OLD_RUN_ROLES,
        )
        authorizer = self._get_authorizer_for_flow("", RUN_STATUS_SCOPE, kwargs)
        with self.use_temporary_authorizer(authorizer):
            return self.get("/runs", query_params=params, **kwargs)

    def enumerate_actions(self, **kwargs: t.Any) -> GlobusHTTPResponse:
        """The same as :meth:`enumerate_runs`."""
        return self.enumerate_runs(**kwargs)

    def list_flow_actions(self, **kwargs: t.Any) -> GlobusHTTPResponse:
        """The same as :meth:`list_flow_runs`."""
        return self.list_flow_runs(**kwargs)

    def list_flow_runs(
        self,
        flow_id: str | None = None,
        flow_scope: str | None = None,
        statuses: Iterable[str] | None = None,
        roles: Iterable[str] | None = None,
        marker: str | None = None,
        per_page: int | None = None,
        filters: dict[str, t.Any] | None = None,
        orderings: dict[str, str] | None = None,
        role: str | None = None,
        **kwargs: t.Any,
    ) -> GlobusHTTPResponse:
        """Runs of one flow (with the flow's authorizer), or of every flow when
        ``flow_id`` is None (:meth:`enumerate_runs`)."""
        if flow_id is None:
            return self.enumerate_runs(
                roles=roles,
                statuses=statuses,
                marker=marker,
                per_page=per_page,
                filters=filters,
                orderings=orderings,
                role=role,
                **kwargs,
            )
        params = _listing_params(
            role=role,
            roles=roles,
            marker=marker,
            per_page=per_page,
            filters=filters,
            orderings=orderings,
            statuses=statuses,
            old_roles=OLD_RUN_ROLES,
        )
        authorizer = self._get_authorizer_for_flow(flow_id, flow_scope, kwargs)
        with self.use_temporary_authorizer(authorizer):
            return self.get(f"/flows/{flow_id}/runs", query_params=params, **kwargs)

    def flow_action_update(
        self,
        action_id: str,
        run_managers: Iterable[str] | None = None,
        run_monitors: Iterable[str] | None = None,
        tags: Iterable[str] | None = None,
        label: str | None = None,
        **kwargs: t.Any,
    ) -> GlobusHTTPResponse:
        """Change a run's managers, monitors, tags or label (``PUT /runs/<id>``); an empty
        list clears one; the authorizer is the callback's for ``RUN_MANAGE_SCOPE``."""
        body = {
            "run_managers": as_list(run_managers),
            "run_monitors": as_list(run_monitors),
            "tags": as_list(tags),
            "label": label,
        }
        data = {key: value for key, value in body.items() if value is not None}
        authorizer = self._get_authorizer_for_flow("", RUN_MANAGE_SCOPE, kwargs)
        with self.use_temporary_authorizer(authorizer):
            return self.put(f"/runs/{action_id}", data=data, **kwargs)

    @classmethod
    def new_client(
        cls: type[_FlowsClient],
        client_id: str,
        authorizer_callback: AuthorizerCallbackType,
        authorizer: GlobusAuthorizer | None,
        base_url: str | None = None,
        http_timeout: int = 10,
    ) -> _FlowsClient:
        """A FlowsClient managing flows with ``authorizer`` and reaching each flow with
        ``authorizer_callback``'s; ``base_url`` defaults to the environment's Flows URL.
        Certificates are not checked for a server on this host."""
        if base_url is None:
            base_url = flows_service_url()
        verify_ssl = urlparse(base_url).hostname not in {"localhost", "127.0.0.1"}
        return cls(
            client_id,
            authorizer_callback,
            app_name="Globus Automate SDK FlowsClient",
            base_url=base_url,
            authorizer=authorizer,
            transport_params={"http_timeout": http_timeout, "verify_ssl": verify_ssl},
        )
