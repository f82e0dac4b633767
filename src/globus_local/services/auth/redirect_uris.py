"""Which redirect URIs a client may register, and which it may send to the authorize page.

A redirect URI is where a user's browser carries an authorization code, so registration
admits only places that cannot hand the code to someone else (RFC 6749 §3.1.2, RFC 8252
§7, OAuth 2.0 Security BCP §4.1):

- https to any host;
- http only to a loopback host: the request never leaves the user's machine;
- for native apps also a private-use scheme named after a domain in reverse order
  (``com.example.app:/callback``), the name that keeps other apps from claiming it;
- never a fragment (the code would be appended after it, RFC 6749 §3.1.2).

``javascript:``, ``data:``, ``file:`` or http to a remote host are refused.

At the authorize page a URI must be one the client registered, exactly; a native app's
registered loopback URI matches whatever port it names (RFC 8252 §7.3: the app binds a
free port when it starts). What else a native app may use is decided in ``clients``.
"""

from __future__ import annotations

import re
import typing as t
from urllib.parse import SplitResult, urlsplit

# How urlsplit spells the loopback hosts a browser reaches without a network (RFC 8252 §7.3).
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})
# Longer than any real callback; keeps stored rows and rendered pages small.
MAX_LENGTH = 2048
# RFC 3986 scheme syntax, lower-cased by urlsplit.
_SCHEME_RE = re.compile(r"^[a-z][a-z0-9+.\-]*$")


class InvalidRedirectURI(ValueError):
    """A redirect URI the registration policy refuses; the message says why."""


def split(uri: str) -> SplitResult | None:
    """The URI's parts, or None when it does not parse (a bad port included)."""
    try:
        parts = urlsplit(uri)
        _ = parts.port
    except ValueError:
        return None
    return parts


def is_loopback(parts: SplitResult) -> bool:
    return parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS


def _private_use_scheme(scheme: str) -> bool:
    """A reverse-domain scheme (RFC 8252 §7.1): at least two non-empty dot-separated labels."""
    labels = scheme.split(".")
    return len(labels) >= 2 and all(labels)


def problem(uri: str, *, native: bool) -> str | None:
    """Why ``uri`` may not be registered by a native (``native``) or confidential client,
    or None when it may."""
    if not uri or len(uri) > MAX_LENGTH:
        return f"must be between 1 and {MAX_LENGTH} characters"
    if any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in uri):
        return "must not contain spaces or control characters"
    if "#" in uri:
        return "must not contain a fragment"
    parts = split(uri)
    if parts is None or not _SCHEME_RE.match(parts.scheme):
        return "must be an absolute URI"
    if parts.scheme == "https":
        return None if parts.hostname else "must name a host"
    if parts.scheme == "http":
        if is_loopback(parts):
            return None
        return "may use http only for a loopback host (127.0.0.1, [::1] or localhost)"
    if native and _private_use_scheme(parts.scheme):
        return None
    if native:
        return (
            "must use https, http to a loopback host, or a private-use scheme in"
            " reverse-domain form such as com.example.app"
        )
    return "must use https, or http to a loopback host"


def check(uris: t.Iterable[str], *, native: bool) -> list[str]:
    """``uris`` without duplicates, in order; raises :class:`InvalidRedirectURI` naming the
    first one the policy refuses."""
    checked = list(dict.fromkeys(uris))
    for uri in checked:
        reason = problem(uri, native=native)
        if reason is not None:
            raise InvalidRedirectURI(f"Invalid redirect URI {uri!r}: it {reason}")
    return checked


def _without_port(parts: SplitResult) -> tuple[str, str | None, str, str]:
    return parts.scheme, parts.hostname, parts.path, parts.query


def matches_registered(uri: str, registered: t.Iterable[str], *, native: bool) -> bool:
    """Whether ``uri`` is one of ``registered``: exactly, or for a native app a registered
    loopback URI with another port."""
    registered = list(registered)
    if uri in registered:
        return True
    parts = split(uri) if native else None
    if parts is None or not is_loopback(parts):
        return False
    wanted = _without_port(parts)
    for candidate in registered:
        other = split(candidate)
        if other is not None and is_loopback(other) and _without_port(other) == wanted:
            return True
    return False
