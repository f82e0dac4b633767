"""The ``globus-local`` command: serve the platform, run job workers, administer accounts.

``admin`` commands open the same database as a running server (chosen by ``--data-dir`` /
``GLOBUS_LOCAL_DATA_DIR`` or ``GLOBUS_LOCAL_DATABASE_URL``), so they work beside it. Heavy
imports happen inside the commands: ``env`` and ``--help`` stay quick.
"""

from __future__ import annotations

import argparse
import faulthandler
import gc
import json
import logging
import shlex
import signal
import sys
import threading
import typing as t
from dataclasses import replace

from globus_local import __version__

if t.TYPE_CHECKING:
    from globus_local.config import Settings
    from globus_local.db import Database

PROG = "globus-local"


class CommandError(Exception):
    """A failure to report as one line on stderr (exit status 1), without a traceback."""


# -- environment for SDK clients ------------------------------------------------------------
def sdk_environment(root_url: str) -> dict[str, str]:
    """Variables that point our SDK (``local`` environment) and the real globus-sdk /
    globus-cli (one ``GLOBUS_SDK_SERVICE_URL_<NAME>`` per served service) at ``root_url``."""
    from globus_local.kit.service import SERVICE_NAMES

    root = root_url if root_url.endswith("/") else root_url + "/"
    env = {"GLOBUS_SDK_ENVIRONMENT": "local", "GLOBUS_LOCAL_URL": root}
    for name in SERVICE_NAMES:
        env[f"GLOBUS_SDK_SERVICE_URL_{name.upper()}"] = f"{root}{name}/"
    return env


def export_lines(env: dict[str, str]) -> str:
    return "\n".join(f"export {key}={shlex.quote(value)}" for key, value in env.items())


# -- shared plumbing -----------------------------------------------------------------------
def _settings(args: argparse.Namespace, **overrides: t.Any) -> Settings:
    from globus_local.config import Settings

    return Settings.from_env(data_dir=getattr(args, "data_dir", None), **overrides)


def _open_database(settings: Settings) -> Database:
    """The platform database with its schema brought up to date (safe beside a running server)."""
    from globus_local.app import prepare_schema
    from globus_local.db import Database

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = Database(settings.database_url, connections=settings.database_connections)
    prepare_schema(db)
    return db


def _configure_logging(level: int = logging.INFO) -> None:
    logging.basicConfig(
        level=level,
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)


def _print_json(data: t.Any) -> None:
    print(json.dumps(data, indent=2, sort_keys=True, default=str))


def _wait_for_signal() -> None:
    """Block until SIGTERM or SIGINT."""
    stop = threading.Event()

    def _handler(signum: int, _frame: t.Any) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, _handler) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        while not stop.wait(1.0):
            pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


# -- commands ------------------------------------------------------------------------------
def cmd_env(args: argparse.Namespace) -> int:
    settings = _settings(args)
    env = sdk_environment(args.url or settings.root_url)
    if settings.tls_port:
        from globus_local.services.gcs.tls import ca_path

        # requests and globus-sdk then trust the GCS Managers' TLS listener, verification on
        env["REQUESTS_CA_BUNDLE"] = env["GLOBUS_SDK_VERIFY_SSL"] = str(ca_path(settings.data_dir))
    print(export_lines(env))
    return 0


def _demo_banner(demo: dict[str, t.Any] | None, settings: Settings) -> str:
    lines = [
        f"{PROG} {__version__} serving {settings.root_url} (data in {settings.data_dir})",
        f"Web app: {settings.root_url}app/",
    ]
    if demo:
        user, client = demo.get("user", {}), demo.get("client", {})
        lines += [
            "",
            "Created the demo account (its password is in a file only you can read):",
            f"  user:      {user.get('username')}  (identity {user.get('id')})",
            f"  password:  in {user.get('password_file')}",
            f"  demo app:  native client {client.get('client_id')}",
            "Log in: NativeAppAuthClient(<demo app id>).oauth2_start_flow(), open"
            " oauth2_get_authorize_url() in a browser and sign in as the demo user;"
            f" or mint tokens directly: {PROG} admin token --user demo --scope openid",
        ]
    lines += [
        "",
        "Point globus_sdk / globus-cli at this server with:",
        export_lines(sdk_environment(settings.root_url)),
        f'(or: eval "$({PROG} env --url {settings.root_url})")',
        "",
    ]
    return "\n".join(lines)


# The GIL's switch interval in the server and worker processes, shorter than CPython's
# default: the mover's threads live in system calls, and each return from one waits until a
# busy API thread gives the GIL up (see docs/decisions.md).
SWITCH_INTERVAL = 0.001

