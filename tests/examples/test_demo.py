"""`make demo` (examples/demo.py) runs the whole tutorial against a platform of its own, then
a flow that moves part of the data and indexes it."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console

DEMO = Path(__file__).resolve().parents[2] / "examples" / "demo.py"
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


@pytest.mark.live
def test_the_demo_moves_and_checks_the_sample_data() -> None:
    done = subprocess.run(
        [sys.executable, str(DEMO)], capture_output=True, text=True, timeout=240, check=False
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    out = done.stdout
    assert re.search(rf"^  \[{UUID}\] Demo Endpoint 1$", out, re.M), out
    assert re.search(rf"^  \[{UUID}\] Demo Endpoint 2$", out, re.M), out
    assert "task SUCCEEDED: 120 files" in out
    assert "MD5 of every file matches the source: yes" in out
    codes = re.findall(r"^  \d\d:\d\d:\d\d\.\d{3}  (\w+)", out, re.M)
    assert codes == [
        "FlowStarted",
        "ActionStarted",
        "ActionCompleted",
        "ActionStarted",
        "ActionCompleted",
        "FlowSucceeded",
    ], out
    assert "flow SUCCEEDED" in out
    found = rf"^search found globus://{UUID}/flow-copy/run-00/: Demo dataset, run 00, 20 files, "
    assert re.search(found, out, re.M), out
    assert "demo complete" in out
    assert re.search(r"^Open http://127\.0\.0\.1:\d+/app/ and log in as:$", out, re.M), out
    assert re.search(r"^  password  demo-password$", out, re.M), out


def test_endpoint_ids_in_brackets_are_shown_whatever_they_start_with() -> None:
    spec = importlib.util.spec_from_file_location("globus_local_demo", DEMO)
    assert spec is not None and spec.loader is not None
    demo = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(demo)
    console = Console(record=True, width=200)
    ids = ["abcdef01-2345-6789-abcd-ef0123456789", "0123abcd-2345-6789-abcd-ef0123456789"]
    demo.show_endpoints(console, [{"id": i, "display_name": f"ep {i[0]}"} for i in ids])
    text = console.export_text()
    assert f"[{ids[0]}] ep a" in text and f"[{ids[1]}] ep 0" in text
