"""Activity pages in a real browser: tasks submitted through Transfer's API appear, follow
their progress live, show their details, events and files, and can be cancelled; another
user's task is not shown; cancelling needs the form's CSRF token."""

from __future__ import annotations

import re
import typing as t
from pathlib import Path

import pytest
import requests
from playwright.sync_api import expect

from globus_local.services.auth.scopes import TRANSFER_ALL, TRANSFER_RS
from globus_local.services.transfer.admin import create_endpoint
from globus_local.testing import LocalServer
from tests.support.platform import access_token
from tests.support.waiting import wait_until

TIMEOUT = 60_000  # ms, for Playwright waits


class TransferApi:
    """A user's own calls to Transfer, as their script would make them."""

    def __init__(self, server: LocalServer, username: str) -> None:
        self.base = server.url.rstrip("/") + "/transfer/v0.10/"
        token = access_token(server.token(username, [TRANSFER_ALL]), TRANSFER_RS)
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {token}"

    def get(self, path: str, **params: t.Any) -> dict[str, t.Any]:
        answer = self.http.get(self.base + path, params=params, timeout=30)
        assert answer.status_code == 200, answer.text
        return t.cast(dict[str, t.Any], answer.json())

    def post(self, path: str, doc: dict[str, t.Any]) -> dict[str, t.Any]:
        answer = self.http.post(self.base + path, json=doc, timeout=30)
        assert answer.status_code in (200, 201, 202), answer.text
        return t.cast(dict[str, t.Any], answer.json())

    def delete(self, path: str) -> None:
        assert self.http.delete(self.base + path, timeout=30).status_code == 200

    def transfer(self, src: str, dst: str, paths: list[str], label: str) -> str:
        doc = {
            "DATA_TYPE": "transfer",
            "source_endpoint": src,
            "destination_endpoint": dst,
            "label": label,
            "DATA": [
                {"DATA_TYPE": "transfer_item", "source_path": p, "destination_path": p}
                for p in paths
            ],
        }
        return str(self.post("transfer", doc)["task_id"])

    def pause(self, endpoint_id: str) -> str:
        """A pause rule on the user's own endpoint: its tasks stay ACTIVE, paused."""
        rule = self.post(
            "endpoint_manager/pause_rule",
            {"DATA_TYPE": "pause_rule", "endpoint_id": endpoint_id, "message": "maintenance"},
        )
        return str(rule["id"])

    def wait_paused(self, task_id: str) -> None:
        wait_until(lambda: self.get(f"task/{task_id}")["is_paused"], "the task to pause", 60)


@pytest.fixture
def endpoints(
    globus_local_server: LocalServer, tmp_path: Path
) -> t.Callable[[str], tuple[str, str, Path]]:
    """``endpoints(username)``: a source holding two files and an empty destination."""

    def make(username: str) -> tuple[str, str, Path]:
        src = tmp_path / username.split("@")[0] / "src"
        dst = tmp_path / username.split("@")[0] / "dst"
        src.mkdir(parents=True)
        (src / "alpha.txt").write_bytes(b"a" * 3000)
        (src / "beta.txt").write_bytes(b"b" * 1500)
        db = globus_local_server.db
        src_id = create_endpoint(db, username, "Lab source", str(src))["id"]
        dst_id = create_endpoint(db, username, "Lab archive", str(dst))["id"]
        return src_id, dst_id, dst

    return make


