"""SearchClient: one method per Search API v1 operation the SDK documents."""

from __future__ import annotations

import typing as t
import uuid

from globus_sdk import client, paging, response
from globus_sdk.scopes import SearchScopes
from globus_sdk.services.search.data import SearchQuery
from globus_sdk.services.search.errors import SearchAPIError

UUIDLike = t.Union[uuid.UUID, str]

#: Search serves at most this many results for one query (offset + limit).
MAX_SEARCH_RESULTS = 10000


def _search_page_size(page: dict[str, t.Any]) -> int:
    """Search pages say how many results they hold in ``count``."""
    return int(page.get("count", 0))


class SearchClient(client.BaseClient):
    r"""
    Client for the Globus Search API

    This class provides helper methods for most common resources in the
    API, and basic ``get``, ``put``, ``post``, and ``delete`` methods
    from the base client that can be used to access any API resource.

    :param authorizer: An authorizer instance used for all calls to Globus Search
    :type authorizer: :class:`GlobusAuthorizer <globus_sdk.authorizers.GlobusAuthorizer>`
    """

    error_class = SearchAPIError
    service_name = "search"
    scopes = SearchScopes

    #
    # Index Management
    #

    def get_index(
        self, index_id: UUIDLike, *, query_params: dict[str, t.Any] | None = None
    ) -> response.GlobusHTTPResponse:
        """``GET /v1/index/<index_id>``

        >>> sc = globus_sdk.SearchClient(...)
        >>> index = sc.get_index(index_id)
        >>> print(index["display_name"], index["description"])
        """
        return self.get(f"/v1/index/{index_id}", query_params=query_params)

    #
    # Search queries
    #

    @paging.has_paginator(
        paging.HasNextPaginator,
        items_key="gmeta",
        get_page_size=_search_page_size,
        max_total_results=MAX_SEARCH_RESULTS,
        page_size=100,
    )
    def search(
        self,
        index_id: UUIDLike,
        q: str,
        *,
        offset: int = 0,
        limit: int = 10,
        advanced: bool = False,
        query_params: dict[str, t.Any] | None = None,
    ) -> response.GlobusHTTPResponse:
        """``GET /v1/index/<index_id>/search``

        >>> sc = globus_sdk.SearchClient(...)
        >>> result = sc.search(index_id, 'query string')
        >>> advanced_result = sc.search(index_id, 'author: "Ada Lovelace"',
        >>>                             advanced=True)

        Also available as ``sc.paginated.search(...)``, which follows
        ``has_next_page`` from page to page.
        """
        params: dict[str, t.Any] = {"q": q, "offset": offset, "limit": limit, "advanced": advanced}
        params.update(query_params or {})
        return self.get(f"/v1/index/{index_id}/search", query_params=params)

    def post_search(
        self, index_id: UUIDLike, data: dict[str, t.Any] | SearchQuery
    ) -> response.GlobusHTTPResponse:
        """``POST /v1/index/<index_id>/search``

        ``data`` is a GSearchRequest document (a dict or a :class:`SearchQuery`) with
        ``q``, ``filters``, ``facets``, ``boosts``, ``sort``, ``limit``, ``offset``...
        """
        return self.post(f"/v1/index/{index_id}/search", data=data)

    #
    # Bulk data indexing
    #

    def ingest(self, index_id: UUIDLike, data: dict[str, t.Any]) -> response.GlobusHTTPResponse:
        """``POST /v1/index/<index_id>/ingest``

        ``data`` is a GIngest document wrapping a GMetaEntry or a GMetaList. The reply
        holds the ``task_id`` of the asynchronous ingest task.
        """
        return self.post(f"/v1/index/{index_id}/ingest", data=data)

    #
    # Bulk delete
    #

    def delete_by_query(
        self, index_id: UUIDLike, data: dict[str, t.Any]
    ) -> response.GlobusHTTPResponse:
        """``POST /v1/index/<index_id>/delete_by_query``

        ``data`` holds ``q`` (and optionally ``advanced`` and ``filters``); every entry
        matching it is deleted by an asynchronous task.
        """
        return self.post(f"/v1/index/{index_id}/delete_by_query", data=data)

    #
    # Subject Operations
    #

    def get_subject(
        self,
        index_id: UUIDLike,
        subject: str,
        *,
        query_params: dict[str, t.Any] | None = None,
    ) -> response.GlobusHTTPResponse:
        """``GET /v1/index/<index_id>/subject``

        >>> sc = globus_sdk.SearchClient(...)
        >>> subject_data = sc.get_subject(index_id, 'http://example.com/abc')
        """
        params = {"subject": subject, **(query_params or {})}
        return self.get(f"/v1/index/{index_id}/subject", query_params=params)

    def delete_subject(
        self,
        index_id: UUIDLike,
        subject: str,
        *,
        query_params: dict[str, t.Any] | None = None,
    ) -> response.GlobusHTTPResponse:
        """``DELETE /v1/index/<index_id>/subject``

        Deletes every entry of the subject, including entries the caller cannot see.
        """
        params = {"subject": subject, **(query_params or {})}
        return self.delete(f"/v1/index/{index_id}/subject", query_params=params)

    #
    # Entry Operations
    #

    def get_entry(
        self,
        index_id: UUIDLike,
        subject: str,
        *,
        entry_id: str | None = None,
        query_params: dict[str, t.Any] | None = None,
    ) -> response.GlobusHTTPResponse:
        """``GET /v1/index/<index_id>/entry``

        >>> sc = globus_sdk.SearchClient(...)
        >>> entry_data = sc.get_entry(index_id, 'http://example.com/foo/bar',
        >>>                           entry_id='foo/bar')
        """
        params: dict[str, t.Any] = {"subject": subject}
        if entry_id is not None:
            params["entry_id"] = entry_id
        params.update(query_params or {})
        return self.get(f"/v1/index/{index_id}/entry", query_params=params)

    def create_entry(
        self, index_id: UUIDLike, data: dict[str, t.Any]
    ) -> response.GlobusHTTPResponse:
        """``POST /v1/index/<index_id>/entry``

        ``data`` is a GMetaEntry (``subject``, ``visible_to``, ``content``, optional ``id``).
        """
        return self.post(f"/v1/index/{index_id}/entry", data=data)

    def update_entry(
        self, index_id: UUIDLike, data: dict[str, t.Any]
    ) -> response.GlobusHTTPResponse:
        """``PUT /v1/index/<index_id>/entry``

        ``data`` is a GMetaEntry replacing the entry with the same subject and id.
        """
        return self.put(f"/v1/index/{index_id}/entry", data=data)

    def delete_entry(
        self,
        index_id: UUIDLike,
        subject: str,
        *,
        entry_id: str | None = None,
        query_params: dict[str, t.Any] | None = None,
    ) -> response.GlobusHTTPResponse:
        """``DELETE /v1/index/<index_id>/entry``

        >>> sc = globus_sdk.SearchClient(...)
        >>> sc.delete_entry(index_id, "https://example.com/foo/bar",
        >>>                 entry_id="foo/bar")
        """
        params: dict[str, t.Any] = {"subject": subject}
        if entry_id is not None:
            params["entry_id"] = entry_id
        params.update(query_params or {})
        return self.delete(f"/v1/index/{index_id}/entry", query_params=params)

    #
    # Task Management
    #

    def get_task(
        self, task_id: UUIDLike, *, query_params: dict[str, t.Any] | None = None
    ) -> response.GlobusHTTPResponse:
        """``GET /v1/task/<task_id>``

        >>> sc = globus_sdk.SearchClient(...)
        >>> task = sc.get_task(task_id)
        >>> print(task["task_id"] + " | " + task['state'])
        """
        return self.get(f"/v1/task/{task_id}", query_params=query_params)

    def get_task_list(
        self, index_id: UUIDLike, *, query_params: dict[str, t.Any] | None = None
    ) -> response.GlobusHTTPResponse:
        """``GET /v1/task_list/<index_id>``

        >>> sc = globus_sdk.SearchClient(...)
        >>> for task in sc.get_task_list(index_id)['tasks']:
        >>>     print(task["task_id"] + " | " + task['state'])
        """
        return self.get(f"/v1/task_list/{index_id}", query_params=query_params)
