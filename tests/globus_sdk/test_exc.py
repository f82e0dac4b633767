"""GlobusAPIError parsing of every error-document shape, from real HTTP responses."""

from __future__ import annotations

import typing as t

import pytest
import requests

import globus_sdk
from globus_sdk import exc
from tests.support.http_stub import HTTPStub, StubResponse


@pytest.fixture
def http_stub(module_http_stub: HTTPStub) -> HTTPStub:
    """The module's server: each test re-scripts the route it uses."""
    return module_http_stub


def _error(
    http_stub: HTTPStub,
    body: t.Any,
    status: int = 400,
    headers: dict[str, str] | None = None,
    *,
    cls: type[exc.GlobusAPIError] = exc.GlobusAPIError,
    auth: str | None = None,
) -> exc.GlobusAPIError:
    http_stub.add("GET", "/v0.10/thing", StubResponse(status, body, headers or {}))
    req_headers = {"Authorization": auth} if auth else {}
    resp = requests.get(http_stub.url + "v0.10/thing", headers=req_headers, timeout=10)
    return cls(resp)


def test_transfer_style_code_message(http_stub: HTTPStub) -> None:
    err = _error(
        http_stub,
        {
            "code": "ClientError.BadRequest.NoTransferItems",
            "message": "A transfer requires at least one item",
            "request_id": "oUAA6Sq2P",
            "resource": "/v0.10/transfer",
        },
    )
    assert err.http_status == 400
    assert err.http_reason == "Bad Request"
    assert err.code == "ClientError.BadRequest.NoTransferItems"
    assert err.message == "A transfer requires at least one item"
    assert err.raw_json is not None and err.raw_json["request_id"] == "oUAA6Sq2P"
    assert '"request_id": "oUAA6Sq2P"' in err.raw_text
    assert not err.info.consent_required
    assert not err.info.authorization_parameters


def test_auth_style_errors_list_uses_first_element(http_stub: HTTPStub) -> None:
    err = _error(
        http_stub,
        {
            "errors": [
                {
                    "status": "401",
                    "id": "0b4c6c2e",
                    "code": "UNAUTHORIZED",
                    "detail": "Call must be authenticated",
                    "title": "Unauthorized",
                },
                {"code": "SECOND", "detail": "ignored"},
            ],
            "error_description": "Unauthorized",
            "error": "unauthorized",
        },
        status=401,
    )
    assert err.http_status == 401
    assert err.code == "UNAUTHORIZED"
    assert err.message == "Call must be authenticated"


def test_errors_list_first_element_alone_gives_code_and_message(http_stub: HTTPStub) -> None:
    err = _error(http_stub, {"errors": [{"title": "t"}], "code": "Top", "message": "top msg"})
    # the top-level fields are not consulted once errors[0] is an object
    assert (err.code, err.message) == ("Error", err.raw_text)


def test_empty_string_fields_are_still_read(http_stub: HTTPStub) -> None:
    err = _error(http_stub, {"code": "", "message": "", "detail": "not reached"})
    assert (err.code, err.message) == ("", "")


def test_errors_list_of_non_dicts_is_ignored(http_stub: HTTPStub) -> None:
    err = _error(http_stub, {"errors": ["boom", 3], "code": "C", "message": "m"})
    assert (err.code, err.message) == ("C", "m")


def test_oauth_error_without_message_fields_keeps_defaults(http_stub: HTTPStub) -> None:
    body = {"error": "invalid_grant", "error_description": "bad refresh token"}
    err = _error(http_stub, body)
    assert err.code == "Error"
    # nothing in MESSAGE_FIELDS: the message is the body itself
    assert "invalid_grant" in err.message
    assert err.raw_json == body


def test_message_fields_subclass_override(http_stub: HTTPStub) -> None:
    class OAuthishError(exc.GlobusAPIError):
        MESSAGE_FIELDS = ["message", "detail", "error"]

    err = _error(
        http_stub,
        {"error": "invalid_grant", "error_description": "bad refresh token"},
        cls=OAuthishError,
    )
    assert err.message == "invalid_grant"


