from __future__ import annotations

import json
from urllib.parse import parse_qs

import pytest
import requests

from globus_sdk.transport import FormRequestEncoder, JSONRequestEncoder, RequestEncoder
from globus_sdk.utils import PayloadWrapper


def _prepare(encoder: RequestEncoder, data, params=None, headers=None):
    return encoder.encode("POST", "http://h.test/p", params, data, headers or {}).prepare()


def test_text_encoder_passes_text_through() -> None:
    req = _prepare(RequestEncoder(), "hello", headers={"Content-Type": "text/plain"})
    assert req.body == "hello"
    assert req.headers["Content-Type"] == "text/plain"


def test_text_encoder_rejects_non_text() -> None:
    with pytest.raises(TypeError):
        _prepare(RequestEncoder(), {"a": 1})


def test_json_encoder_sets_content_type() -> None:
    req = _prepare(JSONRequestEncoder(), {"a": [1, 2]})
    assert json.loads(req.body) == {"a": [1, 2]}
    assert req.headers["Content-Type"] == "application/json"


@pytest.mark.parametrize(
    "data",
    [{"name": "caf\u00e9 \u65e5\u672c", "n": [1.5, None, True]}, ["x", {}], "s", 0, {}],
)
def test_json_encoder_body_is_utf8_bytes_encoded_once(data: object) -> None:
    req = _prepare(JSONRequestEncoder(), data)
    # bytes, as requests sends a ``json=`` body: serialized once, then UTF-8 encoded
    assert isinstance(req.body, bytes)
    assert req.body == json.dumps(data).encode("utf-8")
    assert json.loads(req.body.decode("utf-8")) == data
    assert req.headers["Content-Length"] == str(len(req.body))


def test_json_encoder_refuses_nan() -> None:
    # requests will not put NaN in a JSON body: not valid JSON
    with pytest.raises(requests.exceptions.InvalidJSONError):
        _prepare(JSONRequestEncoder(), {"x": float("nan")})


def test_json_encoder_respects_explicit_content_type() -> None:
    req = _prepare(JSONRequestEncoder(), {"a": 1}, headers={"content-type": "application/x+json"})
    assert req.headers["Content-Type"] == "application/x+json"


@pytest.mark.parametrize("encoder", [RequestEncoder(), JSONRequestEncoder(), FormRequestEncoder()])
def test_no_data_no_body_no_content_type(encoder: RequestEncoder) -> None:
    req = _prepare(encoder, None)
    assert req.body is None
    assert "Content-Type" not in req.headers


def test_form_encoder() -> None:
    req = _prepare(FormRequestEncoder(), {"grant_type": "refresh_token", "x": "a b"})
    assert parse_qs(req.body) == {"grant_type": ["refresh_token"], "x": ["a b"]}
    assert req.headers["Content-Type"] == "application/x-www-form-urlencoded"


def test_form_encoder_requires_dict() -> None:
    with pytest.raises(TypeError):
        _prepare(FormRequestEncoder(), ["a", "b"])


def test_payload_wrapper_is_unwrapped() -> None:
    payload = PayloadWrapper(DATA_TYPE="thing", n=1)
    req = _prepare(JSONRequestEncoder(), payload)
    assert json.loads(req.body) == {"DATA_TYPE": "thing", "n": 1}
    req = _prepare(FormRequestEncoder(), payload)
    assert parse_qs(req.body) == {"DATA_TYPE": ["thing"], "n": ["1"]}


def test_none_query_params_dropped() -> None:
    req = _prepare(JSONRequestEncoder(), None, params={"a": "1", "b": None, "c": 0})
    assert req.url == "http://h.test/p?a=1&c=0"