# The cyclic garbage collector in the server and worker processes. A task of many small
# files makes a few objects per file, enough to start now and then a collection of the
# oldest generation, which walks every object the process holds (the app, its libraries,
# their caches). So what exists once the process has started is set aside for good
# (gc.freeze), and the youngest generation is collected less often (see docs/decisions.md).
GC_THRESHOLDS = (20_000, 20, 20)


def report_crashes() -> None:
    """On a fatal signal (a crash in an extension module, say), write every thread's Python
    stack to standard error, the log, before the process dies: so a crash says where."""
    try:
        faulthandler.enable(file=sys.stderr, all_threads=True)
    except (AttributeError, ValueError, OSError):  # a standard error without a descriptor
        pass


def tune_gc() -> None:
    """Set aside the objects of a started process and collect garbage less often."""
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


# Seconds ``serve`` lets running requests finish after SIGTERM or SIGINT.
GRACEFUL_SECONDS = 5


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from globus_local.app import create_app
    from globus_local.db import Database
    from globus_local.services.auth.admin import ensure_demo

    overrides: dict[str, t.Any] = {"host": args.host, "port": args.port}
    if args.public_url:
        overrides["public_url"] = args.public_url
    if args.workers is not None:
        overrides["worker_threads"] = args.workers
        overrides["run_workers"] = args.workers > 0
    settings = _settings(args, **overrides)
    _configure_logging()
    report_crashes()
    sys.setswitchinterval(SWITCH_INTERVAL)
    db = Database(settings.database_url, connections=settings.database_connections)
    app = create_app(settings, database=db)
    demo = ensure_demo(db, settings)
    print(_demo_banner(demo, settings), flush=True)
    if settings.tls_port:
        _serve_tls(app, settings)
    tune_gc()
    # uvicorn shuts down gracefully on SIGTERM/SIGINT and then re-raises the signal for the
    # previous handler; a no-op one makes that graceful stop exit with status 0.
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda _signum, _frame: None)
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,  # the app logs each request itself (globus_local.access)
        lifespan="on",
        # A stop is bounded: requests still running then are cut off (their clients
        # retry), and the job pool waits its own few seconds after that.
        timeout_graceful_shutdown=GRACEFUL_SECONDS,
    )
    return 0


def _serve_tls(app: t.Any, settings: Settings) -> None:
    """The same app over TLS in a background thread: where GCS Managers are reached."""
    import socket
    from urllib.parse import urlsplit

    import uvicorn

    from globus_local.services.gcs.tls import ensure_certificate

    try:
        sock = socket.create_server((settings.host, settings.tls_port))
    except OSError as exc:  # the platform still serves; only HTTPS-only GCS clients miss it
        logging.getLogger("globus_local").warning(
            "no TLS listener on port %d (%s): GCS Managers are reachable over HTTP only",
            settings.tls_port,
            exc,
        )
        return
    manager_host = urlsplit(settings.gcs_manager_root).hostname or settings.host
    cert, key = ensure_certificate(settings.data_dir, manager_host)
    config = uvicorn.Config(
        app,
        log_config=None,
        access_log=False,
        lifespan="off",
        ssl_certfile=str(cert),
        ssl_keyfile=str(key),
    )
    server = uvicorn.Server(config)
    threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="tls", daemon=True).start()


def cmd_worker(args: argparse.Namespace) -> int:
    from globus_local.jobs import WorkerPool
    from globus_local.jobs.registry import registered_kinds
    from globus_local.kit.service import cool_down, load_services, warm_up

    settings = _settings(args)
    threads = args.threads if args.threads is not None else settings.worker_threads
    if threads < 1:
        raise CommandError("--threads must be at least 1")
    # No requests here: the connections are the job workers' alone.
    settings = replace(settings, worker_threads=threads, run_workers=True, concurrency=0)
    _configure_logging()
    report_crashes()
    sys.setswitchinterval(SWITCH_INTERVAL)
    db = _open_database(settings)  # loads every service, so their job handlers are registered
    pool = WorkerPool(db, threads).start()
    services = load_services()
    warm_up(services)
    tune_gc()
    logging.getLogger("globus_local.jobs").info(
        "worker running %d thread(s) for job kinds: %s",
        threads,
        ", ".join(sorted(registered_kinds())) or "(none registered)",
    )
    try:
        _wait_for_signal()
    finally:
        pool.stop()
        cool_down(services)
        db.dispose()
    return 0


