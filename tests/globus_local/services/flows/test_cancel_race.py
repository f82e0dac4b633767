"""Cancelling a run while its engine is moving it: never a 5xx. The cancel and the engine
append to the same log, each entry numbered in turn (on SQLite, which has no row lock, the
cancel read the count before an engine commit and wrote after it: a 500); and the cancel
locks the run, then the job, where the engine locks the job, then the run (on PostgreSQL
the two deadlocked: a 503)."""

from __future__ import annotations

from .support import FlowsUser, pass_chain


def test_cancel_while_the_engine_writes(owner: FlowsUser) -> None:
    flow = owner.create_flow(pass_chain(40))
    for _ in range(8):
        run_id = owner.run(flow, {"start": 0})["run_id"]
        r = owner.post(f"runs/{run_id}/cancel")
        assert r.status_code == 202, r.text
        assert owner.log(run_id)[-1]["code"] in ("FlowCanceled", "FlowSucceeded")
