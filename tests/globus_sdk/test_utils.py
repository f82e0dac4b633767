from __future__ import annotations

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
        ("https://x.org", "", "https://x.org/"),
    ],
)
def test_slash_join_exactly_one_slash(a: str, b: str | None, expected: str) -> None:
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


def test_payload_wrapper_is_a_dict() -> None:
    class Payload(PayloadWrapper):
        def __init__(self, name: str) -> None:
            super().__init__(DATA_TYPE="payload")
            self["name"] = name

    p = Payload("n1")
    assert isinstance(p, dict)
    assert json.loads(json.dumps(p)) == {"DATA_TYPE": "payload", "name": "n1"}
    assert PayloadWrapper({"a": 1}, b=2) == {"a": 1, "b": 2}
    assert PayloadWrapper() == {}
    assert "Payload(" in repr(p)


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
