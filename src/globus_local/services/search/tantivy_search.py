"""Answering a search from an index's tantivy copy: the top ``limit`` after ``offset`` and
the total, without visiting every match to rank it.

Taken when the copy holds the caller's database snapshot (``tantivy_store``) and the plan
needs nothing tantivy cannot give exactly: no facets, sorting or boosts, every entry its
own subject (no entry ids), and a query and filters ``tantivy_query`` translates.
Otherwise the SQL engine answers (``engine.py``); both return the same matches and totals.
"""

from __future__ import annotations

import typing as t

import tantivy
from sqlalchemy import text
from sqlalchemy.orm import Session

from globus_local.services.search.documents import entry_result, meta_result
from globus_local.services.search.models import SearchIndex
from globus_local.services.search.query.compile import positive_terms
from globus_local.services.search.query.request import MAX_RESULTS, SearchPlan
from globus_local.services.search.tantivy_query import Translator, Untranslatable
from globus_local.services.search.tantivy_store import (
    EVERY_MARK,
    PRIVATE_MARK,
    PUBLIC,
    SCHEMA,
    Snapshot,
    TantivyStore,
    stamp_of,
)

Q = tantivy.Query


def tantivy_search(
    session: Session,
    store: TantivyStore,
    index: SearchIndex,
    plan: SearchPlan,
    principals: list[str] | None,
) -> dict[str, t.Any] | None:
    """The GSearchResult from the copy, or None when SQL must answer."""
    if plan.facets or plan.sort or plan.boosts:
        return None
    copy = store.searcher(index.id, stamp_of(index.content_last_modified))
    if copy is None or _has_entry_ids(session, index.id):
        return None
    translator = Translator(copy.index)
    try:
        parts = [translator.top(plan.query)]
        parts += [Q.const_score_query(translator.filter(f), 0.0) for f in plan.filters]
        parts += [Q.const_score_query(translator.filter(f), 0.0) for f in plan.post_facet_filters]
    except Untranslatable:
        return None
    if plan.filters or plan.post_facet_filters:
        translator.lone_term = None
    seen = _visibility(copy, principals)
    if seen is not None:
        parts.append(seen)
        translator.lone_term = None
    query = (
        parts[0] if len(parts) == 1 else Q.boolean_query([(tantivy.Occur.Must, p) for p in parts])
    )
    page = _page(copy, query, plan, ranked=bool(positive_terms(plan.query)))
    total = _count(copy, query, translator.lone_term)
    gmeta = _results(session, page)
    count = len(gmeta)
    return {
        "@datatype": "GSearchResult",
        "@version": "2017-09-01",
        "total": total,
        "count": count,
        "offset": plan.offset,
        "has_next_page": plan.offset + count < min(total, MAX_RESULTS),
        "gmeta": gmeta,
    }


def _has_entry_ids(session: Session, index_id: str) -> bool:
    """As the SQL engine asks (one probe of the partial index on keyed entries)."""
    found = session.execute(
        text("SELECT 1 FROM search_entries WHERE index_id = :i AND entry_key <> '' LIMIT 1"),
        {"i": index_id},
    ).first()
    return found is not None


def _visibility(copy: Snapshot, principals: list[str] | None) -> tantivy.Query | None:
    """Entries visible to ``principals`` (None: all); no condition when every entry is
    public (no entry, live or deleted, carries the private mark)."""
    if principals is None or copy.searcher.doc_freq("vis", PRIVATE_MARK) == 0:
        return None
    return Q.const_score_query(Q.term_set_query(SCHEMA, "vis", [PUBLIC, *principals]), 0.0)


def _page(
    copy: Snapshot, query: tantivy.Query, plan: SearchPlan, ranked: bool
) -> list[tuple[float, int]]:
    """The page's ``(-score, entry pk)``: best first; unranked (no words in ``q``), by
    subject, as SQL orders them."""
    if plan.limit <= 0:
        return []
    searcher = copy.searcher
    if ranked:
        hits = searcher.search(query, plan.limit, count=False, offset=plan.offset).hits
        keys = [-float(score) for score, _address in hits]
    else:
        hits = searcher.search(
            query,
            plan.limit,
            count=False,
            order_by_field="subject",
            offset=plan.offset,
            order=tantivy.Order.Asc,
        ).hits
        keys = [0.0] * len(hits)
    pks = searcher.fast_field_values("pk", [address for _key, address in hits])
    return [(key, int(pk or 0)) for key, pk in zip(keys, pks, strict=True)]


def _count(copy: Snapshot, query: tantivy.Query, lone_term: tuple[str, str] | None) -> int:
    """Matching entries: for one term over a copy without deleted entries, its document
    frequency; else a count over the matches (no scoring)."""
    searcher = copy.searcher
    if lone_term is not None and searcher.doc_freq("vis", EVERY_MARK) == searcher.num_docs:
        return int(searcher.doc_freq(*lone_term))
    result = searcher.aggregate(query, {"n": {"value_count": {"field": "pk"}}})
    return int(result["n"]["value"] or 0)


def _results(session: Session, page: list[tuple[float, int]]) -> list[dict[str, t.Any]]:
    """GMetaResults of the page's entries (each its own subject), best first and, as SQL
    breaks ties, in subject order among equals."""
    if not page:
        return []
    marks = ", ".join(str(pk) for _key, pk in page)
    found: dict[int, tuple[str, t.Any]] = {}
    for pk, subject, entry_id, content in session.execute(
        text(
            "SELECT e.pk, e.subject, e.entry_id, c.content FROM search_entries e "
            f"JOIN search_entry_contents c ON c.entry_pk = e.pk WHERE e.pk IN ({marks})"
        )
    ):
        found[int(pk)] = (subject, entry_result(entry_id, content))
    ordered = sorted(
        ((key, found[pk]) for key, pk in page if pk in found), key=lambda x: (x[0], x[1][0])
    )
    return [meta_result(subject, [entry]) for _key, (subject, entry) in ordered]