def test_load_from_json_subclass_hook(http_stub: HTTPStub) -> None:
    class WithRequestId(exc.GlobusAPIError):
        def _load_from_json(self, data: dict[str, t.Any]) -> None:
            super()._load_from_json(data)
            self.request_id = data.get("request_id")

        def _get_args(self) -> list[t.Any]:
            return [*super()._get_args(), self.request_id]

    err = _error(http_stub, {"code": "X", "message": "y", "request_id": "abc"}, cls=WithRequestId)
    assert err.request_id == "abc"
    assert str(err).endswith("'X', 'y', 'abc')")


def test_search_style_message_only(http_stub: HTTPStub) -> None:
    err = _error(
        http_stub,
        {
            "@datatype": "GError",
            "@version": "2017-09-01",
            "code": "NotFound.NoSuchIndex",
            "message": 'There is no search index named "2ac1f660"',
            "request_id": "0cd6b6eee44d7b6863b0db2b07f01484",
            "status": 404,
        },
        status=404,
    )
    assert err.code == "NotFound.NoSuchIndex"
    assert err.message == 'There is no search index named "2ac1f660"'


def test_gcs_style_detail(http_stub: HTTPStub) -> None:
    err = _error(
        http_stub,
        {
            "DATA_TYPE": "result#1.0.0",
            "code": "not_found",
            "detail": "No collection with that id",
            "http_response_code": 404,
            "data": [],
        },
        status=404,
    )
    assert (err.code, err.message) == ("not_found", "No collection with that id")


def test_gcs_style_null_detail_uses_message(http_stub: HTTPStub) -> None:
    err = _error(
        http_stub,
        {
            "DATA_TYPE": "result#1.0.0",
            "code": "permission_denied",
            "http_response_code": 403,
            "detail": None,
            "message": "Could not list collections. Insufficient permissions",
            "data": [],
            "has_next_page": False,
            "marker": "",
        },
        status=403,
    )
    assert err.code == "permission_denied"
    assert err.message == "Could not list collections. Insufficient permissions"


def test_gcs_dict_detail_is_not_a_message(http_stub: HTTPStub) -> None:
    body = {"code": "auth_timeout", "detail": {"DATA_TYPE": "authentication_timeout#1.1.0"}}
    err = _error(http_stub, body, status=401)
    assert err.code == "auth_timeout"
    assert err.message == err.raw_text


def test_non_json_text_body(http_stub: HTTPStub) -> None:
    err = _error(http_stub, "upstream proxy exploded", status=502)
    assert err.http_status == 502
    assert err.code == "Error"
    assert err.message == "upstream proxy exploded"
    assert err.raw_json is None
    assert err.raw_text == "upstream proxy exploded"
    assert not err.info.consent_required and not err.info.authorization_parameters


def test_json_body_with_wrong_content_type_is_not_parsed(http_stub: HTTPStub) -> None:
    body = '{"code": "Hidden", "message": "should not be read"}'
    err = _error(http_stub, body, status=400, headers={"Content-Type": "text/html"})
    assert err.raw_json is None
    assert err.code == "Error"
    assert err.message == body


