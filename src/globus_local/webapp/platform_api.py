"""The web app's way to the REST APIs: the same routes a user's script calls, in process.

A page's request already holds its admission turn, so the calls it makes go straight to the
services' dispatch (below admission): a page never waits for a turn its own request holds.
Each call is a full request to a service (token check, scopes, rights, error documents); no
page reads the database itself.
"""

from __future__ import annotations

import asyncio
import json
import typing as t
from dataclasses import dataclass, field
from urllib.parse import urlencode

ASGIApp = t.Callable[..., t.Awaitable[None]]
Params = t.Mapping[str, t.Any]


class ApiError(Exception):
    """A service answered with an error document: its status, code and message."""

    def __init__(self, status: int, code: str, message: str, document: t.Any = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.document = document


@dataclass
class ApiResponse:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def json(self) -> t.Any:
        return json.loads(self.body) if self.body else None

    def checked(self) -> t.Any:
        """The JSON document, or :class:`ApiError` built from the service's error document."""
        if self.ok:
            return self.json()
        raise _error_of(self)


def _error_of(response: ApiResponse) -> ApiError:
    try:
        doc = response.json()
    except ValueError:
        doc = None
    code, message = f"HTTP{response.status}", "The request failed"
    if isinstance(doc, dict):
        # Transfer, Auth, Groups, Search: top-level code/message (or an errors list);
        # Flows and Timers: one nested "error" object with code/detail.
        errors = doc.get("errors")
        nested = doc.get("error")
        first = (
            errors[0]
            if isinstance(errors, list) and errors
            else nested
            if isinstance(nested, dict)
            else doc
        )
        if isinstance(first, dict):
            code = str(first.get("code") or first.get("error") or code)
            message = str(
                first.get("message")
                or first.get("detail")
                or first.get("error_description")
                or doc.get("message")
                or message
            )
    return ApiError(response.status, code, message, doc)


@dataclass
class Origin:
    """What the browser's request said about where the platform is: service routes build
    URLs (issuers, links) from it, as they would for a direct client."""

    scheme: str
    host: str
    server: tuple[str, int] | None
    client: tuple[str, int] | None
    request_id: str = ""
    extra_headers: list[tuple[bytes, bytes]] = field(default_factory=list)


class PlatformApi:
    """Calls ``/<service>/<path>`` on the platform's service dispatch."""

    def __init__(self, dispatch: ASGIApp, origin: Origin) -> None:
        self.dispatch = dispatch
        self.origin = origin

    async def call(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        params: Params | None = None,
        json_body: t.Any = None,
        form: Params | None = None,
        body: bytes | None = None,
        content_type: str | None = None,
        headers: t.Mapping[str, str] | None = None,
    ) -> ApiResponse:
        """One request; ``path`` starts with the service's prefix (``/transfer/v0.10/...``)."""
        raw_headers = [(b"host", self.origin.host.encode("latin-1"))]
        if json_body is not None:
            body = json.dumps(json_body).encode()
            content_type = "application/json"
        elif form is not None:
            body = urlencode({k: v for k, v in form.items() if v is not None}).encode()
            content_type = "application/x-www-form-urlencoded"
        if content_type:
            raw_headers.append((b"content-type", content_type.encode("latin-1")))
        if body is not None:
            raw_headers.append((b"content-length", str(len(body)).encode()))
        if token:
            raw_headers.append((b"authorization", f"Bearer {token}".encode("latin-1")))
        for key, value in (headers or {}).items():
            raw_headers.append((key.lower().encode("latin-1"), value.encode("latin-1")))
        raw_headers.extend(self.origin.extra_headers)
        query = urlencode(
            [(k, v) for k, v in (params or {}).items() if v is not None], doseq=True
        ).encode()
        scope = {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": "1.1",
            "method": method.upper(),
            "scheme": self.origin.scheme,
            "path": path,
            "raw_path": path.encode(),
            "query_string": query,
            "root_path": "",
            "headers": raw_headers,
            "client": self.origin.client,
            "server": self.origin.server,
            "state": {"request_id": self.origin.request_id},
        }
        return await _run(self.dispatch, scope, body or b"")

    async def get(self, path: str, token: str | None, **params: t.Any) -> t.Any:
        return (await self.call("GET", path, token=token, params=params)).checked()

    async def post(self, path: str, token: str | None, document: t.Any = None) -> t.Any:
        return (await self.call("POST", path, token=token, json_body=document)).checked()

    async def put(self, path: str, token: str | None, document: t.Any) -> t.Any:
        return (await self.call("PUT", path, token=token, json_body=document)).checked()

    async def delete(self, path: str, token: str | None, **params: t.Any) -> t.Any:
        return (await self.call("DELETE", path, token=token, params=params)).checked()


async def _run(app: ASGIApp, scope: dict[str, t.Any], body: bytes) -> ApiResponse:
    sent_body = False
    finished = asyncio.Event()
    status = 500
    headers: dict[str, str] = {}
    chunks: list[bytes] = []

    async def receive() -> dict[str, t.Any]:
        nonlocal sent_body
        if not sent_body:
            sent_body = True
            return {"type": "http.request", "body": body, "more_body": False}
        await finished.wait()  # the caller stays connected until the whole answer is in
        return {"type": "http.disconnect"}

    async def send(message: t.MutableMapping[str, t.Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
            for key, value in message.get("headers", ()):
                headers[key.decode("latin-1").lower()] = value.decode("latin-1")
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                finished.set()

    try:
        await app(scope, receive, send)
    finally:
        finished.set()
    return ApiResponse(status, headers, b"".join(chunks))
