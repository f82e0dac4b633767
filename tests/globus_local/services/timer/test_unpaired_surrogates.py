"""JSON can spell an unpaired UTF-16 surrogate (``"\\ud800"``), which no database stores:
a Timers body holding one is a 422 naming the body (it was a 500)."""

from __future__ import annotations

import json
from pathlib import Path

from globus_local.testing import LocalServer

from .support import TimersUser

JSON = {"Content-Type": "application/json"}


def test_a_surrogate_in_a_body_is_a_422(
    user: TimersUser, platform_server: LocalServer, tmp_path: Path
) -> None:
    src, dst = user.endpoints(platform_server, tmp_path)
    timer = user.create({"type": "once"}, src, dst, name="ok")
    assert timer.status_code == 201, timer.text
    job_id = timer.json()["timer"]["job_id"]
    for method, path, doc in (
        ("POST", "v2/timer", {"timer": {"timer_type": "transfer", "name": "\ud800"}}),
        ("POST", "jobs/", {"name": "\udc00", "start": "2030-01-01T00:00:00"}),
        ("PATCH", f"jobs/{job_id}", {"name": "a\ud800"}),
    ):
        # json.dumps writes a lone surrogate as its escape, as a client's encoder may.
        r = user.http(method, path, data=json.dumps(doc).encode(), headers=JSON)
        assert r.status_code == 422, (path, r.text)
        assert r.json()["detail"][0]["loc"] == ["body"]
