"""Admission control: how many requests run at once, and a quick 503 when too many wait.

A request that runs may hold a database connection and a thread while it waits for the
other. If more requests ran than there are threads or connections, a request holding one
could wait for ever for a request that holds the other. So at most ``concurrency``
requests run at once, each with a thread and a connection guaranteed (the pools are sized
from the same setting); the rest wait here, on the event loop, in arrival order, holding
nothing. A request that waits longer than ``queue_timeout`` is answered 503 with
``Retry-After`` in its service's error document, so overload never turns into a hang.

The request body is read before the request takes its turn, so a client that sends its
body slowly holds no turn while it does. A request that only waits (a long-poll on a task)
gives its turn back while it waits and queues for one again to answer (:class:`Turn`, in
the request's scope under ``TURN_SCOPE_KEY``), so waiters never fill the running slots.
"""

from __future__ import annotations

import asyncio
import contextlib
import typing as t

from starlette.requests import Request

from globus_local.kit.errors import ServiceError

# Bodies larger than this are refused (413) before any route sees them.
MAX_BODY_BYTES = 64 * 1024 * 1024
# Seconds a client is told to wait before it tries again after a 503.
RETRY_AFTER_SECONDS = 1

# Where a request's Turn is in its ASGI scope (services read it by this name: they sit in a
# layer below this module and cannot import it).
TURN_SCOPE_KEY = "globus_local.turn"

ErrorResponder = t.Callable[[Request, ServiceError], t.Any]

Scope = t.MutableMapping[str, t.Any]
Message = t.MutableMapping[str, t.Any]
Receive = t.Callable[[], t.Awaitable[Message]]
Send = t.Callable[[Message], t.Awaitable[None]]


class BodyTooLarge(Exception):
    pass


def _busy() -> ServiceError:
    return ServiceError(
        503,
        "ServiceUnavailable",
        "The server is busy; try again shortly",
        _headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


class Turn:
    """A running request's turn. A request that waits for an event rather than working
    gives it back for the wait (:meth:`given_back`) and takes one again, in line, to
    answer; the running slots then stay free for requests that work."""

    def __init__(self, turns: asyncio.Semaphore, queue_timeout: float) -> None:
        self._turns = turns
        self._queue_timeout = queue_timeout
        self.held = True

    @contextlib.asynccontextmanager
    async def given_back(self) -> t.AsyncIterator[None]:
        """Hold no turn inside the block; after it, wait in line for one (503 when none
        comes within the queue timeout). A block that raises ends without a turn."""
        if self.held:
            self._turns.release()
            self.held = False
        yield
        try:
            await asyncio.wait_for(self._turns.acquire(), self._queue_timeout)
        except TimeoutError:
            raise _busy() from None
        self.held = True


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
            await self._refuse(
                scope,
                send,
                ServiceError(
                    413, "RequestTooLarge", f"The request body exceeds {MAX_BODY_BYTES} bytes"
                ),
            )
            return
        turns = self._semaphore()
        if turns.locked():
            receive, turn = await self._wait_for_turn(scope, receive, turns)
            if turn is None:  # the client left while it waited: nothing to answer
                return
            if not turn:
                await self._refuse(scope, send, _busy())
                return
        else:
            await turns.acquire()  # free now: no wait
        held = scope[TURN_SCOPE_KEY] = Turn(turns, self.queue_timeout)
        try:
            await self.app(scope, receive, send)
        finally:
            if held.held:
                turns.release()

    async def _wait_for_turn(
        self, scope: Scope, receive: Receive, turns: asyncio.Semaphore
    ) -> tuple[Receive, bool | None]:
        """Wait for a turn while watching for the client leaving. Returns the ``receive``
        to pass on and True (a turn, to release), False (none in time) or None (gone)."""
        messages = await _read_request(receive)
        if messages[-1]["type"] != "http.request":
            return _replay(messages, receive), None
        acquire = asyncio.ensure_future(turns.acquire())
        gone = asyncio.ensure_future(_disconnect(receive))
        try:
            await asyncio.wait(
                (acquire, gone), timeout=self.queue_timeout, return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            gone.cancel()
            if not acquire.done():
                acquire.cancel()
        turn = acquire.done() and not acquire.cancelled()
        if turn:
            return _replay(messages, receive), True
        if gone.done() and not gone.cancelled():
            return receive, None
        return receive, False

    async def _refuse(self, scope: Scope, send: Send, err: ServiceError) -> None:
        response = self.respond_error(Request(scope), err)
        if err.http_status == 413:
            response.headers["connection"] = "close"
        await response(scope, _no_receive, send)


async def _no_receive() -> Message:
    return {"type": "http.disconnect"}


async def _buffered_body(scope: Scope, receive: Receive) -> Receive:
    """Read the whole body now, if there is one; return a ``receive`` that replays it."""
    if not _has_body(scope):
        return receive
    return _replay(await _read_request(receive), receive)


async def _read_request(receive: Receive) -> list[Message]:
    """The request's messages up to the end of its body (or the client leaving)."""
    messages: list[Message] = []
    size = 0
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            return messages
        size += len(message.get("body", b""))
        if size > MAX_BODY_BYTES:
            raise BodyTooLarge
        if not message.get("more_body", False):
            return messages


async def _disconnect(receive: Receive) -> None:
    """Return once the client has gone (called after the whole body was read)."""
    while (await receive())["type"] != "http.disconnect":
        pass


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


def _replay(messages: list[Message], receive: Receive) -> Receive:
    """A ``receive`` that gives ``messages`` (the body joined in one), then passes on."""
    body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.request")
    pending: list[Message] = [m for m in messages if m["type"] != "http.request"]
    if not pending:
        pending = [{"type": "http.request", "body": body, "more_body": False}]

    async def replay() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replay
