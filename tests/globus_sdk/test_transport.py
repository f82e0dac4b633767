"""RequestsTransport behaviour over real HTTP on loopback: retries, encodings, headers."""

from __future__ import annotations

import json
import socket
import threading
import typing as t

import pytest
import requests

from globus_sdk import exc
from globus_sdk.transport import (
    RequestEncoder,
    RequestsTransport,
    RetryCheckResult,
    RetryContext,
)
from globus_sdk.version import __version__
from tests.support.http_stub import HTTPStub, StubResponse


class SwappingAuthorizer:
    """Minimal authorizer (the documented interface): a token that a 401 may replace."""

    def __init__(self, token: str | None, new_token: str | None = None) -> None:
        self.token = token
        self.new_token = new_token
        self.handle_calls = 0

    def get_authorization_header(self) -> str | None:
        return f"Bearer {self.token}" if self.token else None

    def handle_missing_authorization(self) -> bool:
        self.handle_calls += 1
        if self.new_token is None:
            return False
        self.token = self.new_token
        return True


def _url(stub: HTTPStub, path: str = "thing") -> str:
    return stub.url + path


def _closed_port_url() -> str:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return f"http://127.0.0.1:{port}/x"


# -- transient errors ------------------------------------------------------------------


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
def test_transient_errors_are_retried(
    http_stub: HTTPStub, no_sleep: list[float], status: int
) -> None:
    http_stub.add(
        "GET",
        "/thing",
        StubResponse(status, {"code": "Busy"}),
        StubResponse(status, {"code": "Busy"}),
        StubResponse(200, {"ok": True}),
    )
    resp = RequestsTransport().request("GET", _url(http_stub))
    assert resp.status_code == 200
    assert resp.json() == {"ok": True}
    assert len(http_stub.requests) == 3
    assert len(no_sleep) == 2


@pytest.mark.parametrize("status", [400, 403, 404, 409, 422])
def test_client_errors_are_not_retried(
    http_stub: HTTPStub, no_sleep: list[float], status: int
) -> None:
    http_stub.add("GET", "/thing", StubResponse(status, {"code": "Nope"}), StubResponse(200, {}))
    resp = RequestsTransport().request("GET", _url(http_stub))
    assert resp.status_code == status
    assert len(http_stub.requests) == 1
    assert no_sleep == []


def test_success_is_not_retried(http_stub: HTTPStub, no_sleep: list[float]) -> None:
    http_stub.add("POST", "/thing", body={"id": 1})
    resp = RequestsTransport().request("POST", _url(http_stub), data={"a": 1})
    assert resp.status_code == 200
    assert len(http_stub.requests) == 1
    assert no_sleep == []


@pytest.mark.parametrize("max_retries", [0, 1, 3])
def test_max_retries_respected(
    http_stub: HTTPStub, no_sleep: list[float], max_retries: int
) -> None:
    http_stub.add("GET", "/thing", status=503, body={"code": "Unavailable"})
    resp = RequestsTransport(max_retries=max_retries).request("GET", _url(http_stub))
    assert resp.status_code == 503  # the last response is returned
    assert len(http_stub.requests) == max_retries + 1
    assert len(no_sleep) == max_retries


@pytest.mark.parametrize("max_retries", [-1, -5])
def test_max_retries_leaving_no_attempt_raises(
    http_stub: HTTPStub, no_sleep: list[float], max_retries: int
) -> None:
    http_stub.add("GET", "/thing", body={"ok": True})
    transport = RequestsTransport(max_retries=max_retries)
    with pytest.raises(ValueError):
        transport.request("GET", _url(http_stub))
    # set on an existing transport too
    transport = RequestsTransport()
    transport.max_retries = max_retries
    with pytest.raises(ValueError):
        transport.request("GET", _url(http_stub))
    assert http_stub.requests == []
    assert no_sleep == []


def test_last_response_still_runs_the_checks(http_stub: HTTPStub, no_sleep: list[float]) -> None:
    # with no retry left, a 401 still reaches the authorizer (3.2 runs the checks on
    # every response), but nothing is sent again
    http_stub.add("GET", "/thing", status=401, body={"code": "AuthenticationFailed"})
    authorizer = SwappingAuthorizer("old", "new")
    resp = RequestsTransport(max_retries=0).request("GET", _url(http_stub), authorizer=authorizer)
    assert resp.status_code == 401
    assert authorizer.handle_calls == 1
    assert len(http_stub.requests) == 1
    assert no_sleep == []


