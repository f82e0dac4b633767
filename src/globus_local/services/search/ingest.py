"""Ingest documents: validating GIngest/GMetaEntry/GMetaList, and writing entries.

Validation happens in the request (so bad documents get a 400 at once); writing happens in
the ingest job, through :func:`upsert_entries` and :func:`delete_entries`.
"""

from __future__ import annotations

import json
import typing as t

from sqlalchemy import delete, select, tuple_
from sqlalchemy.orm import Session

from globus_local.db import utcnow
from globus_local.db.bulk import insert_rows
from globus_local.kit.errors import ServiceError
from globus_local.services.search.backends.base import FullTextBackend
from globus_local.services.search.bulk import insert_many
from globus_local.services.search.errors import validation_error
from globus_local.services.search.limits import (
    MAX_FIELD_DEPTH,
    MAX_JSON_DEPTH,
    MAX_VISIBLE_TO,
)
from globus_local.services.search.models import (
    SearchEntry,
    SearchEntryContent,
    SearchField,
    SearchVisibility,
)
from globus_local.services.search.shape import check_json, check_scalar
from globus_local.services.search.tantivy_store import Changes, EntryDoc
from globus_local.services.search.text import FieldValue, flatten

_entries = SearchEntry.__table__
_contents = SearchEntryContent.__table__
_fields = SearchField.__table__
_visibility = SearchVisibility.__table__
# search_fields columns in the order of a row: entry, index, then a FieldValue's fields.
FIELD_COLUMNS = ("entry_pk", "index_id", *FieldValue._fields)

PUBLIC = "public"
ALL_AUTHENTICATED = "all_authenticated_users"
IDENTITY_URN = "urn:globus:auth:identity:"
GROUP_URN = "urn:globus:groups:id:"


def entry_key(entry_id: str | None) -> str:
    return "" if entry_id is None else "=" + entry_id


def _missing(path: str) -> ServiceError:
    return validation_error("Missing data for required field.", path)


def _check_visible_to(visible_to: t.Any, path: str) -> None:
    if visible_to is None:
        raise _missing(path)
    if not isinstance(visible_to, list) or not visible_to:
        raise validation_error("visible_to must be a non-empty list.", path)
    if len(visible_to) > MAX_VISIBLE_TO:
        raise validation_error(f"visible_to may list at most {MAX_VISIBLE_TO} principals.", path)
    for principal in visible_to:
        if not isinstance(principal, str) or not (
            principal in (PUBLIC, ALL_AUTHENTICATED)
            or (principal.startswith(IDENTITY_URN) and len(principal) > len(IDENTITY_URN))
            or (principal.startswith(GROUP_URN) and len(principal) > len(GROUP_URN))
        ):
            raise validation_error(f"Invalid principal in visible_to: {principal!r}.", path)
        check_scalar(principal, path)


def _check_content(content: t.Any, path: str) -> None:
    """Content is served back on every read: refuse now what could not be (too deep, NaN...)."""
    if content is None:
        raise _missing(path)
    if not isinstance(content, dict):
        raise validation_error("content must be an object.", path)
    check_json(content, path, max_objects=MAX_FIELD_DEPTH, max_containers=MAX_JSON_DEPTH)


def validate_entry(doc: t.Any, path: str) -> dict[str, t.Any]:
    """A GMetaEntry as ``{subject, id, visible_to, content}``; 400 naming the bad field."""
    if not isinstance(doc, dict):
        raise validation_error("Invalid input type: a GMetaEntry must be an object.", path)
    datatype = doc.get("@datatype", "GMetaEntry")
    if datatype != "GMetaEntry":
        raise validation_error(f"Expected @datatype GMetaEntry, got {datatype!r}.", path)
    subject = doc.get("subject")
    if subject is None:
        raise _missing(f"{path}.subject")
    if not isinstance(subject, str) or not subject:
        raise validation_error("subject must be a non-empty string.", f"{path}.subject")
    check_scalar(subject, f"{path}.subject")
    entry_id = doc.get("id")
    if entry_id is not None and not isinstance(entry_id, str):
        raise validation_error("id must be a string or null.", f"{path}.id")
    check_scalar(entry_id, f"{path}.id")
    visible_to: t.Any = doc.get("visible_to")  # a non-empty list once checked
    _check_visible_to(visible_to, f"{path}.visible_to")
    content = doc.get("content")
    _check_content(content, f"{path}.content")
    return {
        "subject": subject,
        "id": entry_id,
        "visible_to": list(dict.fromkeys(visible_to)),
        "content": content,
    }


def validate_gmeta_list(doc: t.Any, path: str) -> list[dict[str, t.Any]]:
    if not isinstance(doc, dict):
        raise validation_error("Invalid input type: a GMetaList must be an object.", path)
    gmeta = doc.get("gmeta")
    if gmeta is None:
        raise _missing(f"{path}.gmeta")
    if not isinstance(gmeta, list):
        raise validation_error("gmeta must be a list.", f"{path}.gmeta")
    return [validate_entry(item, f"{path}.gmeta.{i}") for i, item in enumerate(gmeta)]


