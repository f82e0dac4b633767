"""The REAL globus-sdk 3.2.0 (from PyPI, in the compat venv) against a live globus-local.

One subprocess runs ``scripts/real_sdk_story.py``: a native-app PKCE login (this test process
fills the server's login and consent pages), then Auth, Transfer, Groups and Search calls.
Each test checks one section of what the script reports against what the test set up.
"""

from __future__ import annotations

import json
import secrets
import subprocess
import typing as t
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.compat.support import compat_env, paste_login_code

if t.TYPE_CHECKING:
    from globus_local.testing import LocalServer

pytestmark = pytest.mark.compat

SCRIPT = Path(__file__).parent / "scripts" / "real_sdk_story.py"
RUN_TIMEOUT = 180


@dataclass
class Story:
    config: dict[str, t.Any]
    alice_id: str
    src_dir: Path
    dst_dir: Path
    result: dict[str, t.Any]
    output: str
    venv_root: Path

    def section(self, name: str) -> dict[str, t.Any]:
        """One section of the report; fails with the recorded request/response if it errored."""
        doc = self.result.get(name)
        assert doc is not None, f"section {name!r} missing; script output:\n{self.output}"
        if "error" in doc:
            error = dict(doc["error"])
            trace = error.pop("traceback", "")
            pytest.fail(f"real SDK failed in {name}:\n{json.dumps(error, indent=1)}\n{trace}")
        return doc


def _world(server: LocalServer, root: Path) -> tuple[dict[str, t.Any], str, Path, Path]:
    from globus_local.services.transfer import admin

    tag = secrets.token_hex(4)
    alice, bob = f"sdk-alice-{tag}@example.org", f"sdk-bob-{tag}@example.org"
    password = secrets.token_urlsafe(12)
    alice_doc = server.create_user(alice, password, name="Alice Compat", email=alice)
    bob_doc = server.create_user(bob)
    native = server.create_client("native", f"compat native {tag}")
    confidential = server.create_client("confidential", f"compat confidential {tag}")
    src_dir, dst_dir = root / "src", root / "dst"
    (src_dir / "tree" / "sub").mkdir(parents=True)
    (src_dir / "hello.txt").write_text("hello from the real sdk")
    (src_dir / "tree" / "a.txt").write_text("aaa")
    (src_dir / "tree" / "sub" / "b.txt").write_text("bbbb")
    src_name = f"SDK compat source {tag}"
    src = admin.create_endpoint(server.db, alice, src_name, str(src_dir))
    dst = admin.create_endpoint(server.db, alice, f"SDK compat dest {tag}", str(dst_dir))
    config = {
        "native_client_id": native["client_id"],
        "confidential_client_id": confidential["client_id"],
        "confidential_client_secret": confidential["client_secret"],
        "username": alice,
        "password": password,
        "other_username": bob,
        "other_identity_id": bob_doc["id"],
        "source_endpoint": src["id"],
        "destination_endpoint": dst["id"],
        "source_display_name": src_name,
        "source_file": "/hello.txt",
        "group_name": f"SDK group {tag}",
        "index_name": f"SDK index {tag}",
    }
    return config, alice_doc["id"], src_dir, dst_dir


