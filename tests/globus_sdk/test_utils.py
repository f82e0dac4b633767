from __future__ import annotations

import collections
import json
import uuid

import pytest

from globus_sdk.utils import (
    PayloadWrapper,
    b64str,
    classproperty,
    commajoin,
    safe_strseq_iter,
    sha256_string,
    slash_join,
)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("https://x.org", "v0.10", "https://x.org/v0.10"),
        ("https://x.org/", "v0.10", "https://x.org/v0.10"),
        ("https://x.org", "/v0.10", "https://x.org/v0.10"),
        ("https://x.org/", "/v0.10/", "https://x.org/v0.10/"),
        ("https://x.org/", None, "https://x.org/"),
        ("https://x.org", None, "https://x.org"),
        # an empty part adds nothing, not even a slash
        ("https://x.org", "", "https://x.org"),
        ("a/b", "", "a/b"),
        ("a/b/", "", "a/b/"),
        ("", "x", "/x"),
        ("", "/x", "/x"),
        ("a", "/", "a/"),
        ("a/", "/", "a/"),
        # only the seam is adjusted: slashes elsewhere are kept as given
        ("a//", "/b", "a//b"),
        ("a/", "//b", "a//b"),
        ("a", "b//c/", "a/b//c/"),
    ],
)
def test_slash_join(a: str, b: str | None, expected: str) -> None:
    assert slash_join(a, b) == expected


def test_safe_strseq_iter_treats_str_and_uuid_as_one_item() -> None:
    u = uuid.UUID(int=1)
    assert list(safe_strseq_iter("abc")) == ["abc"]
    assert list(safe_strseq_iter(u)) == [str(u)]
    assert list(safe_strseq_iter(["a", u, 3])) == ["a", str(u), "3"]
    assert list(safe_strseq_iter(x for x in ("p", "q"))) == ["p", "q"]
    assert list(safe_strseq_iter(7)) == ["7"]


def test_commajoin() -> None:
    assert commajoin("abc") == "abc"
    assert commajoin(["a", "b", uuid.UUID(int=2)]) == f"a,b,{uuid.UUID(int=2)}"
    assert commajoin([]) == ""


def test_payload_wrapper_is_a_user_dict() -> None:
    class Payload(PayloadWrapper):
        def __init__(self, name: str) -> None:
            super().__init__(DATA_TYPE="payload")
            self["name"] = name

    p = Payload("n1")
    assert isinstance(p, collections.UserDict) and not isinstance(p, dict)
    # the payload proper is the plain dict in ``data``, kept in step with the wrapper
    assert type(p.data) is dict
    assert p.data == {"DATA_TYPE": "payload", "name": "n1"}
    p["extra"] = 1
    del p["DATA_TYPE"]
    assert p.data == {"name": "n1", "extra": 1}
    p.data["direct"] = True
    assert p["direct"] is True
    assert json.loads(json.dumps(p.data)) == {"name": "n1", "extra": 1, "direct": True}
    assert dict(p) == p.data
    assert repr(p) == repr(p.data)
    assert PayloadWrapper({"a": 1}, b=2) == {"a": 1, "b": 2}
    assert PayloadWrapper({"a": 1}, b=2).data == {"a": 1, "b": 2}
    assert PayloadWrapper() == {} and PayloadWrapper().data == {}


def test_small_string_helpers() -> None:
    assert b64str("id:secret") == "aWQ6c2VjcmV0"
    assert sha256_string("abc").startswith("ba7816bf")


def test_classproperty() -> None:
    class K:
        @classproperty
        def name(cls) -> str:
            return cls.__name__

    assert K.name == "K"
    assert K().name == "K"