def cmd_admin(args: argparse.Namespace) -> int:
    from globus_local.services.auth import admin

    settings = _settings(args)
    db = _open_database(settings)
    try:
        if args.admin_command == "create-user":
            result: t.Any = admin.create_user(
                db, args.username, args.password, name=args.name, email=args.email
            )
        elif args.admin_command == "create-client":
            result = admin.create_client(db, args.kind, args.name, tuple(args.redirect_uri))
        elif args.admin_command == "list-users":
            result = admin.list_users(db)
        elif args.admin_command == "list-clients":
            result = admin.list_clients(db)
        elif args.admin_command == "create-endpoint":
            from globus_local.services.transfer.admin import create_endpoint

            result = create_endpoint(db, args.owner, args.name, args.path)
        elif args.admin_command == "create-gcs-endpoint":
            from globus_local.services.gcs.admin import create_gcs_endpoint

            result = create_gcs_endpoint(
                db,
                args.owner,
                args.name,
                manager_root=settings.gcs_manager_root,
                storage_dir=args.path or str(settings.data_dir / "gcs"),
            )
        elif args.admin_command == "list-gcs-endpoints":
            from globus_local.services.gcs.admin import list_gcs_endpoints

            result = list_gcs_endpoints(db)
        else:
            result = admin.issue_token(
                db, args.user, list(args.scope), client_id=args.client_id, settings=settings
            )
    finally:
        db.dispose()
    _print_json(result)
    return 0


# -- argument parsing ----------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="The Globus platform (Auth, Transfer, Groups, Search...) self-hosted.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    data_dir = argparse.ArgumentParser(add_help=False)
    data_dir.add_argument(
        "--data-dir",
        default=argparse.SUPPRESS,
        help="platform state directory (default: $GLOBUS_LOCAL_DATA_DIR or ~/.globus-local)",
    )

    serve = sub.add_parser("serve", parents=[data_dir], help="run the platform over HTTP")
    serve.add_argument("--host", help="interface to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to listen on (default 8700)")
    serve.add_argument("--public-url", help="root URL clients reach the server at")
    serve.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="background job worker threads in the server (default 4; 0 = none, "
        f"run `{PROG} worker` instead)",
    )
    serve.set_defaults(func=cmd_serve)

    env = sub.add_parser(
        "env", parents=[data_dir], help="print export lines pointing SDKs/CLIs at the server"
    )
    env.add_argument("--url", help="the server's root URL (default: from settings)")
    env.set_defaults(func=cmd_env)

    worker = sub.add_parser(
        "worker", parents=[data_dir], help="run background job workers only (no HTTP)"
    )
    worker.add_argument("--threads", type=int, metavar="N", help="worker threads (default 4)")
    worker.set_defaults(func=cmd_worker)

    admin = sub.add_parser(
        "admin", parents=[data_dir], help="manage users, clients and tokens (prints JSON)"
    )
    admin.set_defaults(func=cmd_admin)
    admin_sub = admin.add_subparsers(dest="admin_command", required=True, metavar="ACTION")

    user = admin_sub.add_parser("create-user", parents=[data_dir], help="create a user")
    user.add_argument("username")
    user.add_argument("--password", required=True)
    user.add_argument("--name")
    user.add_argument("--email")

    client = admin_sub.add_parser("create-client", parents=[data_dir], help="register a client")
    client.add_argument("kind", choices=["native", "confidential"])
    client.add_argument("--name", required=True)
    client.add_argument(
        "--redirect-uri", action="append", default=[], help="allowed redirect URI (repeatable)"
    )

    admin_sub.add_parser("list-users", parents=[data_dir], help="list users")
    admin_sub.add_parser("list-clients", parents=[data_dir], help="list clients")

    endpoint = admin_sub.add_parser(
        "create-endpoint", parents=[data_dir], help="expose a directory as a Transfer endpoint"
    )
    endpoint.add_argument("--owner", required=True, help="username of the owner")
    endpoint.add_argument("--name", required=True, help="display name")
    endpoint.add_argument(
        "--path", required=True, help="directory, or a storage URL such as s3://bucket/prefix"
    )

    gcs = admin_sub.add_parser(
        "create-gcs-endpoint",
        parents=[data_dir],
        help="create a Globus Connect Server endpoint whose GCS Manager the platform serves",
    )
    gcs.add_argument("--owner", required=True, help="username of the owner")
    gcs.add_argument("--name", required=True, help="display name")
    gcs.add_argument(
        "--path", help="directory its POSIX storage gateways live under (default: <data dir>/gcs)"
    )
    admin_sub.add_parser("list-gcs-endpoints", parents=[data_dir], help="list GCS endpoints")

    token = admin_sub.add_parser(
        "token", parents=[data_dir], help="issue tokens for a user without a login flow"
    )
    token.add_argument("--user", required=True, help="username")
    token.add_argument("--scope", action="append", required=True, help="scope (repeatable)")
    token.add_argument("--client-id", help="client the tokens are issued to")
    return parser


def _error_message(exc: BaseException) -> str:
    message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return str(message)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        return 130
    except CommandError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:
        if args.command != "admin":
            raise
        # Admin failures are user errors (duplicate user, unknown user...): one clear line.
        print(f"{PROG}: error: {_error_message(exc)}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
