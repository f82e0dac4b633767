"""Admission control: a bounded number of requests run, the rest wait in order or get a
quick 503 in the service's own error document; oversized bodies are refused up front."""

from __future__ import annotations

import asyncio
import typing as t

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from globus_local.admission import MAX_BODY_BYTES, Admission
from globus_local.kit.errors import ServiceError


def _respond(request: Request, err: ServiceError) -> JSONResponse:
    headers = err.extra.pop("_headers", None)
    doc = {"code": err.code, "message": err.message, "request_id": "test"}
    return JSONResponse(doc, status_code=err.http_status, headers=headers)


def _app(concurrency: int, queue_timeout: float) -> tuple[FastAPI, dict[str, t.Any]]:
    state: dict[str, t.Any] = {"running": 0, "most": 0, "release": asyncio.Event()}
    app = FastAPI()

    @app.get("/slow")
    async def slow() -> dict[str, int]:
        state["running"] += 1
        state["most"] = max(state["most"], state["running"])
        await state["release"].wait()
        state["running"] -= 1
        return {}

    @app.post("/echo")
    async def echo(request: Request) -> dict[str, int]:
        return {"size": len(await request.body())}

    app.add_middleware(
        Admission, concurrency=concurrency, queue_timeout=queue_timeout, respond_error=_respond
    )
    return app, state


def _client(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


def test_only_concurrency_requests_run_and_the_rest_wait_their_turn() -> None:
    async def scenario() -> tuple[list[int], int]:
        app, state = _app(concurrency=2, queue_timeout=30)
        async with _client(app) as client:
            calls = [asyncio.create_task(client.get("/slow")) for _ in range(6)]
            while state["running"] < 2:
                await asyncio.sleep(0.01)
            await asyncio.sleep(0.05)
            state["release"].set()
            responses = await asyncio.gather(*calls)
        return [r.status_code for r in responses], state["most"]

    statuses, most = asyncio.run(scenario())
    assert statuses == [200] * 6
    assert most == 2


def test_a_request_that_waits_too_long_gets_503_with_retry_after() -> None:
    async def scenario() -> httpx.Response:
        app, state = _app(concurrency=1, queue_timeout=0.05)
        async with _client(app) as client:
            first = asyncio.create_task(client.get("/slow"))
            while state["running"] < 1:
                await asyncio.sleep(0.01)
            refused = await client.get("/slow")
            state["release"].set()
            assert (await first).status_code == 200
        return refused

    refused = asyncio.run(scenario())
    assert refused.status_code == 503
    assert refused.headers["retry-after"] == "1"
    assert refused.json()["code"] == "ServiceUnavailable"


@pytest.mark.parametrize("announced", [True, False])
def test_a_body_over_the_limit_is_refused_with_413(announced: bool) -> None:
    async def scenario() -> httpx.Response:
        app, _ = _app(concurrency=1, queue_timeout=1)
        body = b"x" * (MAX_BODY_BYTES + 1)
        async with _client(app) as client:
            if announced:
                return await client.post("/echo", content=body)

            async def chunks() -> t.AsyncIterator[bytes]:  # no Content-Length
                for start in range(0, len(body), 1 << 20):
                    yield body[start : start + (1 << 20)]

            return await client.post("/echo", content=chunks())

    response = asyncio.run(scenario())
    assert response.status_code == 413
    assert response.json()["code"] == "RequestTooLarge"


def test_a_body_is_passed_on_whole() -> None:
    async def scenario() -> httpx.Response:
        app, _ = _app(concurrency=1, queue_timeout=1)
        async with _client(app) as client:
            return await client.post("/echo", content=b"y" * 100_000)

    assert asyncio.run(scenario()).json() == {"size": 100_000}


def test_a_client_that_leaves_while_waiting_is_never_run() -> None:
    async def scenario() -> tuple[int, list[str]]:
        app, state = _app(concurrency=1, queue_timeout=30)
        async with _client(app) as client:
            first = asyncio.create_task(client.get("/slow"))
            while state["running"] < 1:
                await asyncio.sleep(0.01)
            left = asyncio.Event()
            messages = [{"type": "http.request", "body": b"", "more_body": False}]

            async def receive() -> dict[str, t.Any]:
                if messages:
                    return messages.pop()
                await left.wait()
                return {"type": "http.disconnect"}

            sent: list[str] = []

            async def send(message: dict[str, t.Any]) -> None:
                sent.append(message["type"])

            scope = {
                "type": "http",
                "asgi": {"version": "3.0"},
                "http_version": "1.1",
                "method": "GET",
                "path": "/slow",
                "raw_path": b"/slow",
                "root_path": "",
                "scheme": "http",
                "query_string": b"",
                "headers": [],
                "server": ("t", 80),
                "client": ("c", 1),
            }
            waiting = asyncio.create_task(app(scope, receive, send))
            await asyncio.sleep(0.05)
            left.set()
            await waiting
            state["release"].set()
            await first
        return state["most"], sent

    most, sent = asyncio.run(scenario())
    assert sent == []  # no response for a client that is gone, and the route never ran
    assert most == 1
