"""How a service plugs into the platform: a name (its URL prefix), routes and error shape."""

from __future__ import annotations

import importlib
import typing as t
from dataclasses import dataclass, field
from types import ModuleType

from fastapi import APIRouter

from globus_local.kit.errors import ErrorFormatter, default_error_document
from globus_local.kit.router import ServiceRouter
from globus_local.kit.text import TextRule

# Every service the platform serves, by the name the SDK uses for it (GLOBUS_SDK_SERVICE_URL_<NAME>).
# A service is listed here once its package exists.
SERVICE_NAMES: tuple[str, ...] = (
    "actions",
    "auth",
    "flows",
    "gcs",
    "groups",
    "search",
    "timer",
    "transfer",
)


@dataclass(frozen=True)
class Service:
    """A service: its name (the URL prefix), its routers and its error document.

    ``routers`` are tried in order; every route is served under ``api_prefix`` (e.g.
    Transfer's ``/v0.10``). ``text_rule`` says how the service refuses request text no
    database stores (see :mod:`globus_local.kit.text`)."""

    name: str
    routers: tuple[ServiceRouter, ...]
    format_error: ErrorFormatter = field(default=default_error_document)
    api_prefix: str = ""
    text_rule: TextRule = field(default_factory=TextRule)
    # Routes served at the platform root rather than under /<name>/ (e.g. Auth's OIDC
    # discovery, which some clients look for at the host root).
    root_router: APIRouter | None = None
    # Called where job workers start (``serve``, ``worker``), to get ready for work ahead of
    # the first job; must return at once.
    warm_up: t.Callable[[], None] | None = None
    # Called where job workers stop, to let go of what warm_up started.
    cool_down: t.Callable[[], None] | None = None
    # The modules that define the service's tables: loading them completes the schema.
    models: tuple[ModuleType, ...] = ()

    @property
    def prefix(self) -> str:
        return f"/{self.name}"


def warm_up(services: t.Iterable[Service]) -> None:
    for service in services:
        if service.warm_up is not None:
            service.warm_up()


def cool_down(services: t.Iterable[Service]) -> None:
    for service in services:
        if service.cool_down is not None:
            service.cool_down()


def load_services(names: tuple[str, ...] = SERVICE_NAMES) -> list[Service]:
    """Import ``globus_local.services.<name>`` and take its module-level ``service``."""
    return [importlib.import_module(f"globus_local.services.{n}").service for n in names]


def load_models() -> list[ModuleType]:
    """Every module that defines tables (the job queue's and each service's declared
    ones), so ``Base.metadata`` holds the whole schema."""
    from globus_local.jobs import models as job_models

    return [job_models, *(m for service in load_services() for m in service.models)]
