"""Fixtures for the automate client's live tests: a user with tokens minted for whatever
scope a test asks for, and clients built the documented way (``new_client``)."""

from __future__ import annotations

import typing as t

import pytest

from tests.globus_automate_client.support import AutomateUser


@pytest.fixture
def automate_user(globus_local_server: t.Any) -> AutomateUser:
    return AutomateUser.new(globus_local_server)
