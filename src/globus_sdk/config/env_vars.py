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

_TRUE_STRINGS = frozenset({"1", "yes", "true", "on"})
_FALSE_STRINGS = frozenset({"0", "no", "false", "off"})


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

    ``GLOBUS_SDK_VERIFY_SSL`` accepts true/false spellings (1/0, yes/no, on/off) or the
    path to an existing CA bundle file or directory.
    """
    if value is not None:
        return value
    raw = _read(SSL_VERIFY_VAR)
    if raw is None:
        return True
    lowered = raw.lower()
    if lowered in _TRUE_STRINGS:
        return True
    if lowered in _FALSE_STRINGS:
        return False
    if os.path.exists(raw):
        return raw
    raise ValueError(
        f"{SSL_VERIFY_VAR}={raw!r} is neither a boolean nor the path of an existing CA bundle"
    )
