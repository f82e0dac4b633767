"""Globus Search: the client, the query builder and the error class."""

from globus_sdk.services.search.client import SearchClient
from globus_sdk.services.search.data import SearchQuery
from globus_sdk.services.search.errors import SearchAPIError

__all__ = ("SearchClient", "SearchQuery", "SearchAPIError")
