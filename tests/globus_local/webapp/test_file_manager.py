"""The File Manager in a real browser: browsing and sorting, hidden items, folders made,
renamed and deleted, transfers both ways, downloads and uploads; another user's collection
shows nothing; forms without the CSRF token change nothing."""

from __future__ import annotations

import os
import re
import secrets
import typing as t
from pathlib import Path

import pytest
import requests

from globus_local.services.auth.scopes import TRANSFER_ALL, TRANSFER_RS
from globus_local.services.transfer.admin import create_endpoint
from globus_local.services.transfer.https_access import MAX_UPLOAD_ENV
from globus_local.testing import LocalServer
from tests.support.platform import access_token
from tests.support.waiting import wait_until

from .conftest import Browser, WebUser

FM = "/app/file-manager"


def make_endpoint(
    server: LocalServer, user: WebUser, tmp_path: Path, name: str
) -> tuple[str, Path]:
    root = tmp_path / f"{name}-{secrets.token_hex(3)}"
    root.mkdir(parents=True)
    return create_endpoint(server.db, user.username, name, str(root))["id"], root


def fill(root: Path) -> None:
    (root / "alpha.txt").write_bytes(b"a" * 50)
    (root / "beta.bin").write_bytes(b"b" * 3000)
    (root / "gamma.txt").write_bytes(b"g")
    (root / ".hidden-notes").write_bytes(b"h")
    (root / "sub").mkdir()
    (root / "sub" / "nested.txt").write_bytes(b"nested")


def names(browser: Browser, side: str = "origin") -> list[str]:
    cells = browser.page.locator(f"#{side}-list tbody td.fm-name")
    return [c.strip() for c in cells.all_inner_texts()]


def task_status(server: LocalServer, user: WebUser, task_id: str) -> str:
    token = access_token(server.token(user.username, [TRANSFER_ALL]), TRANSFER_RS)
    url = server.url.rstrip("/") + f"/transfer/v0.10/task/{task_id}"

    def ended() -> str | None:
        doc = requests.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=30).json()
        return None if doc["status"] == "ACTIVE" else str(doc["status"])

    return wait_until(ended, f"task {task_id} to end", timeout=120, every=0.2)


def started_task(browser: Browser) -> str:
    link = browser.page.locator("#task-notice a")
    link.wait_for()
    href = link.get_attribute("href") or ""
    found = re.fullmatch(r"/app/activity/([0-9a-f-]+)", href)
    assert found, href
    return found.group(1)


