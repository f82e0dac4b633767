"""Where each Globus service lives in each named environment.

Production and the hosted test environments follow the public naming scheme
(``https://<service>.api.<domain>/``, except Auth which has no ``.api``); the ``local``
environment points every service at one self-hosted globus-local server, one path
prefix per service.
"""

from __future__ import annotations

import os

from globus_sdk.config.env_vars import _read, get_environment_name
from globus_sdk.exc import GlobusSDKUsageError

LOCAL_URL_VAR = "GLOBUS_LOCAL_URL"
DEFAULT_LOCAL_URL = "http://127.0.0.1:8700/"

#: domain of each hosted environment
ENVIRONMENT_DOMAINS: dict[str, str] = {
    "production": "globus.org",
    "preview": "preview.globus.org",
    "sandbox": "sandbox.globuscs.info",
    "integration": "integration.globuscs.info",
    "test": "test.globuscs.info",
    "staging": "staging.globuscs.info",
}
#: services whose hostname is ``<service>.<domain>`` rather than ``<service>.api.<domain>``
NO_DOTAPI_SERVICES = frozenset({"auth"})

LOCAL_ENVIRONMENT = "local"
KNOWN_ENVIRONMENTS = (*ENVIRONMENT_DOMAINS, LOCAL_ENVIRONMENT)


def _with_slash(url: str) -> str:
    return url if url.endswith("/") else url + "/"


def get_local_root() -> str:
    """Root URL of the globus-local server (``GLOBUS_LOCAL_URL``), with a trailing slash."""
    return _with_slash(_read(LOCAL_URL_VAR) or DEFAULT_LOCAL_URL)


def _check_environment(environment: str) -> str:
    if environment not in KNOWN_ENVIRONMENTS:
        raise GlobusSDKUsageError(
            f"unknown Globus environment {environment!r}; "
            f"expected one of: {', '.join(KNOWN_ENVIRONMENTS)}"
        )
    return environment


def get_service_url(service: str, environment: str | None = None) -> str:
    """The base URL (with trailing slash) of ``service`` in ``environment``.

    ``GLOBUS_SDK_SERVICE_URL_<SERVICE>`` overrides everything, so one service can be
    redirected (e.g. to a proxy) while the rest follow the environment.
    """
    override = _read(f"GLOBUS_SDK_SERVICE_URL_{service.upper()}")
    if override is not None:
        return _with_slash(override)
    env = _check_environment(get_environment_name(environment))
    if env == LOCAL_ENVIRONMENT:
        return f"{get_local_root()}{service}/"
    domain = ENVIRONMENT_DOMAINS[env]
    if service in NO_DOTAPI_SERVICES:
        return f"https://{service}.{domain}/"
    return f"https://{service}.api.{domain}/"


def get_webapp_url(environment: str | None = None) -> str:
    """The URL of the Globus web app for ``environment`` (used in user-facing links)."""
    override = os.environ.get("GLOBUS_SDK_SERVICE_URL_APP")
    if override:
        return _with_slash(override)
    env = _check_environment(get_environment_name(environment))
    if env == LOCAL_ENVIRONMENT:
        return f"{get_local_root()}app/"
    return f"https://app.{ENVIRONMENT_DOMAINS[env]}/"
