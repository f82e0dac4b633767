"""Fixtures for running the REAL globus-sdk / globus-cli (compat venv) against globus-local.

The venv is built once (``tests/compat/venv.py``). When it cannot be built (no PyPI) the
tests are skipped saying why — unless ``GLOBUS_LOCAL_COMPAT_REQUIRED=1`` (CI), which turns
that into a failure.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.compat.venv import CompatUnavailable, ensure_compat_venv


@pytest.fixture(scope="session")
def compat_python() -> Path:
    """The compat venv's python (real globus-sdk 3.2.0 + globus-cli 3.2.0)."""
    try:
        return ensure_compat_venv()
    except CompatUnavailable as exc:
        message = f"cannot build the compat venv with the real globus-sdk/globus-cli: {exc}"
        if os.environ.get("GLOBUS_LOCAL_COMPAT_REQUIRED", "").lower() in ("1", "true", "yes"):
            pytest.fail(message)
        pytest.skip(message)