def validate_ingest(body: t.Any) -> list[dict[str, t.Any]]:
    """The entries of an ingest request (a GIngest; a bare GMetaEntry/GMetaList is accepted)."""
    if not isinstance(body, dict):
        raise validation_error("The ingest document must be a JSON object.")
    if "ingest_type" not in body and "ingest_data" not in body:
        if body.get("@datatype") == "GMetaList" or "gmeta" in body:
            return validate_gmeta_list(body, "gmeta_list")
        return [validate_entry(body, "gmeta_entry")]
    ingest_type = body.get("ingest_type")
    if ingest_type is None:
        raise _missing("ingest_type")
    data = body.get("ingest_data")
    if data is None:
        raise _missing("ingest_data")
    if ingest_type == "GMetaEntry":
        return [validate_entry(data, "ingest_data")]
    if ingest_type == "GMetaList":
        return validate_gmeta_list(data, "ingest_data")
    raise validation_error("Must be one of: GMetaEntry, GMetaList.", "ingest_type")


# -- writing ----------------------------------------------------------------------------------


def delete_entries(
    session: Session,
    backend: FullTextBackend,
    pks: t.Sequence[int],
    changes: Changes | None = None,
) -> int:
    """Remove entries with their text, fields and visibility rows (and record their pks in
    ``changes``, for the tantivy copy)."""
    pks = list(pks)
    if not pks:
        return 0
    backend.remove(session, pks)
    if changes is not None:
        changes.removed.extend(pks)
    for start in range(0, len(pks), 500):
        chunk = pks[start : start + 500]
        session.execute(delete(_fields).where(_fields.c.entry_pk.in_(chunk)))
        session.execute(delete(_visibility).where(_visibility.c.entry_pk.in_(chunk)))
        session.execute(delete(_contents).where(_contents.c.entry_pk.in_(chunk)))
        session.execute(delete(_entries).where(_entries.c.pk.in_(chunk)))
    return len(pks)


def upsert_entries(
    session: Session,
    backend: FullTextBackend,
    index_id: str,
    entries: list[dict[str, t.Any]],
    changes: Changes | None = None,
) -> int:
    """Write entries; an entry with the key ``(subject, id)`` of an existing one replaces it.
    ``changes`` receives what the tantivy copy needs of each."""
    by_key: dict[tuple[str, str], dict[str, t.Any]] = {}
    for entry in entries:  # later duplicates win, as if ingested one after the other
        by_key[(entry["subject"], entry_key(entry["id"]))] = entry
    keys = list(by_key)
    existing: list[int] = []
    for start in range(0, len(keys), 400):
        chunk = keys[start : start + 400]
        existing.extend(
            session.scalars(
                select(_entries.c.pk).where(
                    _entries.c.index_id == index_id,
                    tuple_(_entries.c.subject, _entries.c.entry_key).in_(chunk),
                )
            )
        )
    delete_entries(session, backend, existing, changes)

    now = utcnow()
    rows = []
    flats = []
    for (subject, key), entry in by_key.items():
        content_json = json.dumps(entry["content"], separators=(",", ":"))
        rows.append(
            {
                "index_id": index_id,
                "subject": subject,
                "entry_id": entry["id"],
                "entry_key": key,
                "visible_to": entry["visible_to"],
                "is_public": PUBLIC in entry["visible_to"],
                "size_bytes": len(content_json),
                "modified": now,
            }
        )
        flats.append((content_json, flatten(entry["content"])))
    for start in range(0, len(rows), 1000):
        batch = rows[start : start + 1000]
        batch_flats = flats[start : start + 1000]
        pks = insert_rows(session, _entries, batch, returning_ids=True)
        field_rows: list[tuple[t.Any, ...]] = []
        vis_rows: list[tuple[int, str]] = []
        text_rows: list[tuple[int, str]] = []
        content_rows: list[tuple[int, str]] = []
        for pk, row, (content_json, flat) in zip(pks, batch, batch_flats, strict=True):
            text_rows.append((pk, flat.text))
            content_rows.append((pk, content_json))
            for principal in row["visible_to"]:
                if principal != PUBLIC:
                    vis_rows.append((pk, principal))
            field_rows.extend((pk, index_id, *f) for f in flat.fields)
            if changes is not None:
                changes.added.append(
                    EntryDoc(pk, row["subject"], flat.text, row["visible_to"], flat.fields)
                )
        insert_many(session, _contents.name, ("entry_pk", "content"), content_rows)
        insert_many(session, _fields.name, FIELD_COLUMNS, field_rows)
        insert_many(session, _visibility.name, ("entry_pk", "principal"), vis_rows)
        backend.add(session, text_rows)
    return len(rows)
