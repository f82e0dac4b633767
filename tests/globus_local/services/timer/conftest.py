"""Timers fixtures: users with Timers tokens on a live server (SQLite and PostgreSQL),
which take one-second intervals. The helpers are in ``support.py``."""

from __future__ import annotations

import typing as t

import pytest

from globus_local.testing import LocalServer

from .support import (
    MakeUser,
    TimersUser,
    restore_min_interval,
    set_test_min_interval,
    timers_user_factory,
)


@pytest.fixture(autouse=True, scope="module")
def _short_intervals() -> t.Iterator[None]:
    previous = set_test_min_interval()
    yield
    restore_min_interval(previous)


@pytest.fixture
def make_user(platform_server: LocalServer) -> MakeUser:
    return timers_user_factory(platform_server)


@pytest.fixture
def user(make_user: MakeUser) -> TimersUser:
    return make_user("timer-user")
