"""`make demo`: the Globus SDK tutorial, run against a platform started on this machine.

Starts globus-local on a temporary data directory, creates a demo user, a native app and
two endpoints (one holding sample data), then walks the tutorial with the SDK exactly as
a researcher would against Globus: log in, look at the tokens, find the endpoints, move
the data with a transfer, read its events, and check every file's checksum. Last, it
automates the same work with Globus Flows: a two-step flow transfers part of the data and
ingests a record of it into a search index; the demo runs it, shows its log as it moves,
and finds the record with a search query.
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
# The demo account the tutorial makes, and the web app can be opened with afterwards.
DEMO_USER = "demo@globus-local"
DEMO_PASSWORD = "demo-password"

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


def login(server: t.Any, client: t.Any, user: str, password: str, scopes: list[str]) -> t.Any:
    """A Native App login for ``scopes``, the pages filled in over HTTP (demo mode)."""
    client.oauth2_start_flow(requested_scopes=scopes)
    redirect = server.login(client.oauth2_get_authorize_url(), user, password)
    return client.oauth2_exchange_code_for_tokens(parse_qs(urlsplit(redirect).query)["code"][0])


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
        status = tutorial(server, src_dir, dst_dir)
        show_web_app(server)
        return status
    finally:
        server.stop()


def show_web_app(server: object) -> None:
    """Where to see all of the above in a browser; kept serving while someone may look."""
    step("The web app")
    console.print(f"Open [bold]{server.url}app/[/] and log in as:")  # type: ignore[attr-defined]
    console.print(f"  username  [bold]{DEMO_USER}[/]")
    console.print(f"  password  [bold]{DEMO_PASSWORD}[/]")
    if not sys.stdin.isatty():
        return
    console.print("The platform keeps serving until you press Ctrl-C.", style="dim")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        console.print("stopping")


def tutorial(server: object, src_dir: Path, dst_dir: Path) -> int:
    import globus_sdk
    from globus_local.services.transfer.admin import create_endpoint

    step("Setting up a user, an app and two endpoints")
    password = DEMO_PASSWORD
    user = server.create_user(DEMO_USER, password, name="Demo User")  # type: ignore[attr-defined]
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
    if ok:
        ok = automate(server, client, user["username"], password, ep1["id"], ep2["id"])
        ok = ok and md5_tree(src_dir / FLOW_PART) == md5_tree(dst_dir / FLOW_COPY.strip("/"))
    console.rule("[bold green]demo complete" if ok else "[bold red]demo failed")
    return 0 if ok else 1


FLOW_PART = "dataset/run-00"
FLOW_COPY = "/flow-copy/run-00/"
FINAL = ("SUCCEEDED", "FAILED", "ENDED")


def move_and_index_flow() -> dict[str, t.Any]:
    """Two Globus-hosted providers, as a flow written for Globus names them: the transfer,
    then a search record built from the transfer's outcome."""
    return {
        "Comment": "Move a dataset, then make it findable",
        "StartAt": "MoveData",
        "States": {
            "MoveData": {
                "Type": "Action",
                "ActionUrl": "https://transfer.actions.globus.org/transfer",
                "Parameters": {
                    "source_endpoint_id.$": "$.source_endpoint",
                    "destination_endpoint_id.$": "$.destination_endpoint",
                    "label": "demo flow",
                    "transfer_items": [
                        {
                            "source_path.$": "$.source_path",
                            "destination_path.$": "$.destination_path",
                            "recursive": True,
                        }
                    ],
                },
                "ResultPath": "$.Transfer",
                "Next": "IndexIt",
            },
            "IndexIt": {
                "Type": "Action",
                "ActionUrl": "https://actions.globus.org/search/ingest",
                "Parameters": {
                    "search_index.$": "$.index",
                    "subject.=": "'globus://' + destination_endpoint + destination_path",
                    "visible_to": ["public"],
                    "content": {
                        "title": "Demo dataset, run 00",
                        "transfer_task.$": "$.Transfer.details.task_id",
                        "files.$": "$.Transfer.details.files_transferred",
                        "bytes.$": "$.Transfer.details.bytes_transferred",
                    },
                },
                "ResultPath": "$.Ingest",
                "End": True,
            },
        },
    }


def automate(
    server: t.Any, client: t.Any, username: str, password: str, source: str, destination: str
) -> bool:
    """Deploy the flow, run it, follow its log, then find its record with a search."""
    import globus_sdk
    from globus_automate_client import FlowsClient
    from globus_automate_client.flows_client import MANAGE_FLOWS_SCOPE

    step("Automating it with a flow: transfer, then index")
    search_scope = "urn:globus:auth:scope:search.api.globus.org:all"
    tokens = login(server, client, username, password, [MANAGE_FLOWS_SCOPE, search_scope])
    console.print("[yellow]demo mode:[/] logged in again for Flows and Search")
    by_rs = tokens.by_resource_server
    sc = globus_sdk.SearchClient(
        authorizer=globus_sdk.AccessTokenAuthorizer(by_rs["search.api.globus.org"]["access_token"])
    )
    index_id = sc.post(
        "/v1/index", data={"display_name": "Demo datasets", "description": "made by make demo"}
    )["id"]
    console.print(f"search index {index_id}")

    flow_tokens: dict[str, str] = {}
    fc = FlowsClient.new_client(
        client.client_id,
        lambda **kw: globus_sdk.AccessTokenAuthorizer(flow_tokens[kw["flow_scope"]]),
        globus_sdk.AccessTokenAuthorizer(by_rs["flows.globus.org"]["access_token"]),
    )
    schema = {
        "type": "object",
        "required": ["source_endpoint", "destination_endpoint", "source_path", "index"],
    }
    flow = fc.deploy_flow(move_and_index_flow(), "Move and index", input_schema=schema)
    flow_id, flow_scope = flow["id"], flow["globus_auth_scope"]
    console.print(f"deployed flow {flow_id}, its scope {flow_scope}", markup=False, soft_wrap=True)

    consent = login(server, client, username, password, [flow_scope])
    flow_tokens[flow_scope] = consent.by_resource_server[flow_id]["access_token"]
    console.print("[yellow]demo mode:[/] consented to the flow's scope (and what it uses)")

    flow_input = {
        "source_endpoint": source,
        "destination_endpoint": destination,
        "source_path": f"/{FLOW_PART}/",
        "destination_path": FLOW_COPY,
        "index": index_id,
    }
    run_id = fc.run_flow(flow_id, flow_scope, flow_input, label="demo run")["action_id"]
    console.print(f"started run {run_id}; its log as it moves:")
    shown, status = 0, "ACTIVE"
    while True:
        status = fc.flow_action_status(flow_id, flow_scope, run_id)["status"]
        entries = fc.flow_action_log(flow_id, flow_scope, run_id, limit=100)["entries"]
        for entry in entries[shown:]:
            clock = entry["time"][11:23]  # the time of day, to the millisecond
            console.print(f"  {clock}  {entry['code']:<16} {entry['description']}", markup=False)
        shown = len(entries)
        if status in FINAL:
            break
        time.sleep(0.3)
    console.print(f"flow {status}")
    if status != "SUCCEEDED":
        return False

    step("Finding the record the flow made")
    found = sc.search(index_id, "demo dataset")
    for hit in found["gmeta"]:
        content = hit["entries"][0]["content"]
        console.print(
            f"search found {hit['subject']}: {content['title']}, {content['files']} files, "
            f"{content['bytes']} bytes (transfer task {content['transfer_task']})",
            markup=False,
            soft_wrap=True,
        )
    return int(found["total"]) == 1


if __name__ == "__main__":
    sys.exit(main())