def test_a_transfer_shows_up_follows_its_progress_live_and_succeeds(
    open_browser: t.Any,
    make_web_user: t.Any,
    globus_local_server: LocalServer,
    endpoints: t.Any,
) -> None:
    user = make_web_user("ada", name="Ada Lovelace")
    api = TransferApi(globus_local_server, user.username)
    src_id, dst_id, dst = endpoints(user.username)

    browser = open_browser()
    browser.login(user, start="/app/activity")
    page = browser.page
    assert page.locator("#no-tasks").is_visible()  # an empty list says what to do
    browser.shot("activity-empty")

    rule = api.pause(dst_id)
    task_id = api.transfer(src_id, dst_id, ["/alpha.txt", "/beta.txt"], "Nightly backup")
    api.wait_paused(task_id)
    browser.goto("/app/activity")
    row = page.locator(f"#task-{task_id}")
    assert "Nightly backup" in row.inner_text()
    assert "ACTIVE" in row.inner_text() and "Paused" in row.inner_text()
    browser.shot("activity-list-active")

    row.locator("a").first.click()
    page.wait_for_url(re.compile(f".*/app/activity/{task_id}$"))
    assert page.locator("#task-status").inner_text() == "ACTIVE"
    assert page.locator("#task-live[data-refresh-url]").count() == 1
    assert "Lab source" in page.locator("#task-facts").inner_text()
    assert "Lab archive" in page.locator("#task-facts").inner_text()
    browser.shot("task-paused")

    # The rule goes; the open page follows the task to its end without a reload.
    api.delete(f"endpoint_manager/pause_rule/{rule}")
    expect(page.locator("#task-status")).to_have_text("SUCCEEDED", timeout=TIMEOUT)
    assert page.locator("#stat-files").inner_text() == "2 / 2"
    transfers = page.locator("#task-transfers").inner_text()
    assert "/alpha.txt" in transfers and "/beta.txt" in transfers
    events = page.locator("#task-events").inner_text()
    assert "SUCCEEDED" in events or "Succeeded" in events or "succeeded" in events.lower()
    assert page.locator("#cancel-task").count() == 0
    assert (dst / "alpha.txt").read_bytes() == b"a" * 3000
    browser.shot("task-succeeded")

    browser.goto("/app/activity?status=SUCCEEDED")
    assert page.locator(f"#task-{task_id} .badge").inner_text() == "SUCCEEDED"
    browser.goto("/app/activity?status=FAILED")
    assert page.locator("#no-tasks").is_visible()

    phone = open_browser(width=390, height=844)
    phone.login(user, start=f"/app/activity/{task_id}")
    phone.shot("task-phone")
    assert phone.page.evaluate("document.documentElement.scrollWidth") <= 390
    phone.goto("/app/activity")
    phone.shot("activity-phone")
    assert phone.page.evaluate("document.documentElement.scrollWidth") <= 390


def test_cancel_a_paused_task_from_its_page(
    open_browser: t.Any,
    make_web_user: t.Any,
    globus_local_server: LocalServer,
    endpoints: t.Any,
) -> None:
    user = make_web_user("grace")
    api = TransferApi(globus_local_server, user.username)
    src_id, dst_id, dst = endpoints(user.username)
    rule = api.pause(dst_id)
    task_id = api.transfer(src_id, dst_id, ["/alpha.txt"], "To be cancelled")
    api.wait_paused(task_id)

    browser = open_browser()
    browser.login(user, start=f"/app/activity/{task_id}")
    page = browser.page
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#cancel-task")
    page.wait_for_selector(".notice.ok", timeout=TIMEOUT)
    expect(page.locator("#task-status")).to_have_text("FAILED", timeout=TIMEOUT)
    assert "cancel" in page.locator(".notice.ok").inner_text().lower()
    browser.shot("task-canceled")
    done = api.get(f"task/{task_id}")
    assert done["status"] == "FAILED" and done["fatal_error"]["code"] == "CANCELED"
    assert not (dst / "alpha.txt").exists()
    api.delete(f"endpoint_manager/pause_rule/{rule}")