def test_browse_sort_and_hidden_items(
    open_browser: t.Any, make_web_user: t.Any, globus_local_server: LocalServer, tmp_path: Path
) -> None:
    user = make_web_user("fmbrowse", name="Ada Browse")
    endpoint_id, root = make_endpoint(globus_local_server, user, tmp_path, "Ada's data")
    fill(root)
    token = access_token(globus_local_server.token(user.username, [TRANSFER_ALL]), TRANSFER_RS)
    marked = requests.post(
        globus_local_server.url.rstrip("/") + "/transfer/v0.10/bookmark",
        json={"name": "Nested work", "endpoint_id": endpoint_id, "path": "/sub/"},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert marked.status_code == 200, marked.text
    browser = open_browser()
    browser.login(user, start=FM)
    page = browser.page
    # no collection chosen: the user's own collections and bookmarks to pick from
    page.locator("#origin-results").get_by_text("Ada's data").wait_for()
    browser.shot("choose-collection")
    page.locator("#destination-bookmarks").get_by_role("link", name="Nested work").click()
    page.wait_for_selector("#destination-list >> text=nested.txt")
    assert page.locator("#destination-path").input_value() == "/sub/"
    page.fill("#origin-q", "Ada's")
    page.click("#origin-search")
    page.locator("#origin-results").get_by_role("link", name="Ada's data").click()
    page.wait_for_selector("#origin-list")
    assert f"origin_id={endpoint_id}" in page.url
    assert names(browser) == ["sub/", "alpha.txt", "beta.bin", "gamma.txt"]  # folders first
    assert page.locator("#origin-collection").inner_text() == "Ada's data"

    page.click("#origin-sort-size")
    page.wait_for_url(re.compile(r".*origin_sort=size.*"))
    assert names(browser) == ["sub/", "gamma.txt", "alpha.txt", "beta.bin"]
    page.click("#origin-sort-size")  # again: largest first
    page.wait_for_url(re.compile(r".*origin_order=desc.*"))
    assert names(browser) == ["sub/", "beta.bin", "alpha.txt", "gamma.txt"]
    assert page.locator("th[aria-sort=descending]").count() == 1

    page.click("#hidden-toggle")
    page.wait_for_url(re.compile(r".*hidden=1.*"))
    assert ".hidden-notes" in names(browser)
    assert "origin_sort=size" in page.url  # the other state kept
    browser.shot("listing-sorted-hidden")
    page.click("#hidden-toggle")
    page.wait_for_url(lambda url: "hidden=1" not in url)
    assert ".hidden-notes" not in names(browser)

    page.locator("#origin-list").get_by_role("link", name="sub/").click()
    page.wait_for_url(re.compile(r".*origin_path=%2Fsub%2F.*"))
    assert names(browser) == ["nested.txt"]
    assert page.locator("#origin-path").input_value() == "/sub/"
    page.click("#origin-up")
    page.wait_for_selector("#origin-list >> text=alpha.txt")

    page.fill("#origin-path", "/sub")  # typed path
    page.press("#origin-path", "Enter")
    page.wait_for_selector("#origin-list >> text=nested.txt")

    phone = open_browser(width=390, height=844)
    phone.login(user, start=f"{FM}?origin_id={endpoint_id}")
    phone.page.wait_for_selector("#origin-list")
    phone.shot("phone-listing")


def test_make_rename_and_delete(
    open_browser: t.Any, make_web_user: t.Any, globus_local_server: LocalServer, tmp_path: Path
) -> None:
    user = make_web_user("fmedit")
    endpoint_id, root = make_endpoint(globus_local_server, user, tmp_path, "Workbench")
    fill(root)
    browser = open_browser()
    browser.login(user, start=f"{FM}?origin_id={endpoint_id}")
    page = browser.page
    page.wait_for_selector("#origin-list")

    page.locator("#pane-origin summary", has_text="New folder").click()
    page.fill("#origin-mkdir-name", "results")
    browser.shot("new-folder-form")
    page.click("#origin-mkdir")
    page.wait_for_selector(".notice.ok >> text=Folder “results” created")
    assert (root / "results").is_dir()
    assert "results/" in names(browser)

    page.locator("#pane-origin summary", has_text="Rename").click()
    page.select_option("#origin-rename-old", "alpha.txt")
    page.fill("#origin-rename-new", "first.txt")
    page.click("#origin-rename")
    page.wait_for_selector(".notice.ok >> text=Renamed “alpha.txt” to “first.txt”")
    assert (root / "first.txt").read_bytes() == b"a" * 50 and not (root / "alpha.txt").exists()

    page.locator("#pane-origin summary", has_text="New folder").click()
    page.fill("#origin-mkdir-name", "results")  # exists: the API's error is shown
    page.click("#origin-mkdir")
    page.wait_for_selector(".notice.error")
    assert "exists" in page.locator(".notice.error").inner_text().lower()
    browser.shot("mkdir-error")

    page.check("input[name=origin_item][value='file:first.txt']")
    page.check("input[name=origin_item][value='dir:sub']")
    assert page.locator("#origin-delete").inner_text() == "Delete selected (2)"
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#origin-delete")
    task_id = started_task(browser)
    assert "Delete task submitted" in page.locator("#task-notice").inner_text()
    assert task_status(globus_local_server, user, task_id) == "SUCCEEDED"
    page.wait_for_selector("#task-progress .badge.SUCCEEDED")  # the notice follows the task
    browser.shot("delete-succeeded")
    page.click("#task-refresh")
    page.wait_for_selector("#origin-list")
    assert not (root / "first.txt").exists() and not (root / "sub").exists()
    assert names(browser) == ["results/", "beta.bin", "gamma.txt"]


def test_transfer_both_ways_reaches_succeeded(
    open_browser: t.Any, make_web_user: t.Any, globus_local_server: LocalServer, tmp_path: Path
) -> None:
    user = make_web_user("fmmove")
    left, left_root = make_endpoint(globus_local_server, user, tmp_path, "Laptop")
    right, right_root = make_endpoint(globus_local_server, user, tmp_path, "Cluster")
    fill(left_root)
    (right_root / "from-cluster.txt").write_bytes(b"cluster data")
    browser = open_browser()
    browser.login(
        user,
        start=f"{FM}?origin_id={left}&origin_path=/&destination_id={right}&destination_path=/",
    )
    page = browser.page
    page.wait_for_selector("#destination-list")

    page.check("input[name=origin_item][value='dir:sub']")
    page.check("input[name=origin_item][value='file:beta.bin']")
    page.fill("#fm-label", "Laptop to cluster")
    page.select_option("#fm-sync", "checksum")
    page.check("#fm-preserve")
    assert page.locator("#fm-verify").is_checked()
    browser.shot("transfer-ready")
    page.click("#start-right")
    task_id = started_task(browser)
    assert "Transfer submitted" in page.locator("#task-notice").inner_text()
    browser.shot("transfer-submitted")
    assert task_status(globus_local_server, user, task_id) == "SUCCEEDED"
    assert (right_root / "sub" / "nested.txt").read_bytes() == b"nested"
    assert (right_root / "beta.bin").read_bytes() == b"b" * 3000
    # the options reached the task
    token = access_token(globus_local_server.token(user.username, [TRANSFER_ALL]), TRANSFER_RS)
    doc = requests.get(
        globus_local_server.url.rstrip("/") + f"/transfer/v0.10/task/{task_id}",
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    ).json()
    assert doc["label"] == "Laptop to cluster"
    assert doc["sync_level"] == 3 and doc["verify_checksum"] is True
    assert doc["preserve_timestamp"] is True

    page.reload()
    assert "sub/" in names(browser, "destination")
    # right to left, into a folder of the left pane
    page.locator("#origin-list").get_by_role("link", name="sub/").click()
    page.wait_for_selector("#origin-list >> text=nested.txt")
    page.check("input[name=destination_item][value='file:from-cluster.txt']")
    page.click("#start-left")
    back = started_task(browser)
    assert task_status(globus_local_server, user, back) == "SUCCEEDED"
    assert (left_root / "sub" / "from-cluster.txt").read_bytes() == b"cluster data"

    page.click("#start-left")  # nothing ticked: said so, nothing submitted
    page.wait_for_selector(".notice.error >> text=Select files or folders in the right pane")


def test_download_and_upload_in_the_browser(
    open_browser: t.Any,
    make_web_user: t.Any,
    globus_local_server: LocalServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    user = make_web_user("fmfiles")
    endpoint_id, root = make_endpoint(globus_local_server, user, tmp_path, "Files")
    fill(root)
    big = os.urandom(3 * 1024 * 1024 + 17)  # several of the HTTPS route's chunks
    (root / "big.bin").write_bytes(big)
    browser = open_browser()
    browser.login(user, start=f"{FM}?origin_id={endpoint_id}")
    page = browser.page
    page.wait_for_selector("#origin-list")

    with page.expect_download() as info:
        page.locator("#origin-list").get_by_role("link", name="alpha.txt").click()
    assert info.value.suggested_filename == "alpha.txt"
    assert Path(info.value.path()).read_bytes() == b"a" * 50
    with page.expect_download() as info:
        page.locator("#origin-list").get_by_role("link", name="big.bin").click()
    assert Path(info.value.path()).read_bytes() == big

    one, two = tmp_path / "report one.txt", tmp_path / "data.csv"
    one.write_bytes(b"uploaded report")
    two.write_bytes(b"x,y\n1,2\n" * 1000)
    page.locator("#pane-origin summary", has_text="Upload").click()
    page.set_input_files("#origin-upload-files", [str(one), str(two)])
    browser.shot("upload-form")
    page.click("#origin-upload")
    page.wait_for_selector(".notice.ok >> text=Uploaded 2 files")
    assert (root / "report one.txt").read_bytes() == b"uploaded report"
    assert (root / "data.csv").read_bytes() == two.read_bytes()
    assert "report one.txt" in names(browser)
    browser.shot("uploaded")

    # into a folder, replacing a file there
    page.locator("#origin-list").get_by_role("link", name="sub/").click()
    page.wait_for_selector("#origin-list >> text=nested.txt")
    replacement = tmp_path / "nested.txt"
    replacement.write_bytes(b"replaced")
    page.locator("#pane-origin summary", has_text="Upload").click()
    page.set_input_files("#origin-upload-files", str(replacement))
    page.click("#origin-upload")
    page.wait_for_selector(".notice.ok >> text=Uploaded “nested.txt”")
    assert (root / "sub" / "nested.txt").read_bytes() == b"replaced"

    # over the HTTPS route's upload limit: the service's 413 is said plainly, nothing written
    monkeypatch.setenv(MAX_UPLOAD_ENV, "10")  # the server runs in this process
    too_big = tmp_path / "too-big.txt"
    too_big.write_bytes(b"y" * 11)
    page.locator("#pane-origin summary", has_text="Upload").click()
    page.set_input_files("#origin-upload-files", str(too_big))
    page.click("#origin-upload")
    error = page.locator(".notice.error")
    error.wait_for()
    assert "“too-big.txt” was not uploaded" in error.inner_text()
    assert "exceeds the limit of 10 bytes" in error.inner_text()
    browser.shot("upload-too-large")
    assert not (root / "sub" / "too-big.txt").exists()


def test_another_user_sees_no_listing_and_cannot_download(
    open_browser: t.Any, make_web_user: t.Any, globus_local_server: LocalServer, tmp_path: Path
) -> None:
    owner = make_web_user("fmowner")
    endpoint_id, root = make_endpoint(globus_local_server, owner, tmp_path, "Private stuff")
    fill(root)
    (root / "diary-entry.txt").write_bytes(b"my private diary")
    other = make_web_user("fmother")
    browser = open_browser()
    browser.login(other, start=f"{FM}?origin_id={endpoint_id}")
    page = browser.page
    error = page.locator("#origin-error")
    error.wait_for()
    assert "permission" in error.inner_text().lower()
    assert page.locator("#origin-list").count() == 0
    html = page.content()
    for secret in ("diary-entry.txt", "alpha.txt", "Private stuff"):
        assert secret not in html
    browser.shot("not-allowed")

    answer = page.goto(
        browser.url(f"{FM}/download?endpoint_id={endpoint_id}&path=/diary-entry.txt")
    )
    assert answer is not None and answer.status == 403
    assert "my private diary" not in page.content()
    # the other user's pane picker does not offer the collection either
    page.goto(browser.url(f"{FM}?origin_q=Private"))
    assert "Private stuff" not in page.locator("#pane-origin").inner_text()


def test_forms_without_the_csrf_token_change_nothing(
    globus_local_server: LocalServer, logged_in_http: t.Any, tmp_path: Path
) -> None:
    http, user = logged_in_http()
    endpoint_id, root = make_endpoint(globus_local_server, user, tmp_path, "Forms")
    fill(root)
    base = globus_local_server.url.rstrip("/") + FM
    common = {"endpoint_id": endpoint_id, "path": "/", "back": FM}
    attempts = [
        ("/mkdir", {**common, "name": "made"}, None),
        ("/rename", {**common, "old_name": "alpha.txt", "new_name": "moved.txt"}, None),
        (
            "/delete",
            {"side": "origin", "origin_id": endpoint_id, "origin_item": "file:gamma.txt"},
            None,
        ),
        (
            "/transfer",
            {
                "direction": "origin",
                "origin_id": endpoint_id,
                "destination_id": endpoint_id,
                "origin_item": "file:alpha.txt",
                "destination_path": "/sub/",
            },
            None,
        ),
        ("/upload", common, {"files": ("evil.txt", b"evil")}),
    ]
    for path, data, files in attempts:
        for token in (None, "x" * 32):
            fields = dict(data) if token is None else {**data, "csrf_token": token}
            answer = http.post(
                base + path, data=fields, files=files, allow_redirects=False, timeout=30
            )
            assert answer.status_code == 403, (path, answer.status_code)
            assert "Form rejected" in answer.text
    assert sorted(p.name for p in root.iterdir()) == [
        ".hidden-notes",
        "alpha.txt",
        "beta.bin",
        "gamma.txt",
        "sub",
    ]
    assert sorted(p.name for p in (root / "sub").iterdir()) == ["nested.txt"]
    # and with the token the same form works (the refusal was the token's)
    page = http.get(base + f"?origin_id={endpoint_id}", timeout=30).text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert csrf is not None
    made = http.post(
        base + "/mkdir",
        data={**common, "name": "made", "csrf_token": csrf.group(1)},
        allow_redirects=False,
        timeout=30,
    )
    assert made.status_code == 303 and (root / "made").is_dir()


def test_forms_aimed_at_another_users_collection_change_nothing(
    globus_local_server: LocalServer,
    logged_in_http: t.Any,
    make_web_user: t.Any,
    tmp_path: Path,
) -> None:
    owner = make_web_user("fmvictim")
    endpoint_id, root = make_endpoint(globus_local_server, owner, tmp_path, "Victim")
    fill(root)
    http, _intruder = logged_in_http()
    base = globus_local_server.url.rstrip("/") + FM
    page = http.get(base, timeout=30).text
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found is not None
    csrf = found.group(1)
    common = {"csrf_token": csrf, "endpoint_id": endpoint_id, "path": "/", "back": FM}
    attempts = [
        ("/mkdir", {**common, "name": "made"}, None),
        ("/rename", {**common, "old_name": "alpha.txt", "new_name": "moved.txt"}, None),
        (
            "/delete",
            {"csrf_token": csrf, "side": "origin", "origin_id": endpoint_id},
            None,
        ),
        ("/upload", common, {"files": ("evil.txt", b"evil")}),
    ]
    for path, data, files in attempts:
        if path == "/delete":
            data = {**data, "origin_item": "file:gamma.txt"}
        answer = http.post(base + path, data=data, files=files, timeout=30)
        assert answer.status_code == 200, path  # back on the page, with the API's refusal
        assert "notice error" in answer.text, path
        assert "permission" in answer.text.lower(), path
    download = http.get(base + f"/download?endpoint_id={endpoint_id}&path=/alpha.txt", timeout=30)
    assert download.status_code == 403 and "a" * 50 not in download.text
    assert sorted(p.name for p in root.iterdir()) == [
        ".hidden-notes",
        "alpha.txt",
        "beta.bin",
        "gamma.txt",
        "sub",
    ]
