"""The durable data mover: each Transfer task is one job (kind ``transfer.task``) on the
platform's job queue; see :mod:`.runner` for how progress survives a dead worker."""

from __future__ import annotations

from globus_local.services.transfer.mover.handler import JOB_KIND, run_transfer_task

__all__ = ["JOB_KIND", "run_transfer_task"]
