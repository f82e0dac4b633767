"""Notify with values its schema takes but no mail can carry: the action fails naming the
field, never a 500 (a line break in a header, an address the standard library's parser
cannot read, an SMTP host name no resolver takes)."""

from __future__ import annotations

import pytest

from .support import Caller

NOTIFY = "https://actions.globus.org/notification/notify"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("sender", "a\nb@example.org"),
        ("sender", "<"),
        ("destination", '"'),
        ("destination", ["ok@example.org", "<"]),
        ("subject", "line\nbreak"),
    ],
)
def test_a_header_no_mail_carries_fails_the_action(alice: Caller, field: str, value: str) -> None:
    body = {"destination": "someone@example.org", "body_template": "x", field: value}
    final = alice.provider(NOTIFY).result(body)
    assert final["status"] == "FAILED"
    assert final["details"]["code"] == "RequestValidationError"
    assert f"body.{field}" in final["details"]["description"]


@pytest.mark.parametrize("hostname", ["x" * 300, "../../etc"])
def test_an_smtp_host_name_no_resolver_takes_fails_the_send(alice: Caller, hostname: str) -> None:
    credential = {"credential_type": "smtp", "credential_value": {"hostname": hostname}}
    body = {"destination": "a@example.org", "body_template": "x", "send_credentials": [credential]}
    final = alice.provider(NOTIFY).result(body)
    assert final["status"] == "FAILED"
    assert final["details"]["code"] == "SendFailed"
