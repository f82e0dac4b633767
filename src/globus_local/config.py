"""Platform settings, read once from the environment and overridable by the command line."""

from __future__ import annotations

import os
import typing as t
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8700
DEFAULT_TLS_PORT = 8743


def default_data_dir() -> Path:
    return Path(os.environ.get("GLOBUS_LOCAL_DATA_DIR") or Path.home() / ".globus-local")


@dataclass(frozen=True)
class Settings:
    """Where state lives and where the platform is reached.

    ``public_url`` is the root every absolute URL the platform hands out is built on
    (OIDC discovery, redirects); it defaults to ``http://<host>:<port>/``.
    """

    data_dir: Path
    database_url: str
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    public_url: str | None = None
    # Lifetime of access tokens (Globus issues 48-hour tokens).
    access_token_lifetime: int = 172800
    # Background job workers (transfers, search ingest, flow runs) run inside the server
    # unless turned off, e.g. when separate `globus-local worker` processes do the work.
    run_workers: bool = True
    worker_threads: int = 4
    # How many requests run at once (each on its own thread with at most one database
    # connection); the thread pool and the connection pool are sized from it, so a
    # request that holds a connection never waits for a thread or the other way round.
    concurrency: int = 16
    # How long a request may wait for its turn before it is answered 503 with Retry-After.
    queue_timeout: float = 5.0
    # Where the notify action provider sends mail (smtp://host:port, smtps://...); without
    # it, each message is a file in <data_dir>/mail/.
    smtp_url: str | None = None
    # The TLS listener serving the GCS Manager API (0: none).
    tls_port: int = DEFAULT_TLS_PORT

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        data_dir = Path(str(overrides.pop("data_dir", None) or default_data_dir()))
        database_url = str(
            overrides.pop("database_url", None)
            or os.environ.get("GLOBUS_LOCAL_DATABASE_URL")
            or f"sqlite:///{data_dir / 'globus-local.sqlite3'}"
        )
        settings = cls(data_dir=data_dir, database_url=database_url)
        concurrency = os.environ.get("GLOBUS_LOCAL_CONCURRENCY")
        if concurrency:
            settings = replace(settings, concurrency=max(1, int(concurrency)))
        queue_timeout = os.environ.get("GLOBUS_LOCAL_QUEUE_TIMEOUT")
        if queue_timeout:
            settings = replace(settings, queue_timeout=max(0.0, float(queue_timeout)))
        smtp_url = os.environ.get("GLOBUS_LOCAL_SMTP_URL")
        if smtp_url:
            settings = replace(settings, smtp_url=smtp_url)
        tls_port = os.environ.get("GLOBUS_LOCAL_TLS_PORT")
        if tls_port:
            settings = replace(settings, tls_port=int(tls_port))
        public_url = os.environ.get("GLOBUS_LOCAL_PUBLIC_URL")
        if public_url:
            settings = replace(settings, public_url=public_url)
        given: dict[str, t.Any] = {k: v for k, v in overrides.items() if v is not None}
        return replace(settings, **given)

    @property
    def database_connections(self) -> int:
        """Connections one process may hold: one per running request, and for each job
        worker thread its handler's, its lease keeper's and one to spare."""
        return self.concurrency + 3 * (self.worker_threads if self.run_workers else 0) + 2

    @property
    def root_url(self) -> str:
        """The platform root with a trailing slash, e.g. ``http://127.0.0.1:8700/``."""
        url = self.public_url or f"http://{self.host}:{self.port}/"
        return url if url.endswith("/") else url + "/"

    @property
    def gcs_manager_root(self) -> str:
        """Where GCS Managers are served (``<root><endpoint_id>/api/``): the TLS listener
        when there is one, as the real SDK only speaks HTTPS to them."""
        if self.tls_port:
            host = urlsplit(self.root_url).hostname or self.host
            return f"https://{host}:{self.tls_port}/gcs/"
        return self.service_url("gcs")

    def service_url(self, service: str) -> str:
        return f"{self.root_url}{service}/"
