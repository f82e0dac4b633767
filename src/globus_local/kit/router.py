"""Where a service declares its routes: :class:`ServiceRouter`, a FastAPI ``APIRouter``
that remembers each registration, so the platform can register the same routes again in
the small per-group apps it dispatches to (``globus_local.routing``)."""

from __future__ import annotations

import typing as t
from dataclasses import dataclass

from fastapi import APIRouter


@dataclass(frozen=True)
class Registration:
    """One ``add_api_route`` call: the path under the service (router prefix included)."""

    path: str
    endpoint: t.Callable[..., t.Any]
    options: dict[str, t.Any]


class ServiceRouter(APIRouter):
    """An ``APIRouter`` that remembers its routes' registrations, in order."""

    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        super().__init__(*args, **kwargs)
        self.registrations: list[Registration] = []

    def add_api_route(self, path: str, endpoint: t.Callable[..., t.Any], **options: t.Any) -> None:
        self.registrations.append(Registration(self.prefix + path, endpoint, dict(options)))
        super().add_api_route(path, endpoint, **options)
