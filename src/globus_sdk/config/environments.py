"""Where each Globus service lives in each named environment.

Every environment is an :class:`EnvConfig` subclass, and defining a subclass registers it
under its ``envname``; this is how callers add environments of their own. A service's URL
is the class's ``<service>_url`` attribute when it has one, else the public naming scheme
``https://<service>.api.<domain>/`` (Auth has no ``.api``). The ``local`` environment
instead puts every service under one self-hosted globus-local server, one path prefix per
service.
"""

from __future__ import annotations

import logging
import os
import typing as t

from globus_sdk.config.env_vars import _read, get_environment_name
from globus_sdk.exc import GlobusSDKUsageError

log = logging.getLogger(__name__)

SERVICE_URL_VAR_FORMAT = "GLOBUS_SDK_SERVICE_URL_{}"
LOCAL_URL_VAR = "GLOBUS_LOCAL_URL"
DEFAULT_LOCAL_URL = "http://127.0.0.1:8700/"


class EnvConfig:
    """One named Globus environment; subclasses register themselves by ``envname``.

    A subclass sets ``envname`` and ``domain``; a ``<service>_url`` attribute (e.g.
    ``transfer_url = "https://xfer.example.org/"``) pins one service's URL.
    """

    envname: str
    domain: str
    #: services whose hostname is ``<service>.<domain>`` rather than ``<service>.api.<domain>``
    no_dotapi: list[str] = ["auth"]

    # one dict shared by the whole hierarchy, filled in as subclasses are defined
    _registry: dict[str, type[EnvConfig]] = {}

    def __init_subclass__(cls, **kwargs: t.Any) -> None:
        super().__init_subclass__(**kwargs)
        EnvConfig._registry[cls.envname] = cls

    @classmethod
    def get_service_url(cls, service: str) -> str:
        """The base URL of ``service`` here: its ``<service>_url`` attribute, else by domain."""
        pinned = getattr(cls, f"{service}_url", None)
        if pinned is not None:
            return t.cast(str, pinned)
        if service in cls.no_dotapi:
            return f"https://{service}.{cls.domain}/"
        return f"https://{service}.api.{cls.domain}/"

    @classmethod
    def get_webapp_url(cls) -> str:
        """The Globus web app of this environment (an ``app_url`` attribute wins)."""
        pinned = getattr(cls, "app_url", None)
        if pinned is not None:
            return t.cast(str, pinned)
        return f"https://app.{cls.domain}/"

    @classmethod
    def get_by_name(cls, envname: str) -> type[EnvConfig] | None:
        """The registered environment called ``envname``, or None."""
        return cls._registry.get(envname)


def get_service_url(environment: str, service: str) -> str:
    """The base URL of ``service`` in ``environment``.

    ``GLOBUS_SDK_SERVICE_URL_<SERVICE>`` overrides everything (returned as given), so one
    service can be redirected (e.g. to a proxy) while the rest follow the environment.

    :raises GlobusSDKUsageError: (a ValueError) if no environment of that name is registered
    """
    override = os.getenv(SERVICE_URL_VAR_FORMAT.format(service.upper()))
    if override:
        log.debug("service URL of %s from the environment: %s", service, override)
        return override
    return _lookup(environment).get_service_url(service)


def get_webapp_url(environment: str | None = None) -> str:
    """The URL of the Globus web app (``GLOBUS_SDK_SERVICE_URL_APP`` overrides it)."""
    override = os.getenv(SERVICE_URL_VAR_FORMAT.format("APP"))
    if override:
        return override
    return _lookup(get_environment_name(environment)).get_webapp_url()


def _lookup(environment: str) -> type[EnvConfig]:
    conf = EnvConfig.get_by_name(environment)
    if conf is None:
        raise GlobusSDKUsageError(f'Unrecognized environment "{environment}"')
    return conf


def _with_slash(url: str) -> str:
    return url if url.endswith("/") else url + "/"


def get_local_root() -> str:
    """Root URL of the globus-local server (``GLOBUS_LOCAL_URL``), with a trailing slash."""
    return _with_slash(_read(LOCAL_URL_VAR) or DEFAULT_LOCAL_URL)


# -- public environments --------------------------------------------------------------


class ProductionEnvConfig(EnvConfig):
    envname = "production"
    domain = "globus.org"
    nexus_url = "https://nexus.api.globusonline.org/"


class PreviewEnvConfig(EnvConfig):
    envname = "preview"
    domain = "preview.globus.org"


# -- Globus's internal environments ---------------------------------------------------


class SandboxEnvConfig(EnvConfig):
    envname = "sandbox"
    domain = "sandbox.globuscs.info"


class IntegrationEnvConfig(EnvConfig):
    envname = "integration"
    domain = "integration.globuscs.info"


class TestEnvConfig(EnvConfig):
    envname = "test"
    domain = "test.globuscs.info"


class StagingEnvConfig(EnvConfig):
    envname = "staging"
    domain = "staging.globuscs.info"


# -- the self-hosted server -----------------------------------------------------------


class LocalEnvConfig(EnvConfig):
    """A globus-local server: every service (and the web app) at ``<root><service>/``.

    The root is read from ``GLOBUS_LOCAL_URL`` at each lookup, so it can change at run time.
    """

    envname = "local"
    domain = "localhost"

    @classmethod
    def get_service_url(cls, service: str) -> str:
        pinned = getattr(cls, f"{service}_url", None)
        if pinned is not None:
            return t.cast(str, pinned)
        return f"{get_local_root()}{service}/"

    @classmethod
    def get_webapp_url(cls) -> str:
        return cls.get_service_url("app")