@pytest.fixture(scope="module")
def story(
    compat_python: Path,
    globus_local_server: LocalServer,
    tmp_path_factory: pytest.TempPathFactory,
) -> Story:
    root = tmp_path_factory.mktemp("real-sdk")
    config, alice_id, src_dir, dst_dir = _world(globus_local_server, root)
    home = root / "home"
    home.mkdir()
    proc = subprocess.Popen(
        [str(compat_python), str(SCRIPT)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=home,
        env=compat_env(globus_local_server, home),
    )
    _, output = paste_login_code(
        proc,
        globus_local_server,
        config["username"],
        config["password"],
        RUN_TIMEOUT,
        first_input=json.dumps(config) + "\n",
    )
    lines = [line for line in output.splitlines() if line.startswith("RESULT ")]
    assert lines, f"the real-SDK script reported nothing (exit {proc.returncode}):\n{output}"
    result = json.loads(lines[-1][len("RESULT ") :])
    return Story(config, alice_id, src_dir, dst_dir, result, output, compat_python.parent.parent)


def test_it_is_the_real_sdk(story: Story) -> None:
    assert story.result["sdk_version"] == "3.2.0"
    assert Path(story.result["sdk_file"]).is_relative_to(story.venv_root)
    story.section("login")


def test_native_app_login_and_id_token(story: Story) -> None:
    auth = story.section("auth")
    assert auth["resource_servers"] == [
        "auth.globus.org",
        "groups.api.globus.org",
        "search.api.globus.org",
        "transfer.api.globus.org",
    ]
    assert all(auth["has_refresh_tokens"].values())
    assert auth["id_token"] == {
        "sub": story.alice_id,
        "aud": story.config["native_client_id"],
        "preferred_username": story.config["username"],
    }


def test_userinfo_identities_and_refresh(story: Story) -> None:
    auth = story.section("auth")
    username = story.config["username"]
    assert auth["userinfo"] == {
        "sub": story.alice_id,
        "preferred_username": username,
        "name": "Alice Compat",
        "email": username,
    }
    assert auth["identity_set_usernames"] == [username]
    assert auth["identities"] == sorted(
        [
            [username, story.alice_id],
            [story.config["other_username"], story.config["other_identity_id"]],
        ]
    )
    assert auth["identity_map"] == story.config["other_identity_id"]
    # the RefreshTokenAuthorizer had no access token, so it refreshed exactly one RS
    assert auth["refreshed_resource_servers"] == ["auth.globus.org"]
    assert auth["userinfo_after_refresh_sub"] == story.alice_id
    assert auth["refresh_token_kept"] is True


def test_confidential_client_calls(story: Story) -> None:
    auth = story.section("auth")
    assert auth["client_credentials_resource_servers"] == ["transfer.api.globus.org"]
    assert auth["introspect"]["active"] is True
    assert auth["introspect"]["sub"] == story.alice_id
    assert auth["introspect"]["username"] == story.config["username"]
    assert "urn:globus:auth:scope:transfer.api.globus.org:all" in auth["introspect"]["scope"]
    assert auth["introspect"]["identity_set"] == [story.alice_id]
    assert auth["validate_active"] is True


def test_transfer_endpoints_and_listing(story: Story) -> None:
    tr = story.section("transfer")
    cfg = story.config
    assert tr["my_endpoints"] == sorted([cfg["source_endpoint"], cfg["destination_endpoint"]])
    assert tr["fulltext_hits"] == [cfg["source_display_name"]]
    assert tr["source_display_name"] == cfg["source_display_name"]
    assert tr["autoactivate_code"] in ("AlreadyActivated", "AutoActivated.CachedCredential")
    assert tr["source_listing"] == [["hello.txt", "file", len("hello from the real sdk")]]
    assert tr["mkdir_code"] == "DirectoryCreated"


def test_transfer_submit_wait_and_delete(story: Story) -> None:
    tr = story.section("transfer")
    assert tr["submit_code"] == "Accepted"
    assert tr["task_wait"] is True
    assert tr["task"] == {
        "status": "SUCCEEDED",
        "label": "real sdk 3.2",
        "files": 3,
        "directories": 2,
        "type": "TRANSFER",
    }
    assert tr["task_in_list"] is True
    assert tr["successful"] == [
        "/sdk-made/copy.txt",
        "/sdk-made/tree/a.txt",
        "/sdk-made/tree/sub/b.txt",
    ]
    assert "SUCCEEDED" in tr["event_codes"]
    assert tr["destination_listing"] == ["copy.txt", "tree"]
    assert (story.dst_dir / "sdk-made" / "copy.txt").read_text() == "hello from the real sdk"
    # then the DeleteData task removed the copied tree
    assert tr["delete_wait"] is True
    assert tr["delete_status"] == "SUCCEEDED"
    assert tr["after_delete_listing"] == ["copy.txt"]
    assert not (story.dst_dir / "sdk-made" / "tree").exists()


def test_groups(story: Story) -> None:
    groups = story.section("groups")
    name = story.config["group_name"]
    assert name not in groups["before"]
    assert name in groups["after"]
    assert groups["added"] == [story.config["other_identity_id"]]
    assert groups["members"] == [
        [story.config["username"], "admin", "active"],
        [story.config["other_username"], "member", "active"],
    ]
    assert groups["policies"] == {
        "group_visibility": "private",
        "group_members_visibility": "managers",
        "signup_fields": ["institution"],
    }


def test_search(story: Story) -> None:
    search = story.section("search")
    base = "https://example.org/"
    assert search["index_display_name"] == story.config["index_name"]
    assert search["ingest_acknowledged"] is True
    assert search["ingest_state"] == "SUCCESS"
    assert search["search_subjects"] == [base + "pingu", base + "tux"]
    assert search["search_count_total"] == [2, 2]
    assert search["post_search_subjects"] == [base + "rex"]
    # match_any filters are post-filters: the facets still count every kind
    assert search["facets"] == [["kinds", [["dog", 1], ["penguin", 2]]]]
    assert search["paginated_subjects"] == [base + "pingu", base + "rex", base + "tux"]
    assert search["subject_content"] == {"title": "rex the dog", "kind": "dog", "legs": 4}
    assert search["entry_content"] == {"title": "tux the penguin", "kind": "penguin", "legs": 2}
    assert search["delete_state"] == "SUCCESS"
    assert search["after_delete"] == [base + "pingu"]
    assert search["task_list_length"] == 2


def test_revoked_refresh_token_is_dead(story: Story) -> None:
    revoke = story.section("revoke")
    assert revoke["validate_before"] is True
    assert revoke["validate_after"] is False
    status, _code = revoke["refresh_after_revoke"]
    assert status in (400, 401)
