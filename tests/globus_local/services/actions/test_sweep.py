"""The recurring sweep: it ends actions nobody looks at and drops those whose
release_after has run out."""

from __future__ import annotations

import time

from globus_local.services.actions import sweep

from .support import HELLO_WORLD, Caller


def test_release_after_drops_an_ended_action(alice: Caller) -> None:
    hello = alice.provider(HELLO_WORLD)
    short = hello.started({"echo_string": "x"}, release_after="PT1S")
    assert short["release_after"] == "PT1S"
    kept = hello.started({"echo_string": "y"})
    time.sleep(1.2)
    assert sweep.sweep(alice.server.db)["released"] >= 1
    assert hello.status(short["action_id"]).status_code == 404
    assert hello.status(kept["action_id"]).status_code == 200


def test_the_sweep_ends_a_running_action_nobody_looks_at(alice: Caller) -> None:
    hello = alice.provider(HELLO_WORLD)
    action = hello.started({"sleep_time": 0.5}, release_after="PT1S")
    time.sleep(0.7)
    sweep.advance_running(alice.server.db)
    time.sleep(1.2)
    sweep.purge_released(alice.server.db)
    assert hello.status(action["action_id"]).status_code == 404
