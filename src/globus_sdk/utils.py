"""Small helpers shared by the SDK modules (internal; documented only for completeness)."""

from __future__ import annotations

import base64
import collections
import hashlib
import typing as t
import uuid

T = t.TypeVar("T")


class PayloadWrapper(collections.UserDict[str, t.Any]):
    """Base for helper objects that build a request payload (``TransferData`` ...).

    A ``UserDict``, as documented for 3.2: the payload itself is the plain dict in
    ``data``, which is what the client sends. Being a mapping rather than a ``dict``
    subclass keeps every mutation (``pop``, ``update``, ``del``) going through the same
    few dunder methods, so subclasses that customise one of them stay consistent.
    """


def slash_join(a: str, b: str | None) -> str:
    """Join ``a`` and ``b`` with one slash, whether or not either side already has one.

    An empty or None ``b`` leaves ``a`` unchanged (no slash is added). Only the slash at
    the seam is adjusted: ``a``'s trailing one is dropped when ``b`` brings its own.
    """
    if not b:
        return a
    if a.endswith("/"):
        return a[:-1] + b if b.startswith("/") else a + b
    if b.startswith("/"):
        return a + b
    return a + "/" + b


def safe_strseq_iter(value: t.Any) -> t.Iterator[str]:
    """Iterate over ``value`` as strings, treating a lone str or UUID as ONE item.

    Guards against the classic bug of iterating over the characters of a string when a
    caller passes ``"abc"`` where a list of IDs was expected.
    """
    if isinstance(value, (str, uuid.UUID)):
        yield str(value)
        return
    if isinstance(value, bytes):
        yield value.decode()
        return
    try:
        iterator = iter(value)
    except TypeError:
        yield str(value)
        return
    for item in iterator:
        yield str(item)


def commajoin(value: t.Any) -> str:
    """A comma-separated string for an ID or collection of IDs (query-parameter style)."""
    return ",".join(safe_strseq_iter(value))


def sha256_string(s: str) -> str:
    """Hex sha256 digest of a text string."""
    return hashlib.sha256(s.encode("utf-8")).hexdigest()


def b64str(s: str) -> str:
    """Base64-encode a text string to a text string (used for Basic auth)."""
    return base64.b64encode(s.encode("utf-8")).decode("utf-8")


class classproperty(t.Generic[T]):
    """A read-only property computed on the class (and visible on instances)."""

    def __init__(self, func: t.Callable[[t.Any], T]) -> None:
        self.func = func

    def __get__(self, obj: t.Any, cls: t.Any) -> T:
        return self.func(cls)
