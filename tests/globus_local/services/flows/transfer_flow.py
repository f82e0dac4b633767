"""A five-state flow with two transfer actions (source -> staging -> destination), and the
endpoints and files it copies, shared by the transfer-flow and durability tests."""

from __future__ import annotations

import typing as t
from pathlib import Path

from globus_local.db import Database
from globus_local.services.transfer.admin import create_endpoint

TRANSFER_AP = "https://transfer.actions.globus.org/transfer"


def _copy(
    source: str, destination: str, src_path: str, dst_path: str, next_state: str
) -> dict[str, t.Any]:
    return {
        "Type": "Action",
        "ActionUrl": TRANSFER_AP,
        "Parameters": {
            "source_endpoint.$": source,
            "destination_endpoint.$": destination,
            "label.=": "'flow ' + _context.run_id",
            "DATA": [{"source_path": src_path, "destination_path": dst_path, "recursive": True}],
        },
        "ResultPath": f"$.{next_state.lower()}_input",
        "WaitTime": 600,
        "Next": next_state,
    }


TWO_HOPS: dict[str, t.Any] = {
    "Comment": "Copy through a staging endpoint, then sum up",
    "StartAt": "Prepare",
    "States": {
        "Prepare": {
            "Type": "Pass",
            "Parameters": {"src.$": "$.source", "mid.$": "$.staging", "dst.$": "$.destination"},
            "ResultPath": "$.eps",
            "Next": "ToStaging",
        },
        "ToStaging": _copy("$.eps.src", "$.eps.mid", "/", "/stage/", "Between"),
        "Between": {
            "Type": "Pass",
            "Parameters": {"first_status.$": "$.between_input.status"},
            "ResultPath": "$.between",
            "Next": "ToDestination",
        },
        "ToDestination": _copy("$.eps.mid", "$.eps.dst", "/stage/", "/final/", "Summary"),
        "Summary": {
            "Type": "Pass",
            "Parameters": {
                "first.$": "$.between.first_status",
                "first_files.$": "$.between_input.details.files_transferred",
                "second.$": "$.summary_input.status",
                "second_files.$": "$.summary_input.details.files_transferred",
                "second_bytes.$": "$.summary_input.details.bytes_transferred",
            },
            "ResultPath": "$",
            "End": True,
        },
    },
}


def write_files(root: Path, count: int) -> dict[str, bytes]:
    files = {f"d{n % 7}/f{n:04d}.bin": bytes([n % 251]) * (100 + n) for n in range(count)}
    for rel, data in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    return files


def endpoints(db: Database, username: str, root: Path, tag: str) -> dict[str, str]:
    """Source, staging and destination endpoints of ``username`` under ``root``; the
    run input that names them."""
    ids = {}
    for name in ("source", "staging", "destination"):
        (root / name).mkdir(parents=True, exist_ok=True)
        ids[name] = create_endpoint(db, username, f"{tag}-{name}", str(root / name))["id"]
    return ids


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}
