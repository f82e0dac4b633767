"""A researcher's day in the web app, end to end in one browser session per user: log in
through the login page, browse, start a transfer from the File Manager and watch it reach
SUCCEEDED in Activity, share a folder with a colleague who then sees it, create a group and
invite the colleague, and run a search. Screenshots of each page go to the test's folder."""

from __future__ import annotations

import re
import secrets
import typing as t
from pathlib import Path

from playwright.sync_api import expect

from globus_local.services.transfer.admin import create_endpoint
from globus_local.testing import LocalServer

WAIT = 60_000  # ms, for Playwright's waits
SEARCH_ALL = "urn:globus:auth:scope:search.api.globus.org:all"


def _index_with_a_record(server: LocalServer, username: str, subject: str) -> str:
    import globus_sdk

    token = server.token(username, SEARCH_ALL)["access_token"]
    sc = globus_sdk.SearchClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))
    index_id = str(sc.post("/v1/index", data={"display_name": "Lab results"})["id"])
    task = sc.ingest(
        index_id,
        {
            "ingest_type": "GMetaEntry",
            "ingest_data": {
                "subject": subject,
                "visible_to": ["public"],
                "content": {"title": "Seawater salinity run", "site": "north"},
            },
        },
    )["task_id"]
    while sc.get_task(task)["state"] not in ("SUCCESS", "FAILED"):
        pass
    return index_id


def test_a_researchers_day(
    open_browser: t.Any, make_web_user: t.Any, globus_local_server: LocalServer, tmp_path: Path
) -> None:
    server = globus_local_server
    ada = make_web_user("ada", name="Ada Researcher")
    ben = make_web_user("ben", name="Ben Colleague")
    tag = secrets.token_hex(3)
    lab, archive = tmp_path / "lab", tmp_path / "archive"
    (lab / "run-7").mkdir(parents=True)
    (lab / "run-7" / "salinity.csv").write_text("depth,psu\n10,35.1\n")
    (lab / "notes.txt").write_text("calibrated")
    archive.mkdir()
    lab_id = create_endpoint(server.db, ada.username, f"Lab disk {tag}", str(lab))["id"]
    archive_id = create_endpoint(server.db, ada.username, f"Archive {tag}", str(archive))["id"]

    # log in through Auth's login and consent pages
    browser = open_browser()
    browser.login(ada, start="/app/")
    page = browser.page
    assert page.url.endswith("/app/file-manager")
    browser.shot("01-file-manager-empty")

    # browse: pick the lab disk by search, open a folder
    page.fill("#origin-q", f"Lab disk {tag}")
    page.click("#origin-search")
    page.locator("#origin-results").get_by_role("link", name=f"Lab disk {tag}").click()
    page.locator("#origin-list").get_by_role("link", name="run-7/").click()
    page.wait_for_selector("#origin-list >> text=salinity.csv")
    browser.goto(
        f"/app/file-manager?origin_id={lab_id}&origin_path=/&destination_id={archive_id}"
        "&destination_path=/"
    )
    page.wait_for_selector("#destination-empty")  # the archive has nothing yet
    browser.shot("02-file-manager-two-panes")

    # start a transfer from the File Manager, follow it to Activity
    page.check("input[name=origin_item][value='dir:run-7']")
    page.fill("#fm-label", "Archive run 7")
    page.click("#start-right")
    link = page.locator("#task-notice a")
    link.wait_for()
    task_id = (link.get_attribute("href") or "").rsplit("/", 1)[1]
    browser.goto(f"/app/activity/{task_id}")
    expect(page.locator("#task-status")).to_have_text("SUCCEEDED", timeout=WAIT)
    assert (archive / "run-7" / "salinity.csv").read_text() == "depth,psu\n10,35.1\n"
    browser.shot("03-activity-succeeded")

    # share the archived folder with Ben: a guest collection and an access rule
    browser.goto(f"/app/collections/{archive_id}")
    page.click("#share-folder")
    page.fill("#host_path", "/run-7/")
    page.fill("#display_name", f"Run 7 for Ben {tag}")
    page.click("#guest-form button[type=submit]")
    page.wait_for_selector("#rules-empty")
    share_id = page.url.split("/app/collections/")[1].split("#")[0]
    page.select_option("#rule-type", "identity")
    page.fill("#rule-username", ben.username)
    page.select_option("#rule-permissions", "r")
    page.click("#rule-form button[type=submit]")
    page.wait_for_selector("#rules tbody tr")
    browser.shot("04-collection-shared")

    # Ben sees it under shared-with-me and browses it in the File Manager
    colleague = open_browser()
    colleague.login(ben, start="/app/collections?scope=shared-with-me")
    bpage = colleague.page
    bpage.wait_for_selector(f"#results tr[data-id='{share_id}']")
    colleague.shot("05-shared-with-me")
    colleague.goto(f"/app/file-manager?origin_id={share_id}&origin_path=/")
    bpage.wait_for_selector("#origin-list >> text=salinity.csv")
    assert "notes.txt" not in bpage.locator("#origin-list").inner_text()  # only the share
    colleague.shot("06-colleague-browses-share")

    # a group, with Ben invited; he accepts
    browser.goto("/app/groups")
    page.fill("#group-name", f"Ocean lab {tag}")
    page.click("#create-group-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/app/groups/[0-9a-f-]{36}$"))
    group_id = page.url.rsplit("/", 1)[1]
    page.fill("#invite-usernames", ben.username)
    page.click("#invite-form button[type=submit]")
    page.wait_for_selector(f"#members tr[data-username='{ben.username}'][data-status=invited]")
    browser.shot("07-group-invited")
    colleague.goto("/app/groups")
    bpage.locator(f"#invitations li[data-group-id='{group_id}'] button.accept").click()
    bpage.wait_for_selector(f"#my-groups tr[data-group-id='{group_id}']")
    colleague.shot("08-colleague-joined")
    page.reload()
    member = page.locator(f"#members tr[data-username='{ben.username}']")
    assert member.get_attribute("data-status") == "active"

    # a search over the lab's index
    index_id = _index_with_a_record(server, ada.username, f"globus://{archive_id}/run-7/")
    browser.goto(f"/app/search/{index_id}")
    page.fill("#q", "salinity")
    page.click("#query-form button[type=submit]")
    page.wait_for_selector("#total")
    assert page.locator("#total").inner_text().startswith("1 record")
    assert "Seawater salinity run" in page.locator(".results").inner_text()
    browser.shot("09-search")
