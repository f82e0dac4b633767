"""Small helpers shared by the SDK modules (internal; documented only for completeness)."""

from __future__ import annotations

import base64
import hashlib
import typing as t
import uuid

T = t.TypeVar("T")


class PayloadWrapper(dict[str, t.Any]):
    """Base for helper objects that build a request payload (``TransferData`` ...).

    It is a plain ``dict`` so payloads serialize as JSON or form data with no extra work;
    the client methods also accept it anywhere a ``dict`` body is accepted.
    """

    # the parameter is named ``dict`` to match the documented (UserDict-style) signature
    def __init__(self, dict: t.Mapping[str, t.Any] | None = None, /, **kwargs: t.Any) -> None:
        super().__init__()
        if dict is not None:
            self.update(dict)
        if kwargs:
            self.update(kwargs)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({super().__repr__()})"


def slash_join(a: str, b: str | None) -> str:
    """Join two URL parts with exactly one slash between them (``b`` None → ``a``)."""
    if b is None:
        return a
    return a.rstrip("/") + "/" + b.lstrip("/")


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
