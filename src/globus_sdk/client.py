"""BaseClient: the low-level HTTP interface every service client inherits."""

from __future__ import annotations

import logging
import typing as t
import urllib.parse

from globus_sdk import config, exc, utils
from globus_sdk.paging import PaginatorTable
from globus_sdk.response import GlobusHTTPResponse
from globus_sdk.transport import RequestsTransport

if t.TYPE_CHECKING:
    from globus_sdk.authorizers import GlobusAuthorizer
    from globus_sdk.scopes import ScopeBuilder

log = logging.getLogger(__name__)


class BaseClient:
    """Abstract base class for clients with error handling for Globus APIs.

    :param authorizer: A GlobusAuthorizer which will generate Authorization headers
    :param app_name: Optional "nice name" for the application, sent in the User-Agent
    :param transport_params: Options to pass to the transport for this client

    All other parameters are for internal use and should be ignored.
    """

    #: the service name used to find the service URL ("auth", "transfer", ...)
    service_name: str = "_base"
    #: path joined onto the service URL to form ``base_url``
    base_path: str = "/"
    #: the error raised for responses with status >= 400
    error_class: type[exc.GlobusAPIError] = exc.GlobusAPIError
    #: the class wrapping successful responses
    default_response_class: type[GlobusHTTPResponse] = GlobusHTTPResponse
    #: the transport class built for each client
    transport_class: type[RequestsTransport] = RequestsTransport
    #: the scopes for this client may be present as a ScopeBuilder
    scopes: ScopeBuilder | None = None

    def __init__(
        self,
        *,
        environment: str | None = None,
        base_url: str | None = None,
        authorizer: GlobusAuthorizer | None = None,
        app_name: str | None = None,
        transport_params: dict[str, t.Any] | None = None,
    ) -> None:
        # BaseClient is abstract without abstract methods: a subclass names its service
        if self.service_name == "_base":
            raise NotImplementedError(
                "Cannot instantiate clients which do not set a 'service_name'"
            )
        self.environment = config.get_environment_name(environment)
        if base_url is None:
            base_url = utils.slash_join(
                config.get_service_url(self.environment, self.service_name),
                self.base_path,
            )
        self.base_url: str = base_url
        self.transport = self.transport_class(**(transport_params or {}))
        self.authorizer = authorizer
        self._app_name: str | None = None
        if app_name is not None:
            self.app_name = app_name
        self.paginated = PaginatorTable(self)
        log.debug("%s ready: base_url=%s", type(self).__name__, self.base_url)

    @utils.classproperty
    def resource_server(cls) -> str | None:
        """The resource server of this client's scopes, or None if it has none.

        Read from the class's ``scopes``, so ``TransferClient.resource_server`` works
        without building a client.
        """
        if cls.scopes is None:
            return None
        return cls.scopes.resource_server

    @property
    def app_name(self) -> str | None:
        """Application name, appended to the User-Agent (``globus-sdk-py-<v>/<app_name>``)."""
        return self._app_name

    @app_name.setter
    def app_name(self, value: str | None) -> None:
        self._app_name = value
        base = self.transport.BASE_USER_AGENT
        self.transport.user_agent = base if value is None else f"{base}/{value}"

    # -- the low-level interface ---------------------------------------------------------

    def get(
        self,
        path: str,
        *,
        query_params: dict[str, t.Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> GlobusHTTPResponse:
        """Make a GET request to the specified path (see :meth:`request`)."""
        return self.request("GET", path, query_params=query_params, headers=headers)

    def post(
        self,
        path: str,
        *,
        query_params: dict[str, t.Any] | None = None,
        data: None | dict[str, t.Any] | utils.PayloadWrapper = None,
        headers: dict[str, str] | None = None,
        encoding: str | None = None,
    ) -> GlobusHTTPResponse:
        """Make a POST request to the specified path (see :meth:`request`)."""
        return self.request(
            "POST",
            path,
            query_params=query_params,
            data=data,
            headers=headers,
            encoding=encoding,
        )

    def delete(
        self,
        path: str,
        *,
        query_params: dict[str, t.Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> GlobusHTTPResponse:
        """Make a DELETE request to the specified path (see :meth:`request`)."""
        return self.request("DELETE", path, query_params=query_params, headers=headers)

    def put(
        self,
        path: str,
        *,
        query_params: dict[str, t.Any] | None = None,
        data: None | dict[str, t.Any] | utils.PayloadWrapper = None,
        headers: dict[str, str] | None = None,
        encoding: str | None = None,
    ) -> GlobusHTTPResponse:
        """Make a PUT request to the specified path (see :meth:`request`)."""
        return self.request(
            "PUT",
            path,
            query_params=query_params,
            data=data,
            headers=headers,
            encoding=encoding,
        )

    def patch(
        self,
        path: str,
        *,
        query_params: dict[str, t.Any] | None = None,
        data: None | dict[str, t.Any] | utils.PayloadWrapper = None,
        headers: dict[str, str] | None = None,
        encoding: str | None = None,
    ) -> GlobusHTTPResponse:
        """Make a PATCH request to the specified path (see :meth:`request`)."""
        return self.request(
            "PATCH",
            path,
            query_params=query_params,
            data=data,
            headers=headers,
            encoding=encoding,
        )

    def request(
        self,
        method: str,
        path: str,
        *,
        query_params: dict[str, t.Any] | None = None,
        data: None | dict[str, t.Any] | utils.PayloadWrapper = None,
        headers: dict[str, str] | None = None,
        encoding: str | None = None,
    ) -> GlobusHTTPResponse:
        """Send an HTTP request.

        :param method: HTTP request method, as an all caps string
        :param path: path for the request, with or without leading slash; a full
            ``http(s)://`` URL is used as is
        :param query_params: parameters to be encoded as a query string (None values are
            dropped)
        :param headers: HTTP headers to add to the request
        :param data: data to send as the request body; may pass through encoding
        :param encoding: "json", "form", "text" or an encoding registered with the
            transport; by default strings get "text" and all other objects "json"
        :raises: ``error_class`` for responses with status >= 400, a
            :class:`globus_sdk.NetworkError` subclass when the server cannot be reached
        """
        if path.startswith(("http://", "https://")):
            url = path
        else:
            url = utils.slash_join(self.base_url, urllib.parse.quote(path))
        response = self.transport.request(
            method,
            url,
            query_params=query_params,
            # a payload helper is sent as the plain dict it wraps
            data=data.data if isinstance(data, utils.PayloadWrapper) else data,
            headers=headers,
            encoding=encoding,
            authorizer=self.authorizer,
        )
        if 200 <= response.status_code < 400:
            return self.default_response_class(response, client=self)
        log.debug("%s %s failed with status %d", method, url, response.status_code)
        raise self.error_class(response)
