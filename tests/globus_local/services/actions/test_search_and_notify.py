"""Search ingest and delete through their providers (found, then gone, by a real search),
and notify writing a mail a person can read."""

from __future__ import annotations

import email
import email.policy
import typing as t
import uuid

from tests.support.platform import call

from .support import Caller, SmtpSink

INGEST = "https://actions.globus.org/search/ingest"
DELETE = "https://actions.globus.org/search/delete"
NOTIFY = "https://actions.globus.org/notification/notify"


def _search(user: Caller, index_id: str, q: str) -> list[str]:
    response = call(
        user.server.service_url("search"),
        "GET",
        f"v1/index/{index_id}/search",
        user.tokens["search.api.globus.org"],
        params={"q": q},
    )
    assert response.status_code == 200, response.text
    return [hit["subject"] for hit in response.json()["gmeta"]]


def _new_index(user: Caller) -> str:
    response = call(
        user.server.service_url("search"),
        "POST",
        "v1/index",
        user.tokens["search.api.globus.org"],
        json={"display_name": "actions test", "description": "d"},
    )
    assert response.status_code == 200, response.text
    return t.cast(str, response.json()["id"])


def test_ingest_then_a_search_finds_it_then_delete_removes_it(alice: Caller) -> None:
    index_id = _new_index(alice)
    word = f"zebra{uuid.uuid4().hex[:8]}"
    ingest = alice.provider(INGEST)
    final = ingest.result(
        {
            "search_index": index_id,
            "subject": "https://example.org/record/1",
            "visible_to": ["public"],
            "content": {"title": f"A {word} record", "size": 3},
        }
    )
    assert final["status"] == "SUCCEEDED", final
    assert final["details"]["state"] == "SUCCESS"
    assert _search(alice, index_id, word) == ["https://example.org/record/1"]

    gone = alice.provider(DELETE).result(
        {
            "delete_by": "subject",
            "search_index": index_id,
            "subject": "https://example.org/record/1",
        }
    )
    assert gone["status"] == "SUCCEEDED", gone
    assert _search(alice, index_id, word) == []


def test_ingest_into_an_index_the_caller_cannot_write_fails(alice: Caller, bob: Caller) -> None:
    index_id = _new_index(alice)
    final = bob.provider(INGEST).result(
        {"search_index": index_id, "subject": "s", "visible_to": ["public"], "content": {}}
    )
    assert final["status"] == "FAILED"
    assert final["details"]["http_status"] == 403


def test_search_actions_cannot_be_cancelled_and_need_their_fields(alice: Caller) -> None:
    index_id = _new_index(alice)
    action = alice.provider(INGEST).started(
        {"search_index": index_id, "subject": "s", "visible_to": ["public"], "content": {}}
    )
    response = alice.provider(INGEST).http("POST", f"{action['action_id']}/cancel")
    assert response.status_code in (400, 409), response.text
    missing = alice.provider(DELETE).run({"delete_by": "subject", "search_index": index_id})
    assert missing.status_code == 400 and "subject" in missing.json()["description"]


def test_notify_writes_a_readable_mail_with_variables_filled_in(alice: Caller) -> None:
    marker = uuid.uuid4().hex
    final = alice.provider(NOTIFY).result(
        {
            "destination": "someone@example.org, other@example.org",
            "sender": "flows@example.org",
            "subject": "Run $run finished",
            "body_template": "Hello $Name, your data is at $path ($missing stays).",
            "body_variables": {"Name": "Ada", "path": f"/data/{marker}", "run": 7},
            "body_mimetype": "text/plain",
        }
    )
    assert final["status"] == "SUCCEEDED", final
    assert final["details"]["delivered_to"] == ["someone@example.org", "other@example.org"]
    mailbox = alice.server.settings.data_dir / "mail"
    files = [p for p in mailbox.iterdir() if final["action_id"] in p.name]
    assert len(files) == 1
    assert files[0].stat().st_mode & 0o077 == 0
    message = email.message_from_bytes(files[0].read_bytes(), policy=email.policy.default)
    assert message["To"] == "someone@example.org, other@example.org"
    assert message["From"] == "flows@example.org"
    assert message["Subject"] == "Run 7 finished"
    body = message.get_content()
    assert f"Hello Ada, your data is at /data/{marker} ($missing stays)." in body


def test_notify_to_an_unreachable_smtp_server_fails_the_action(alice: Caller) -> None:
    final = alice.provider(NOTIFY).result(
        {
            "destination": "someone@example.org",
            "body_template": "x",
            "send_credentials": [
                {
                    "credential_type": "smtp",
                    "credential_value": {"hostname": "127.0.0.1", "port": 9},
                }
            ],
        }
    )
    assert final["status"] == "FAILED"
    assert final["details"]["code"] == "SendFailed"


def test_notify_speaks_smtp_to_the_server_it_is_given(alice: Caller) -> None:
    sink = SmtpSink()
    try:
        final = alice.provider(NOTIFY).result(
            {
                "destination": ["someone@example.org"],
                "subject": "Hi $who",
                "body_template": "<p>Dear $who</p>",
                "body_mimetype": "text/html",
                "body_variables": {"who": "Grace"},
                "send_credentials": [
                    {
                        "credential_type": "smtp",
                        "credential_value": {"hostname": "127.0.0.1", "port": sink.port},
                    }
                ],
            }
        )
    finally:
        sink.close()
    assert final["status"] == "SUCCEEDED", final
    assert len(sink.messages) == 1
    message = email.message_from_bytes(sink.messages[0], policy=email.policy.default)
    assert message["Subject"] == "Hi Grace"
    assert message.get_content_type() == "text/html"
    assert "<p>Dear Grace</p>" in message.get_content()
