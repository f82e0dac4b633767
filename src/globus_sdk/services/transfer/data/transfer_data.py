"""TransferData: builds the document ``submit_transfer`` sends to ``POST /transfer``."""

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

#: sync_level names and the integers the service uses for them
SYNC_LEVELS: dict[str, int] = {"exists": 0, "size": 1, "mtime": 2, "checksum": 3}


def _sync_level_value(sync_level: int | str) -> int | str:
    """Map a sync_level name to its integer; integers and unknown values pass through
    (the service is the judge of what it accepts)."""
    if isinstance(sync_level, str):
        return SYNC_LEVELS.get(sync_level.lower(), sync_level)
    return sync_level


class TransferData(utils.PayloadWrapper):
    """Convenience class for constructing a transfer document, to use as the
    ``data`` parameter to :meth:`TransferClient.submit_transfer`.

    At least one item must be added using :meth:`add_item`. If ``submission_id``
    isn't passed, one is fetched with ``transfer_client.get_submission_id()``, so the
    document can be resubmitted as-is after a failure without creating a second task.

    :param transfer_client: used to get a submission ID if one is not supplied
    :param source_endpoint: The endpoint ID of the source endpoint
    :param destination_endpoint: The endpoint ID of the destination endpoint
    :param label: A string label for the Task
    :param submission_id: A submission ID value fetched via ``get_submission_id``
    :param sync_level: ``"exists"`` (0), ``"size"`` (1), ``"mtime"`` (2) or
        ``"checksum"`` (3): when a file already at the destination is transferred again
    :param verify_checksum: verify checksums after transfer, retrying on mismatch
    :param preserve_timestamp: set destination file mtimes to match the source
    :param encrypt_data: TLS-protect all data during transfer
    :param deadline: ISO-8601 string or datetime after which the task is canceled
    :param skip_source_errors: skip source paths that are missing or permission-denied
    :param fail_on_quota_errors: fail the task on quota-exceeded errors
    :param recursive_symlinks: ``"ignore"``, ``"keep"`` or ``"copy"`` symlinks found
        in recursive directory transfers
    :param delete_destination_extra: delete destination entries absent from the
        source (recursive transfers only)
    :param notify_on_succeeded: send a notification email when the task succeeds
    :param notify_on_failed: send a notification email when the task fails
    :param notify_on_inactive: send a notification email when the task goes inactive
    :param additional_fields: additional fields to be added to the transfer document
    """

    def __init__(
        self,
        transfer_client: TransferClient,
        source_endpoint: uuid.UUID | str,
        destination_endpoint: uuid.UUID | str,
        *,
        label: str | None = None,
        submission_id: uuid.UUID | str | None = None,
        sync_level: int | str | None = None,
        verify_checksum: bool = False,
        preserve_timestamp: bool = False,
        encrypt_data: bool = False,
        deadline: str | datetime.datetime | None = None,
        skip_source_errors: bool = False,
        fail_on_quota_errors: bool = False,
        recursive_symlinks: str = "ignore",
        delete_destination_extra: bool = False,
        notify_on_succeeded: bool | None = None,
        notify_on_failed: bool | None = None,
        notify_on_inactive: bool | None = None,
        additional_fields: dict[str, t.Any] | None = None,
    ) -> None:
        super().__init__()
        self["DATA_TYPE"] = "transfer"
        self["submission_id"] = resolve_submission_id(transfer_client, submission_id)
        self["source_endpoint"] = str(source_endpoint)
        self["destination_endpoint"] = str(destination_endpoint)
        self["verify_checksum"] = verify_checksum
        self["preserve_timestamp"] = preserve_timestamp
        self["encrypt_data"] = encrypt_data
        self["skip_source_errors"] = skip_source_errors
        self["fail_on_quota_errors"] = fail_on_quota_errors
        self["recursive_symlinks"] = recursive_symlinks
        self["delete_destination_extra"] = delete_destination_extra
        optional: dict[str, t.Any] = {
            "label": label,
            "sync_level": None if sync_level is None else _sync_level_value(sync_level),
            "deadline": None if deadline is None else format_deadline(deadline),
            "notify_on_succeeded": notify_on_succeeded,
            "notify_on_failed": notify_on_failed,
            "notify_on_inactive": notify_on_inactive,
        }
        self.update({k: v for k, v in optional.items() if v is not None})
        self["DATA"] = []
        self.update(additional_fields or {})
        log.debug(
            "TransferData %s -> %s (submission_id=%s)",
            self["source_endpoint"],
            self["destination_endpoint"],
            self["submission_id"],
        )

    def add_item(
        self,
        source_path: str,
        destination_path: str,
        *,
        recursive: bool = False,
        external_checksum: str | None = None,
        checksum_algorithm: str | None = None,
        additional_fields: dict[str, t.Any] | None = None,
    ) -> None:
        """Add a file or directory to be transferred. If the item is a symlink to a file
        or directory, the file or directory at the target of the symlink is transferred.

        Appends a ``transfer_item`` document to the ``DATA`` key of the transfer document.
        For file items give the full destination file path, not its parent directory.

        :param source_path: Path to the source directory or file to be transferred
        :param destination_path: Path to which the source directory or file will be
            transferred
        :param recursive: Set to True if the target at source path is a directory
        :param external_checksum: A checksum (MD5 unless ``checksum_algorithm`` says
            otherwise) to verify both source and destination file integrity; files only
        :param checksum_algorithm: the checksum algorithm for ``verify_checksum``,
            ``sync_level="checksum"`` or ``external_checksum``
        :param additional_fields: additional fields to be added to the transfer item
        """
        item: dict[str, t.Any] = {
            "DATA_TYPE": "transfer_item",
            "source_path": source_path,
            "destination_path": destination_path,
            "recursive": recursive,
            "external_checksum": external_checksum,
            "checksum_algorithm": checksum_algorithm,
        }
        item.update(additional_fields or {})
        log.debug("TransferData.add_item %s -> %s", source_path, destination_path)
        self["DATA"].append(item)

    def add_symlink_item(self, source_path: str, destination_path: str) -> None:
        """Add a symlink to be transferred as a symlink rather than as the target of the
        symlink.

        Appends a ``transfer_symlink_item`` document to the ``DATA`` key of the transfer
        document.

        :param source_path: Path to the source symlink
        :param destination_path: Path to which the source symlink will be transferred
        """
        log.debug("TransferData.add_symlink_item %s -> %s", source_path, destination_path)
        self["DATA"].append(
            {
                "DATA_TYPE": "transfer_symlink_item",
                "source_path": source_path,
                "destination_path": destination_path,
            }
        )

    def iter_items(self) -> t.Iterator[dict[str, t.Any]]:
        """An iterator of items created by ``add_item`` (and ``add_symlink_item``).

        Each item takes the form of a dictionary.
        """
        yield from self["DATA"]
