"""Admission control: how many requests run at once, and a quick 503 when too many wait.

A request that runs may hold a database connection and a thread while it waits for the
other. If more requests ran than there are threads or connections, a request holding one
could wait for ever for a request that holds the other. So at most ``concurrency``
requests run at once, each with a thread and a connection guaranteed (the pools are sized
from the same setting); the rest wait here, on the event loop, in arrival order, holding
nothing. A request that waits longer than ``queue_timeout`` is answered 503 with
``Retry-After`` in its service's error document, so overload never turns into a hang.

The request body is read before the request takes its turn, so a client that sends its
body slowly holds no turn while it does.
"""

from __future__ import annotations

import asyncio
import typing as t

from starlette.requests import Request

from globus_local.errors import ServiceError

# Bodies larger than this are refused (413) before any route sees them.
MAX_BODY_BYTES = 64 * 1024 * 1024
# Seconds a client is told to wait before it tries again after a 503.
RETRY_AFTER_SECONDS = 1

ErrorResponder = t.Callable[[Request, ServiceError], t.Any]

Scope = t.MutableMapping[str, t.Any]
Message = t.MutableMapping[str, t.Any]
Receive = t.Callable[[], t.Awaitable[Message]]
Send = t.Callable[[Message], t.Awaitable[None]]


class BodyTooLarge(Exception):
    pass


class Admission:
    """ASGI middleware that lets ``concurrency`` requests run at once (see the module)."""

    def __init__(
        self,
        app: t.Any,
        *,
        concurrency: int,
        queue_timeout: float,
        respond_error: ErrorResponder,
    ) -> None:
        self.app = app
        self.concurrency = concurrency
        self.queue_timeout = queue_timeout
        self.respond_error = respond_error
        self._turns: asyncio.Semaphore | None = None

    def _semaphore(self) -> asyncio.Semaphore:
        # Made on first use, inside the loop that serves.
        if self._turns is None:
            self._turns = asyncio.Semaphore(self.concurrency)
        return self._turns

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            receive = await _buffered_body(scope, receive)  # before the turn: see the module
        except BodyTooLarge:
            await self._refuse(scope, send, ServiceError(
                413, "RequestTooLarge", f"The request body exceeds {MAX_BODY_BYTES} bytes"
            ))
            return
        turns = self._semaphore()
        try:
            await asyncio.wait_for(turns.acquire(), self.queue_timeout)
        except asyncio.TimeoutError:
            await self._refuse(scope, send, ServiceError(
                503,
                "ServiceUnavailable",
                "The server is busy; try again shortly",
                _headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
            ))
            return
        try:
            await self.app(scope, receive, send)
        finally:
            turns.release()

    async def _refuse(self, scope: Scope, send: Send, err: ServiceError) -> None:
        response = self.respond_error(Request(scope), err)
        if err.http_status == 413:
            response.headers["connection"] = "close"
        await response(scope, _no_receive, send)


async def _no_receive() -> Message:
    return {"type": "http.disconnect"}


async def _buffered_body(scope: Scope, receive: Receive) -> Receive:
    """Read the whole body now; return a ``receive`` that replays it, then passes on."""
    if not _has_body(scope):
        return receive
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":  # the client went away: let the app see it
            return _replay([], message, receive)
        body = message.get("body", b"")
        size += len(body)
        if size > MAX_BODY_BYTES:
            raise BodyTooLarge
        chunks.append(body)
        if not message.get("more_body", False):
            return _replay(chunks, None, receive)


def _has_body(scope: Scope) -> bool:
    """Whether the headers announce a body; raise BodyTooLarge when its length says so."""
    for name, value in scope.get("headers", ()):
        if name == b"transfer-encoding":
            return True
        if name == b"content-length":
            if value.isdigit() and int(value) > MAX_BODY_BYTES:
                raise BodyTooLarge
            return value != b"0"
    return False


def _replay(chunks: list[bytes], last: Message | None, receive: Receive) -> Receive:
    pending: list[Message] = [{"type": "http.request", "body": b"".join(chunks), "more_body": False}]
    if last is not None:
        pending = [last]

    async def replay() -> Message:
        if pending:
            return pending.pop()
        return await receive()

    return replay