def test_json_content_type_with_charset_is_parsed(http_stub: HTTPStub) -> None:
    err = _error(
        http_stub,
        '{"code": "Seen", "message": "read"}',
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    assert (err.code, err.message) == ("Seen", "read")


def test_invalid_json_with_json_content_type(http_stub: HTTPStub) -> None:
    err = _error(http_stub, "{not json", headers={"Content-Type": "application/json"})
    assert err.raw_json is None
    assert err.code == "Error"
    assert err.message == "{not json"


@pytest.mark.parametrize("body", [[1, 2], "null", '"just a string"', "42"])
def test_json_that_is_not_an_object(http_stub: HTTPStub, body: t.Any) -> None:
    headers = {"Content-Type": "application/json"}
    err = _error(http_stub, body if isinstance(body, str) else body, headers=headers)
    assert err.code == "Error"
    assert not err.info.consent_required


def test_weird_field_types_never_raise(http_stub: HTTPStub) -> None:
    err = _error(
        http_stub,
        {
            "code": 17,
            "message": ["not", "a", "string"],
            "detail": "fallback detail",
            "authorization_parameters": "nope",
            "required_scopes": "also nope",
        },
    )
    assert err.code == "Error"
    assert err.message == "fallback detail"
    assert not err.info.authorization_parameters
    assert not err.info.consent_required


def test_empty_body(http_stub: HTTPStub) -> None:
    err = _error(http_stub, b"", status=404)
    assert err.raw_text == ""
    assert err.raw_json is None
    assert err.code == "Error"
    assert err.message == ""
    assert err.args[3:] == (404, "Error", "")


def test_consent_required(http_stub: HTTPStub) -> None:
    scopes = ["urn:globus:auth:scope:transfer.api.globus.org:all[*https://auth.globus.org/x]"]
    err = _error(
        http_stub,
        {
            "code": "ConsentRequired",
            "message": "Missing required data_access consent",
            "request_id": "r1",
            "required_scopes": scopes,
        },
        status=403,
    )
    assert err.info.consent_required
    assert err.info.consent_required.required_scopes == scopes
    assert not err.info.authorization_parameters


def test_required_scopes_without_consent_code_is_falsy(http_stub: HTTPStub) -> None:
    err = _error(http_stub, {"code": "Other", "required_scopes": ["a"]}, status=403)
    assert not err.info.consent_required


def test_consent_required_inside_errors_list(http_stub: HTTPStub) -> None:
    err = _error(
        http_stub,
        {"errors": [{"code": "ConsentRequired", "detail": "d", "required_scopes": ["s1", "s2"]}]},
        status=403,
    )
    assert err.code == "ConsentRequired"
    assert err.info.consent_required.required_scopes == ["s1", "s2"]


def test_authorization_parameters(http_stub: HTTPStub) -> None:
    err = _error(
        http_stub,
        {
            "code": "AuthenticationFailed",
            "message": "Token is not valid for this collection",
            "authorization_parameters": {
                "session_message": "Please log in again",
                "session_required_identities": ["4a5c4d2e-0000-0000-0000-000000000001"],
                "session_required_single_domain": ["example.edu"],
                "session_required_policies": "p1,p2",
                "session_required_mfa": True,
            },
        },
        status=401,
    )
    params = err.info.authorization_parameters
    assert params
    assert params.session_message == "Please log in again"
    assert params.session_required_identities == ["4a5c4d2e-0000-0000-0000-000000000001"]
    assert params.session_required_single_domain == ["example.edu"]
    assert params.session_required_policies == ["p1", "p2"]
    assert params.session_required_mfa is True
    assert str(params) == (
        "AuthorizationParameterInfo(session_message=Please log in again, "
        "session_required_identities=['4a5c4d2e-0000-0000-0000-000000000001'], "
        "session_required_single_domain=['example.edu'])"
    )
    assert not err.info.consent_required


def test_authorization_parameters_empty_dict_is_present_but_unset(http_stub: HTTPStub) -> None:
    err = _error(http_stub, {"code": "X", "authorization_parameters": {}}, status=401)
    params = err.info.authorization_parameters
    assert params
    assert params.session_message is None
    assert params.session_required_identities is None
    assert params.session_required_single_domain is None


def test_str_names_method_url_scheme_status_code_message(http_stub: HTTPStub) -> None:
    err = _error(
        http_stub,
        {"code": "NotFound", "message": "no such thing"},
        status=404,
        auth="Bearer SECRET-TOKEN",
    )
    text = str(err)
    assert text == (
        f"('GET', '{http_stub.url}v0.10/thing', 'Bearer', 404, 'NotFound', 'no such thing')"
    )
    assert "SECRET-TOKEN" not in text and "SECRET-TOKEN" not in repr(err)


def test_str_without_authorization(http_stub: HTTPStub) -> None:
    err = _error(http_stub, "oops", status=500)
    assert str(err) == f"('GET', '{http_stub.url}v0.10/thing', None, 500, 'Error', 'oops')"


def test_hierarchy_and_top_level_exports() -> None:
    assert issubclass(exc.GlobusAPIError, exc.GlobusError)
    assert issubclass(exc.GlobusSDKUsageError, exc.GlobusError)
    assert issubclass(exc.GlobusSDKUsageError, ValueError)
    assert issubclass(exc.NetworkError, exc.GlobusError)
    assert issubclass(exc.GlobusConnectionError, exc.NetworkError)
    assert issubclass(exc.GlobusTimeoutError, exc.NetworkError)
    assert issubclass(exc.GlobusConnectionTimeoutError, exc.GlobusTimeoutError)
    assert not issubclass(exc.GlobusConnectionTimeoutError, exc.GlobusConnectionError)
    for name in (
        "GlobusError",
        "GlobusSDKUsageError",
        "GlobusAPIError",
        "NetworkError",
        "GlobusConnectionError",
        "GlobusTimeoutError",
        "GlobusConnectionTimeoutError",
    ):
        assert getattr(globus_sdk, name) is getattr(exc, name)


def test_error_info_container_of_none() -> None:
    info = exc.ErrorInfoContainer(None)
    assert not info.authorization_parameters
    assert not info.consent_required
    assert str(info) == "AuthorizationParameterInfo(:)|ConsentRequiredInfo(:)"
    assert repr(info).startswith("<globus_sdk.exc.err_info.ErrorInfoContainer object at 0x")


def test_error_info_str_and_repr_forms() -> None:
    consent = exc.ConsentRequiredInfo({"code": "ConsentRequired", "required_scopes": ["a", "b"]})
    assert str(consent) == "ConsentRequiredInfo(required_scopes=['a', 'b'])"
    assert repr(consent).startswith("<globus_sdk.exc.err_info.ConsentRequiredInfo object at 0x")
    params = exc.AuthorizationParameterInfo(
        {"authorization_parameters": {"session_message": "m", "session_required_mfa": True}}
    )
    assert str(params) == (
        "AuthorizationParameterInfo(session_message=m, session_required_identities=None, "
        "session_required_single_domain=None)"
    )
    assert repr(params).startswith(
        "<globus_sdk.exc.err_info.AuthorizationParameterInfo object at 0x"
    )
    container = exc.ErrorInfoContainer(
        {"code": "ConsentRequired", "required_scopes": ["s"], "authorization_parameters": {}}
    )
    assert str(container) == (
        "AuthorizationParameterInfo(session_message=None, session_required_identities=None, "
        "session_required_single_domain=None)|ConsentRequiredInfo(required_scopes=['s'])"
    )


def test_error_info_keeps_documented_values_as_sent() -> None:
    params = exc.AuthorizationParameterInfo(
        {"authorization_parameters": {"session_required_identities": "id1,id2"}}
    )
    assert params.session_required_identities == "id1,id2"  # type: ignore[comparison-overlap]
    consent = exc.ConsentRequiredInfo({"code": "ConsentRequired", "required_scopes": "s"})
    assert not consent
    assert consent.required_scopes == "s"  # type: ignore[comparison-overlap]
    assert str(consent) == "ConsentRequiredInfo(:)"
    other = exc.ConsentRequiredInfo({"code": "Other", "required_scopes": ["s"]})
    assert other.required_scopes is None


# -- network errors -------------------------------------------------------------------


def test_convert_connection_refused() -> None:
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens here now
    with pytest.raises(requests.RequestException) as excinfo:
        requests.get(f"http://127.0.0.1:{port}/", timeout=5)
    converted = exc.convert_request_exception(excinfo.value)
    assert type(converted) is exc.GlobusConnectionError
    assert converted.underlying_exception is excinfo.value
    assert str(converted) == "ConnectionError on request"


def test_convert_read_timeout() -> None:
    import socket

    # a listening socket that never accepts: connecting succeeds, no answer ever comes
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        port = listener.getsockname()[1]
        with pytest.raises(requests.RequestException) as excinfo:
            requests.get(f"http://127.0.0.1:{port}/", timeout=0.2)
    converted = exc.convert_request_exception(excinfo.value)
    assert type(converted) is exc.GlobusTimeoutError
    assert isinstance(excinfo.value, requests.ReadTimeout)
    assert str(converted) == "TimeoutError on request"


@pytest.mark.parametrize(
    "raised, expected, message",
    [
        (requests.ConnectTimeout("c"), exc.GlobusConnectionTimeoutError, "ConnectTimeoutError"),
        (requests.ReadTimeout("r"), exc.GlobusTimeoutError, "TimeoutError"),
        (requests.Timeout("t"), exc.GlobusTimeoutError, "TimeoutError"),
        (requests.ConnectionError("x"), exc.GlobusConnectionError, "ConnectionError"),
        (requests.TooManyRedirects("m"), exc.NetworkError, "NetworkError"),
        (requests.RequestException("e"), exc.NetworkError, "NetworkError"),
    ],
)
def test_convert_mapping(raised: requests.RequestException, expected: type, message: str) -> None:
    converted = exc.convert_request_exception(raised)
    assert type(converted) is expected
    assert converted.underlying_exception is raised
    assert isinstance(converted, exc.GlobusError)
    assert str(converted) == f"{message} on request"
    assert converted.args == (f"{message} on request",)


@pytest.mark.parametrize(
    "cls",
    [
        exc.NetworkError,
        exc.GlobusConnectionError,
        exc.GlobusTimeoutError,
        exc.GlobusConnectionTimeoutError,
    ],
)
def test_network_error_keeps_its_message(cls: type[exc.NetworkError]) -> None:
    inner = OSError("boom")
    err = cls("while talking", inner, "extra", flag=True)
    assert err.underlying_exception is inner
    assert str(err) == "while talking"
    assert err.args == ("while talking",)
    assert repr(err) == f"{cls.__name__}('while talking')"


@pytest.mark.parametrize(
    ("header", "scheme"),
    [
        ("Bearer SECRET", "Bearer"),
        ("bearer SECRET", "bearer"),
        ("Basic U0VDUkVU", "Basic"),
        ("Globus-Goauthtoken SECRET", "Globus-Goauthtoken"),
        ("Token SECRET", None),
        ("Negotiate SECRET", None),
    ],
)
def test_args_name_only_recognized_schemes(
    http_stub: HTTPStub, header: str, scheme: str | None
) -> None:
    err = _error(http_stub, {"code": "C", "message": "m"}, status=401, auth=header)
    assert err.args == ("GET", f"{http_stub.url}v0.10/thing", scheme, 401, "C", "m")
    assert "SECRET" not in str(err) and "U0VDUkVU" not in repr(err)


def test_args_of_a_redirected_request_name_the_final_url(http_stub: HTTPStub) -> None:
    http_stub.add(
        "GET", "/v0.10/old", StubResponse(302, b"", {"Location": f"{http_stub.url}v0.10/thing"})
    )
    http_stub.add("GET", "/v0.10/thing", StubResponse(403, {"code": "Nope", "message": "no"}))
    resp = requests.get(http_stub.url + "v0.10/old", timeout=10)
    err = exc.GlobusAPIError(resp)
    assert err.args == ("GET", f"{http_stub.url}v0.10/thing", None, 403, "Nope", "no")
