"""Flows fixtures: users with Flows tokens on a live server (SQLite and PostgreSQL).
The helpers are in ``support.py``."""

from __future__ import annotations

import pytest

from globus_local.testing import LocalServer

from .support import FlowsUser, MakeUser, flows_user_factory


@pytest.fixture
def make_user(platform_server: LocalServer) -> MakeUser:
    return flows_user_factory(platform_server)


@pytest.fixture
def owner(make_user: MakeUser) -> FlowsUser:
    return make_user("owner")
