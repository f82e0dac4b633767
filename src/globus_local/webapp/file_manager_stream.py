"""In-process calls whose bodies stream: a file downloaded through the HTTPS file route is
passed on to the browser a chunk at a time, and an uploaded file is sent to it a chunk at a
time, so the web app never holds a whole file (``platform_api`` collects bodies whole,
which suits JSON documents).

Like every call the pages make, these are whole requests to the service (token check,
scopes, rights, the service's error document), sent to the services' dispatch below
admission; only the way the body travels differs.
"""

from __future__ import annotations

import asyncio
import contextlib
import typing as t
import weakref
from collections.abc import AsyncIterator
from urllib.parse import quote, urlencode

from globus_local.webapp.platform_api import ApiResponse, PlatformApi

Message = t.MutableMapping[str, t.Any]
# Response chunks waiting for the browser to take them: the service waits beyond this.
QUEUE_CHUNKS = 4


def _scope(
    api: PlatformApi,
    method: str,
    path: str,
    token: str | None,
    params: t.Mapping[str, str] | None = None,
    headers: t.Mapping[str, str] | None = None,
) -> dict[str, t.Any]:
    raw_headers = [(b"host", api.origin.host.encode("latin-1"))]
    if token:
        raw_headers.append((b"authorization", f"Bearer {token}".encode("latin-1")))
    for key, value in (headers or {}).items():
        raw_headers.append((key.lower().encode("latin-1"), value.encode("latin-1")))
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": method,
        "scheme": api.origin.scheme,
        "path": path,
        "raw_path": quote(path).encode(),
        "query_string": urlencode(params or {}).encode(),
        "root_path": "",
        "headers": raw_headers,
        "client": api.origin.client,
        "server": api.origin.server,
        "state": {"request_id": api.origin.request_id},
    }


class Streamed:
    """A response whose body is still coming: its status and headers, and :meth:`body`."""

    def __init__(self, status: int, headers: dict[str, str], body: AsyncIterator[bytes]) -> None:
        self.status = status
        self.headers = headers
        self._body = body

    def body(self) -> AsyncIterator[bytes]:
        return self._body


async def get(
    api: PlatformApi, path: str, token: str | None, params: t.Mapping[str, str] | None = None
) -> Streamed:
    """``GET path``; the body arrives as the caller iterates it. A response that is not a
    success is read whole and raised as :class:`ApiError`."""
    queue: asyncio.Queue[Message] = asyncio.Queue(QUEUE_CHUNKS)
    leave = asyncio.Event()
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await leave.wait()
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        await queue.put(message)

    app = asyncio.ensure_future(
        api.dispatch(_scope(api, "GET", path, token, params), receive, send)
    )

    async def next_message() -> Message | None:
        if app.done() and queue.empty():
            app.result()  # its exception, if it ended with one
            return None
        getter = asyncio.ensure_future(queue.get())
        await asyncio.wait((getter, app), return_when=asyncio.FIRST_COMPLETED)
        if getter.done():
            return getter.result()
        getter.cancel()
        return await next_message()

    async def stop() -> None:
        leave.set()
        if not app.done():
            app.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await app

    start = await next_message()
    if start is None or start["type"] != "http.response.start":
        await stop()
        raise RuntimeError("the service ended without an answer")
    status = start["status"]
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in start["headers"]}

    async def body() -> AsyncIterator[bytes]:
        try:
            while True:
                message = await next_message()
                if message is None or message["type"] != "http.response.body":
                    return
                if message.get("body"):
                    yield message["body"]
                if not message.get("more_body", False):
                    return
        finally:
            await stop()

    if not 200 <= status < 300:
        chunks = [chunk async for chunk in body()]
        ApiResponse(status, headers, b"".join(chunks)).checked()  # raises ApiError
    rest = body()
    # A body dropped before its first chunk (the browser left at once) never runs its
    # ``finally``: end the service's request when the body is collected instead.
    weakref.finalize(rest, _end_soon, asyncio.get_running_loop(), leave, app)
    return Streamed(status, headers, rest)


def _end_soon(loop: asyncio.AbstractEventLoop, leave: asyncio.Event, app: asyncio.Future) -> None:
    def end() -> None:
        leave.set()
        app.cancel()

    with contextlib.suppress(RuntimeError):  # the loop has closed: nothing is left to end
        loop.call_soon_threadsafe(end)


async def put(
    api: PlatformApi,
    path: str,
    token: str | None,
    chunks: AsyncIterator[bytes],
    length: int | None = None,
) -> t.Any:
    """``PUT path`` with a body sent as ``chunks`` gives it; the JSON answer (or
    :class:`ApiError`)."""
    headers = {"content-type": "application/octet-stream"}
    if length is not None:
        headers["content-length"] = str(length)
    scope = _scope(api, "PUT", path, token, headers=headers)
    finished = asyncio.Event()
    status = 500
    answer_headers: dict[str, str] = {}
    answer: list[bytes] = []
    ended = False

    async def receive() -> Message:
        nonlocal ended
        if ended:
            await finished.wait()
            return {"type": "http.disconnect"}
        try:
            chunk = await anext(chunks)
        except StopAsyncIteration:
            ended = True
            return {"type": "http.request", "body": b"", "more_body": False}
        return {"type": "http.request", "body": chunk, "more_body": True}

    async def send(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
            for key, value in message.get("headers", ()):
                answer_headers[key.decode("latin-1").lower()] = value.decode("latin-1")
        elif message["type"] == "http.response.body":
            answer.append(message.get("body", b""))
            if not message.get("more_body", False):
                finished.set()

    try:
        await api.dispatch(scope, receive, send)
    finally:
        finished.set()
    return ApiResponse(status, answer_headers, b"".join(answer)).checked()
