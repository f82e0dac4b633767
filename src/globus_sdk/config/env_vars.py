"""Reading the ``GLOBUS_SDK_*`` environment variables.

Explicit values passed by the caller always win; the environment is consulted only when a
value was not given (None).
"""

from __future__ import annotations

import logging
import os

log = logging.getLogger(__name__)

ENVNAME_VAR = "GLOBUS_SDK_ENVIRONMENT"
HTTP_TIMEOUT_VAR = "GLOBUS_SDK_HTTP_TIMEOUT"
SSL_VERIFY_VAR = "GLOBUS_SDK_VERIFY_SSL"

DEFAULT_HTTP_TIMEOUT = 60.0

# the spellings of Python's old ``distutils.util.strtobool``, compared case-insensitively
_TRUE_STRINGS = frozenset({"y", "yes", "t", "true", "on", "1"})
_FALSE_STRINGS = frozenset({"n", "no", "f", "false", "off", "0"})


def _read(name: str) -> str | None:
    """The stripped value of an environment variable; empty counts as unset."""
    value = os.environ.get(name)
    if value is None:
        return None
    value = value.strip()
    return value or None


def get_environment_name(inputenv: str | None = None) -> str:
    """The environment name: the argument, else ``GLOBUS_SDK_ENVIRONMENT``, else production."""
    if inputenv is not None:
        return inputenv
    return _read(ENVNAME_VAR) or "production"


def get_http_timeout(value: float | None = None) -> float | None:
    """The HTTP timeout in seconds; ``-1`` (argument or env var) means no timeout (None)."""
    if value is None:
        raw = _read(HTTP_TIMEOUT_VAR)
        if raw is None:
            return DEFAULT_HTTP_TIMEOUT
        try:
            value = float(raw)
        except ValueError:
            raise ValueError(f"{HTTP_TIMEOUT_VAR}={raw!r} is not a number") from None
    if value == -1:
        return None
    return float(value)


def get_ssl_verify(value: bool | str | None = None) -> bool | str:
    """Whether to verify TLS certificates, or the path of a CA bundle to verify against.

    The argument, else ``GLOBUS_SDK_VERIFY_SSL``, is a bool or a string: a boolean spelling
    (``t``/``f``, ``true``/``false``, ``y``/``n``, ``yes``/``no``, ``on``/``off``, ``1``/``0``,
    in any case) or the path of an existing CA bundle file or directory.
    """
    if isinstance(value, bool):
        return value
    raw = value if value is not None else _read(SSL_VERIFY_VAR)
    if raw is None:
        return True
    lowered = raw.strip().lower()
    if lowered in _TRUE_STRINGS:
        return True
    if lowered in _FALSE_STRINGS:
        return False
    if os.path.exists(raw):
        return raw
    raise ValueError(
        f"{SSL_VERIFY_VAR}={raw!r} is neither a boolean nor the path of an existing CA bundle"
    )
