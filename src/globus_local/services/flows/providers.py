"""Calls to action providers over HTTP, as the Flows service makes them.

A Globus-hosted ActionUrl (``https://actions.globus.org/hello_world``...) is called where
the actions service serves the provider of that name (its ``platform_action_url``), and a
flow's own URL (``https://flows.globus.org/flows/<id>``) where this service serves it; any
other at its own URL. Each call carries the run's token for the provider's scope. Network
failures and 5xx answers are :class:`ProviderUnavailable` (the engine tries again later);
a 4xx answer is :class:`ProviderRefused` with the provider's error body.
"""

from __future__ import annotations

import threading
import typing as t
from urllib.parse import urlsplit

import requests

from globus_local.services.actions.urls import HOSTED_PROVIDERS, hosted_base, platform_action_url

TIMEOUT = 30.0
INTROSPECT_TIMEOUT = 10.0

# A flow is itself an action provider at https://flows.globus.org/flows/<id>; the
# platform serves its flows under /flows/.
FLOWS_HOSTS = frozenset({"flows.globus.org", "flows.automate.globus.org"})
FLOWS_PATH = "flows"

_local = threading.local()


class ProviderUnavailable(Exception):
    """The provider could not be reached or failed on its side; worth trying again."""


class ProviderRefused(Exception):
    """The provider answered the request with a 4xx: ``status`` and its error ``body``."""

    def __init__(self, status: int, body: t.Any) -> None:
        super().__init__(f"action provider answered {status}: {body}")
        self.status = status
        self.body = body


def _http() -> requests.Session:
    session = getattr(_local, "session", None)
    if session is None:
        session = _local.session = requests.Session()
    return session


def action_base(public_root: str, action_url: str) -> str:
    """Where the provider behind ``action_url`` is reached, without a trailing slash."""
    parts = urlsplit(action_url)
    root = public_root if public_root.endswith("/") else public_root + "/"
    if hosted_base(action_url) is not None:
        return platform_action_url(root, action_url).rstrip("/")
    if parts.scheme == "https" and parts.netloc in FLOWS_HOSTS:
        return f"{root}{FLOWS_PATH}{parts.path}".rstrip("/")
    return action_url.rstrip("/")


def hosted_flow_id(action_url: str) -> str | None:
    """The flow an ActionUrl names when it is a flow's (``https://flows.globus.org/flows/<id>``)."""
    parts = urlsplit(action_url)
    segments = parts.path.strip("/").split("/")
    if parts.netloc in FLOWS_HOSTS and len(segments) == 2 and segments[0] == "flows":
        return segments[1].lower()
    return None


def _call(method: str, url: str, token: str | None, body: t.Any = None) -> dict[str, t.Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        response = _http().request(method, url, json=body, headers=headers, timeout=TIMEOUT)
    except requests.RequestException as exc:
        raise ProviderUnavailable(f"{method} {url}: {exc}") from exc
    try:
        doc = response.json()
    except ValueError:
        doc = {"code": "UnexpectedResponse", "description": response.text[:500]}
    if response.status_code >= 500:
        raise ProviderUnavailable(f"{method} {url} answered {response.status_code}: {doc}")
    if response.status_code >= 400:
        raise ProviderRefused(response.status_code, doc)
    if not isinstance(doc, dict) or "status" not in doc:
        raise ProviderRefused(response.status_code, {"code": "UnexpectedResponse", "body": doc})
    return doc


def run_action(base: str, token: str | None, request: dict[str, t.Any]) -> dict[str, t.Any]:
    """Start an action (or, for a ``request_id`` the provider has seen, get that one)."""
    return _call("POST", f"{base}/run", token, request)


def action_status(base: str, token: str | None, action_id: str) -> dict[str, t.Any]:
    return _call("GET", f"{base}/{action_id}/status", token)


def cancel_action(base: str, token: str | None, action_id: str) -> dict[str, t.Any]:
    return _call("POST", f"{base}/{action_id}/cancel", token)


def release_action(base: str, token: str | None, action_id: str) -> dict[str, t.Any]:
    return _call("POST", f"{base}/{action_id}/release", token)


def resume_action(base: str, token: str | None, action_id: str) -> dict[str, t.Any]:
    return _call("POST", f"{base}/{action_id}/resume", token)


def provider_scope(public_root: str, action_url: str) -> str | None:
    """The scope a provider asks for: a Globus-hosted one's from the actions service's
    table (no request to this same server, which under full load could not answer in
    time), any other's from its introspection document; None when it cannot be told."""
    base = hosted_base(action_url)
    if base is not None:
        return HOSTED_PROVIDERS[base]
    url = action_base(public_root, action_url) + "/"
    try:
        response = _http().get(url, timeout=INTROSPECT_TIMEOUT)
        doc = response.json() if response.status_code == 200 else None
    except (requests.RequestException, ValueError):
        doc = None
    scope = doc.get("globus_auth_scope") if isinstance(doc, dict) else None
    return scope if isinstance(scope, str) and scope else None
