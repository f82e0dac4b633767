"""Search: the user's indexes, and an index's query page with facets and filters.

What a page shows comes from Search's own query API as the user, so every result and every
facet count is limited to the records the user may see (their ``visible_to``).
"""

from __future__ import annotations

import typing as t
import uuid
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from globus_local.webapp import pages
from globus_local.webapp.pages import User
from globus_local.webapp.platform_api import ApiError

router = APIRouter(prefix="/app", include_in_schema=False)

PAGE_SIZE = 10
MAX_FACETS = 4
FACET_SIZE = 8
MAX_OFFSET = 9990  # Search pages by offset up to 10,000 results


@router.get("/search", response_class=HTMLResponse)
async def search_home(request: Request, user: User) -> Response:
    index_id = request.query_params.get("index_id", "").strip()
    if index_id:
        if _uuid(index_id) is None:
            return pages.redirect(request, "/app/search", ("error", "An index id is a UUID"))
        return pages.redirect(request, f"/app/search/{_uuid(index_id)}")
    indexes = (await pages.services(request, user).get("search", "/index_list"))["index_list"]
    return pages.render(
        request, "search_home.html", user, section="search", title="Search", indexes=indexes
    )


@router.get("/search/{index_id}", response_class=HTMLResponse)
async def search_index(index_id: str, request: Request, user: User) -> Response:
    if _uuid(index_id) is None:
        return pages.redirect(request, "/app/search", ("error", "An index id is a UUID"))
    calls = pages.services(request, user)
    index = await calls.get("search", f"/index/{index_id}")
    query = _Query.parse(request)
    error = None
    found: dict[str, t.Any] = {"gmeta": [], "total": 0, "facet_results": []}
    facet_fields = query.facet_fields
    try:
        if not facet_fields:
            probe = await calls.post("search", f"/index/{index_id}/search", query.body([]))
            facet_fields = _facet_candidates(probe.get("gmeta", []))
            query.facet_fields = facet_fields  # links keep the facets the page shows
        found = await calls.post("search", f"/index/{index_id}/search", query.body(facet_fields))
    except ApiError as err:
        if err.status not in (400, 413, 422):
            raise
        error = pages.error_message(err)
    return pages.render(
        request,
        "search_index.html",
        user,
        section="search",
        title=f"Search {index.get('display_name', '')}",
        index=index,
        query=query,
        facet_fields=facet_fields,
        results=[_result(hit) for hit in found.get("gmeta", [])],
        total=int(found.get("total", 0)),
        facets=_facets(found.get("facet_results") or [], query),
        error=error,
        prev_link=query.link(index_id, offset=max(0, query.offset - PAGE_SIZE))
        if query.offset
        else None,
        next_link=(
            query.link(index_id, offset=query.offset + PAGE_SIZE)
            if query.offset + PAGE_SIZE < int(found.get("total", 0))
            and query.offset + PAGE_SIZE <= MAX_OFFSET
            else None
        ),
    )


def _uuid(value: str) -> str | None:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None


class _Query:
    """The query page's state, all in the URL: ``q``, ``filter=field:value`` (repeated),
    ``facets`` (comma-separated fields) and ``offset``."""

    def __init__(
        self, q: str, filters: list[tuple[str, str]], facet_fields: list[str], offset: int
    ) -> None:
        self.q, self.filters, self.facet_fields, self.offset = q, filters, facet_fields, offset

    @classmethod
    def parse(cls, request: Request) -> _Query:
        params = request.query_params
        filters = []
        for raw in params.getlist("filter")[:20]:
            field, sep, value = raw.partition(":")
            if sep and field:
                filters.append((field[:200], value[:1000]))
        facets = [f.strip()[:200] for f in params.get("facets", "").split(",") if f.strip()]
        try:
            offset = min(max(0, int(params.get("offset", "0"))), MAX_OFFSET)
        except ValueError:
            offset = 0
        return cls(params.get("q", "").strip()[:2000], filters, facets[:MAX_FACETS], offset)

    def body(self, facet_fields: list[str]) -> dict[str, t.Any]:
        by_field: dict[str, list[str]] = {}
        for field, value in self.filters:
            by_field.setdefault(field, []).append(value)
        return {
            "q": self.q or "*",
            "limit": PAGE_SIZE,
            "offset": self.offset,
            "filters": [
                {"type": "match_any", "field_name": f, "values": values}
                for f, values in by_field.items()
            ],
            "facets": [
                {"name": f, "field_name": f, "type": "terms", "size": FACET_SIZE}
                for f in facet_fields
            ],
        }

    def params(self, **changes: t.Any) -> list[tuple[str, str]]:
        filters = changes.get("filters", self.filters)
        pairs = [("q", self.q)] if self.q else []
        pairs += [("filter", f"{f}:{v}") for f, v in filters]
        if self.facet_fields:
            pairs.append(("facets", ",".join(self.facet_fields)))
        offset = changes.get("offset", 0)
        if offset:
            pairs.append(("offset", str(offset)))
        return pairs

    def link(self, index_id: str, **changes: t.Any) -> str:
        return f"/app/search/{index_id}?" + urlencode(self.params(**changes))


def _facet_candidates(gmeta: list[dict[str, t.Any]]) -> list[str]:
    """Fields worth faceting on, from the first results: short text values (or lists of
    them) that repeat across records, fewest distinct values first; titles and other text
    that names one record are left out."""
    seen: dict[str, int] = {}
    distinct: dict[str, set[str]] = {}
    for hit in gmeta:
        for entry in hit.get("entries", []):
            content = entry.get("content")
            if not isinstance(content, dict):
                continue
            for key, value in content.items():
                values = value if isinstance(value, list) else [value]
                if values and all(isinstance(v, str) and 0 < len(v) <= 24 for v in values):
                    seen[key] = seen.get(key, 0) + 1
                    distinct.setdefault(key, set()).update(values)
    useful = [k for k in seen if seen[k] > 1 and k not in _NAMING_FIELDS]
    ranked = sorted(useful, key=lambda k: (len(distinct[k]) / seen[k], k))
    return ranked[:MAX_FACETS]


_NAMING_FIELDS = frozenset({"title", "name", "display_name", "description", "subject", "id"})


def _result(hit: dict[str, t.Any]) -> dict[str, t.Any]:
    entries = hit.get("entries") or []
    content = entries[0].get("content", {}) if entries else {}
    title = ""
    if isinstance(content, dict):
        for key in ("title", "name", "display_name"):
            if isinstance(content.get(key), str):
                title = content[key]
                break
    fields = []
    if isinstance(content, dict):
        for key, value in list(content.items())[:12]:
            if isinstance(value, (dict, list)):
                shown = ", ".join(str(v) for v in value) if isinstance(value, list) else "{…}"
            else:
                shown = str(value)
            fields.append((key, shown[:300]))
    return {
        "subject": hit.get("subject"),
        "title": title,
        "fields": fields,
        "entries": len(entries),
    }


def _facets(results: list[dict[str, t.Any]], query: _Query) -> list[dict[str, t.Any]]:
    shown = []
    for facet in results:
        field = facet.get("name", "")
        buckets = []
        for bucket in facet.get("buckets", []):
            value = str(bucket.get("value"))
            active = (field, value) in query.filters
            filters = (
                [f for f in query.filters if f != (field, value)]
                if active
                else [*query.filters, (field, value)]
            )
            buckets.append(
                {
                    "value": value,
                    "count": bucket.get("count", 0),
                    "active": active,
                    "params": urlencode(query.params(filters=filters)),
                }
            )
        shown.append({"field": field, "buckets": buckets})
    return shown
