"""The REAL globus-sdk's ``FlowsClient`` and ``SpecificFlowClient`` (4.10.0 and 3.66.0, from
PyPI, in their compat venvs) against a live globus-local's Flows service.

Each SDK runs ``scripts/flows_sdk_story.py`` once as a confidential client that takes its
own tokens (the Flows scope, then each new flow's scope); one test checks each part of the
story it reports.
"""

from __future__ import annotations

import json
import subprocess
import typing as t
from pathlib import Path

import pytest

from globus_local.services.auth.scopes import FLOWS_ALL
from tests.compat.support import compat_env

if t.TYPE_CHECKING:
    from globus_local.testing import LocalServer

pytestmark = pytest.mark.compat

SCRIPT = Path(__file__).parent / "scripts" / "flows_sdk_story.py"
SDKS = ("compat_python_newest_sdk", "compat_python_sdk3")


@pytest.fixture(scope="module", params=SDKS, ids=["sdk-4.10", "sdk-3.66"])
def story(
    request: pytest.FixtureRequest,
    globus_local_server: LocalServer,
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, t.Any]:
    python: Path = request.getfixturevalue(request.param)
    home = tmp_path_factory.mktemp("flows-sdk")
    client = globus_local_server.create_client("confidential", f"flows sdk {request.param}")
    env = compat_env(globus_local_server, home)
    env.update(
        CLIENT_ID=client["client_id"],
        CLIENT_SECRET=client["client_secret"],
        FLOWS_SCOPE=FLOWS_ALL,
    )
    proc = subprocess.run(
        [str(python), str(SCRIPT)],
        capture_output=True,
        text=True,
        env=env,
        cwd=home,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    report = t.cast(dict[str, t.Any], json.loads(proc.stdout))
    assert "failed" not in report, report["failed"]
    report["client_id"] = client["client_id"]
    return report


def test_create_list_get_update(story: dict[str, t.Any]) -> None:
    flow_id = story["created"]["id"]
    underscored = flow_id.replace("-", "_")
    assert story["created"]["scope"] == (
        f"https://auth.globus.org/scopes/{flow_id}/flow_{underscored}_user"
    )
    assert story["created"]["owner"] == f"urn:globus:auth:identity:{story['client_id']}"
    assert story["created"]["keywords"] == ["compat"]
    assert len(story["listed"]) == 2
    assert story["paged"] == story["listed"]  # one flow a page, both found
    assert story["fulltext"] == [flow_id]
    assert story["get_title"] == "real sdk hello"
    assert story["updated"] == ["real sdk hello, renamed", "updated"]


def test_input_against_the_schema_is_refused(story: dict[str, t.Any]) -> None:
    assert story["bad_input"] == {"status": 400, "code": "BAD_REQUEST"}


def test_a_run_is_watched_to_success(story: dict[str, t.Any]) -> None:
    run = story["run"]
    assert run["started_status"] == "ACTIVE"
    assert run["flow_id"] == story["created"]["id"]
    assert (run["label"], run["tags"]) == ("real sdk run", ["compat"])
    assert run["seen"][-1] == run["status"] == "SUCCEEDED"
    assert run["output"]["hello"]["details"] == {"Hello": "World", "hello": "hi there"}
    assert story["relabel"] == "relabelled"
    assert story["run_definition"] is True


def test_the_log_is_read_whole_and_by_pages(story: dict[str, t.Any]) -> None:
    codes = story["log_codes"]
    assert codes[0] == "FlowStarted" and codes[-1] == "FlowSucceeded"
    assert "ActionStarted" in codes and "ActionCompleted" in codes
    assert [code for page in story["log_pages"] for code in page] == codes
    assert all(len(page) == 1 for page in story["log_pages"])


def test_runs_are_listed_by_flow(story: dict[str, t.Any]) -> None:
    assert story["runs_of_flow"] == [story["run"]["run_id"]]


def test_cancel_and_release(story: dict[str, t.Any]) -> None:
    assert story["release_active"] == {"status": 409, "code": "STATE_CONFLICT"}
    assert story["canceled"] == {"status": "FAILED", "last": "FlowCanceled"}
    assert story["after_release"] == {"status": 404, "code": "NOT_FOUND"}


def test_a_deleted_flow_is_gone(story: dict[str, t.Any]) -> None:
    assert story["after_delete"] == {"status": 404, "code": "NOT_FOUND"}
