"""The HTTP transport: encodes a request, sends it, and retries it as the checks decide."""

from __future__ import annotations

import email.utils
import logging
import time
import typing as t
from datetime import datetime, timezone

import requests

from globus_sdk import config, exc
from globus_sdk.transport.encoders import (
    FormRequestEncoder,
    JSONRequestEncoder,
    RequestEncoder,
)
from globus_sdk.transport.retry import (
    RetryCheck,
    RetryCheckFlags,
    RetryCheckResult,
    RetryCheckRunner,
    RetryContext,
    _exponential_backoff,
    set_retry_check_flags,
)
from globus_sdk.version import __version__

if t.TYPE_CHECKING:
    from globus_sdk.authorizers import GlobusAuthorizer

log = logging.getLogger(__name__)


def _parse_retry_after(response: requests.Response) -> float | None:
    """Seconds requested by a Retry-After header (delta-seconds or HTTP-date), if any."""
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        seconds = (when - datetime.now(timezone.utc)).total_seconds()
    return max(seconds, 0.0)


class RequestsTransport:
    """Sends HTTP requests with ``requests`` and handles retries.

    For each request: encode the data, send it until the retry checks stop asking for
    another attempt (or ``max_retries`` is reached), then return the last response or
    raise the last network error as a :class:`globus_sdk.NetworkError`.
    """

    #: default maximum number of retries
    DEFAULT_MAX_RETRIES = 5
    #: status codes for responses which may have a Retry-After header
    RETRY_AFTER_STATUS_CODES = (429, 503)
    #: status codes for error responses which should generally be retried
    TRANSIENT_ERROR_STATUS_CODES = (429, 500, 502, 503, 504)
    #: status codes indicating that authorization info was missing or expired
    EXPIRED_AUTHORIZATION_STATUS_CODES = (401,)

    #: the encoders are a mapping of encoding names to encoder objects
    encoders: dict[str, RequestEncoder] = {
        "text": RequestEncoder(),
        "json": JSONRequestEncoder(),
        "form": FormRequestEncoder(),
    }

    BASE_USER_AGENT = f"globus-sdk-py-{__version__}"

    def __init__(
        self,
        verify_ssl: bool | str | None = None,
        http_timeout: float | None = None,
        retry_backoff: t.Callable[[RetryContext], float] = _exponential_backoff,
        retry_checks: list[RetryCheck] | None = None,
        max_sleep: float = 10,
        max_retries: int | None = None,
    ) -> None:
        self.session = requests.Session()
        self.verify_ssl = config.get_ssl_verify(verify_ssl)
        self.http_timeout = config.get_http_timeout(http_timeout)
        self.retry_backoff = retry_backoff
        self.max_sleep = max_sleep
        self.max_retries = self.DEFAULT_MAX_RETRIES if max_retries is None else max_retries
        # per-instance copy, so registering a custom encoding affects only this transport
        self.encoders = dict(self.encoders)
        self.user_agent = self.BASE_USER_AGENT
        self.retry_checks: list[RetryCheck] = list(retry_checks or [])
        self.register_default_retry_checks()

    @property
    def _headers(self) -> dict[str, str]:
        return {"Accept": "application/json", "User-Agent": self.user_agent}

    # -- sending -----------------------------------------------------------------------

    def _encode(
        self,
        method: str,
        url: str,
        query_params: dict[str, t.Any] | None,
        data: t.Any,
        headers: dict[str, str] | None,
        encoding: str | None,
    ) -> requests.Request:
        if encoding is None:
            encoding = "text" if isinstance(data, (str, bytes)) else "json"
        encoder = self.encoders.get(encoding)
        if encoder is None:
            raise exc.GlobusSDKUsageError(
                f"unknown request encoding {encoding!r}; "
                f"registered encodings: {', '.join(sorted(self.encoders))}"
            )
        all_headers = {**self._headers, **(headers or {})}
        return encoder.encode(method, url, query_params, data, all_headers)

    def _send(self, request: requests.Request) -> requests.Response:
        prepared = self.session.prepare_request(request)
        settings = self.session.merge_environment_settings(
            prepared.url, {}, None, self.verify_ssl, None
        )
        return self.session.send(prepared, timeout=self.http_timeout, **settings)

    def request(
        self,
        method: str,
        url: str,
        query_params: dict[str, t.Any] | None = None,
        data: t.Any = None,
        headers: dict[str, str] | None = None,
        encoding: str | None = None,
        authorizer: GlobusAuthorizer | None = None,
    ) -> requests.Response:
        """Send an HTTP request, retrying as the retry checks decide.

        :param method: HTTP method, as an all caps string
        :param url: URL for the request
        :param query_params: parameters encoded as a query string (None values dropped)
        :param data: request body; may pass through an encoder
        :param headers: HTTP headers to add to the request
        :param encoding: "json", "form", "text" or a custom registered encoding; by
            default strings get "text" and anything else "json"
        :param authorizer: supplies the Authorization header, and may refresh it on 401
        """
        request = self._encode(method, url, query_params, data, headers, encoding)
        runner = RetryCheckRunner(self.retry_checks)
        response: requests.Response | None = None
        for attempt in range(self.max_retries + 1):
            if authorizer is not None:
                authz_header = authorizer.get_authorization_header()
                if authz_header:
                    request.headers["Authorization"] = authz_header
                else:
                    request.headers.pop("Authorization", None)
            ctx = RetryContext(attempt, authorizer=authorizer)
            log.debug("%s %s (attempt %d)", method, url, attempt)
            try:
                response = ctx.response = self._send(request)
            except requests.RequestException as err:
                ctx.exception = err
                log.debug("request failed: %r", err)
                if attempt >= self.max_retries or not runner.should_retry(ctx):
                    raise exc.convert_request_exception(err) from err
            else:
                log.debug("response status %d", response.status_code)
                # the checks see every response, the last one too (a 401 there still
                # lets the authorizer renew its token for the caller's next request)
                if not runner.should_retry(ctx):
                    return response
            if attempt < self.max_retries:
                self._retry_sleep(ctx)
        if response is None:
            # only a max_retries below zero leaves the loop without a single attempt
            raise ValueError(f"max_retries={self.max_retries} leaves no attempt to send {url}")
        log.debug("retries exhausted; returning the last response")
        return response

    def _retry_sleep(self, ctx: RetryContext) -> None:
        """Sleep before the next attempt: a check's requested backoff or the computed one,
        never more than ``max_sleep``."""
        if ctx.backoff is None:
            ctx.backoff = self.retry_backoff(ctx)
        delay = max(0.0, min(ctx.backoff, self.max_sleep))
        log.debug("retrying after %.3fs", delay)
        time.sleep(delay)

    # -- retry checks ------------------------------------------------------------------

    def register_retry_check(self, func: RetryCheck) -> RetryCheck:
        """Register a retry check with this transport (usable as a decorator).

        A check implements ``check(RetryContext) -> RetryCheckResult``; it must not sleep,
        and checks must be chainable in any order.
        """
        self.retry_checks.append(func)
        return func

    def register_default_retry_checks(self) -> None:
        """Register the default checks; called by ``__init__``, override to customize."""
        self.register_retry_check(self.default_check_expired_authorization)
        self.register_retry_check(self.default_check_request_exception)
        self.register_retry_check(self.default_check_retry_after_header)
        self.register_retry_check(self.default_check_transient_error)

    def default_check_request_exception(self, ctx: RetryContext) -> RetryCheckResult:
        """check if a network error was encountered"""
        if ctx.exception is not None and isinstance(ctx.exception, requests.RequestException):
            return RetryCheckResult.do_retry
        return RetryCheckResult.no_decision

    def default_check_retry_after_header(self, ctx: RetryContext) -> RetryCheckResult:
        """check for a retry-after header if the response had a matching status

        It only sets ``ctx.backoff``; whether to retry is left to the other checks.
        """
        if ctx.response is None or ctx.response.status_code not in self.RETRY_AFTER_STATUS_CODES:
            return RetryCheckResult.no_decision
        retry_after = _parse_retry_after(ctx.response)
        if retry_after is not None:
            ctx.backoff = retry_after
        return RetryCheckResult.no_decision

    def default_check_transient_error(self, ctx: RetryContext) -> RetryCheckResult:
        """check for transient error status codes which could be resolved by retrying
        the request"""
        if ctx.response is not None and (
            ctx.response.status_code in self.TRANSIENT_ERROR_STATUS_CODES
        ):
            return RetryCheckResult.do_retry
        return RetryCheckResult.no_decision

    @set_retry_check_flags(RetryCheckFlags.RUN_ONCE)
    def default_check_expired_authorization(self, ctx: RetryContext) -> RetryCheckResult:
        """This check evaluates whether or not there is invalid or expired authorization
        information which could be updated with some action -- most typically a token
        refresh for an expired access token.

        The check is flagged to only run once per request.
        """
        if (
            ctx.authorizer is None
            or ctx.response is None
            or ctx.response.status_code not in self.EXPIRED_AUTHORIZATION_STATUS_CODES
        ):
            return RetryCheckResult.no_decision
        if ctx.authorizer.handle_missing_authorization():
            return RetryCheckResult.do_retry
        return RetryCheckResult.no_decision
