"""A real HTTP server on loopback whose answers a test scripts in advance.

SDK tests that check HTTP behaviour the platform cannot provoke on demand (a 503 storm,
Retry-After, a non-JSON error body) talk to this server over a real socket, so the
transport, encoders and error parsing run exactly as they do against a service.
"""

from __future__ import annotations

import json
import threading
import typing as t
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class RecordedRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> t.Any:
        return json.loads(self.body)

    @property
    def form(self) -> dict[str, list[str]]:
        return parse_qs(self.body.decode())


@dataclass
class StubResponse:
    status: int = 200
    body: t.Any = None  # dict/list -> JSON; str/bytes -> sent as is
    headers: dict[str, str] = field(default_factory=dict)

    def encode(self) -> tuple[bytes, dict[str, str]]:
        headers = dict(self.headers)
        if isinstance(self.body, (dict, list)):
            headers.setdefault("Content-Type", "application/json")
            return json.dumps(self.body).encode(), headers
        if isinstance(self.body, str):
            headers.setdefault("Content-Type", "text/plain")
            return self.body.encode(), headers
        return self.body or b"", headers


Responder = t.Callable[[RecordedRequest], StubResponse]


class HTTPStub:
    """Queue answers per (method, path); every request is recorded in ``requests``.

    A route answers its queued responses in order and repeats the last one once the
    queue is down to it. A route may instead be a function of the request.
    """

    def __init__(self) -> None:
        self.requests: list[RecordedRequest] = []
        self._routes: dict[tuple[str, str], list[StubResponse] | Responder] = {}
        self._lock = threading.Lock()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: t.Any) -> None:  # keep test output clean
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                req = RecordedRequest(
                    method=self.command,
                    path=parts.path,
                    query=parse_qs(parts.query, keep_blank_values=True),
                    headers={k: v for k, v in self.headers.items()},
                    body=body,
                )
                resp = stub._answer(req)
                payload, headers = resp.encode()
                self.send_response(resp.status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/"

    def add(
        self,
        method: str,
        path: str,
        *responses: StubResponse,
        body: t.Any = None,
        status: int = 200,
        headers: dict[str, str] | None = None,
    ) -> None:
        """Queue responses for a route; with none given, one built from body/status/headers."""
        queued = list(responses) or [StubResponse(status, body, headers or {})]
        with self._lock:
            self._routes[(method.upper(), path)] = queued

    def route(self, method: str, path: str, responder: Responder) -> None:
        with self._lock:
            self._routes[(method.upper(), path)] = responder

    def requests_to(self, path: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path == path]

    def _answer(self, req: RecordedRequest) -> StubResponse:
        with self._lock:
            self.requests.append(req)
            route = self._routes.get((req.method, req.path))
            if route is None:
                return StubResponse(404, {"code": "NotFound", "message": f"no stub for {req.path}"})
            if callable(route):
                responder = route
            else:
                return route.pop(0) if len(route) > 1 else route[0]
        return responder(req)

    def start(self) -> HTTPStub:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> HTTPStub:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
