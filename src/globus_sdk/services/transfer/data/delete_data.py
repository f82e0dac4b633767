"""DeleteData: builds the document ``submit_delete`` sends to ``POST /delete``."""

from __future__ import annotations

import datetime
import logging
import typing as t
import uuid

from globus_sdk import utils
from globus_sdk.services.transfer.data._common import format_deadline, resolve_submission_id

if t.TYPE_CHECKING:
    from globus_sdk.services.transfer.client import TransferClient

log = logging.getLogger(__name__)


class DeleteData(utils.PayloadWrapper):
    """Convenience class for constructing a delete document, to use as the
    ``data`` parameter to :meth:`TransferClient.submit_delete`.

    At least one item must be added using :meth:`add_item`. If ``submission_id``
    isn't passed, one is fetched with ``transfer_client.get_submission_id()``, so the
    document can be resubmitted as-is after a failure without creating a second task.

    :param transfer_client: used to get a submission ID if one is not supplied
    :param endpoint: The endpoint ID which is targeted by this deletion Task
    :param label: A string label for the Task
    :param submission_id: A submission ID value fetched via ``get_submission_id``
    :param recursive: Recursively delete subdirectories on the target endpoint
    :param deadline: ISO-8601 string or datetime after which the task is canceled
    :param ignore_missing: do not fail the task when a path does not exist
    :param interpret_globs: treat ``*``, ``?`` and ``[...]`` in paths as glob patterns
    :param notify_on_succeeded: send a notification email when the task succeeds
    :param notify_on_failed: send a notification email when the task fails
    :param notify_on_inactive: send a notification email when the task goes inactive
    :param additional_fields: additional fields to be added to the delete document
    """

    def __init__(
        self,
        transfer_client: TransferClient,
        endpoint: uuid.UUID | str,
        *,
        label: str | None = None,
        submission_id: uuid.UUID | str | None = None,
        recursive: bool = False,
        deadline: str | datetime.datetime | None = None,
        ignore_missing: bool | None = None,
        interpret_globs: bool | None = None,
        notify_on_succeeded: bool | None = None,
        notify_on_failed: bool | None = None,
        notify_on_inactive: bool | None = None,
        additional_fields: dict[str, t.Any] | None = None,
    ) -> None:
        super().__init__()
        self["DATA_TYPE"] = "delete"
        self["submission_id"] = resolve_submission_id(transfer_client, submission_id)
        self["endpoint"] = str(endpoint)
        self["recursive"] = recursive
        optional: dict[str, t.Any] = {
            "label": label,
            "deadline": None if deadline is None else format_deadline(deadline),
            "ignore_missing": ignore_missing,
            "interpret_globs": interpret_globs,
            "notify_on_succeeded": notify_on_succeeded,
            "notify_on_failed": notify_on_failed,
            "notify_on_inactive": notify_on_inactive,
        }
        self.update({k: v for k, v in optional.items() if v is not None})
        self["DATA"] = []
        self.update(additional_fields or {})
        log.debug("DeleteData on %s (submission_id=%s)", self["endpoint"], self["submission_id"])

    def add_item(self, path: str, *, additional_fields: dict[str, t.Any] | None = None) -> None:
        """Add a file or directory or symlink to be deleted. If any of the paths are
        directories, ``recursive`` must be set True on the top level DeleteData.
        Symlinks will never be followed, only deleted.

        Appends a ``delete_item`` document to the ``DATA`` key of the delete document.

        :param path: the path to delete
        :param additional_fields: additional fields to be added to the delete item
        """
        item: dict[str, t.Any] = {"DATA_TYPE": "delete_item", "path": path}
        item.update(additional_fields or {})
        log.debug("DeleteData.add_item %s", path)
        self["DATA"].append(item)

    def iter_items(self) -> t.Iterator[dict[str, t.Any]]:
        """An iterator of items created by ``add_item``.

        Each item takes the form of a dictionary.
        """
        yield from self["DATA"]
