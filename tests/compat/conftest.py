"""Fixtures for running REAL globus-sdk / globus-cli releases (compat venvs) against
globus-local.

Each venv is built once (``tests/compat/venv.py``). When one cannot be built (no PyPI)
the tests needing it are skipped saying why — unless ``GLOBUS_LOCAL_COMPAT_REQUIRED=1``
(CI), which turns that into a failure.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.compat.venv import (
    APT,
    AUTOMATE_0_15,
    AUTOMATE_0_16,
    CLI_3_2,
    CLI_3_44,
    SDK_3_66,
    SDK_4_10,
    CompatUnavailable,
    CompatVenv,
    ensure_compat_venv,
)


def _python(venv: CompatVenv) -> Path:
    """The venv's python, or a skip (a failure where compat tests are required)."""
    try:
        return ensure_compat_venv(venv)
    except CompatUnavailable as exc:
        message = f"cannot build the compat venv {venv.name}: {exc}"
        if os.environ.get("GLOBUS_LOCAL_COMPAT_REQUIRED", "").lower() in ("1", "true", "yes"):
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="session")
def compat_python() -> Path:
    """The real globus-sdk 3.2.0 + globus-cli 3.2.0."""
    return _python(CLI_3_2)


@pytest.fixture(scope="session")
def compat_python_newest_sdk() -> Path:
    """The newest real globus-sdk (4.10.0)."""
    return _python(SDK_4_10)


@pytest.fixture(scope="session")
def compat_python_newest_cli() -> Path:
    """The newest real globus-cli (3.44.0, with the globus-sdk it pins)."""
    return _python(CLI_3_44)


@pytest.fixture(scope="session")
def compat_python_sdk3() -> Path:
    """The last real 3.x globus-sdk (3.66.0)."""
    return _python(SDK_3_66)


@pytest.fixture(scope="session")
def compat_python_apt() -> Path:
    """The real globus-action-provider-tools (0.21.0) with Flask."""
    return _python(APT)


@pytest.fixture(scope="session")
def compat_python_automate() -> Path:
    """The real globus-automate-client 0.16.1 (the last before its EOL stub)."""
    return _python(AUTOMATE_0_16)


@pytest.fixture(scope="session")
def compat_python_automate_0_15() -> Path:
    """The real globus-automate-client 0.15.0."""
    return _python(AUTOMATE_0_15)
