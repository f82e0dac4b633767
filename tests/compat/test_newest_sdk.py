"""The REAL newer globus-sdk releases (4.10.0 and 3.66.0, from PyPI, in their compat
venvs) against a live globus-local: scroll paging, facets after filters, Groups' join
rules and the error document of a path no route serves.

Each SDK runs ``scripts/newest_sdk_story.py`` once with tokens minted for it; one test
checks each section of its report.
"""

from __future__ import annotations

import json
import subprocess
import typing as t
from pathlib import Path

import pytest

from globus_local.services.auth.scopes import (
    AUTH_RS,
    GROUPS_ALL,
    GROUPS_RS,
    SEARCH_ALL,
    SEARCH_RS,
    TRANSFER_ALL,
    TRANSFER_RS,
)
from tests.compat.support import compat_env
from tests.support.platform import access_token

if t.TYPE_CHECKING:
    from globus_local.testing import LocalServer

pytestmark = pytest.mark.compat

SCRIPT = Path(__file__).parent / "scripts" / "newest_sdk_story.py"
SDKS = ("compat_python_newest_sdk", "compat_python_sdk3")


@pytest.fixture(scope="module", params=SDKS, ids=["sdk-4.10", "sdk-3.66"])
def report(
    request: pytest.FixtureRequest,
    globus_local_server: LocalServer,
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, t.Any]:
    python: Path = request.getfixturevalue(request.param)
    server = globus_local_server
    home = tmp_path_factory.mktemp("newest-sdk")
    owner = server.create_user(f"newest-owner-{home.name}@example.org")
    other = server.create_user(f"newest-other-{home.name}@example.org")
    scopes = [SEARCH_ALL, GROUPS_ALL, TRANSFER_ALL, "openid"]
    minted = server.token(owner["username"], scopes)
    tokens = {
        "search": access_token(minted, SEARCH_RS),
        "groups": access_token(minted, GROUPS_RS),
        "transfer": access_token(minted, TRANSFER_RS),
        "auth": access_token(minted, AUTH_RS),
        "groups_other": access_token(server.token(other["username"], [GROUPS_ALL]), GROUPS_RS),
    }
    env = compat_env(server, home)
    env.update(TOKENS=json.dumps(tokens), OTHER_IDENTITY=other["id"])
    proc = subprocess.run(
        [str(python), str(SCRIPT)],
        capture_output=True,
        text=True,
        env=env,
        cwd=home,
        timeout=180,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return t.cast(dict[str, t.Any], json.loads(proc.stdout))


def section(report: dict[str, t.Any], name: str) -> dict[str, t.Any]:
    found = report[name]
    assert "failed" not in found, found["failed"]
    return t.cast(dict[str, t.Any], found)


def test_scroll_walks_every_subject_once(report: dict[str, t.Any]) -> None:
    search = section(report, "search")
    assert search["ingest"] == "SUCCESS"
    assert search["scroll_pages"] == [4, 4, 3]
    assert search["scroll_subjects"] == [f"doc-{n:02}" for n in range(11)]
    assert search["scroll_red"] == [f"doc-{n:02}" for n in range(0, 11, 3)]


def test_facets_count_after_filters_before_post_facet_filters(report: dict[str, t.Any]) -> None:
    search = section(report, "search")
    assert search["facet_subjects"] == ["doc-00", "doc-03"]  # n in 0..5, red
    assert search["facet_buckets"] == {"red": 2, "green": 2, "blue": 2}  # n in 0..5


def test_groups_join_follows_the_policies(report: dict[str, t.Any]) -> None:
    assert section(report, "groups") == {
        "open.join": "active",
        "open.request_join": "JOIN_REQUESTS_NOT_ALLOWED",
        "by_request.join": "JOIN_NOT_ALLOWED",
        "by_request.request_join": "pending",
    }


def test_unknown_paths_parse_as_each_service_s_error(report: dict[str, t.Any]) -> None:
    found = section(report, "not_found")
    assert {name: (e["status"], e["code"]) for name, e in found.items()} == {
        "auth": (404, "NOT_FOUND"),
        "groups": (404, "NOT_FOUND"),
        "search": (404, "NotFound.Generic"),
        "transfer": (404, "NotFound"),
    }
    assert all("No such resource" in e["message"] for e in found.values())
