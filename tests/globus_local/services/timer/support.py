"""Timers test helpers: users with a Timers token calling the service over raw HTTP,
endpoints with files to move, and transfer timers to make."""

from __future__ import annotations

import os
import time
import typing as t
from pathlib import Path

from globus_local.services.auth.scopes import TIMER, TIMER_RS
from globus_local.services.timer.schedules import MIN_INTERVAL_ENV
from globus_local.services.transfer.admin import create_endpoint
from globus_local.testing import LocalServer
from tests.support.platform import ApiUser, user_factory

MakeUser = t.Callable[..., "TimersUser"]
# The shortest interval the tests' servers accept, so recurring timers run within seconds.
TEST_MIN_INTERVAL = "1"


class TimersUser(ApiUser):
    """A user with a Timers token; ``base_url`` is the service's root (``.../timer/``)."""

    def endpoints(self, server: LocalServer, root: Path) -> tuple[str, str]:
        """A source endpoint holding ``data/a.txt`` and ``data/b.txt`` and an empty
        destination, both the user's own: their ids."""
        src, dst = root / "src", root / "dst"
        (src / "data").mkdir(parents=True)
        (src / "data" / "a.txt").write_text("alpha\n")
        (src / "data" / "b.txt").write_text("beta\n")
        dst.mkdir()
        source = create_endpoint(server.db, self.username, "timer source", str(src))
        destination = create_endpoint(server.db, self.username, "timer destination", str(dst))
        return source["id"], destination["id"]

    def create(
        self,
        schedule: t.Any,
        src: str,
        dst: str,
        body_extra: dict[str, t.Any] | None = None,
        **extra: t.Any,
    ) -> t.Any:
        """``POST /v2/timer`` copying ``/data/`` to ``/copy/``; ``extra`` goes in the timer,
        ``body_extra`` in its Transfer document."""
        body = {
            "DATA_TYPE": "transfer",
            "source_endpoint": src,
            "destination_endpoint": dst,
            "DATA": [{"source_path": "/data/", "destination_path": "/copy/", "recursive": True}],
        }
        body.update(body_extra or {})
        timer = {"timer_type": "transfer", "name": "t", "schedule": schedule, "body": body}
        timer.update(extra)
        return self.post("v2/timer", json={"timer": timer})

    def job(self, timer_id: str) -> dict[str, t.Any]:
        r = self.get(f"jobs/{timer_id}")
        assert r.status_code == 200, r.text
        return t.cast(dict[str, t.Any], r.json())

    def wait_for(
        self,
        timer_id: str,
        check: t.Callable[[dict[str, t.Any]], bool],
        what: str,
        timeout: float = 60,
    ) -> dict[str, t.Any]:
        """Poll the timer until ``check`` holds; fail showing its last document."""
        end = time.monotonic() + timeout
        while True:
            job = self.job(timer_id)
            if check(job):
                return job
            if time.monotonic() > end:
                raise AssertionError(f"timed out waiting for {what}: {job}")
            time.sleep(0.1)


def timers_user_factory(server: LocalServer) -> MakeUser:
    return user_factory(server, server.service_url("timer"), TIMER_RS, [TIMER], TimersUser)


def set_test_min_interval() -> str | None:
    """Let the servers of this process take one-second intervals; the previous value."""
    previous = os.environ.get(MIN_INTERVAL_ENV)
    os.environ[MIN_INTERVAL_ENV] = TEST_MIN_INTERVAL
    return previous


def restore_min_interval(previous: str | None) -> None:
    if previous is None:
        os.environ.pop(MIN_INTERVAL_ENV, None)
    else:
        os.environ[MIN_INTERVAL_ENV] = previous
