"""Reading an index's entries as a caller may see them: by subject, by entry id, by query.

An entry is visible when its ``visible_to`` shares a principal with the caller (or holds
``public``); an admin's ``bypass_visible_to`` sees every entry.
"""

from __future__ import annotations

import typing as t

from sqlalchemy import select
from sqlalchemy.orm import Session

from globus_local.db import Database
from globus_local.kit.paging import decode_marker
from globus_local.services.search import access
from globus_local.services.search.access import Caller, get_index
from globus_local.services.search.backends import backend_for
from globus_local.services.search.backends.select import store_for
from globus_local.services.search.documents import entry_result, meta_result
from globus_local.services.search.engine import run_scroll, run_search
from globus_local.services.search.errors import not_found, validation_error
from globus_local.services.search.ingest import PUBLIC, entry_key
from globus_local.services.search.models import SearchEntry, SearchEntryContent, SearchIndex
from globus_local.services.search.query.request import SearchPlan, build_plan, build_scroll_plan
from globus_local.services.search.tantivy_search import tantivy_search

# Passed as ``entry_id`` to mean every entry of the subject (None names the entry without id).
ALL_ENTRIES: t.Any = ...


def _visible(
    session: Session, index_id: str, subject: str, caller: Caller, bypass: bool, entry_id: t.Any
) -> list[dict[str, t.Any]]:
    index = get_index(session, index_id)
    principals = access.visible_principals(session, index, caller, bypass)
    query = (
        select(SearchEntry, SearchEntryContent.content)
        .join(SearchEntryContent, SearchEntryContent.entry_pk == SearchEntry.pk)
        .where(SearchEntry.index_id == index.id, SearchEntry.subject == subject)
    )
    if entry_id is not ALL_ENTRIES:
        query = query.where(SearchEntry.entry_key == entry_key(entry_id))
    allowed = None if principals is None else {PUBLIC, *principals}
    return [
        entry_result(e.entry_id, content)
        for e, content in session.execute(query.order_by(SearchEntry.entry_key))
        if allowed is None or allowed.intersection(e.visible_to)
    ]


def get_subject(
    session: Session, index_id: str, subject: str, caller: Caller, bypass: bool
) -> dict[str, t.Any]:
    """Every entry of ``subject`` the caller may see; 404 when there is none."""
    entries = _visible(session, index_id, subject, caller, bypass, ALL_ENTRIES)
    if not entries:
        raise not_found(f"No subject {subject!r} visible to you in index {index_id}")
    return meta_result(subject, entries)


def get_entry(
    session: Session,
    index_id: str,
    subject: str,
    entry_id: str | None,
    caller: Caller,
    bypass: bool,
) -> dict[str, t.Any]:
    """The one entry (``subject``, ``entry_id``) if the caller may see it."""
    entries = _visible(session, index_id, subject, caller, bypass, entry_id)
    if not entries:
        raise not_found(
            f"No entry (subject={subject!r}, entry_id={entry_id!r}) visible to you "
            f"in index {index_id}"
        )
    return meta_result(subject, entries)


def require_entries(session: Session, index_id: str, subject: str, entry_id: t.Any) -> None:
    """404 unless the index holds the subject (or that entry of it), visible or not."""
    query = select(SearchEntry.pk).where(
        SearchEntry.index_id == index_id, SearchEntry.subject == subject
    )
    if entry_id is not ALL_ENTRIES:
        query = query.where(SearchEntry.entry_key == entry_key(entry_id))
    if session.scalar(query.limit(1)) is None:
        what = "subject" if entry_id is ALL_ENTRIES else "entry"
        raise not_found(f"No {what} {subject!r} in index {index_id}")


def search(
    session: Session, database: Database, index_id: str, caller: Caller, body: t.Any
) -> dict[str, t.Any]:
    """A GSearchRequest run on an open index: the GSearchResult."""
    index = get_index(session, index_id)
    access.require_open(index)
    plan = build_plan(body)
    principals = access.visible_principals(session, index, caller, plan.bypass_visible_to)
    return search_plan(session, database, index, plan, principals)


def search_plan(
    session: Session,
    database: Database,
    index: SearchIndex,
    plan: SearchPlan,
    principals: list[str] | None,
) -> dict[str, t.Any]:
    """The GSearchResult of a checked plan: from the index's tantivy copy when it can
    answer exactly, else from SQL."""
    store = store_for(database)
    if store is not None:
        found = tantivy_search(session, store, index, plan, principals)
        if found is not None:
            return found
    return run_search(session, backend_for(database), index.id, plan, principals)


def scroll(
    session: Session, database: Database, index_id: str, caller: Caller, body: t.Any
) -> dict[str, t.Any]:
    """A GScrollRequest run on an open index: one page of every matching subject, with the
    marker of the next."""
    index = get_index(session, index_id)
    access.require_open(index)
    plan, marker = build_scroll_plan(body)
    after = _scroll_position(marker, index.id)
    principals = access.visible_principals(session, index, caller, plan.bypass_visible_to)
    return run_scroll(session, backend_for(database), index.id, plan, principals, after)


def _scroll_position(marker: str | None, index_id: str) -> str | None:
    """The subject a marker says the next page starts after; a marker this index did not
    hand out is a 400."""
    position = decode_marker(marker)
    if position is None:
        return None
    after = position.get("after")
    if position.get("index") != index_id or not isinstance(after, str):
        raise validation_error("Invalid marker: not one this index handed out", "marker")
    return after