def test_another_users_task_is_not_shown_and_cancel_needs_the_csrf_token(
    globus_local_server: LocalServer,
    logged_in_http: t.Any,
    make_web_user: t.Any,
    endpoints: t.Any,
) -> None:
    base = globus_local_server.url.rstrip("/")
    owner = make_web_user("owner")
    api = TransferApi(globus_local_server, owner.username)
    src_id, dst_id, _ = endpoints(owner.username)
    rule = api.pause(dst_id)
    task_id = api.transfer(src_id, dst_id, ["/alpha.txt"], "Private owner label")
    api.wait_paused(task_id)

    stranger, _ = logged_in_http()
    for path in (f"/app/activity/{task_id}", f"/app/activity/{task_id}/live"):
        answer = stranger.get(base + path, allow_redirects=False, timeout=30)
        assert answer.status_code in (403, 404), (path, answer.status_code)
        assert "Private owner label" not in answer.text and "Lab source" not in answer.text
    listing = stranger.get(base + "/app/activity", timeout=30)
    assert listing.status_code == 200 and task_id not in listing.text
    assert 'id="no-tasks"' in listing.text
    refused = stranger.post(
        base + f"/app/activity/{task_id}/cancel",
        data={"csrf_token": _csrf(listing.text)},
        allow_redirects=False,
        timeout=30,
    )
    assert refused.status_code in (403, 404)
    assert "Private owner label" not in refused.text
    assert stranger.get(base + "/app/activity/not-a-task", timeout=30).status_code == 404

    http, _ = logged_in_http(owner)
    page = http.get(base + f"/app/activity/{task_id}", timeout=30)
    assert page.status_code == 200 and "Private owner label" in page.text
    for data in ({}, {"csrf_token": "x" * 32}):
        answer = http.post(
            base + f"/app/activity/{task_id}/cancel", data=data, allow_redirects=False, timeout=30
        )
        assert answer.status_code == 403 and "Form rejected" in answer.text
    assert api.get(f"task/{task_id}")["status"] == "ACTIVE"  # nothing changed
    api.post(f"task/{task_id}/cancel", {})
    api.delete(f"endpoint_manager/pause_rule/{rule}")


def test_the_task_list_pages_and_filters_by_status(
    globus_local_server: LocalServer,
    logged_in_http: t.Any,
    make_web_user: t.Any,
    endpoints: t.Any,
) -> None:
    base = globus_local_server.url.rstrip("/")
    user = make_web_user("pager")
    api = TransferApi(globus_local_server, user.username)
    src_id, dst_id, _ = endpoints(user.username)
    rule = api.pause(dst_id)  # every task stays ACTIVE: the list refreshes itself
    ids = [api.transfer(src_id, dst_id, ["/beta.txt"], f"Batch {i:02d}") for i in range(21)]
    http, _ = logged_in_http(user)
    first = http.get(base + "/app/activity", timeout=30).text
    assert first.count('class="task-row"') == 20 and "1–20 of 21" in first
    assert f"task-{ids[-1]}" in first and f"task-{ids[0]}" not in first  # newest first
    assert 'data-refresh-url="/app/activity/live?status=&amp;offset=0"' in first
    assert 'rel="next"' in first and 'rel="prev"' not in first
    second = http.get(base + "/app/activity?offset=20", timeout=30).text
    assert second.count('class="task-row"') == 1 and f"task-{ids[0]}" in second
    assert 'rel="prev"' in second and 'rel="next"' not in second
    live = http.get(base + "/app/activity/live?offset=20", timeout=30).json()
    assert f"task-{ids[0]}" in live["html"] and live["final"] is False
    active = http.get(base + "/app/activity?status=active", timeout=30).text
    assert active.count('class="task-row"') == 20
    assert 'id="no-tasks"' in http.get(base + "/app/activity?status=SUCCEEDED", timeout=30).text
    for task_id in ids:
        api.post(f"task/{task_id}/cancel", {})
    api.delete(f"endpoint_manager/pause_rule/{rule}")
    ended = http.get(base + "/app/activity/live", timeout=30).json()
    assert ended["final"] is True and "FAILED" in ended["html"]


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF token in the page"
    return found.group(1)
