"""SearchQuery: a GSearchRequest document, built up with chained helper calls."""

from __future__ import annotations

import typing as t

from globus_sdk import utils


class SearchQuery(utils.PayloadWrapper):
    """
    A specialized dict which has helpers for creating and modifying a Search
    Query document.

    Example usage:

    >>> from globus_sdk import SearchClient, SearchQuery
    >>> sc = SearchClient(...)
    >>> index_id = ...
    >>> query = (SearchQuery(q='example query')
    >>>          .set_limit(100).set_offset(10)
    >>>          .add_filter('path.to.field1', ['foo', 'bar']))
    >>> result = sc.post_search(index_id, query)
    """

    def __init__(
        self,
        q: str | None = None,
        *,
        limit: int | None = None,
        offset: int | None = None,
        advanced: bool | None = None,
        additional_fields: dict[str, t.Any] | None = None,
    ) -> None:
        super().__init__()
        if q is not None:
            self["q"] = q
        if limit is not None:
            self["limit"] = limit
        if offset is not None:
            self["offset"] = offset
        if advanced is not None:
            self["advanced"] = advanced
        if additional_fields is not None:
            self.update(additional_fields)

    def set_query(self, query: str) -> SearchQuery:
        """Set the query string (``q``)."""
        self["q"] = query
        return self

    def set_limit(self, limit: int) -> SearchQuery:
        """Set the maximum number of results to return."""
        self["limit"] = limit
        return self

    def set_offset(self, offset: int) -> SearchQuery:
        """Set the offset of the first result to return."""
        self["offset"] = offset
        return self

    def set_advanced(self, advanced: bool) -> SearchQuery:
        """Choose the advanced (field:value, AND/OR/NOT...) query syntax, or not."""
        self["advanced"] = advanced
        return self

    def _append(self, key: str, item: dict[str, t.Any]) -> SearchQuery:
        self.setdefault(key, []).append(item)
        return self

    def add_facet(
        self,
        name: str,
        field_name: str,
        *,
        type: str = "terms",  # noqa: A002 - the document's own key
        size: int | None = None,
        date_interval: str | None = None,
        histogram_range: tuple[t.Any, t.Any] | None = None,
        additional_fields: dict[str, t.Any] | None = None,
    ) -> SearchQuery:
        """Add a facet: ``terms`` (``size``), ``date_histogram`` (``date_interval``),
        ``numeric_histogram`` (``size``, ``histogram_range=(low, high)``), ``sum``, ``avg``.
        """
        facet: dict[str, t.Any] = {"name": name, "field_name": field_name, "type": type}
        if size is not None:
            facet["size"] = size
        if date_interval is not None:
            facet["date_interval"] = date_interval
        if histogram_range is not None:
            low, high = histogram_range
            facet["histogram_range"] = {"low": low, "high": high}
        if additional_fields is not None:
            facet.update(additional_fields)
        return self._append("facets", facet)

    def add_filter(
        self,
        field_name: str,
        values: list[str],
        *,
        type: str = "match_all",  # noqa: A002 - the document's own key
        additional_fields: dict[str, t.Any] | None = None,
    ) -> SearchQuery:
        """Add a filter on ``field_name`` (``match_all``, ``match_any``, ``range``...)."""
        new_filter: dict[str, t.Any] = {"type": type, "field_name": field_name, "values": values}
        if additional_fields is not None:
            new_filter.update(additional_fields)
        return self._append("filters", new_filter)

    def add_boost(
        self,
        field_name: str,
        factor: str | int | float,
        *,
        additional_fields: dict[str, t.Any] | None = None,
    ) -> SearchQuery:
        """Weight matches in ``field_name`` by ``factor``."""
        boost: dict[str, t.Any] = {"field_name": field_name, "factor": factor}
        if additional_fields is not None:
            boost.update(additional_fields)
        return self._append("boosts", boost)

    def add_sort(
        self,
        field_name: str,
        *,
        order: str | None = None,
        additional_fields: dict[str, t.Any] | None = None,
    ) -> SearchQuery:
        """Sort results by ``field_name`` (``order`` ``"asc"`` or ``"desc"``)."""
        sort: dict[str, t.Any] = {"field_name": field_name}
        if order is not None:
            sort["order"] = order
        if additional_fields is not None:
            sort.update(additional_fields)
        return self._append("sort", sort)
