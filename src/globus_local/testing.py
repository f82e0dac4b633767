"""Run the whole platform inside a test process, and the pytest fixtures that do so.

Loaded by pytest as a plugin (entry point ``pytest11``) in every project that installs
globus-local, so importing this module must stay cheap: the server stack (FastAPI,
SQLAlchemy, uvicorn) is imported only when a server starts.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import tempfile
import threading
import time
import typing as t
from pathlib import Path

if t.TYPE_CHECKING:
    import uvicorn

    from globus_local.config import Settings
    from globus_local.db import Database

DEFAULT_PASSWORD = "local-test-password"
STARTUP_TIMEOUT = 30.0


def _listening_socket(host: str) -> socket.socket:
    """Bind port 0 ourselves and hand the socket to uvicorn: the port is known and cannot be lost."""
    # An explicit IPPROTO_TCP: asyncio only sets TCP_NODELAY on accepted sockets whose proto
    # says TCP, and without it every keep-alive response waits for a delayed ACK.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, 0))
    sock.listen(128)
    return sock


class LocalServer:
    """The platform served by uvicorn in a background thread on a free loopback port.

    With no ``data_dir`` a temporary one is made (and removed by :meth:`stop`); with no
    ``database_url`` the database is SQLite inside the data dir.
    """

    host = "127.0.0.1"

    def __init__(self, data_dir: Path | None = None, database_url: str | None = None) -> None:
        self._own_data_dir = data_dir is None
        self.data_dir = (
            Path(data_dir) if data_dir else Path(tempfile.mkdtemp(prefix="globus-local-"))
        )
        self.database_url = database_url or f"sqlite:///{self.data_dir / 'globus-local.sqlite3'}"
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._settings: Settings | None = None
        self._db: Database | None = None
        self.app: t.Any = None  # the FastAPI app, once started
        self.port = 0
        self.tls_port = 0
        self._tls_server: uvicorn.Server | None = None
        self._tls_thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> LocalServer:
        import uvicorn

        from globus_local.app import create_app
        from globus_local.config import Settings
        from globus_local.db import Database

        sock = _listening_socket(self.host)
        self.port = sock.getsockname()[1]
        tls_sock = _listening_socket(self.host)
        self.tls_port = tls_sock.getsockname()[1]
        self._settings = Settings(
            data_dir=self.data_dir,
            database_url=self.database_url,
            host=self.host,
            port=self.port,
            tls_port=self.tls_port,
        )
        self._db = Database(self.database_url, connections=self._settings.database_connections)
        app = self.app = create_app(self._settings, database=self._db)
        config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on")
        server = uvicorn.Server(config)
        self._server = server
        self._thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name="globus-local-server", daemon=True
        )
        self._thread.start()
        self._start_tls(app, tls_sock)
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not server.started:
            if not self._thread.is_alive():
                sock.close()
                raise RuntimeError("globus-local server failed to start (see log output)")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("globus-local server did not start in time")
            time.sleep(0.01)
        return self

    def _start_tls(self, app: t.Any, sock: socket.socket) -> None:
        """The same app over TLS (the GCS Manager API's listener), certificate from the
        data dir's CA (``ca_bundle``)."""
        import uvicorn

        from globus_local.services.gcs.tls import ensure_certificate

        cert, key = ensure_certificate(self.data_dir, self.host)
        config = uvicorn.Config(
            app,
            log_level="warning",
            access_log=False,
            lifespan="off",
            ssl_certfile=str(cert),
            ssl_keyfile=str(key),
        )
        self._tls_server = uvicorn.Server(config)
        self._tls_thread = threading.Thread(
            target=self._tls_server.run,
            kwargs={"sockets": [sock]},
            name="globus-local-tls",
            daemon=True,
        )
        self._tls_thread.start()

    @property
    def ca_bundle(self) -> str:
        """The CA file that makes ``requests`` trust the TLS listener."""
        from globus_local.services.gcs.tls import ca_path

        return str(ca_path(self.data_dir))

    def stop(self) -> None:
        if self._tls_server is not None:
            self._tls_server.should_exit = True
        if self._tls_thread is not None:
            self._tls_thread.join(timeout=STARTUP_TIMEOUT)
        self._tls_server = self._tls_thread = None
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=STARTUP_TIMEOUT)
        self._server = self._thread = None
        if self._db is not None:
            self._db.dispose()
        if self._own_data_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- where things are --------------------------------------------------------------------
    @property
    def settings(self) -> Settings:
        if self._settings is None:
            raise RuntimeError("LocalServer is not started")
        return self._settings

    @property
    def db(self) -> Database:
        if self._db is None:
            raise RuntimeError("LocalServer is not started")
        return self._db

    @property
    def url(self) -> str:
        return self.settings.root_url

    def service_url(self, name: str) -> str:
        return self.settings.service_url(name)

    def sdk_env(self) -> dict[str, str]:
        """Environment variables pointing globus_sdk (ours or the real one) at this server."""
        from globus_local.cli import sdk_environment

        return sdk_environment(self.url)

    # -- admin shortcuts -------------------------------------------------------------------
    def create_user(
        self, username: str, password: str = DEFAULT_PASSWORD, **kw: t.Any
    ) -> dict[str, t.Any]:
        from globus_local.services.auth import admin

        return admin.create_user(self.db, username, password, **kw)

    def create_client(
        self, kind: str, name: str, redirect_uris: t.Iterable[str] = ()
    ) -> dict[str, t.Any]:
        from globus_local.services.auth import admin

        return admin.create_client(self.db, kind, name, tuple(redirect_uris))

    def token(self, username: str, scopes: t.Iterable[str] | str) -> dict[str, t.Any]:
        from globus_local.services.auth import admin

        scope_list = [scopes] if isinstance(scopes, str) else list(scopes)
        return admin.issue_token(self.db, username, scope_list, settings=self.settings)

    def login(self, authorize_url: str, username: str, password: str) -> str:
        """Fill the login and consent forms over HTTP; returns the final redirect URL."""
        from globus_local.services.auth.browser import login_with_password

        return login_with_password(authorize_url, username, password)


