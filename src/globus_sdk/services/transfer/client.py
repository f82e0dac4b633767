"""TransferClient: one method per Globus Transfer API v0.10 operation the SDK documents."""

from __future__ import annotations

import datetime
import logging
import time
import typing as t
import uuid

from globus_sdk import client, exc, paging, response, utils
from globus_sdk.scopes import TransferScopes
from globus_sdk.services.transfer import _params
from globus_sdk.services.transfer._task_status import TaskStatus
from globus_sdk.services.transfer.data import DeleteData, TransferData
from globus_sdk.services.transfer.errors import TransferAPIError
from globus_sdk.services.transfer.response import (
    ActivationRequirementsResponse,
    IterableTransferResponse,
)

log = logging.getLogger(__name__)

# A response header of a globus-local server that offers ``GET /task/<id>/wait`` (a
# long-poll), giving the longest wait it allows, in seconds.
TASK_WAIT_HEADER = "X-Globus-Local-Task-Wait"

UUIDLike = t.Union[uuid.UUID, str]
QueryParams = dict[str, t.Any] | None


class TransferClient(client.BaseClient):
    r"""Client for the `Globus Transfer API <https://docs.globus.org/api/transfer/>`_.

    This class provides helper methods for most common resources in the
    REST API, and basic ``get``, ``put``, ``post``, and ``delete`` methods
    from the base rest client that can be used to access any REST resource.

    Methods taking ``query_params`` pass those extra arguments through as query
    parameters.

    **Filter Formatting**: methods taking a ``filter`` accept a string (sent as is) or a
    dict, formatted as ``key:value`` clauses joined by ``/`` with list values
    comma-separated: ``{"type": ["file", "dir"], "name": "~*.txt"}`` becomes
    ``type:file,dir/name:~*.txt``.

    **Paginated Calls**: a paginated method ``foo`` also has a paginated variant
    ``client.paginated.foo(...)`` taking the same arguments and yielding pages.

    :param authorizer: An authorizer instance used for all calls to Globus Transfer
    """

    service_name = "transfer"
    base_path = "/v0.10/"
    error_class = TransferAPIError
    scopes = TransferScopes

    # -- Endpoint management ----------------------------------------------------------

    def get_endpoint(
        self, endpoint_id: UUIDLike, *, query_params: QueryParams = None
    ) -> response.GlobusHTTPResponse:
        """``GET /endpoint/<endpoint_id>``

        :param endpoint_id: ID of endpoint to lookup
        :param query_params: Additional passthrough query parameters
        """
        log.info("TransferClient.get_endpoint(%s)", endpoint_id)
        return self.get(f"endpoint/{endpoint_id}", query_params=query_params)

    def update_endpoint(
        self,
        endpoint_id: UUIDLike,
        data: dict[str, t.Any],
        *,
        query_params: QueryParams = None,
    ) -> response.GlobusHTTPResponse:
        """``PUT /endpoint/<endpoint_id>``

        An endpoint activates with either MyProxy or OAuth: setting one clears the other.

        :param endpoint_id: ID of endpoint to update
        :param data: A partial endpoint document with fields to update
        :param query_params: Additional passthrough query parameters
        """
        log.info("TransferClient.update_endpoint(%s, ...)", endpoint_id)
        data = dict(data)
        _check_single_identity_provider(data)
        if data.get("myproxy_server"):
            data["oauth_server"] = None
        elif data.get("oauth_server"):
            data["myproxy_server"] = None
        return self.put(f"endpoint/{endpoint_id}", data=data, query_params=query_params)

    def create_endpoint(
        self, data: dict[str, t.Any], *, query_params: QueryParams = None
    ) -> response.GlobusHTTPResponse:
        """``POST /endpoint``

        :param data: An endpoint document with fields for the new endpoint
        :param query_params: Additional passthrough query parameters
        """
        log.info("TransferClient.create_endpoint(...)")
        _check_single_identity_provider(data)
        return self.post("endpoint", data=data, query_params=query_params)

    def delete_endpoint(
        self, endpoint_id: UUIDLike, *, query_params: QueryParams = None
    ) -> response.GlobusHTTPResponse:
        """``DELETE /endpoint/<endpoint_id>``

        :param endpoint_id: ID of endpoint to delete
        :param query_params: Additional passthrough query parameters
        """
        log.info("TransferClient.delete_endpoint(%s)", endpoint_id)
        return self.delete(f"endpoint/{endpoint_id}", query_params=query_params)

    @paging.has_paginator(
        paging.HasNextPaginator, items_key="DATA", max_total_results=1000, page_size=100
    )
    def endpoint_search(
        self,
        filter_fulltext: str | None = None,
        *,
        filter_scope: str | None = None,
        filter_owner_id: str | None = None,
        filter_host_endpoint: UUIDLike | None = None,
        filter_non_functional: bool | None = None,
        limit: int | None = None,
        offset: int | None = None,
        query_params: QueryParams = None,
    ) -> IterableTransferResponse:
        """``GET /endpoint_search?filter_fulltext=...&filter_scope=...``

        The service caps any one search at 1000 results.

        :param filter_fulltext: The string to use in a full text search on endpoints; may
            be omitted with specific ``filter_scope`` values
        :param filter_scope: A "scope" within which to search ("my-endpoints",
            "shared-with-me", ...); defaults to all endpoints (then ``filter_fulltext``
            is required)
        :param filter_owner_id: Limit search to endpoints owned by this identity
        :param filter_host_endpoint: Limit search to endpoints hosted by this endpoint
        :param filter_non_functional: Limit search to endpoints whose ``non_functional``
            flag has this value
        :param limit: limit the number of results
        :param offset: offset used in paging
        :param query_params: Additional passthrough query parameters
        """
        log.info("TransferClient.endpoint_search(%r, scope=%r)", filter_fulltext, filter_scope)
        params = _params.merge_params(
            query_params,
            filter_fulltext=filter_fulltext,
            filter_scope=filter_scope,
            filter_owner_id=None if filter_owner_id is None else str(filter_owner_id),
            filter_host_endpoint=(
                None if filter_host_endpoint is None else str(filter_host_endpoint)
            ),
            filter_non_functional=_params.int_flag(filter_non_functional),
            limit=limit,
            offset=offset,
        )
        return IterableTransferResponse(self.get("endpoint_search", query_params=params))

    def endpoint_autoactivate(
        self,
        endpoint_id: UUIDLike,
        *,
        if_expires_in: int | None = None,
        query_params: QueryParams = None,
    ) -> response.GlobusHTTPResponse:
        """``POST /endpoint/<endpoint_id>/autoactivate``

        Answers ``code`` "AlreadyActivated", "AutoActivated.CachedCredential",
        "AutoActivated.GlobusOnlineCredential" or "AutoActivationFailed".

        :param endpoint_id: The ID of the endpoint to autoactivate
        :param if_expires_in: only attempt autoactivation if the current activation
            expires within this many seconds
        :param query_params: Additional passthrough query parameters
        """
        log.info("TransferClient.endpoint_autoactivate(%s)", endpoint_id)
        params = _params.merge_params(query_params, if_expires_in=if_expires_in)
        return self.post(f"endpoint/{endpoint_id}/autoactivate", query_params=params)

    def endpoint_deactivate(
        self, endpoint_id: UUIDLike, *, query_params: QueryParams = None
    ) -> response.GlobusHTTPResponse:
        """``POST /endpoint/<endpoint_id>/deactivate``

        :param endpoint_id: The ID of the endpoint to deactivate
        :param query_params: Additional passthrough query parameters
        """
        log.info("TransferClient.endpoint_deactivate(%s)", endpoint_id)
        return self.post(f"endpoint/{endpoint_id}/deactivate", query_params=query_params)

    def endpoint_activate(
        self,
        endpoint_id: UUIDLike,
        *,
        requirements_data: dict[str, t.Any] | None,
        query_params: QueryParams = None,
    ) -> response.GlobusHTTPResponse:
        """``POST /endpoint/<endpoint_id>/activate``

        Consider autoactivation and web activation instead (see
        :meth:`endpoint_autoactivate`).

        :param endpoint_id: The ID of the endpoint to activate
        :param requirements_data: Filled in activation requirements data, as fetched
            from :meth:`endpoint_get_activation_requirements`; only the fields for the
            activation type being used need to be filled in
        :param query_params: Additional passthrough query parameters
        """
        log.info("TransferClient.endpoint_activate(%s)", endpoint_id)
        return self.post(
            f"endpoint/{endpoint_id}/activate", data=requirements_data, query_params=query_params
        )

    def endpoint_get_activation_requirements(
        self, endpoint_id: UUIDLike, *, query_params: QueryParams = None
    ) -> ActivationRequirementsResponse:
        """``GET /endpoint/<endpoint_id>/activation_requirements``

        :param endpoint_id: The ID of the endpoint whose activation requirements are
            looked up
        :param query_params: Additional passthrough query parameters
        """
        return ActivationRequirementsResponse(
            self.get(f"endpoint/{endpoint_id}/activation_requirements", query_params=query_params)
        )

    def my_effective_pause_rule_list(
        self, endpoint_id: UUIDLike, *, query_params: QueryParams = None
    ) -> IterableTransferResponse:
        """``GET /endpoint/<endpoint_id>/my_effective_pause_rule_list``

        :param endpoint_id: the endpoint on which the current user's effective pause
            rules are fetched
        :param query_params: Additional passthrough query parameters
        """
        log.info("TransferClient.my_effective_pause_rule_list(%s)", endpoint_id)
        return IterableTransferResponse(
            self.get(
                f"endpoint/{endpoint_id}/my_effective_pause_rule_list", query_params=query_params
            )
        )

    # -- Shared endpoints --------------------------------------------------------------

    def my_shared_endpoint_list(
        self, endpoint_id: UUIDLike, *, query_params: QueryParams = None
    ) -> IterableTransferResponse:
        """``GET /endpoint/<endpoint_id>/my_shared_endpoint_list``

        The shared endpoints on a host endpoint for which the user has the
        administrator or access_manager role.

        :param endpoint_id: the host endpoint whose shares are listed
        :param query_params: Additional passthrough query parameters
        """
        log.info("TransferClient.my_shared_endpoint_list(%s)", endpoint_id)
        return IterableTransferResponse(
            self.get(f"endpoint/{endpoint_id}/my_shared_endpoint_list", query_params=query_params)
        )

    @paging.has_paginator(paging.NextTokenPaginator, items_key="shared_endpoints")
    def get_shared_endpoint_list(
        self,
        endpoint_id: UUIDLike,
        *,
        max_results: int | None = None,
        next_token: str | None = None,
        query_params: QueryParams = None,
    ) -> IterableTransferResponse:
        """``GET /endpoint/<endpoint_id>/shared_endpoint_list``

        All shared endpoints on a host endpoint; iterating yields ``shared_endpoints``.

        :param endpoint_id: the host endpoint whose shares are listed
        :param max_results: cap to the number of results
        :param next_token: token used for paging
        :param query_params: Additional passthrough query parameters
        """
        log.info("TransferClient.get_shared_endpoint_list(%s)", endpoint_id)
        params = _params.merge_params(query_params, max_results=max_results, next_token=next_token)
        return IterableTransferResponse(
            self.get(f"endpoint/{endpoint_id}/shared_endpoint_list", query_params=params),
            iter_key="shared_endpoints",
        )

    def create_shared_endpoint(
        self, data: dict[str, t.Any], *, query_params: QueryParams = None
    ) -> response.GlobusHTTPResponse:
        """``POST /shared_endpoint``

        :param data: A shared_endpoint document (``host_endpoint``, ``host_path``,
            ``display_name``, and optionally other endpoint fields)
        :param query_params: Additional passthrough query parameters
        """
        log.info("TransferClient.create_shared_endpoint(...)")
        return self.post("shared_endpoint", data=data, query_params=query_params)

    # -- Endpoint servers --------------------------------------------------------------

    def endpoint_server_list(
        self, endpoint_id: UUIDLike, *, query_params: QueryParams = None
    ) -> IterableTransferResponse:
        """``GET /endpoint/<endpoint_id>/server_list``

        :param endpoint_id: The endpoint whose servers are being listed
        :param query_params: Additional passthrough query parameters
        """
        log.info("TransferClient.endpoint_server_list(%s)", endpoint_id)
        return IterableTransferResponse(
            self.get(f"endpoint/{endpoint_id}/server_list", query_params=query_params)
        )

    def get_endpoint_server(
        self,
        endpoint_id: UUIDLike,
        server_id: int | str,
        *,
        query_params: QueryParams = None,
    ) -> response.GlobusHTTPResponse:
        """``GET /endpoint/<endpoint_id>/server/<server_id>``

        :param endpoint_id: The endpoint under which the server is registered
        :param server_id: The ID of the server
        :param query_params: Additional passthrough query parameters
        """
        log.info("TransferClient.get_endpoint_server(%s, %s)", endpoint_id, server_id)
        return self.get(f"endpoint/{endpoint_id}/server/{server_id}", query_params=query_params)

    def add_endpoint_server(
        self,
        endpoint_id: UUIDLike,
        server_data: dict[str, t.Any],
        *,
        query_params: QueryParams = None,
    ) -> response.GlobusHTTPResponse:
        """``POST /endpoint/<endpoint_id>/server``

        :param endpoint_id: The endpoint under which the server is being registered
        :param server_data: Fields for the new server, as a server document
        :param query_params: Additional passthrough query parameters
        """
        log.info("TransferClient.add_endpoint_server(%s, ...)", endpoint_id)
        return self.post(
            f"endpoint/{endpoint_id}/server", data=server_data, query_params=query_params
        )

    def update_endpoint_server(
        self,
        endpoint_id: UUIDLike,
        server_id: int | str,
        server_data: dict[str, t.Any],
        *,
        query_params: QueryParams = None,
    ) -> response.GlobusHTTPResponse:
        """``PUT /endpoint/<endpoint_id>/server/<server_id>``

        :param endpoint_id: The endpoint under which the server is registered
        :param server_id: The ID of the server to update
        :param server_data: Fields on the server to update, as a partial server document
        :param query_params: Additional passthrough query parameters
        """
        log.info("TransferClient.update_endpoint_server(%s, %s, ...)", endpoint_id, server_id)
        return self.put(
            f"endpoint/{endpoint_id}/server/{server_id}",
            data=server_data,
            query_params=query_params,
        )

    def delete_endpoint_server(
        self,
        endpoint_id: UUIDLike,
        server_id: int | str,
        *,
        query_params: QueryParams = None,
    ) -> response.GlobusHTTPResponse:
        """``DELETE /endpoint/<endpoint_id>/server/<server_id>``

        :param endpoint_id: The endpoint under which the server is registered
        :param server_id: The ID of the server to delete
        :param query_params: Additional passthrough query parameters
        """
        log.info("TransferClient.delete_endpoint_server(%s, %s)", endpoint_id, server_id)
        return self.delete(f"endpoint/{endpoint_id}/server/{server_id}", query_params=query_params)

    # -- Roles -------------------------------------------------------------------------

    def endpoint_role_list(
        self, endpoint_id: UUIDLike, *, query_params: QueryParams = None
    ) -> IterableTransferResponse:
        """``GET /endpoint/<endpoint_id>/role_list``

        :param endpoint_id: The endpoint whose roles are being listed
        :param query_params: Additional passthrough query parameters
        """
        log.info("TransferClient.endpoint_role_list(%s)", endpoint_id)
        return IterableTransferResponse(
            self.get(f"endpoint/{endpoint_id}/role_list", query_params=query_params)
        )

    def add_endpoint_role(
        self,
        endpoint_id: UUIDLike,
        role_data: dict[str, t.Any],
        *,
        query_params: QueryParams = None,
    ) -> response.GlobusHTTPResponse:
        """``POST /endpoint/<endpoint_id>/role``

        :param endpoint_id: The endpoint on which the role is being added
        :param role_data: A role document for the new role
        :param query_params: Additional passthrough query parameters
        """
        log.info("TransferClient.add_endpoint_role(%s, ...)", endpoint_id)
        return self.post(f"endpoint/{endpoint_id}/role", data=role_data, query_params=query_params)

    def get_endpoint_role(
        self, endpoint_id: UUIDLike, role_id: str, *, query_params: QueryParams = None
    ) -> response.GlobusHTTPResponse:
        """``GET /endpoint/<endpoint_id>/role/<role_id>``

        :param endpoint_id: The endpoint on which the role applies
        :param role_id: The ID of the role
        :param query_params: Additional passthrough query parameters
        """
        log.info("TransferClient.get_endpoint_role(%s, %s)", endpoint_id, role_id)
        return self.get(f"endpoint/{endpoint_id}/role/{role_id}", query_params=query_params)

    def delete_endpoint_role(
        self, endpoint_id: UUIDLike, role_id: str, *, query_params: QueryParams = None
    ) -> response.GlobusHTTPResponse:
        """``DELETE /endpoint/<endpoint_id>/role/<role_id>``

        :param endpoint_id: The endpoint on which the role applies
        :param role_id: The ID of the role to delete
        :param query_params: Additional passthrough query parameters
        """
        log.info("TransferClient.delete_endpoint_role(%s, %s)", endpoint_id, role_id)
        return self.delete(f"endpoint/{endpoint_id}/role/{role_id}", query_params=query_params)

    # -- Access rules (ACLs) -----------------------------------------------------------

    def endpoint_acl_list(
        self, endpoint_id: UUIDLike, *, query_params: QueryParams = None
    ) -> IterableTransferResponse:
        """``GET /endpoint/<endpoint_id>/access_list``

        :param endpoint_id: The endpoint whose ACLs are being listed
        :param query_params: Additional passthrough query parameters
        """
        log.info("TransferClient.endpoint_acl_list(%s)", endpoint_id)
        return IterableTransferResponse(
            self.get(f"endpoint/{endpoint_id}/access_list", query_params=query_params)
        )

    def get_endpoint_acl_rule(
        self, endpoint_id: UUIDLike, rule_id: str, *, query_params: QueryParams = None
    ) -> response.GlobusHTTPResponse:
        """``GET /endpoint/<endpoint_id>/access/<rule_id>``

        :param endpoint_id: The endpoint on which the access rule applies
        :param rule_id: The ID of the rule to fetch
        :param query_params: Additional passthrough query parameters
        """
        log.info("TransferClient.get_endpoint_acl_rule(%s, %s)", endpoint_id, rule_id)
        return self.get(f"endpoint/{endpoint_id}/access/{rule_id}", query_params=query_params)

    def add_endpoint_acl_rule(
        self,
        endpoint_id: UUIDLike,
        rule_data: dict[str, t.Any],
        *,
        query_params: QueryParams = None,
    ) -> response.GlobusHTTPResponse:
        """``POST /endpoint/<endpoint_id>/access``

        On a shared endpoint the rule's ``path`` is relative to its ``host_path``. The
        new rule's ID is in the response's ``access_id``.

        :param endpoint_id: ID of endpoint to which to add the acl
        :param rule_data: A python dict representation of an access document
        :param query_params: Additional passthrough query parameters
        """
        log.info("TransferClient.add_endpoint_acl_rule(%s, ...)", endpoint_id)
        return self.post(
            f"endpoint/{endpoint_id}/access", data=rule_data, query_params=query_params
        )

    def update_endpoint_acl_rule(
        self,
        endpoint_id: UUIDLike,
        rule_id: str,
        rule_data: dict[str, t.Any],
        *,
        query_params: QueryParams = None,
    ) -> response.GlobusHTTPResponse:
        """``PUT /endpoint/<endpoint_id>/access/<rule_id>``

        :param endpoint_id: The endpoint on which the access rule applies
        :param rule_id: The ID of the access rule to modify
        :param rule_data: A partial access document containing fields to update
        :param query_params: Additional passthrough query parameters
        """
        log.info("TransferClient.update_endpoint_acl_rule(%s, %s, ...)", endpoint_id, rule_id)
        return self.put(
            f"endpoint/{endpoint_id}/access/{rule_id}", data=rule_data, query_params=query_params
        )

    def delete_endpoint_acl_rule(
        self, endpoint_id: UUIDLike, rule_id: str, *, query_params: QueryParams = None
    ) -> response.GlobusHTTPResponse:
        """``DELETE /endpoint/<endpoint_id>/access/<rule_id>``

        :param endpoint_id: The endpoint on which the access rule applies
        :param rule_id: The ID of the access rule to remove
        :param query_params: Additional passthrough query parameters
        """
        log.info("TransferClient.delete_endpoint_acl_rule(%s, %s)", endpoint_id, rule_id)
        return self.delete(f"endpoint/{endpoint_id}/access/{rule_id}", query_params=query_params)

    # -- Bookmarks ---------------------------------------------------------------------

    def bookmark_list(self, *, query_params: QueryParams = None) -> IterableTransferResponse:
        """``GET /bookmark_list``

        :param query_params: Additional passthrough query parameters
        """
        log.info("TransferClient.bookmark_list()")
        return IterableTransferResponse(self.get("bookmark_list", query_params=query_params))

    def create_bookmark(
        self, bookmark_data: dict[str, t.Any], *, query_params: QueryParams = None
    ) -> response.GlobusHTTPResponse:
        """``POST /bookmark``

        :param bookmark_data: A bookmark document (``name``, ``endpoint_id``, ``path``)
        :param query_params: Additional passthrough query parameters
        """
        log.info("TransferClient.create_bookmark(...)")
        return self.post("bookmark", data=bookmark_data, query_params=query_params)

    def get_bookmark(
        self, bookmark_id: UUIDLike, *, query_params: QueryParams = None
    ) -> response.GlobusHTTPResponse:
        """``GET /bookmark/<bookmark_id>``

        :param bookmark_id: The ID of the bookmark to lookup
        :param query_params: Additional passthrough query parameters
        """
        log.info("TransferClient.get_bookmark(%s)", bookmark_id)
        return self.get(f"bookmark/{bookmark_id}", query_params=query_params)

    def update_bookmark(
        self,
        bookmark_id: UUIDLike,
        bookmark_data: dict[str, t.Any],
        *,
        query_params: QueryParams = None,
    ) -> response.GlobusHTTPResponse:
        """``PUT /bookmark/<bookmark_id>``

        :param bookmark_id: The ID of the bookmark to modify
        :param bookmark_data: A partial bookmark document with fields to update
        :param query_params: Additional passthrough query parameters
        """
        log.info("TransferClient.update_bookmark(%s, ...)", bookmark_id)
        return self.put(f"bookmark/{bookmark_id}", data=bookmark_data, query_params=query_params)

    def delete_bookmark(
        self, bookmark_id: UUIDLike, *, query_params: QueryParams = None
    ) -> response.GlobusHTTPResponse:
        """``DELETE /bookmark/<bookmark_id>``

        :param bookmark_id: The ID of the bookmark to delete
        :param query_params: Additional passthrough query parameters
        """
        log.info("TransferClient.delete_bookmark(%s)", bookmark_id)
        return self.delete(f"bookmark/{bookmark_id}", query_params=query_params)

    # -- Synchronous filesystem operations ---------------------------------------------

    def operation_ls(
        self,
        endpoint_id: UUIDLike,
        path: str | None = None,
        *,
        show_hidden: bool | None = None,
        orderby: str | list[str] | None = None,
        filter: _params.FilterArg | list[_params.FilterArg] | None = None,  # noqa: A002
        query_params: QueryParams = None,
    ) -> IterableTransferResponse:
        """``GET /operation/endpoint/<endpoint_id>/ls``

        >>> for entry in tc.operation_ls(ep_id, path="/~/project1/",
        >>>                              filter={"last_modified": ["", "2021-01-01"]}):
        >>>     print(entry["name"], entry["type"])

        :param endpoint_id: The ID of the endpoint on which to do a dir listing
        :param path: Path to a directory on the endpoint to list
        :param show_hidden: Show hidden files (names beginning in dot); service default
            is true
        :param orderby: One or more order-by options: a field name, optionally followed
            by a space and "ASC" or "DESC"
        :param filter: Only return file documents which match these filter clauses
            (str or dict, see Filter Formatting; a list of filters is ANDed)
        :param query_params: Additional passthrough query parameters
        """
        log.info("TransferClient.operation_ls(%s, %r)", endpoint_id, path)
        params = _params.merge_params(
            query_params,
            path=path,
            show_hidden=_params.int_flag(show_hidden),
            orderby=None if orderby is None else utils.commajoin(orderby),
            filter=_params.format_filter(filter),
        )
        return IterableTransferResponse(
            self.get(f"operation/endpoint/{endpoint_id}/ls", query_params=params)
        )

    def operation_mkdir(
        self, endpoint_id: UUIDLike, path: str, *, query_params: QueryParams = None
    ) -> response.GlobusHTTPResponse:
        """``POST /operation/endpoint/<endpoint_id>/mkdir``

        :param endpoint_id: The ID of the endpoint on which to create a directory
        :param path: Path to the new directory to create
        :param query_params: Additional passthrough query parameters
        """
        log.info("TransferClient.operation_mkdir(%s, %r)", endpoint_id, path)
        return self.post(
            f"operation/endpoint/{endpoint_id}/mkdir",
            data={"DATA_TYPE": "mkdir", "path": path},
            query_params=query_params,
        )

    def operation_rename(
        self,
        endpoint_id: UUIDLike,
        oldpath: str,
        newpath: str,
        *,
        query_params: QueryParams = None,
    ) -> response.GlobusHTTPResponse:
        """``POST /operation/endpoint/<endpoint_id>/rename``

        :param endpoint_id: The ID of the endpoint on which to rename a file
        :param oldpath: Path to the old filename
        :param newpath: Path to the new filename
        :param query_params: Additional passthrough query parameters
        """
        log.info("TransferClient.operation_rename(%s, %r, %r)", endpoint_id, oldpath, newpath)
        return self.post(
            f"operation/endpoint/{endpoint_id}/rename",
            data={"DATA_TYPE": "rename", "old_path": oldpath, "new_path": newpath},
            query_params=query_params,
        )

    def operation_symlink(
        self,
        endpoint_id: UUIDLike,
        symlink_target: str,
        path: str,
        *,
        query_params: QueryParams = None,
    ) -> response.GlobusHTTPResponse:
        """``POST /operation/endpoint/<endpoint_id>/symlink``

        :param endpoint_id: The ID of the endpoint on which to create a symlink
        :param symlink_target: The path referenced by the new symlink
        :param path: The name of (path to) the new symlink
        :param query_params: Additional passthrough query parameters
        """
        log.info("TransferClient.operation_symlink(%s, %r, %r)", endpoint_id, symlink_target, path)
        return self.post(
            f"operation/endpoint/{endpoint_id}/symlink",
            data={"DATA_TYPE": "symlink", "symlink_target": symlink_target, "path": path},
            query_params=query_params,
        )

    # -- Task submission ---------------------------------------------------------------

    def get_submission_id(self, *, query_params: QueryParams = None) -> response.GlobusHTTPResponse:
        """``GET /submission_id``

        Submission IDs make task submission idempotent. TransferData and DeleteData
        fetch one automatically when not given ``submission_id``.

        :param query_params: Additional passthrough query parameters
        """
        log.info("TransferClient.get_submission_id()")
        return self.get("submission_id", query_params=query_params)

    def submit_transfer(
        self, data: dict[str, t.Any] | TransferData, *, query_params: QueryParams = None
    ) -> response.GlobusHTTPResponse:
        """``POST /transfer``

        >>> tdata = globus_sdk.TransferData(tc, source_endpoint_id, destination_endpoint_id,
        >>>                                 label="SDK example", sync_level="checksum")
        >>> tdata.add_item("/source/path/dir/", "/dest/path/dir/", recursive=True)
        >>> print("task_id =", tc.submit_transfer(tdata)["task_id"])

        :param data: A transfer task document (a dict or :class:`TransferData`)
        :param query_params: Additional passthrough query parameters
        """
        log.info("TransferClient.submit_transfer(...)")
        return self.post("transfer", data=data, query_params=query_params)

    def submit_delete(
        self, data: dict[str, t.Any] | DeleteData, *, query_params: QueryParams = None
    ) -> response.GlobusHTTPResponse:
        """``POST /delete``

        :param data: A delete task document (a dict or :class:`DeleteData`)
        :param query_params: Additional passthrough query parameters
        """
        log.info("TransferClient.submit_delete(...)")
        return self.post("delete", data=data, query_params=query_params)

    # -- Task inspection and management ------------------------------------------------

    @paging.has_paginator(
        paging.LimitOffsetTotalPaginator,
        items_key="DATA",
        max_total_results=1000,
        page_size=1000,
    )
    def task_list(
        self,
        *,
        limit: int | None = None,
        offset: int | None = None,
        filter: _params.FilterArg | None = None,  # noqa: A002
        query_params: QueryParams = None,
        num_results: int | None = None,
    ) -> IterableTransferResponse:
        """``GET /task_list``: task documents owned by the current user.

        >>> for task in tc.task_list(filter={"task_id": task_ids, "status": "ACTIVE"}):
        >>>     print(task["task_id"], task["status"])

        :param limit: limit the number of results
        :param offset: offset used in paging
        :param filter: Only return task documents which match these filter clauses
            (str or dict, see Filter Formatting)
        :param query_params: Additional passthrough query parameters
        :param num_results: older spelling of ``limit``, still used by the SDK's
            Advanced Tutorial; ``limit`` wins when both are given
        """
        log.info("TransferClient.task_list(...)")
        if limit is None:
            limit = num_results
        params = _params.merge_params(
            query_params, limit=limit, offset=offset, filter=_params.format_filter(filter)
        )
        return IterableTransferResponse(self.get("task_list", query_params=params))

    @paging.has_paginator(
        paging.LimitOffsetTotalPaginator,
        items_key="DATA",
        max_total_results=1000,
        page_size=1000,
    )
    def task_event_list(
        self,
        task_id: UUIDLike,
        *,
        limit: int | None = None,
        offset: int | None = None,
        query_params: QueryParams = None,
    ) -> IterableTransferResponse:
        """``GET /task/<task_id>/event_list``: events (e.g. faults, errors) of a task.

        :param task_id: The ID of the task to inspect
        :param limit: limit the number of results
        :param offset: offset used in paging
        :param query_params: Additional passthrough query parameters
        """
        log.info("TransferClient.task_event_list(%s)", task_id)
        params = _params.merge_params(query_params, limit=limit, offset=offset)
        return IterableTransferResponse(self.get(f"task/{task_id}/event_list", query_params=params))

    def get_task(
        self, task_id: UUIDLike, *, query_params: QueryParams = None
    ) -> response.GlobusHTTPResponse:
        """``GET /task/<task_id>``

        :param task_id: The ID of the task to inspect
        :param query_params: Additional passthrough query parameters
        """
        log.info("TransferClient.get_task(%s)", task_id)
        return self.get(f"task/{task_id}", query_params=query_params)

    def update_task(
        self,
        task_id: UUIDLike,
        data: dict[str, t.Any],
        *,
        query_params: QueryParams = None,
    ) -> response.GlobusHTTPResponse:
        """``PUT /task/<task_id>``: only running tasks, and only ``label`` and
        ``deadline``, can be updated.

        :param task_id: The ID of the task to modify
        :param data: A partial task document with fields to update
        :param query_params: Additional passthrough query parameters
        """
        log.info("TransferClient.update_task(%s, ...)", task_id)
        return self.put(f"task/{task_id}", data=data, query_params=query_params)

    def cancel_task(
        self, task_id: UUIDLike, *, query_params: QueryParams = None
    ) -> response.GlobusHTTPResponse:
        """``POST /task/<task_id>/cancel``: cancel a task which is still running.

        :param task_id: The ID of the task to cancel
        :param query_params: Additional passthrough query parameters
        """
        log.info("TransferClient.cancel_task(%s)", task_id)
        return self.post(f"task/{task_id}/cancel", query_params=query_params)

    def task_wait(
        self, task_id: UUIDLike, *, timeout: int = 10, polling_interval: int = 10
    ) -> bool:
        """Wait until a Task is complete or fails, with a time limit. If the task is
        "ACTIVE" after time runs out, returns False. Otherwise returns True.

        >>> while not tc.task_wait(task_id, timeout=60):
        >>>     print("Another minute went by without {0} terminating".format(task_id))

        A globus-local server offers a long-poll on a task and says so in a header of
        the task document; then each wait returns as soon as the task ends rather than
        at the next poll. Against the real service it polls as documented.

        :param task_id: ID of the Task to wait on for completion
        :param timeout: Number of seconds to wait in total. Minimum 1
        :param polling_interval: Number of seconds between queries to Globus about the
            Task status. Minimum 1
        :raises GlobusSDKUsageError: if ``timeout`` or ``polling_interval`` is below 1
        """
        log.info(
            "TransferClient.task_wait(%s, timeout=%s, polling_interval=%s)",
            task_id,
            timeout,
            polling_interval,
        )
        if polling_interval < 1:
            raise exc.GlobusSDKUsageError("task_wait() polling_interval must be at least 1 second")
        if timeout < 1:
            raise exc.GlobusSDKUsageError("task_wait() timeout must be at least 1 second")
        # never sleep past the timeout
        polling_interval = min(timeout, polling_interval)
        waited = 0
        task = self.get_task(task_id)
        while True:
            if task["status"] != TaskStatus.ACTIVE:
                log.debug("task_wait(%s): task is no longer ACTIVE", task_id)
                return True
            if waited >= timeout:
                log.debug("task_wait(%s): timed out after %s seconds", task_id, waited)
                return False
            if longest := _longest_wait(task, self.transport.http_timeout):
                return self._task_long_poll(task_id, timeout - waited, longest, polling_interval)
            time.sleep(polling_interval)
            waited += polling_interval
            task = self.get_task(task_id)

    def _task_long_poll(
        self, task_id: UUIDLike, timeout: float, longest: float, polling_interval: int
    ) -> bool:
        """task_wait against a server that advertised ``GET /task/<id>/wait`` (see
        ``TASK_WAIT_HEADER``), which answers as soon as the task ends. An answer that comes
        back early with the task still ACTIVE (the server is stopping) is followed by a
        ``polling_interval`` pause, as plain polling makes."""
        deadline = time.monotonic() + timeout
        while (remaining := deadline - time.monotonic()) > 0:
            asked = min(remaining, longest)
            sent = time.monotonic()
            task = self.get(f"task/{task_id}/wait", query_params={"timeout": f"{asked:.3f}"})
            if task["status"] != TaskStatus.ACTIVE:
                log.debug("task_wait(%s): task is no longer ACTIVE", task_id)
                return True
            longest = _longest_wait(task, self.transport.http_timeout) or longest
            if time.monotonic() - sent < asked / 2:
                time.sleep(min(polling_interval, max(deadline - time.monotonic(), 0)))
        log.debug("task_wait(%s): timed out after %s seconds", task_id, timeout)
        return False

    def task_pause_info(
        self, task_id: UUIDLike, *, query_params: QueryParams = None
    ) -> response.GlobusHTTPResponse:
        """``GET /task/<task_id>/pause_info``: why a task is (or is about to be) paused.

        :param task_id: The ID of the task to inspect
        :param query_params: Additional passthrough query parameters
        """
        log.info("TransferClient.task_pause_info(%s)", task_id)
        return self.get(f"task/{task_id}/pause_info", query_params=query_params)

    @paging.has_paginator(paging.MarkerPaginator, items_key="DATA", marker_key="next_marker")
    def task_successful_transfers(
        self, task_id: UUIDLike, *, query_params: QueryParams = None
    ) -> IterableTransferResponse:
        """``GET /task/<task_id>/successful_transfers``

        Only files actually transferred are listed: not directories, files skipped by a
        sync level, nor files skipped because of ``skip_source_errors``.

        :param task_id: The ID of the task to inspect
        :param query_params: Additional passthrough query parameters (``marker``)
        """
        log.info("TransferClient.task_successful_transfers(%s)", task_id)
        return IterableTransferResponse(
            self.get(f"task/{task_id}/successful_transfers", query_params=query_params)
        )

    @paging.has_paginator(paging.MarkerPaginator, items_key="DATA", marker_key="next_marker")
    def task_skipped_errors(
        self, task_id: UUIDLike, *, query_params: QueryParams = None
    ) -> IterableTransferResponse:
        """``GET /task/<task_id>/skipped_errors``

        The paths skipped because ``skip_source_errors`` was set on a transfer task.

        :param task_id: The ID of the task to inspect
        :param query_params: Additional passthrough query parameters (``marker``)
        """
        log.info("TransferClient.task_skipped_errors(%s)", task_id)
        return IterableTransferResponse(
            self.get(f"task/{task_id}/skipped_errors", query_params=query_params)
        )

    # -- Endpoint manager (activity monitor / manager roles) ---------------------------

    def endpoint_manager_monitored_endpoints(
        self, *, query_params: QueryParams = None
    ) -> IterableTransferResponse:
        """``GET /endpoint_manager/monitored_endpoints``: endpoints the current user is
        a monitor or manager on.

        :param query_params: Additional passthrough query parameters
        """
        log.info("TransferClient.endpoint_manager_monitored_endpoints()")
        return IterableTransferResponse(
            self.get("endpoint_manager/monitored_endpoints", query_params=query_params)
        )

    def endpoint_manager_hosted_endpoint_list(
        self, endpoint_id: UUIDLike, *, query_params: QueryParams = None
    ) -> IterableTransferResponse:
        """``GET /endpoint_manager/endpoint/<endpoint_id>/hosted_endpoint_list``

        :param endpoint_id: The ID of the host endpoint
        :param query_params: Additional passthrough query parameters
        """
        log.info("TransferClient.endpoint_manager_hosted_endpoint_list(%s)", endpoint_id)
        return IterableTransferResponse(
            self.get(
                f"endpoint_manager/endpoint/{endpoint_id}/hosted_endpoint_list",
                query_params=query_params,
            )
        )

    def endpoint_manager_get_endpoint(
        self, endpoint_id: UUIDLike, *, query_params: QueryParams = None
    ) -> response.GlobusHTTPResponse:
        """``GET /endpoint_manager/endpoint/<endpoint_id>``: endpoint details as an admin.

        :param endpoint_id: The ID of the endpoint
        :param query_params: Additional passthrough query parameters
        """
        log.info("TransferClient.endpoint_manager_get_endpoint(%s)", endpoint_id)
        return self.get(f"endpoint_manager/endpoint/{endpoint_id}", query_params=query_params)

    def endpoint_manager_acl_list(
        self, endpoint_id: UUIDLike, *, query_params: QueryParams = None
    ) -> IterableTransferResponse:
        """``GET /endpoint_manager/endpoint/<endpoint_id>/access_list``

        :param endpoint_id: The ID of the endpoint
        :param query_params: Additional passthrough query parameters
        """
        log.info("TransferClient.endpoint_manager_acl_list(%s)", endpoint_id)
        return IterableTransferResponse(
            self.get(
                f"endpoint_manager/endpoint/{endpoint_id}/access_list", query_params=query_params
            )
        )

    @paging.has_paginator(paging.LastKeyPaginator, items_key="DATA")
    def endpoint_manager_task_list(
        self,
        *,
        filter_status: t.Iterable[str] | str | None = None,
        filter_task_id: t.Iterable[UUIDLike] | UUIDLike | None = None,
        filter_owner_id: UUIDLike | None = None,
        filter_endpoint: UUIDLike | None = None,
        filter_is_paused: bool | None = None,
        filter_completion_time: (
            None | str | tuple[str | datetime.datetime, str | datetime.datetime]
        ) = None,
        filter_min_faults: int | None = None,
        filter_local_user: str | None = None,
        query_params: QueryParams = None,
    ) -> IterableTransferResponse:
        """``GET /endpoint_manager/task_list``: tasks visible via the activity_monitor
        role, as opposed to tasks owned by the current user.

        Unless ``filter_status`` is a subset of ("ACTIVE", "INACTIVE"), at least one of
        ``filter_task_id`` or ``filter_endpoint`` is required.

        :param filter_status: Return only tasks with any of the specified statuses
        :param filter_task_id: Return only tasks with any of the specified ids (at most
            50); cannot be combined with other filters
        :param filter_owner_id: Limit results to tasks submitted by this identity
        :param filter_endpoint: Return only tasks with this endpoint as source or
            destination (or their host endpoints)
        :param filter_is_paused: Return only tasks with this ``is_paused`` value
            (requires an ACTIVE/INACTIVE ``filter_status``)
        :param filter_completion_time: ``"start,end"`` or a (start, end) tuple of
            strings or datetimes; either side may be blank
        :param filter_min_faults: Return only tasks with at least this many faults
        :param filter_local_user: Return only tasks with this local user on the
            ``filter_endpoint`` side
        :param query_params: Additional passthrough query parameters (``last_key``)
        """
        log.info("TransferClient.endpoint_manager_task_list(...)")
        params = _params.merge_params(
            query_params,
            filter_status=None if filter_status is None else utils.commajoin(filter_status),
            filter_task_id=None if filter_task_id is None else utils.commajoin(filter_task_id),
            filter_owner_id=None if filter_owner_id is None else str(filter_owner_id),
            filter_endpoint=None if filter_endpoint is None else str(filter_endpoint),
            filter_is_paused=filter_is_paused,
            filter_completion_time=_params.format_time_range(filter_completion_time),
            filter_min_faults=filter_min_faults,
            filter_local_user=filter_local_user,
        )
        return IterableTransferResponse(self.get("endpoint_manager/task_list", query_params=params))

    def endpoint_manager_get_task(
        self, task_id: UUIDLike, *, query_params: QueryParams = None
    ) -> response.GlobusHTTPResponse:
        """``GET /endpoint_manager/task/<task_id>``: task info as an admin.

        :param task_id: The ID of the task to inspect
        :param query_params: Additional passthrough query parameters
        """
        log.info("TransferClient.endpoint_manager_get_task(%s)", task_id)
        return self.get(f"endpoint_manager/task/{task_id}", query_params=query_params)

    @paging.has_paginator(
        paging.LimitOffsetTotalPaginator,
        items_key="DATA",
        max_total_results=1000,
        page_size=1000,
    )
    def endpoint_manager_task_event_list(
        self,
        task_id: UUIDLike,
        *,
        limit: int | None = None,
        offset: int | None = None,
        filter_is_error: bool | None = None,
        query_params: QueryParams = None,
    ) -> IterableTransferResponse:
        """``GET /endpoint_manager/task/<task_id>/event_list``: a task's events as an
        admin.

        :param task_id: The ID of the task to inspect
        :param limit: limit the number of results
        :param offset: offset used in paging
        :param filter_is_error: Return only events that are errors (False is not
            supported by the service; by default all events are returned). Sent as
            ``filter_is_error=1`` or ``0``.
        :param query_params: Additional passthrough query parameters
        """
        log.info("TransferClient.endpoint_manager_task_event_list(%s)", task_id)
        params = _params.merge_params(
            query_params,
            limit=limit,
            offset=offset,
            filter_is_error=None if filter_is_error is None else int(bool(filter_is_error)),
        )
        return IterableTransferResponse(
            self.get(f"endpoint_manager/task/{task_id}/event_list", query_params=params)
        )

    def endpoint_manager_task_pause_info(
        self, task_id: UUIDLike, *, query_params: QueryParams = None
    ) -> response.GlobusHTTPResponse:
        """``GET /endpoint_manager/task/<task_id>/pause_info``

        :param task_id: The ID of the task to inspect
        :param query_params: Additional passthrough query parameters
        """
        log.info("TransferClient.endpoint_manager_task_pause_info(%s)", task_id)
        return self.get(f"endpoint_manager/task/{task_id}/pause_info", query_params=query_params)

    @paging.has_paginator(paging.MarkerPaginator, items_key="DATA", marker_key="next_marker")
    def endpoint_manager_task_successful_transfers(
        self, task_id: UUIDLike, *, query_params: QueryParams = None
    ) -> IterableTransferResponse:
        """``GET /endpoint_manager/task/<task_id>/successful_transfers``

        :param task_id: The ID of the task to inspect
        :param query_params: Additional passthrough query parameters (``marker``)
        """
        log.info("TransferClient.endpoint_manager_task_successful_transfers(%s)", task_id)
        return IterableTransferResponse(
            self.get(
                f"endpoint_manager/task/{task_id}/successful_transfers", query_params=query_params
            )
        )

    @paging.has_paginator(paging.MarkerPaginator, items_key="DATA", marker_key="next_marker")
    def endpoint_manager_task_skipped_errors(
        self, task_id: UUIDLike, *, query_params: QueryParams = None
    ) -> IterableTransferResponse:
        """``GET /endpoint_manager/task/<task_id>/skipped_errors``

        :param task_id: The ID of the task to inspect
        :param query_params: Additional passthrough query parameters (``marker``)
        """
        log.info("TransferClient.endpoint_manager_task_skipped_errors(%s)", task_id)
        return IterableTransferResponse(
            self.get(f"endpoint_manager/task/{task_id}/skipped_errors", query_params=query_params)
        )

    def endpoint_manager_cancel_tasks(
        self,
        task_ids: t.Iterable[UUIDLike],
        message: str,
        *,
        query_params: QueryParams = None,
    ) -> response.GlobusHTTPResponse:
        """``POST /endpoint_manager/admin_cancel``: cancel tasks as an admin.

        :param task_ids: List of task ids to cancel
        :param message: Message given to all users whose tasks have been canceled
        :param query_params: Additional passthrough query parameters
        """
        log.info("TransferClient.endpoint_manager_cancel_tasks(...)")
        data = {"message": message, "task_id_list": list(utils.safe_strseq_iter(task_ids))}
        return self.post("endpoint_manager/admin_cancel", data=data, query_params=query_params)

    def endpoint_manager_cancel_status(
        self, admin_cancel_id: UUIDLike, *, query_params: QueryParams = None
    ) -> response.GlobusHTTPResponse:
        """``GET /endpoint_manager/admin_cancel/<admin_cancel_id>``: the status of an
        :meth:`endpoint_manager_cancel_tasks` job.

        :param admin_cancel_id: The ID of the cancel job to inspect
        :param query_params: Additional passthrough query parameters
        """
        log.info("TransferClient.endpoint_manager_cancel_status(%s)", admin_cancel_id)
        return self.get(
            f"endpoint_manager/admin_cancel/{admin_cancel_id}", query_params=query_params
        )

    def endpoint_manager_pause_tasks(
        self,
        task_ids: t.Iterable[UUIDLike],
        message: str,
        *,
        query_params: QueryParams = None,
    ) -> response.GlobusHTTPResponse:
        """``POST /endpoint_manager/admin_pause``: pause tasks as an admin.

        :param task_ids: List of task ids to pause
        :param message: Message given to all users whose tasks have been paused
        :param query_params: Additional passthrough query parameters
        """
        log.info("TransferClient.endpoint_manager_pause_tasks(...)")
        data = {"message": message, "task_id_list": list(utils.safe_strseq_iter(task_ids))}
        return self.post("endpoint_manager/admin_pause", data=data, query_params=query_params)

    def endpoint_manager_resume_tasks(
        self, task_ids: t.Iterable[UUIDLike], *, query_params: QueryParams = None
    ) -> response.GlobusHTTPResponse:
        """``POST /endpoint_manager/admin_resume``: resume tasks as an admin.

        :param task_ids: List of task ids to resume
        :param query_params: Additional passthrough query parameters
        """
        log.info("TransferClient.endpoint_manager_resume_tasks(...)")
        data = {"task_id_list": list(utils.safe_strseq_iter(task_ids))}
        return self.post("endpoint_manager/admin_resume", data=data, query_params=query_params)

    def endpoint_manager_pause_rule_list(
        self,
        *,
        filter_endpoint: UUIDLike | None = None,
        query_params: QueryParams = None,
    ) -> IterableTransferResponse:
        """``GET /endpoint_manager/pause_rule_list``: pause rules on endpoints the user
        has the activity monitor role on.

        :param filter_endpoint: Limit results to rules on endpoints hosted by this
            endpoint
        :param query_params: Additional passthrough query parameters
        """
        log.info("TransferClient.endpoint_manager_pause_rule_list(...)")
        params = _params.merge_params(
            query_params,
            filter_endpoint=None if filter_endpoint is None else str(filter_endpoint),
        )
        return IterableTransferResponse(
            self.get("endpoint_manager/pause_rule_list", query_params=params)
        )

    def endpoint_manager_create_pause_rule(
        self, data: dict[str, t.Any] | None, *, query_params: QueryParams = None
    ) -> response.GlobusHTTPResponse:
        """``POST /endpoint_manager/pause_rule``

        :param data: A pause rule document describing the rule to create
        :param query_params: Additional passthrough query parameters
        """
        log.info("TransferClient.endpoint_manager_create_pause_rule(...)")
        return self.post("endpoint_manager/pause_rule", data=data, query_params=query_params)

    def endpoint_manager_get_pause_rule(
        self, pause_rule_id: UUIDLike, *, query_params: QueryParams = None
    ) -> response.GlobusHTTPResponse:
        """``GET /endpoint_manager/pause_rule/<pause_rule_id>``

        :param pause_rule_id: ID of pause rule to get
        :param query_params: Additional passthrough query parameters
        """
        log.info("TransferClient.endpoint_manager_get_pause_rule(%s)", pause_rule_id)
        return self.get(f"endpoint_manager/pause_rule/{pause_rule_id}", query_params=query_params)

    def endpoint_manager_update_pause_rule(
        self,
        pause_rule_id: UUIDLike,
        data: dict[str, t.Any] | None,
        *,
        query_params: QueryParams = None,
    ) -> response.GlobusHTTPResponse:
        """``PUT /endpoint_manager/pause_rule/<pause_rule_id>``: fields that cannot be
        updated are ignored by the service.

        :param pause_rule_id: The ID of the pause rule to update
        :param data: A partial pause rule document with fields to update
        :param query_params: Additional passthrough query parameters
        """
        log.info("TransferClient.endpoint_manager_update_pause_rule(%s, ...)", pause_rule_id)
        return self.put(
            f"endpoint_manager/pause_rule/{pause_rule_id}", data=data, query_params=query_params
        )

    def endpoint_manager_delete_pause_rule(
        self, pause_rule_id: UUIDLike, *, query_params: QueryParams = None
    ) -> response.GlobusHTTPResponse:
        """``DELETE /endpoint_manager/pause_rule/<pause_rule_id>``

        :param pause_rule_id: The ID of the pause rule to delete
        :param query_params: Additional passthrough query parameters
        """
        log.info("TransferClient.endpoint_manager_delete_pause_rule(%s)", pause_rule_id)
        return self.delete(
            f"endpoint_manager/pause_rule/{pause_rule_id}", query_params=query_params
        )


def _longest_wait(task: response.GlobusHTTPResponse, http_timeout: float | None) -> float:
    """Seconds one ``GET /task/<id>/wait`` may last, as the server advertised it in
    ``TASK_WAIT_HEADER`` and kept well inside the HTTP timeout; 0 when not advertised
    (the real Transfer service has no such route: task_wait then polls)."""
    try:
        seconds = float(task.headers.get(TASK_WAIT_HEADER, "0"))
    except (TypeError, ValueError):
        return 0.0
    if not seconds > 0:
        return 0.0
    return seconds if http_timeout is None else min(seconds, http_timeout / 2)


def _check_single_identity_provider(data: t.Mapping[str, t.Any]) -> None:
    """An endpoint activates through MyProxy or OAuth, never both."""
    if data.get("myproxy_server") and data.get("oauth_server"):
        raise exc.GlobusSDKUsageError(
            "an endpoint cannot use multiple identity providers for activation; "
            "specify either myproxy_server or oauth_server, not both"
        )