def test_default_max_retries_is_five(http_stub: HTTPStub, no_sleep: list[float]) -> None:
    http_stub.add("GET", "/thing", status=500, body={})
    transport = RequestsTransport()
    assert transport.max_retries == RequestsTransport.DEFAULT_MAX_RETRIES == 5
    transport.request("GET", _url(http_stub))
    assert len(http_stub.requests) == 6


# -- Retry-After -----------------------------------------------------------------------


@pytest.mark.parametrize("status", [429, 503])
def test_retry_after_header_sets_sleep(
    http_stub: HTTPStub, no_sleep: list[float], status: int
) -> None:
    http_stub.add(
        "GET",
        "/thing",
        StubResponse(status, {}, {"Retry-After": "3"}),
        StubResponse(status, {}, {"Retry-After": "7"}),
        StubResponse(200, {}),
    )
    RequestsTransport().request("GET", _url(http_stub))
    assert no_sleep == [3, 7]


def test_retry_after_capped_by_max_sleep(http_stub: HTTPStub, no_sleep: list[float]) -> None:
    http_stub.add(
        "GET",
        "/thing",
        StubResponse(429, {}, {"Retry-After": "30"}),
        StubResponse(429, {}, {"Retry-After": "30"}),
        StubResponse(200, {}),
    )
    RequestsTransport().request("GET", _url(http_stub))
    assert no_sleep == [10, 10]  # default max_sleep
    http_stub.requests.clear()
    http_stub.add(
        "GET", "/thing", StubResponse(503, {}, {"Retry-After": "30"}), StubResponse(200, {})
    )
    no_sleep.clear()
    RequestsTransport(max_sleep=4).request("GET", _url(http_stub))
    assert no_sleep == [4]


def test_retry_after_ignored_for_other_statuses(http_stub: HTTPStub, no_sleep: list[float]) -> None:
    http_stub.add(
        "GET", "/thing", StubResponse(500, {}, {"Retry-After": "9"}), StubResponse(200, {})
    )
    RequestsTransport().request("GET", _url(http_stub))
    assert len(no_sleep) == 1
    assert 0.25 <= no_sleep[0] < 0.5  # plain backoff for attempt 0


