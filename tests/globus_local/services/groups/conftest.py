"""Groups fixtures: users with Groups tokens against a live server, and a fresh group.
The helpers are in ``support.py``."""

from __future__ import annotations

import pytest

from globus_local.testing import LocalServer

from .support import GroupsUser, MakeUser, groups_user_factory


@pytest.fixture
def make_user(platform_server: LocalServer) -> MakeUser:
    """Fresh users on the platform (once on SQLite, once on PostgreSQL)."""
    return groups_user_factory(platform_server)


@pytest.fixture
def admin(make_user: MakeUser) -> GroupsUser:
    return make_user("admin")


@pytest.fixture
def group_id(admin: GroupsUser) -> str:
    """A fresh group with default policies, administered by ``admin``."""
    return str(admin.manager.create_group("Test group", "for tests")["id"])
