"""BaseClient over real HTTP on loopback: URLs, headers, bodies, errors, retries."""

from __future__ import annotations

import socket
import typing as t

import pytest

from globus_sdk import BaseClient, exc
from globus_sdk.paging import MarkerPaginator, has_paginator
from globus_sdk.response import GlobusHTTPResponse, IterableResponse
from globus_sdk.transport import RequestsTransport
from globus_sdk.utils import PayloadWrapper
from globus_sdk.version import __version__
from tests.support.http_stub import HTTPStub, StubResponse


class WidgetClient(BaseClient):
    service_name = "widgets"
    base_path = "/v1/"


class Authorizer:
    def __init__(self, token: str, new_token: str | None = None) -> None:
        self.token, self.new_token, self.calls = token, new_token, 0

    def get_authorization_header(self) -> str:
        return f"Bearer {self.token}"

    def handle_missing_authorization(self) -> bool:
        self.calls += 1
        if self.new_token is None:
            return False
        self.token = self.new_token
        return True


pytestmark = pytest.mark.usefixtures("clean_sdk_env")


@pytest.fixture
def client(http_stub: HTTPStub) -> WidgetClient:
    return WidgetClient(base_url=http_stub.url + "v1/")


# -- URL resolution ---------------------------------------------------------------------


def test_base_url_from_environment() -> None:
    assert WidgetClient().base_url == "https://widgets.api.globus.org/v1/"
    assert WidgetClient(environment="preview").base_url == (
        "https://widgets.api.preview.globus.org/v1/"
    )
    assert WidgetClient(environment="sandbox").environment == "sandbox"


def test_base_url_from_environment_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GLOBUS_SDK_ENVIRONMENT", "local")
    c = WidgetClient()
    assert c.environment == "local"
    assert c.base_url == "http://127.0.0.1:8700/widgets/v1/"
    monkeypatch.setenv("GLOBUS_LOCAL_URL", "http://localhost:9999")
    assert WidgetClient().base_url == "http://localhost:9999/widgets/v1/"


def test_service_url_variable_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GLOBUS_SDK_SERVICE_URL_WIDGETS", "http://proxy.test/w")
    assert WidgetClient(environment="preview").base_url == "http://proxy.test/w/v1/"


def test_explicit_base_url_used_whole() -> None:
    assert WidgetClient(base_url="http://h.test/api/").base_url == "http://h.test/api/"


def test_unknown_environment() -> None:
    with pytest.raises(exc.GlobusSDKUsageError):
        WidgetClient(environment="atlantis")


def test_base_client_is_abstract() -> None:
    # a client names its service; BaseClient itself cannot be built, even with a URL
    with pytest.raises(NotImplementedError, match="service_name"):
        BaseClient()
    with pytest.raises(NotImplementedError):
        BaseClient(base_url="http://h.test/")


# -- resource server, app name, transport params ------------------------------------------


def test_resource_server() -> None:
    assert WidgetClient().resource_server is None

    class FakeScopes:
        resource_server = "widgets.api.globus.org"

    class ScopedClient(WidgetClient):
        scopes = FakeScopes()  # type: ignore[assignment]

    assert ScopedClient().resource_server == "widgets.api.globus.org"
    # a class property: readable on the class, without building a client
    assert ScopedClient.resource_server == "widgets.api.globus.org"
    assert WidgetClient.resource_server is None
    assert BaseClient.resource_server is None


@pytest.mark.parametrize(
    ("name", "resource_server"),
    [
        ("AuthClient", "auth.globus.org"),
        ("NativeAppAuthClient", "auth.globus.org"),
        ("ConfidentialAppAuthClient", "auth.globus.org"),
        ("TransferClient", "transfer.api.globus.org"),
        ("GroupsClient", "groups.api.globus.org"),
        ("SearchClient", "search.api.globus.org"),
    ],
)
def test_service_clients_resource_server_on_class(name: str, resource_server: str) -> None:
    import globus_sdk

    cls = getattr(globus_sdk, name)
    assert cls.resource_server == resource_server
    assert cls.resource_server == cls.scopes.resource_server


def test_app_name_in_user_agent(client: WidgetClient, http_stub: HTTPStub) -> None:
    http_stub.add("GET", "/v1/w", body={})
    client.get("w")
    assert http_stub.requests[-1].headers["User-Agent"] == f"globus-sdk-py-{__version__}"
    named = WidgetClient(base_url=client.base_url, app_name="my-app")
    assert named.app_name == "my-app"
    named.get("w")
    assert http_stub.requests[-1].headers["User-Agent"] == f"globus-sdk-py-{__version__}/my-app"
    named.app_name = "renamed"
    named.get("w")
    assert http_stub.requests[-1].headers["User-Agent"] == f"globus-sdk-py-{__version__}/renamed"
    assert http_stub.requests[-1].headers["Accept"] == "application/json"


