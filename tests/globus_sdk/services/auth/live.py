"""Helpers for running documented SDK code against the local platform.

The documented examples are kept verbatim as strings; only their placeholders
(``CLIENT_ID = "..."``) are substituted and the person at the keyboard is simulated:
``input()`` logs in through the server's real login and consent forms, using the
authorize URL the example printed.
"""

from __future__ import annotations

import re
import typing as t
import urllib.parse

import pytest

_URL_RE = re.compile(r"https?://\S+")


def code_from_redirect(url: str) -> str:
    """The ``code`` query parameter of the URL Globus Auth redirected the browser to."""
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    if "code" not in query:
        raise AssertionError(f"login did not produce a code: {url}")
    return query["code"][0]


def substitute(code: str, replacements: t.Mapping[str, str]) -> str:
    """Replace placeholders, each of which must occur exactly once in the snippet."""
    for old, new in replacements.items():
        assert code.count(old) == 1, f"placeholder {old!r} not found once in the snippet"
        code = code.replace(old, new)
    return code


def run_snippet(
    code: str, namespace: dict[str, t.Any], replacements: t.Mapping[str, str] | None = None
) -> dict[str, t.Any]:
    """Execute a documented snippet in ``namespace`` (shared between consecutive steps)."""
    namespace.setdefault("__name__", "documented_example")
    exec(compile(substitute(code, replacements or {}), "<documented example>", "exec"), namespace)
    return namespace


class Keyboard:
    """Stands in for the user: answers ``input()`` with the code obtained by logging in at
    the most recently printed authorize URL."""

    def __init__(self, server: t.Any, user: dict[str, t.Any], capsys: pytest.CaptureFixture[str]):
        self.server = server
        self.user = user
        self.capsys = capsys
        self.prompts: list[str] = []
        self.urls: list[str] = []

    def input(self, prompt: str = "") -> str:
        self.prompts.append(prompt)
        printed = self.capsys.readouterr().out
        urls = _URL_RE.findall(printed)
        assert urls, f"no authorize URL was printed before input(): {printed!r}"
        self.urls.append(urls[-1])
        redirect = self.server.login(urls[-1], self.user["username"], self.user["password"])
        # the user pastes the code with surrounding whitespace; the examples .strip() it
        return f"  {code_from_redirect(redirect)}\n"


def auth_code_page(server: t.Any) -> str:
    return f"{server.service_url('auth')}v2/web/auth-code"


def require_transfer_client() -> None:
    """Skip the rest of a test whose documented code goes on to build a TransferClient,
    while that is not available yet."""
    try:
        from globus_sdk.services.transfer import TransferClient  # noqa: F401
    except ImportError as exc:
        pytest.skip(f"TransferClient is not available: {exc}")


def require_transfer_service() -> None:
    """Skip the rest of a test whose documented code goes on to call Transfer, while the
    TransferClient or the platform's Transfer service is not available yet."""
    require_transfer_client()
    from globus_local.kit.service import SERVICE_NAMES

    if "transfer" not in SERVICE_NAMES:
        pytest.skip("the platform does not serve Transfer yet")