def test_retry_after_http_date_in_the_past_means_no_wait(
    http_stub: HTTPStub, no_sleep: list[float]
) -> None:
    http_stub.add(
        "GET",
        "/thing",
        StubResponse(503, {}, {"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}),
        StubResponse(200, {}),
    )
    RequestsTransport().request("GET", _url(http_stub))
    assert no_sleep == [0]


# -- backoff -----------------------------------------------------------------------------


def test_backoff_grows_and_is_capped(http_stub: HTTPStub, no_sleep: list[float]) -> None:
    http_stub.add("GET", "/thing", status=502, body={})
    RequestsTransport(max_retries=8, max_sleep=3).request("GET", _url(http_stub))
    assert len(no_sleep) == 8
    assert 0.25 <= no_sleep[0] < 0.5
    assert 0.5 <= no_sleep[1] < 1
    assert 1 <= no_sleep[2] < 2
    assert all(b > a for a, b in zip(no_sleep[:3], no_sleep[1:4], strict=True))
    assert no_sleep[4:] == [3, 3, 3, 3]
    assert max(no_sleep) == 3


def test_custom_retry_backoff(http_stub: HTTPStub, no_sleep: list[float]) -> None:
    http_stub.add("GET", "/thing", status=500, body={})
    seen: list[int] = []

    def backoff(ctx: RetryContext) -> float:
        seen.append(ctx.attempt)
        return 0.125 * (ctx.attempt + 1)

    RequestsTransport(retry_backoff=backoff, max_retries=3).request("GET", _url(http_stub))
    assert seen == [0, 1, 2]
    assert no_sleep == [0.125, 0.25, 0.375]


# -- expired authorization (401) ---------------------------------------------------------


def _bearer_route(http_stub: HTTPStub, good: str) -> None:
    def respond(req) -> StubResponse:
        if req.headers.get("Authorization") == f"Bearer {good}":
            return StubResponse(200, {"ok": True})
        return StubResponse(401, {"code": "AuthenticationFailed"})

    http_stub.route("GET", "/thing", respond)


def test_401_refreshes_authorization_once_and_retries(
    http_stub: HTTPStub, no_sleep: list[float]
) -> None:
    _bearer_route(http_stub, "new")
    authorizer = SwappingAuthorizer("old", "new")
    resp = RequestsTransport().request("GET", _url(http_stub), authorizer=authorizer)
    assert resp.status_code == 200
    assert authorizer.handle_calls == 1
    assert [r.headers.get("Authorization") for r in http_stub.requests] == [
        "Bearer old",
        "Bearer new",
    ]


def test_second_401_is_not_retried(http_stub: HTTPStub, no_sleep: list[float]) -> None:
    _bearer_route(http_stub, "never-valid")
    authorizer = SwappingAuthorizer("old", "new")
    resp = RequestsTransport().request("GET", _url(http_stub), authorizer=authorizer)
    assert resp.status_code == 401
    assert authorizer.handle_calls == 1
    assert len(http_stub.requests) == 2


def test_401_not_retried_when_authorizer_cannot_help(
    http_stub: HTTPStub, no_sleep: list[float]
) -> None:
    _bearer_route(http_stub, "new")
    authorizer = SwappingAuthorizer("old", None)
    resp = RequestsTransport().request("GET", _url(http_stub), authorizer=authorizer)
    assert resp.status_code == 401
    assert authorizer.handle_calls == 1
    assert len(http_stub.requests) == 1


def test_401_without_authorizer_not_retried(http_stub: HTTPStub, no_sleep: list[float]) -> None:
    http_stub.add("GET", "/thing", StubResponse(401, {}), StubResponse(200, {}))
    resp = RequestsTransport().request("GET", _url(http_stub))
    assert resp.status_code == 401
    assert len(http_stub.requests) == 1


def test_authorizer_header_none_sends_no_authorization(
    http_stub: HTTPStub, no_sleep: list[float]
) -> None:
    http_stub.add("GET", "/thing", body={})
    RequestsTransport().request(
        "GET",
        _url(http_stub),
        headers={"Authorization": "Bearer stale"},
        authorizer=SwappingAuthorizer(None),
    )
    assert "Authorization" not in http_stub.requests[0].headers


# -- network errors ----------------------------------------------------------------------


def test_connection_errors_retried_then_converted(no_sleep: list[float]) -> None:
    contexts: list[RetryContext] = []

    def record(ctx: RetryContext) -> RetryCheckResult:
        contexts.append(ctx)
        return RetryCheckResult.no_decision

    transport = RequestsTransport(retry_checks=[record], max_retries=2)
    with pytest.raises(exc.GlobusConnectionError) as excinfo:
        transport.request("GET", _closed_port_url())
    assert isinstance(excinfo.value, exc.NetworkError)
    assert isinstance(excinfo.value.underlying_exception, requests.ConnectionError)
    # 3 attempts; the runner is not consulted once retries are exhausted
    assert [c.attempt for c in contexts] == [0, 1]
    assert all(c.exception is not None and c.response is None for c in contexts)
    assert len(no_sleep) == 2


def test_request_exception_check_can_be_overridden(no_sleep: list[float]) -> None:
    transport = RequestsTransport(retry_checks=[lambda ctx: RetryCheckResult.do_not_retry])
    with pytest.raises(exc.NetworkError):
        transport.request("GET", _closed_port_url())
    assert no_sleep == []


def test_read_timeout_raises_timeout_error(http_stub: HTTPStub, no_sleep: list[float]) -> None:
    release = threading.Event()

    def slow(req) -> StubResponse:
        release.wait(5)
        return StubResponse(200, {})

    http_stub.route("GET", "/slow", slow)
    transport = RequestsTransport(http_timeout=0.2, max_retries=0)
    try:
        with pytest.raises(exc.GlobusTimeoutError):
            transport.request("GET", _url(http_stub, "slow"))
    finally:
        release.set()


# -- custom checks -------------------------------------------------------------------------


def test_register_retry_check_decorator(http_stub: HTTPStub, no_sleep: list[float]) -> None:
    http_stub.add(
        "GET",
        "/thing",
        StubResponse(409, {"code": "Conflict.Retryable"}),
        StubResponse(200, {"done": True}),
    )
    transport = RequestsTransport()

    @transport.register_retry_check
    def retry_conflicts(ctx: RetryContext) -> RetryCheckResult:
        if ctx.response is not None and ctx.response.status_code == 409:
            return RetryCheckResult.do_retry
        return RetryCheckResult.no_decision

    assert callable(retry_conflicts)
    assert transport.request("GET", _url(http_stub)).json() == {"done": True}
    assert len(http_stub.requests) == 2


def test_constructor_checks_run_before_defaults(http_stub: HTTPStub, no_sleep: list[float]) -> None:
    http_stub.add("GET", "/thing", StubResponse(503, {}), StubResponse(200, {}))

    def never_retry_503(ctx: RetryContext) -> RetryCheckResult:
        if ctx.response is not None and ctx.response.status_code == 503:
            return RetryCheckResult.do_not_retry
        return RetryCheckResult.no_decision

    transport = RequestsTransport(retry_checks=[never_retry_503])
    assert transport.request("GET", _url(http_stub)).status_code == 503
    assert len(http_stub.requests) == 1


def test_check_may_request_backoff(http_stub: HTTPStub, no_sleep: list[float]) -> None:
    http_stub.add("GET", "/thing", StubResponse(500, {}), StubResponse(200, {}))

    def slow_down(ctx: RetryContext) -> RetryCheckResult:
        ctx.backoff = 2.5
        return RetryCheckResult.no_decision

    # constructor checks run before the defaults, which decide to retry the 500
    RequestsTransport(retry_checks=[slow_down]).request("GET", _url(http_stub))
    assert no_sleep == [2.5]


def test_register_default_retry_checks_can_be_overridden(
    http_stub: HTTPStub, no_sleep: list[float]
) -> None:
    class NoRetries(RequestsTransport):
        def register_default_retry_checks(self) -> None:
            pass

    http_stub.add("GET", "/thing", StubResponse(503, {}), StubResponse(200, {}))
    assert NoRetries().request("GET", _url(http_stub)).status_code == 503
    assert len(http_stub.requests) == 1


def test_default_checks_registered_in_documented_order() -> None:
    transport = RequestsTransport()
    names = [c.__name__ for c in transport.retry_checks]
    assert names == [
        "default_check_expired_authorization",
        "default_check_request_exception",
        "default_check_retry_after_header",
        "default_check_transient_error",
    ]


# -- encodings and headers -----------------------------------------------------------------


def test_default_headers(http_stub: HTTPStub) -> None:
    http_stub.add("GET", "/thing", body={})
    RequestsTransport().request("GET", _url(http_stub), headers={"X-Extra": "1"})
    headers = http_stub.requests[0].headers
    assert headers["Accept"] == "application/json"
    assert headers["User-Agent"] == f"globus-sdk-py-{__version__}"
    assert headers["X-Extra"] == "1"
    assert "Content-Type" not in headers


def test_query_params_sent_and_none_dropped(http_stub: HTTPStub) -> None:
    http_stub.add("GET", "/thing", body={})
    RequestsTransport().request(
        "GET", _url(http_stub), query_params={"limit": 10, "skip": None, "filter": "a,b"}
    )
    assert http_stub.requests[0].query == {"limit": ["10"], "filter": ["a,b"]}


def test_default_encoding_json_for_dicts(http_stub: HTTPStub) -> None:
    http_stub.add("POST", "/thing", body={})
    RequestsTransport().request("POST", _url(http_stub), data={"a": [1, None]})
    req = http_stub.requests[0]
    assert req.json == {"a": [1, None]}
    assert req.headers["Content-Type"] == "application/json"


def test_json_body_sent_as_utf8_bytes(http_stub: HTTPStub) -> None:
    http_stub.add("POST", "/thing", body={})
    transport = RequestsTransport()
    sent: list[requests.PreparedRequest] = []
    real_send = transport.session.send

    def spy(prepared: requests.PreparedRequest, **kwargs: t.Any) -> requests.Response:
        sent.append(prepared)
        return real_send(prepared, **kwargs)

    transport.session.send = spy  # type: ignore[method-assign]
    data = {"label": "caf\u00e9 \u2192 \U0001f600", "n": 1}
    transport.request("POST", _url(http_stub), data=data)
    assert isinstance(sent[0].body, bytes)
    assert sent[0].body == json.dumps(data).encode("utf-8")
    received = http_stub.requests[0]
    assert received.body == sent[0].body
    assert received.headers["Content-Length"] == str(len(received.body))
    assert received.json == data


def test_default_encoding_text_for_strings(http_stub: HTTPStub) -> None:
    http_stub.add("PUT", "/thing", body={})
    RequestsTransport().request("PUT", _url(http_stub), data="raw body")
    req = http_stub.requests[0]
    assert req.body == b"raw body"
    assert "application/json" not in req.headers.get("Content-Type", "")


def test_form_encoding(http_stub: HTTPStub) -> None:
    http_stub.add("POST", "/thing", body={})
    RequestsTransport().request(
        "POST", _url(http_stub), data={"grant_type": "client_credentials"}, encoding="form"
    )
    req = http_stub.requests[0]
    assert req.form == {"grant_type": ["client_credentials"]}
    assert req.headers["Content-Type"] == "application/x-www-form-urlencoded"


def test_explicit_json_encoding_of_string(http_stub: HTTPStub) -> None:
    http_stub.add("POST", "/thing", body={})
    RequestsTransport().request("POST", _url(http_stub), data="s", encoding="json")
    assert http_stub.requests[0].json == "s"


def test_custom_encoding(http_stub: HTTPStub) -> None:
    class UpperEncoder(RequestEncoder):
        def _prepare_headers(self, headers: dict[str, str], data: t.Any) -> dict[str, str]:
            return {**headers, "Content-Type": "text/x-upper"}

        def _prepare_data(self, data: t.Any) -> t.Any:
            return json.dumps(data).upper()

    http_stub.add("POST", "/thing", body={})
    transport = RequestsTransport()
    transport.encoders["upper"] = UpperEncoder()
    transport.request("POST", _url(http_stub), data={"k": "v"}, encoding="upper")
    req = http_stub.requests[0]
    assert req.body == b'{"K": "V"}'
    assert req.headers["Content-Type"] == "text/x-upper"
    # registering on one transport does not leak into others
    assert "upper" not in RequestsTransport().encoders
    assert "upper" not in RequestsTransport.encoders


def test_unknown_encoding_is_usage_error() -> None:
    with pytest.raises(exc.GlobusSDKUsageError):
        RequestsTransport().request("POST", "http://127.0.0.1:1/", data={}, encoding="xml")


# -- configuration -------------------------------------------------------------------------


def test_timeout_and_verify_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GLOBUS_SDK_HTTP_TIMEOUT", "120")
    monkeypatch.setenv("GLOBUS_SDK_VERIFY_SSL", "false")
    transport = RequestsTransport()
    assert transport.http_timeout == 120
    assert transport.verify_ssl is False
    explicit = RequestsTransport(verify_ssl=True, http_timeout=5)
    assert explicit.http_timeout == 5
    assert explicit.verify_ssl is True
    monkeypatch.setenv("GLOBUS_SDK_HTTP_TIMEOUT", "-1")
    assert RequestsTransport().http_timeout is None


def test_defaults_without_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GLOBUS_SDK_HTTP_TIMEOUT", raising=False)
    monkeypatch.delenv("GLOBUS_SDK_VERIFY_SSL", raising=False)
    transport = RequestsTransport()
    assert transport.http_timeout == 60
    assert transport.verify_ssl is True
    assert transport.max_sleep == 10


def test_timeout_and_verify_reach_requests(
    http_stub: HTTPStub, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, t.Any] = {}
    transport = RequestsTransport(verify_ssl=False, http_timeout=7)
    real_send = transport.session.send

    def spy(prepared: requests.PreparedRequest, **kwargs: t.Any) -> requests.Response:
        seen.update(kwargs)
        return real_send(prepared, **kwargs)

    monkeypatch.setattr(transport.session, "send", spy)
    http_stub.add("GET", "/thing", body={})
    transport.request("GET", _url(http_stub))
    assert seen["timeout"] == 7
    assert seen["verify"] is False
