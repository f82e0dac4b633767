"""JSON can spell an unpaired UTF-16 surrogate (``"\\ud800"``), which no database stores:
every Flows body holding one is a 400 in Flows' error document (it was a 500)."""

from __future__ import annotations

import json
import typing as t

from .support import FlowsUser, pass_chain

JSON = {"Content-Type": "application/json"}


def _send(user: FlowsUser, method: str, path: str, doc: t.Any) -> t.Any:
    # json.dumps writes a lone surrogate as its escape, as a client's encoder may.
    return user.http(method, path, data=json.dumps(doc).encode(), headers=JSON)


def test_a_surrogate_in_any_body_is_a_400(owner: FlowsUser) -> None:
    flow = owner.create_flow(pass_chain(1))
    run = owner.run(flow, {"x": 1})
    for method, path, doc in (
        ("POST", "flows", {"title": "\ud800", "definition": pass_chain(1)}),
        ("PUT", f"flows/{flow['id']}", {"description": "a\udfffb"}),
        ("POST", "flows/validate", {"definition": pass_chain(1), "x": ["\ud800"]}),
        ("PUT", f"runs/{run['run_id']}", {"label": "\ud800"}),
    ):
        r = _send(owner, method, path, doc)
        assert r.status_code == 400, (path, r.text)
        assert r.json()["error"]["code"] == "BAD_REQUEST"
    # A pair is one character, stored as any other.
    r = _send(owner, "POST", "flows", {"title": "\U0001f600", "definition": pass_chain(1)})
    assert r.status_code == 201 and r.json()["title"] == "\U0001f600"
