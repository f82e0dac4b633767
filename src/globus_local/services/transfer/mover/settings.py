"""The mover's settings from the environment, read when a run starts (the number of copy
processes, ``GLOBUS_LOCAL_TRANSFER_PROCESSES``, is read by :mod:`.procs`)."""

from __future__ import annotations

import os

THREADS = 4  # threads per task for large files and remote storage
SMALL_LANES = 2  # threads for small local files, each on its own folders


def _env_float(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return default


def default_threads() -> int:
    """``GLOBUS_LOCAL_TRANSFER_THREADS``: the thread pool of a task's file phase."""
    return max(1, int(_env_float("GLOBUS_LOCAL_TRANSFER_THREADS", THREADS)))


def small_lanes() -> int:
    """``GLOBUS_LOCAL_TRANSFER_LANES``: threads for units of small local files."""
    return max(1, int(_env_float("GLOBUS_LOCAL_TRANSFER_LANES", SMALL_LANES)))


def file_delay() -> float:
    """``GLOBUS_LOCAL_TRANSFER_FILE_DELAY``: seconds to sleep per file, for tests that stop
    a run midway (0: none)."""
    return _env_float("GLOBUS_LOCAL_TRANSFER_FILE_DELAY", 0.0)