def test_transport_params(http_stub: HTTPStub, no_sleep: list[float]) -> None:
    c = WidgetClient(base_url=http_stub.url, transport_params={"max_retries": 1, "max_sleep": 2})
    assert isinstance(c.transport, RequestsTransport)
    assert c.transport.max_retries == 1
    assert c.transport.max_sleep == 2
    http_stub.add("GET", "/x", status=500, body={"code": "Boom"})
    with pytest.raises(exc.GlobusAPIError):
        c.get("x")
    assert len(http_stub.requests) == 2


def test_transport_class_override() -> None:
    class MyTransport(RequestsTransport):
        pass

    class C(WidgetClient):
        transport_class = MyTransport

    assert isinstance(C().transport, MyTransport)


# -- paths and query params ------------------------------------------------------------


def test_paths_are_joined_and_quoted(client: WidgetClient, http_stub: HTTPStub) -> None:
    http_stub.add("GET", "/v1/items/a%20b%3Fc", body={"ok": 1})
    http_stub.add("GET", "/v1/items", body={"ok": 2})
    assert client.get("items/a b?c")["ok"] == 1
    assert client.get("/items")["ok"] == 2
    assert client.get("items")["ok"] == 2


def test_absolute_url_path_used_verbatim(client: WidgetClient, http_stub: HTTPStub) -> None:
    http_stub.add("GET", "/elsewhere/jwks", body={"keys": []})
    r = client.get(http_stub.url + "elsewhere/jwks")
    assert r["keys"] == []
    assert http_stub.requests[0].path == "/elsewhere/jwks"


def test_query_params(client: WidgetClient, http_stub: HTTPStub) -> None:
    http_stub.add("GET", "/v1/q", body={})
    client.get("q", query_params={"limit": 5, "marker": None, "filter": "x"})
    assert http_stub.requests[0].query == {"limit": ["5"], "filter": ["x"]}


# -- bodies --------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["post", "put", "patch"])
def test_json_bodies(client: WidgetClient, http_stub: HTTPStub, method: str) -> None:
    http_stub.add(method.upper(), "/v1/b", body={"echo": True})
    r = getattr(client, method)("b", data={"DATA_TYPE": "thing", "n": 1})
    assert r["echo"] is True
    req = http_stub.requests[0]
    assert req.method == method.upper()
    assert req.json == {"DATA_TYPE": "thing", "n": 1}
    assert req.headers["Content-Type"] == "application/json"


def test_payload_wrapper_body(client: WidgetClient, http_stub: HTTPStub) -> None:
    http_stub.add("POST", "/v1/b", body={})
    client.post("b", data=PayloadWrapper({"a": 1}, b=[1, 2]))
    assert http_stub.requests[0].json == {"a": 1, "b": [1, 2]}


def test_payload_wrapper_reaches_the_transport_as_its_dict(
    client: WidgetClient, http_stub: HTTPStub
) -> None:
    seen: list[t.Any] = []
    real_request = client.transport.request

    def spy(method: str, url: str, **kwargs: t.Any) -> t.Any:
        seen.append(kwargs["data"])
        return real_request(method, url, **kwargs)

    client.transport.request = spy  # type: ignore[method-assign]
    http_stub.add("POST", "/v1/b", body={})
    payload = PayloadWrapper(grant_type="x", n=1)
    client.post("b", data=payload, encoding="form")
    assert seen[0] is payload.data
    assert http_stub.requests[0].form == {"grant_type": ["x"], "n": ["1"]}


def test_form_and_text_bodies(client: WidgetClient, http_stub: HTTPStub) -> None:
    http_stub.add("POST", "/v1/b", body={})
    client.post("b", data={"grant_type": "x"}, encoding="form")
    client.post("b", data="some text", headers={"Content-Type": "text/plain"})
    form, text = http_stub.requests
    assert form.form == {"grant_type": ["x"]}
    assert text.body == b"some text"
    assert text.headers["Content-Type"] == "text/plain"


def test_no_data_no_content_type(client: WidgetClient, http_stub: HTTPStub) -> None:
    http_stub.add("POST", "/v1/b", body={})
    http_stub.add("DELETE", "/v1/b", body={})
    client.post("b")
    client.delete("b", headers={"X-Why": "test"})
    for req in http_stub.requests:
        assert req.body == b""
        assert "Content-Type" not in req.headers
    assert http_stub.requests[1].headers["X-Why"] == "test"


def test_custom_encoding_via_transport(client: WidgetClient, http_stub: HTTPStub) -> None:
    from globus_sdk.transport import JSONRequestEncoder

    class Wrapped(JSONRequestEncoder):
        def _prepare_data(self, data):  # type: ignore[no-untyped-def]
            return super()._prepare_data({"wrapped": data})

    client.transport.encoders["wrapped"] = Wrapped()
    http_stub.add("PUT", "/v1/b", body={})
    client.put("b", data={"a": 1}, encoding="wrapped")
    assert http_stub.requests[0].json == {"wrapped": {"a": 1}}


