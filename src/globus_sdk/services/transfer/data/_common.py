"""Pieces shared by the task documents: submission IDs and deadlines."""

from __future__ import annotations

import datetime
import logging
import typing as t
import uuid

if t.TYPE_CHECKING:
    from globus_sdk.services.transfer.client import TransferClient

log = logging.getLogger(__name__)


def resolve_submission_id(
    transfer_client: TransferClient, submission_id: uuid.UUID | str | None
) -> str:
    """The given submission ID, or a fresh one from the service (``GET /submission_id``).

    Fetching it once, up front, is what makes resubmitting the same document safe.
    """
    if submission_id is not None:
        return str(submission_id)
    log.debug("fetching a submission_id for a new task document")
    return str(transfer_client.get_submission_id()["value"])


def format_deadline(deadline: str | datetime.datetime) -> str:
    """A deadline as the ISO-8601 string the service accepts (datetimes are str()'d)."""
    return str(deadline)
