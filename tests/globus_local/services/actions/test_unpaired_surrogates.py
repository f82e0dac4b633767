"""JSON can spell an unpaired UTF-16 surrogate (``"\\ud800"``), which no database stores:
an ActionRequest holding one is a 400 ``RequestValidationError`` (it was a 500)."""

from __future__ import annotations

import json
import uuid

from .support import HELLO_WORLD, Caller

JSON = {"Content-Type": "application/json"}


def test_a_surrogate_in_an_action_request_is_a_400(alice: Caller) -> None:
    provider = alice.provider(HELLO_WORLD)
    for request in (
        {"request_id": str(uuid.uuid4()), "label": "\ud800", "body": {}},
        {"request_id": "\udc00", "body": {}},
        {"request_id": str(uuid.uuid4()), "body": {"echo_string": "a\ud800"}},
    ):
        raw = json.dumps(request).encode()  # the surrogate as its JSON escape
        r = provider.http("POST", "run", data=raw, headers=JSON)
        assert r.status_code == 400, r.text
        assert r.json()["code"] == "RequestValidationError"
