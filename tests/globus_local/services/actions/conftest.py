"""Actions fixtures: a live platform (SQLite and PostgreSQL) and users holding tokens for
the providers' scopes. The helpers are in ``support.py``."""

from __future__ import annotations

import typing as t

import pytest

from globus_local.services.actions.urls import HOSTED_PROVIDERS
from globus_local.services.auth.scopes import SEARCH_ALL, TRANSFER_ALL
from globus_local.testing import LocalServer

from .support import Caller, make_caller

# Every provider's scope, and the services' own for setting up endpoints and indices.
ALL_SCOPES = sorted({*HOSTED_PROVIDERS.values(), TRANSFER_ALL, SEARCH_ALL})


@pytest.fixture
def actions_server(platform_server: LocalServer) -> LocalServer:
    return platform_server


@pytest.fixture
def make_user(actions_server: LocalServer) -> t.Callable[..., Caller]:
    """``make_user(scopes=ALL_SCOPES)``: a fresh user with tokens for ``scopes``."""

    def make(scopes: t.Sequence[str] = ALL_SCOPES, prefix: str = "act") -> Caller:
        return make_caller(actions_server, scopes, prefix)

    return make


@pytest.fixture
def alice(make_user: t.Callable[..., Caller]) -> Caller:
    return make_user(prefix="alice")


@pytest.fixture
def bob(make_user: t.Callable[..., Caller]) -> Caller:
    return make_user(prefix="bob")
