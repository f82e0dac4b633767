"""`make demo`: the Globus SDK tutorial, run against a platform started on this machine.

Starts globus-local on a temporary data directory, creates a demo user, a native app and
two endpoints (one holding sample data), then walks the tutorial with the SDK exactly as
a researcher would against Globus: log in, look at the tokens, find the endpoints, move
the data with a transfer, read its events, and check every file's checksum.
"""

from __future__ import annotations

import hashlib
import os
import random
import sys
import tempfile
import time
import typing as t
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TransferSpeedColumn
from rich.table import Table

SAMPLE_FILES = 120
SAMPLE_BYTES = 64 * 1024 * 1024  # spread over the files, so the progress bar has work to show

console = Console()


def make_sample_data(root: Path) -> int:
    """Random files in a small tree; returns their total size."""
    rng = random.Random(7)
    total = 0
    for i in range(SAMPLE_FILES):
        sub = root / "dataset" / f"run-{i % 6:02d}"
        sub.mkdir(parents=True, exist_ok=True)
        size = rng.randint(1, 2 * SAMPLE_BYTES // SAMPLE_FILES)
        (sub / f"sample-{i:04d}.dat").write_bytes(os.urandom(size))
        total += size
    return total


def md5_tree(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.md5(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def show_endpoints(out: Console, endpoints: t.Iterable[t.Mapping[str, t.Any]]) -> None:
    """Tutorial step 4's listing. Not as markup: an id in brackets that starts with a letter
    would be taken for a style and vanish."""
    out.print("Endpoints belonging to the current logged-in user:")
    for ep in endpoints:
        out.print(f"  [{ep['id']}] {ep['display_name']}", markup=False)


def step(title: str) -> None:
    console.rule(f"[bold cyan]{title}")


def main() -> int:
    from globus_local.testing import LocalServer

    workdir = Path(tempfile.mkdtemp(prefix="globus-local-demo-"))
    src_dir, dst_dir = workdir / "endpoint-1", workdir / "endpoint-2"
    src_dir.mkdir()
    dst_dir.mkdir()

    step("Starting globus-local")
    server = LocalServer(data_dir=workdir / "platform").start()
    os.environ.update(server.sdk_env())
    console.print(f"platform at [bold]{server.url}[/] (data in {workdir})")
    for key, value in server.sdk_env().items():
        console.print(f"  export {key}={value}", style="dim")

    try:
        return tutorial(server, src_dir, dst_dir)
    finally:
        server.stop()


def tutorial(server: object, src_dir: Path, dst_dir: Path) -> int:
    import globus_sdk
    from globus_local.services.transfer.admin import create_endpoint

    step("Setting up a user, an app and two endpoints")
    password = "demo-password"
    user = server.create_user("demo@globus-local", password, name="Demo User")  # type: ignore[attr-defined]
    app = server.create_client(  # type: ignore[attr-defined]
        "native",
        "SDK Tutorial App",
        [server.service_url("auth") + "v2/web/auth-code"],  # type: ignore[attr-defined]
    )
    total_bytes = make_sample_data(src_dir)
    ep1 = create_endpoint(server.db, user["username"], "Demo Endpoint 1", str(src_dir))  # type: ignore[attr-defined]
    ep2 = create_endpoint(server.db, user["username"], "Demo Endpoint 2", str(dst_dir))  # type: ignore[attr-defined]
    console.print(f"user {user['username']} ({user['id']})")
    console.print(f"native app CLIENT_ID = {app['client_id']}")
    console.print(f"{SAMPLE_FILES} sample files, {total_bytes / 2**20:.1f} MiB on Demo Endpoint 1")

    step("Tutorial step 3: get some access tokens")
    CLIENT_ID = app["client_id"]
    client = globus_sdk.NativeAppAuthClient(CLIENT_ID)
    client.oauth2_start_flow(refresh_tokens=True)
    authorize_url = client.oauth2_get_authorize_url()
    console.print(f"Please go to this URL and login:\n[link]{authorize_url}[/link]")
    console.print(
        "[yellow]demo mode:[/] logging in automatically as the demo user "
        "(the login and consent pages are filled in over HTTP)"
    )
    redirect = server.login(authorize_url, user["username"], password)  # type: ignore[attr-defined]
    auth_code = parse_qs(urlsplit(redirect).query)["code"][0]
    token_response = client.oauth2_exchange_code_for_tokens(auth_code)

    table = Table("resource server", "scope", "access token", "expires")
    for rs, data in token_response.by_resource_server.items():
        table.add_row(
            rs,
            data["scope"],
            data["access_token"][:12] + "…",
            time.strftime("%Y-%m-%d %H:%M", time.localtime(data["expires_at_seconds"])),
        )
    console.print(table)

    step("Tutorial step 4: talk to the Transfer service")
    transfer_tokens = token_response.by_resource_server["transfer.api.globus.org"]
    authorizer = globus_sdk.RefreshTokenAuthorizer(
        transfer_tokens["refresh_token"],
        client,
        access_token=transfer_tokens["access_token"],
        expires_at=transfer_tokens["expires_at_seconds"],
    )
    tc = globus_sdk.TransferClient(authorizer=authorizer)
    show_endpoints(console, tc.endpoint_search(filter_scope="my-endpoints"))

    step("Moving the data with a transfer task")
    tdata = globus_sdk.TransferData(
        tc,
        ep1["id"],
        ep2["id"],
        label="globus-local demo",
        sync_level="checksum",
        verify_checksum=True,
    )
    tdata.add_item("/dataset/", "/dataset/", recursive=True)
    task_id = tc.submit_transfer(tdata)["task_id"]
    console.print(f"submitted task {task_id}")

    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TextColumn("{task.fields[files]}"),
        console=console,
    ) as progress:
        bar = progress.add_task("transfer", total=total_bytes, files="")
        while True:
            task = tc.get_task(task_id)
            progress.update(
                bar,
                completed=task["bytes_transferred"] or 0,
                description=task["status"],
                files=f"{task['files_transferred']}/{task['files']} files",
            )
            if task["status"] in ("SUCCEEDED", "FAILED"):
                break
            time.sleep(0.2)
    status = task["status"]
    console.print(
        f"task {status}: {task['files_transferred']} files, "
        f"{task['bytes_transferred']} bytes, "
        f"{task['effective_bytes_per_second'] / 2**20:.1f} MiB/s effective"
    )

    console.print("Task events:")
    for event in tc.task_event_list(task_id):
        console.print(
            f"  {event['time']}  {event['code']:<12} {event['description']}", markup=False
        )

    step("Checking the result")
    source, dest = md5_tree(src_dir), md5_tree(dst_dir)
    same = source == dest
    console.print(
        f"{len(dest)} files on Demo Endpoint 2; MD5 of every file matches the source: "
        + ("[bold green]yes[/]" if same else "[bold red]NO[/]")
    )
    ok = status == "SUCCEEDED" and same
    console.rule("[bold green]demo complete" if ok else "[bold red]demo failed")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
