"""Changes to an index's entries: each request is checked in full, then queued as a task
(``tasks.py``) that a job worker applies, as Globus Search answers with a task id."""

from __future__ import annotations

import typing as t

from sqlalchemy.orm import Session

from globus_local.kit.errors import RequestTooLarge
from globus_local.services.search.access import Caller, writable_index
from globus_local.services.search.entries import ALL_ENTRIES, require_entries
from globus_local.services.search.errors import validation_error
from globus_local.services.search.ingest import validate_entry, validate_ingest
from globus_local.services.search.limits import MAX_DELETE_SUBJECTS, MAX_INGEST_BYTES
from globus_local.services.search.query.request import build_plan
from globus_local.services.search.shape import check_scalar
from globus_local.services.search.tasks import (
    DELETE_BY_QUERY,
    DELETE_BY_SUBJECT,
    DELETE_ENTRY,
    INGEST,
    submit_response,
    submit_task,
)


def _check_size(size: int) -> None:
    """413 for ingest documents over the service's limit, however they were sent (a
    Content-Length header may be absent, and re-encoding the parsed body may fail)."""
    if size > MAX_INGEST_BYTES:
        raise RequestTooLarge(
            f"Request body of {size} bytes exceeds the limit of {MAX_INGEST_BYTES} bytes"
        )


def ingest(
    session: Session, index_id: str, caller: Caller, body: t.Any, size: int
) -> dict[str, t.Any]:
    """A GIngest document (``size`` bytes as sent) queued for the index."""
    index = writable_index(session, index_id, caller)
    _check_size(size)
    entries = validate_ingest(body)
    return submit_response(submit_task(session, index, INGEST, {"entries": entries}))


def put_entry(
    session: Session, index_id: str, caller: Caller, body: t.Any, size: int
) -> dict[str, t.Any]:
    """One GMetaEntry queued for the index."""
    index = writable_index(session, index_id, caller)
    _check_size(size)
    entry = validate_entry(body, "gmeta_entry")
    return submit_response(submit_task(session, index, INGEST, {"entries": [entry]}))


def delete_by_query(
    session: Session, index_id: str, caller: Caller, body: t.Any
) -> dict[str, t.Any]:
    index = writable_index(session, index_id, caller)
    build_plan(body, paging=False)  # reject bad queries now, not in the job
    query = {k: body[k] for k in ("q", "advanced", "filters") if k in body}
    return submit_response(submit_task(session, index, DELETE_BY_QUERY, {"query": query}))


def delete_subjects(
    session: Session, index_id: str, caller: Caller, body: t.Any
) -> dict[str, t.Any]:
    """``{"subjects": [...]}``: every entry of each subject, at most MAX_DELETE_SUBJECTS."""
    index = writable_index(session, index_id, caller)
    subjects = body.get("subjects") if isinstance(body, dict) else None
    if not isinstance(subjects, list) or not all(isinstance(s, str) for s in subjects):
        raise validation_error("Must be a list of strings.", "subjects")
    if len(subjects) > MAX_DELETE_SUBJECTS:
        raise validation_error(f"At most {MAX_DELETE_SUBJECTS} subjects per request.", "subjects")
    for i, subject in enumerate(subjects):
        check_scalar(subject, f"subjects.{i}")
    return submit_response(submit_task(session, index, DELETE_BY_SUBJECT, {"subjects": subjects}))


def delete_subject(
    session: Session, index_id: str, caller: Caller, subject: str
) -> dict[str, t.Any]:
    """Every entry of one subject the index holds (404 if it holds none)."""
    index = writable_index(session, index_id, caller)
    require_entries(session, index.id, subject, ALL_ENTRIES)
    return submit_response(submit_task(session, index, DELETE_BY_SUBJECT, {"subjects": [subject]}))


def delete_entry(
    session: Session, index_id: str, caller: Caller, subject: str, entry_id: str | None
) -> dict[str, t.Any]:
    """One entry the index holds (404 if it does not)."""
    index = writable_index(session, index_id, caller)
    require_entries(session, index.id, subject, entry_id)
    payload = {"subject": subject, "entry_id": entry_id}
    return submit_response(submit_task(session, index, DELETE_ENTRY, payload))