# -- responses and errors --------------------------------------------------------------------


def test_response_class_and_client(client: WidgetClient, http_stub: HTTPStub) -> None:
    http_stub.add("GET", "/v1/r", body={"DATA": [1]}, status=201)
    r = client.get("r")
    assert type(r) is GlobusHTTPResponse
    assert r.client is client
    assert r.http_status == 201

    class ItemsResponse(IterableResponse):
        default_iter_key = "DATA"

    class C(WidgetClient):
        default_response_class = ItemsResponse

    assert list(C(base_url=client.base_url).get("r")) == [1]


def test_error_status_raises_error_class(client: WidgetClient, http_stub: HTTPStub) -> None:
    http_stub.add("GET", "/v1/missing", status=404, body={"code": "NotFound", "message": "no"})
    with pytest.raises(exc.GlobusAPIError) as excinfo:
        client.get("missing")
    assert excinfo.value.http_status == 404
    assert excinfo.value.code == "NotFound"

    class WidgetError(exc.GlobusAPIError):
        pass

    class C(WidgetClient):
        error_class = WidgetError

    with pytest.raises(WidgetError):
        C(base_url=client.base_url).get("missing")


def test_redirect_status_is_not_an_error(client: WidgetClient, http_stub: HTTPStub) -> None:
    http_stub.add("GET", "/v1/moved", status=304, body=b"")
    assert client.get("moved").http_status == 304


def test_retry_then_success_through_client(
    client: WidgetClient, http_stub: HTTPStub, no_sleep: list[float]
) -> None:
    http_stub.add(
        "GET",
        "/v1/flaky",
        StubResponse(503, {}, {"Retry-After": "2"}),
        StubResponse(200, {"ok": True}),
    )
    assert client.get("flaky")["ok"] is True
    assert no_sleep == [2]


def test_authorizer_refresh_through_client(http_stub: HTTPStub, no_sleep: list[float]) -> None:
    def respond(req) -> StubResponse:
        if req.headers.get("Authorization") == "Bearer fresh":
            return StubResponse(200, {"ok": True})
        return StubResponse(401, {"code": "AuthenticationFailed", "message": "expired"})

    http_stub.route("GET", "/v1/secure", respond)
    authorizer = Authorizer("stale", "fresh")
    c = WidgetClient(base_url=http_stub.url + "v1/", authorizer=authorizer)  # type: ignore[arg-type]
    assert c.get("secure")["ok"] is True
    assert authorizer.calls == 1

    # an authorizer that cannot refresh: one request, then the 401 is raised
    http_stub.requests.clear()
    stuck = Authorizer("stale")
    c2 = WidgetClient(base_url=http_stub.url + "v1/", authorizer=stuck)  # type: ignore[arg-type]
    with pytest.raises(exc.GlobusAPIError) as excinfo:
        c2.get("secure")
    assert excinfo.value.http_status == 401
    assert stuck.calls == 1
    assert len(http_stub.requests) == 1


def test_second_401_raises(http_stub: HTTPStub, no_sleep: list[float]) -> None:
    http_stub.add("GET", "/v1/secure", status=401, body={"code": "AuthenticationFailed"})
    authorizer = Authorizer("a", "b")
    c = WidgetClient(base_url=http_stub.url + "v1/", authorizer=authorizer)  # type: ignore[arg-type]
    with pytest.raises(exc.GlobusAPIError) as excinfo:
        c.get("secure")
    assert excinfo.value.http_status == 401
    assert authorizer.calls == 1
    assert [r.headers["Authorization"] for r in http_stub.requests] == ["Bearer a", "Bearer b"]


def test_network_error_through_client(no_sleep: list[float]) -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens on this port now
    c = WidgetClient(base_url=f"http://127.0.0.1:{port}/", transport_params={"max_retries": 1})
    with pytest.raises(exc.GlobusConnectionError):
        c.get("x")
    assert len(no_sleep) == 1


class PagedClient(WidgetClient):
    @has_paginator(MarkerPaginator, items_key="DATA")
    def list_widgets(self, *, query_params: dict[str, t.Any] | None = None) -> GlobusHTTPResponse:
        return self.get("widgets", query_params=query_params)


def test_paginated_table(http_stub: HTTPStub) -> None:
    def respond(req) -> StubResponse:
        marker = req.query.get("marker", [None])[0]
        if marker is None:
            return StubResponse(200, {"DATA": [1, 2], "marker": "m2", "has_next_page": True})
        return StubResponse(200, {"DATA": [3], "marker": None, "has_next_page": False})

    http_stub.route("GET", "/v1/widgets", respond)
    client = PagedClient(base_url=http_stub.url + "v1/")
    assert list(client.paginated.list_widgets().items()) == [1, 2, 3]
    assert [r.query.get("marker") for r in http_stub.requests] == [None, ["m2"]]
    with pytest.raises(AttributeError):
        client.paginated.get  # noqa: B018 - plain methods are not paginated
