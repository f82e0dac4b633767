"""The one place endpoint paths become host paths.

An endpoint path is a POSIX string relative to the endpoint's root: ``/a/b``, ``~/a``,
``/~/a`` (``~`` is the endpoint's default directory, its root) or ``a/b`` (relative to
the root). :func:`normalize` turns it into a canonical ``/a/b``; ``..`` may never climb
above the root. :func:`resolve` maps it into a host directory and checks on the real
filesystem that no symlink leads outside the root.
"""

from __future__ import annotations

import os

from globus_local.storage.errors import InvalidPath, PathEscape


def normalize(path: str | None) -> str:
    """Canonical endpoint path (``/`` or ``/a/b``, no trailing slash).

    Raises :class:`PathEscape` when ``..`` climbs above the root and :class:`InvalidPath`
    for NUL bytes. Percent-escapes are not decoded: HTTP decoding already happened once,
    and a name like ``%2e%2e`` is an ordinary file name here.
    """
    if path is None:
        return "/"
    if not isinstance(path, str):
        raise InvalidPath("path must be a string")
    if "\x00" in path:
        raise InvalidPath("path contains a NUL byte", path)
    text = path
    if not text.strip() or text in ("~", "/~"):
        return "/"
    if text.startswith("/~/"):
        text = text[2:]
    elif text.startswith("~/"):
        text = text[1:]
    parts: list[str] = []
    for segment in text.split("/"):
        if segment in ("", "."):
            continue
        if segment == "..":
            if not parts:
                raise PathEscape("path leads outside the endpoint", path)
            parts.pop()
            continue
        parts.append(segment)
    return "/" + "/".join(parts)


def join(base: str, name: str) -> str:
    """Endpoint path of ``name`` inside directory ``base`` (``name`` is one component)."""
    if not name or "/" in name or name in (".", ".."):
        raise InvalidPath(f"invalid file name {name!r}", name)
    base = normalize(base)
    return f"{base}/{name}" if base != "/" else f"/{name}"


def parent(path: str) -> str:
    path = normalize(path)
    head = path.rsplit("/", 1)[0]
    return head or "/"


def basename(path: str) -> str:
    return normalize(path).rsplit("/", 1)[1]


def is_within(host_path: str, root: str) -> bool:
    """Whether ``host_path`` is ``root`` or below it (both already real paths)."""
    return host_path == root or host_path.startswith(root.rstrip(os.sep) + os.sep)


def resolve(root: str, path: str | None, *, follow: bool = True) -> str:
    """Host path for endpoint ``path`` under the host directory ``root``.

    With ``follow`` (reading, listing, writing into) the whole path is resolved with
    ``os.path.realpath`` and must stay inside the root. Without it (operations on a
    directory entry itself: lstat, unlink, rename, creating a link) only the parent is
    resolved, so a symlink may be named, moved or removed but its target is never
    touched. Either way the result is a host path inside the root or :class:`PathEscape`.
    """
    rel = normalize(path)
    real_root = os.path.realpath(root)
    candidate = os.path.join(real_root, rel.lstrip("/")) if rel != "/" else real_root
    if follow or rel == "/":
        real = os.path.realpath(candidate)
        if not is_within(real, real_root):
            raise PathEscape("path leads outside the endpoint", rel)
        return real
    head, name = os.path.split(candidate)
    real_head = os.path.realpath(head)
    if not is_within(real_head, real_root):
        raise PathEscape("path leads outside the endpoint", rel)
    return os.path.join(real_head, name)


def to_endpoint_path(host_path: str, root: str) -> str | None:
    """Endpoint path of a host path inside ``root`` (real paths), None if outside."""
    real_root = os.path.realpath(root)
    if not is_within(host_path, real_root):
        return None
    rel = os.path.relpath(host_path, real_root)
    return "/" if rel == "." else "/" + rel.replace(os.sep, "/")
