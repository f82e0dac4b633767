"""Drive the real login and consent pages over HTTP, as a person with a browser would.

Used by tests and the test server to complete authorization-code flows without a browser:
the forms (and their CSRF tokens) are read from the served HTML and posted back. The flow
stops at the redirect to the client's redirect_uri, which is returned unfollowed (it may be
``http://localhost:<port>`` with nothing listening).
"""

from __future__ import annotations

import typing as t
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import requests

_MAX_STEPS = 6


class BrowserLoginError(RuntimeError):
    """The pages did not lead to the client's redirect_uri (bad password, bad client...)."""


class _FormParser(HTMLParser):
    """Collects forms (id, action, inputs) and the text of error paragraphs."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, t.Any]] = []
        self.errors: list[str] = []
        self._in_error = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append({"id": a.get("id", ""), "action": a.get("action", ""), "fields": {}})
        elif tag == "input" and self.forms and a.get("name"):
            if a.get("type", "text") != "submit":
                self.forms[-1]["fields"][a["name"]] = a.get("value", "")
        elif tag == "p" and "error" in a.get("class", "").split():
            self._in_error = True
            self.errors.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "p":
            self._in_error = False

    def handle_data(self, data: str) -> None:
        if self._in_error:
            self.errors[-1] += data.strip()


def _parse(html: str) -> _FormParser:
    parser = _FormParser()
    parser.feed(html)
    return parser


def parse_forms(html: str) -> list[dict[str, t.Any]]:
    """The forms of a page: ``{"id", "action", "fields": {name: value}}`` each."""
    return _parse(html).forms


def _is_authorize(url: str) -> bool:
    return urlsplit(url).path.rstrip("/").endswith("/v2/oauth2/authorize")


def login_with_password(
    authorize_url: str,
    username: str,
    password: str,
    *,
    http: requests.Session | None = None,
) -> str:
    """Log in and approve consent; return the URL the server redirects the browser to
    (``<redirect_uri>?code=...&state=...`` or ``...?error=...``)."""
    session = http or requests.Session()
    response = session.get(authorize_url, allow_redirects=False, timeout=30)
    for _ in range(_MAX_STEPS):
        if response.is_redirect:
            location = urljoin(response.url, response.headers["Location"])
            if _is_authorize(location):
                response = session.get(location, allow_redirects=False, timeout=30)
                continue
            return location
        page = _parse(response.text)
        forms = {f["id"]: f for f in page.forms}
        if response.status_code >= 400 or not forms:
            detail = "; ".join(e for e in page.errors if e) or f"HTTP {response.status_code}"
            raise BrowserLoginError(f"login failed: {detail}")
        if "login-form" in forms:
            form = forms["login-form"]
            data = dict(form["fields"], username=username, password=password)
        elif "consent-form" in forms:
            form = forms["consent-form"]
            data = dict(form["fields"], decision="allow")
        else:
            raise BrowserLoginError("unexpected page: no login or consent form")
        response = session.post(
            urljoin(response.url, form["action"]), data=data, allow_redirects=False, timeout=30
        )
    raise BrowserLoginError("too many steps without reaching the redirect_uri")