def unique_username(prefix: str = "user") -> str:
    return f"{prefix}-{secrets.token_hex(4)}@example.org"


# -- pytest plugin ---------------------------------------------------------------------------
try:
    import pytest
except ImportError:  # pragma: no cover - the plugin only matters under pytest
    pytest = None  # type: ignore[assignment]

if pytest is not None:
    # The variables' values from before the session server set them; None while it is not running.
    _env_before_server: dict[str, str | None] | None = None

    @pytest.fixture(scope="session")
    def globus_local_server(
        tmp_path_factory: pytest.TempPathFactory,
    ) -> t.Iterator[LocalServer]:
        """The platform on SQLite for the whole session; the SDK environment points at it
        (for the tests that use this fixture, directly or through other fixtures)."""
        global _env_before_server
        server = LocalServer(data_dir=tmp_path_factory.mktemp("globus-local")).start()
        env = server.sdk_env()
        _env_before_server = {k: os.environ.get(k) for k in env}
        os.environ.update(env)
        try:
            yield server
        finally:
            _restore(_env_before_server)
            _env_before_server = None
            server.stop()

    def _restore(values: dict[str, str | None]) -> None:
        for key, value in values.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value

    @pytest.fixture(autouse=True)
    def _globus_local_env_scope(request: pytest.FixtureRequest) -> t.Iterator[None]:
        """Hide the session server's SDK variables from tests that do not use it, so a test
        expecting the default (production) service URLs is unaffected by test order."""
        before = _env_before_server
        if before is None or "globus_local_server" in request.fixturenames:
            yield
            return
        server_env = {k: os.environ.get(k) for k in before}
        _restore(before)
        try:
            yield
        finally:
            _restore(server_env)

    @pytest.fixture
    def globus_local_user(globus_local_server: LocalServer) -> dict[str, t.Any]:
        """A fresh user for one test: the identity document plus its ``password``."""
        password = secrets.token_urlsafe(12)
        user = globus_local_server.create_user(unique_username(), password)
        return {**user, "password": password}
