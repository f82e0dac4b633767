"""Paginators: iterate over every page (or every item) of a paged API call."""

from globus_sdk.paging.base import Paginator
from globus_sdk.paging.last_key import LastKeyPaginator
from globus_sdk.paging.limit_offset import HasNextPaginator, LimitOffsetTotalPaginator
from globus_sdk.paging.marker import MarkerPaginator
from globus_sdk.paging.next_token import NextTokenPaginator
from globus_sdk.paging.table import PaginatorTable, has_paginator

__all__ = [
    "Paginator",
    "PaginatorTable",
    "has_paginator",
    "MarkerPaginator",
    "NextTokenPaginator",
    "LastKeyPaginator",
    "HasNextPaginator",
    "LimitOffsetTotalPaginator",
]
