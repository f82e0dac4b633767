"""Send notification: an e-mail built from a template with ``$Name`` variables.

Mail goes to the SMTP server the request's ``send_credentials`` name, else the one the
platform is configured with (``GLOBUS_LOCAL_SMTP_URL``), else into ``<data_dir>/mail/``:
one RFC 5322 message per file, which a person (or any mail reader) can open.
"""

from __future__ import annotations

import email.errors
import email.policy
import email.utils
import json
import smtplib
import string
import typing as t
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import unquote, urlsplit

from globus_local.db import utcnow
from globus_local.services.actions.errors import validation_error
from globus_local.services.actions.providers.base import (
    Description,
    Progress,
    Provider,
    StartCall,
    failed,
    succeeded,
)
from globus_local.services.actions.providers.schemas import STRING, object_schema

DEFAULT_SENDER = "Globus Local Notification <no-reply@globus-local.invalid>"
SMTP_TIMEOUT = 15
MAILBOX = "mail"

_ADDRESSES = {"anyOf": [STRING, {"type": "array", "minItems": 1, "items": STRING}]}
SCHEMA = object_schema(
    {
        "destination": _ADDRESSES,
        "sender": STRING,
        "subject": {"type": "string"},
        "body_template": {"type": "string"},
        "body_mimetype": {"enum": ["text/plain", "text/html"]},
        "body_variables": {"type": "object"},
        "notification_method": {"enum": ["any", "email"]},
        "notification_priority": {"enum": ["low", "medium", "high"]},
        "send_credentials": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "credential_type": {"enum": ["smtp"]},
                    "credential_value": {
                        "type": "object",
                        "properties": {
                            "hostname": STRING,
                            "port": {"type": "integer", "minimum": 1, "maximum": 65535},
                            "username": {"type": "string"},
                            "password": {"type": "string"},
                            "use_ssl": {"type": "boolean"},
                        },
                        "required": ["hostname"],
                    },
                },
                "required": ["credential_type", "credential_value"],
            },
        },
    },
    required=["destination", "body_template"],
)
DESCRIPTION = Description(
    title="Send Notification",
    subtitle="Send an e-mail built from a template",
    input_schema=SCHEMA,
    synchronous=True,
    keywords=("notification", "email"),
)


class SmtpServer(t.NamedTuple):
    host: str
    port: int
    use_ssl: bool
    username: str | None
    password: str | None


def server_from_url(url: str) -> SmtpServer:
    """``smtp://[user:password@]host[:port]`` or ``smtps://...``."""
    parts = urlsplit(url)
    use_ssl = parts.scheme == "smtps"
    return SmtpServer(
        parts.hostname or "localhost",
        parts.port or (465 if use_ssl else 25),
        use_ssl,
        unquote(parts.username) if parts.username else None,
        unquote(parts.password) if parts.password else None,
    )


def _server_from_credentials(body: dict[str, t.Any]) -> SmtpServer | None:
    for credential in body.get("send_credentials") or []:
        value = credential["credential_value"]
        use_ssl = bool(value.get("use_ssl"))
        return SmtpServer(
            value["hostname"],
            int(value.get("port") or (465 if use_ssl else 25)),
            use_ssl,
            value.get("username") or None,
            value.get("password") or None,
        )
    return None


def _text(value: t.Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def render(template: str, variables: dict[str, t.Any]) -> str:
    """``$Name`` / ``${Name}`` replaced by the variable's value; unknown names stay."""
    return string.Template(template).safe_substitute({k: _text(v) for k, v in variables.items()})


def recipients(destination: str | list[str]) -> list[str]:
    names = [destination] if isinstance(destination, str) else destination
    return [a.strip() for name in names for a in name.split(",") if a.strip()]


def build_message(action_id: str, body: dict[str, t.Any]) -> EmailMessage:
    """The mail; a value no mail can carry (a line break in a header, an address the mail
    parser cannot read) is a ``RequestValidationError`` naming its field, which fails the
    action as the schema's own refusals would have."""
    variables = body.get("body_variables") or {}
    message = EmailMessage(policy=email.policy.default)
    headers = (
        ("From", "sender", body.get("sender") or DEFAULT_SENDER),
        ("To", "destination", ", ".join(recipients(body["destination"]))),
        ("Subject", "subject", render(body.get("subject") or "Notification", variables)),
    )
    for header, field, value in headers:
        try:
            message[header] = value
        # The standard library's address parser raises IndexError on some malformed input.
        except (ValueError, IndexError, email.errors.HeaderParseError) as exc:
            raise validation_error(f"Field 'body.{field}': not usable in a mail ({exc})") from None
    message["Date"] = email.utils.format_datetime(utcnow())
    message["Message-ID"] = email.utils.make_msgid(idstring=action_id, domain="globus-local")
    subtype = "html" if body.get("body_mimetype") == "text/html" else "plain"
    message.set_content(render(body["body_template"], variables), subtype=subtype)
    return message


def send(server: SmtpServer, message: EmailMessage) -> None:
    factory = smtplib.SMTP_SSL if server.use_ssl else smtplib.SMTP
    with factory(server.host, server.port, timeout=SMTP_TIMEOUT) as smtp:
        if server.username:
            smtp.login(server.username, server.password or "")
        smtp.send_message(message)


def deliver_to_mailbox(data_dir: Path, action_id: str, message: EmailMessage) -> Path:
    """Write the message to ``<data_dir>/mail/<time>-<action id>.eml``, readable only by
    the platform's user (mail may hold what its sender keeps private)."""
    folder = data_dir / MAILBOX
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = folder / f"{utcnow().strftime('%Y%m%dT%H%M%S')}-{action_id}.eml"
    path.write_bytes(message.as_bytes())
    path.chmod(0o600)
    return path


class Notify(Provider):
    def __init__(self, key: str, scope: str) -> None:
        super().__init__(key, scope, DESCRIPTION)

    def start(self, call: StartCall, body: dict[str, t.Any]) -> Progress:
        message = build_message(call.action_id, body)
        to = recipients(body["destination"])
        server = _server_from_credentials(body) or (
            server_from_url(call.settings.smtp_url) if call.settings.smtp_url else None
        )
        if server is None:
            deliver_to_mailbox(call.settings.data_dir, call.action_id, message)
            return succeeded({"delivered_to": to, "message_id": message["Message-ID"]})
        try:
            send(server, message)
        # ValueError: a host name no resolver takes (too long, an empty label).
        except (OSError, ValueError, smtplib.SMTPException) as exc:
            return failed("SendFailed", f"The mail could not be sent: {exc}")
        return succeeded({"delivered_to": to, "message_id": message["Message-ID"]})
