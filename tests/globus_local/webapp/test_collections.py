"""Collections in a real browser: search and details, sharing a folder with one user and
nobody else, roles, edits, and forms refused without the CSRF token."""

from __future__ import annotations

import re
import secrets
import typing as t
from pathlib import Path

import requests

from globus_local.services.auth import scopes
from globus_local.services.transfer.admin import create_endpoint
from globus_local.testing import LocalServer
from tests.support.platform import access_token, bearer


def _endpoint(server: LocalServer, owner: t.Any, root: Path, name: str, **kw: t.Any) -> dict:
    return create_endpoint(server.db, owner.username, name, str(root), **kw)


def _transfer(server: LocalServer, username: str, method: str, path: str, **kw: t.Any) -> t.Any:
    token = access_token(server.token(username, [scopes.TRANSFER_ALL]), scopes.TRANSFER_RS)
    url = server.url.rstrip("/") + "/transfer/v0.10" + path
    return requests.request(method, url, headers=bearer(token), timeout=30, **kw)


def _group(server: LocalServer, username: str, name: str) -> t.Any:
    token = access_token(server.token(username, [scopes.GROUPS_ALL]), scopes.GROUPS_RS)
    url = server.url.rstrip("/") + "/groups/v2/groups"
    answer = requests.post(url, json={"name": name}, headers=bearer(token), timeout=30)
    assert answer.status_code == 201, answer.text
    return answer.json()


def _tag() -> str:
    return secrets.token_hex(3)


def test_search_finds_a_collection_and_its_page_shows_the_details(
    open_browser: t.Any, make_web_user: t.Any, globus_local_server: LocalServer, tmp_path: Path
) -> None:
    owner = make_web_user("curie", name="Marie Curie")
    tag = _tag()
    endpoint = _endpoint(
        globus_local_server,
        owner,
        tmp_path / "lab",
        f"Radium lab {tag}",
        description="Spectra from the radium runs",
    )
    browser = open_browser()
    browser.login(owner, start="/app/collections")
    page = browser.page
    # the start tab is the user's own collections
    page.wait_for_selector(f"#results tr[data-id='{endpoint['id']}']")
    browser.shot("mine")

    page.click("a[data-scope=all]")
    page.wait_for_selector("#results-empty")  # the search tab asks for text first
    page.fill("#q", f"radium {tag}")
    page.press("#q", "Enter")
    row = page.wait_for_selector(f"#results tr[data-id='{endpoint['id']}']")
    assert "Spectra from the radium runs" in row.inner_text()
    browser.shot("search")

    page.click(f"#results a[href='/app/collections/{endpoint['id']}']")
    page.wait_for_selector("#details")
    details = page.locator("#details").inner_text()
    assert f"Radium lab {tag}" in details and owner.username in details
    assert "GCP mapped collection" in details and endpoint["id"] in details
    link = page.locator("#open-file-manager")
    assert link.get_attribute("href") == f"/app/file-manager?origin_id={endpoint['id']}"
    assert page.locator("#roles-empty").count() == 1  # the owner may see roles: none granted
    browser.shot("details")

    page.click(".crumbs a")
    page.click("a[data-scope=shared-with-me]")
    page.wait_for_selector("#results-empty")
    assert "Nobody has shared" in page.locator("#results-empty").inner_text()
    browser.shot("shared-with-me-empty")

    phone = open_browser(width=390, height=844)
    phone.login(owner, start=f"/app/collections/{endpoint['id']}")
    phone.page.wait_for_selector("#details")
    phone.shot("details-phone")


def test_a_shared_folder_reaches_its_user_and_nobody_else(
    open_browser: t.Any, make_web_user: t.Any, globus_local_server: LocalServer, tmp_path: Path
) -> None:
    server = globus_local_server
    owner = make_web_user("owner", name="Olga Owner")
    reader = make_web_user("reader", name="Rita Reader")
    outsider = make_web_user("outsider", name="Otto Outsider")
    root = tmp_path / "project"
    (root / "results").mkdir(parents=True)
    (root / "results" / "run-1.csv").write_text("a,b\n1,2\n")
    (root / "private").mkdir()
    tag = _tag()
    host = _endpoint(server, owner, root, f"Project store {tag}")

    browser = open_browser()
    browser.login(owner, start=f"/app/collections/{host['id']}")
    page = browser.page
    page.wait_for_selector("#guests")
    page.click("#share-folder")
    page.wait_for_selector("#guest-form")
    assert page.locator("#host_endpoint").input_value() == host["id"]
    page.fill("#host_path", "/missing/")
    page.fill("#display_name", f"Results for Rita {tag}")
    page.click("#guest-form button[type=submit]")  # no such folder: Transfer says so
    page.wait_for_selector(".notice.error")
    assert "/missing/" in page.locator(".notice.error").inner_text()
    assert page.locator("#display_name").input_value() == f"Results for Rita {tag}"
    assert page.locator("#host_endpoint").input_value() == host["id"]
    browser.shot("new-guest-refused")
    page.fill("#host_path", "/results/")
    browser.shot("new-guest")
    page.click("#guest-form button[type=submit]")
    page.wait_for_selector("#rules-empty")
    assert "Guest collection created" in page.locator(".notice.ok").inner_text()
    share_id = page.url.split("/app/collections/")[1].split("#")[0]
    assert "/results/" in page.locator("#details").inner_text()  # the owner sees the host path

    page.select_option("#rule-type", "identity")
    page.fill("#rule-username", reader.username)
    page.select_option("#rule-permissions", "r")
    page.click("#rule-form button[type=submit]")
    page.wait_for_selector("#rules tbody tr")
    rules = page.locator("#rules").inner_text()
    assert reader.username in rules and "read" in rules
    browser.shot("share-with-rule")

    # an unknown username is named back, and nothing is added
    page.select_option("#rule-type", "identity")
    page.fill("#rule-username", f"nobody-{tag}@example.org")
    page.click("#rule-form button[type=submit]")
    page.wait_for_selector(".notice.error")
    assert "No user has the username" in page.locator(".notice.error").inner_text()
    assert page.locator("#rules tbody tr").count() == 1
    browser.goto(f"/app/collections/{host['id']}")
    page.wait_for_selector(f"#guest-list tr[data-id='{share_id}']")
    browser.goto("/app/collections?scope=recently-used")  # creating it counts as use
    page.wait_for_selector(f"#results tr[data-id='{share_id}']")

    # the reader finds it under shared-with-me and opens it
    second = open_browser()
    second.login(reader, start="/app/collections?scope=shared-with-me")
    rpage = second.page
    rpage.wait_for_selector(f"#results tr[data-id='{share_id}']")
    second.shot("shared-with-me")
    rpage.click(f"#results a[href='/app/collections/{share_id}']")
    rpage.wait_for_selector("#details")
    assert f"Results for Rita {tag}" in rpage.locator("#collection-name").inner_text()
    assert rpage.locator("#open-file-manager").get_attribute("href") == (
        f"/app/file-manager?origin_id={share_id}"
    )
    assert rpage.locator("#rules-refused").count() == 1  # not the reader's to manage
    assert rpage.locator("#edit-form").count() == 0
    second.shot("shared-details")
    listing = _transfer(server, reader.username, "GET", f"/operation/endpoint/{share_id}/ls")
    assert listing.status_code == 200
    assert [f["name"] for f in listing.json()["DATA"]] == ["run-1.csv"]
    # the host itself stays out of the reader's reach
    second.goto(f"/app/collections/{host['id']}")
    rpage.wait_for_selector("h1")
    assert rpage.locator("h1").inner_text() == "Not allowed"

    # a third user sees neither the share nor the host
    third = open_browser()
    third.login(outsider, start="/app/collections?scope=shared-with-me")
    opage = third.page
    opage.wait_for_selector("#results-empty")
    for endpoint_id, name in ((share_id, f"Results for Rita {tag}"), (host["id"], "Project store")):
        answer = third.goto(f"/app/collections/{endpoint_id}")
        assert answer.status == 403
        html = opage.content()
        assert name not in html and reader.username not in html and "/results/" not in html
    third.shot("outsider-refused")
    search = third.goto(f"/app/collections?scope=all&q={tag}")
    assert search.status == 200
    assert opage.locator("#results-empty").count() == 1
    assert "Project store" not in opage.content() and "Results for Rita" not in opage.content()

    # the owner removes the rule: the reader's access ends with it
    browser.goto(f"/app/collections/{share_id}")
    page.on("dialog", lambda dialog: dialog.accept())
    page.click("#rules button.danger")
    page.wait_for_selector("#rules-empty")
    assert "Access rule removed" in page.locator(".notice.ok").inner_text()
    listing = _transfer(server, reader.username, "GET", f"/operation/endpoint/{share_id}/ls")
    assert listing.status_code == 403


def test_roles_are_granted_and_removed_and_the_collection_edited_then_deleted(
    open_browser: t.Any, make_web_user: t.Any, globus_local_server: LocalServer, tmp_path: Path
) -> None:
    owner = make_web_user("admin")
    monitor = make_web_user("monitor")
    tag = _tag()
    endpoint = _endpoint(globus_local_server, owner, tmp_path / "store", f"Role store {tag}")
    browser = open_browser()
    browser.login(owner, start=f"/app/collections/{endpoint['id']}")
    page = browser.page
    page.wait_for_selector("#role-form")
    assert not page.locator("#role-group-id").is_visible()  # only the username field shows
    page.select_option("#role-type", "identity")
    page.fill("#role-username", monitor.username)
    page.select_option("#role-name", "activity_monitor")
    page.click("#role-form button[type=submit]")
    page.wait_for_selector("#role-list tbody tr")
    roles = page.locator("#role-list").inner_text()
    assert monitor.username in roles and "activity monitor" in roles
    browser.shot("role-added")
    role_doc = _transfer(
        globus_local_server, owner.username, "GET", f"/endpoint/{endpoint['id']}/role_list"
    )
    assert [r["principal"] for r in role_doc.json()["DATA"]] == [monitor.id]

    page.on("dialog", lambda dialog: dialog.accept())
    page.click("#role-list button.danger")
    page.wait_for_selector("#roles-empty")
    assert "Role removed" in page.locator(".notice.ok").inner_text()

    # a group picked from the owner's own groups (Groups API)
    group = _group(globus_local_server, owner.username, f"Beamline team {tag}")
    browser.goto(f"/app/collections/{endpoint['id']}")
    page.select_option("#role-type", "group")
    assert not page.locator("#role-username").is_visible()
    page.select_option("#role-group-pick", group["id"])
    page.select_option("#role-name", "access_manager")
    page.click("#role-form button[type=submit]")
    page.wait_for_selector("#role-list tbody tr")
    roles = page.locator("#role-list").inner_text()
    assert f"group Beamline team {tag}" in roles and "access manager" in roles
    page.click("#role-list button.danger")
    page.wait_for_selector("#roles-empty")

    page.fill("#display_name", f"Renamed store {tag}")
    page.fill("#description", "Now with a description")
    page.click("#edit-form button[type=submit]")
    page.wait_for_selector(".notice.ok")
    assert page.locator("#collection-name").inner_text() == f"Renamed store {tag}"
    assert "Now with a description" in page.locator("#details").inner_text()
    page.fill("#display_name", " ")
    page.click("#edit-form button[type=submit]")  # blank: Transfer's refusal is shown
    page.wait_for_selector(".notice.error")
    assert "display_name" in page.locator(".notice.error").inner_text()
    assert page.locator("#collection-name").inner_text() == f"Renamed store {tag}"

    page.click("#delete-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/app/collections\?scope=my-endpoints"))
    assert "Collection deleted" in page.locator(".notice.ok").inner_text()
    gone = _transfer(globus_local_server, owner.username, "GET", f"/endpoint/{endpoint['id']}")
    assert gone.status_code == 404


def test_forms_without_the_csrf_token_are_refused_and_change_nothing(
    globus_local_server: LocalServer, logged_in_http: t.Any, make_web_user: t.Any, tmp_path: Path
) -> None:
    http, owner = logged_in_http()
    other = make_web_user("other")
    endpoint = _endpoint(globus_local_server, owner, tmp_path / "kept", "Kept name")
    base = globus_local_server.url.rstrip("/") + "/app/collections"
    eid = endpoint["id"]
    forms = {
        f"/{eid}/edit": {"display_name": "Changed"},
        f"/{eid}/delete": {},
        f"/{eid}/roles": {
            "principal_type": "identity",
            "username": other.username,
            "role": "administrator",
        },
        f"/{eid}/access": {"principal_type": "anonymous", "path": "/", "permissions": "r"},
        f"/{eid}/roles/{eid}/delete": {},
        f"/{eid}/access/{eid}/delete": {},
        "/new-guest": {"host_endpoint": eid, "host_path": "/", "display_name": "Forged share"},
    }
    for path, fields in forms.items():
        for token in (None, "x" * 32):
            data = dict(fields, **({"csrf_token": token} if token else {}))
            answer = http.post(base + path, data=data, allow_redirects=False, timeout=30)
            assert answer.status_code == 403, path
            assert "Form rejected" in answer.text
    doc = _transfer(globus_local_server, owner.username, "GET", f"/endpoint/{eid}").json()
    assert doc["display_name"] == "Kept name"
    roles = _transfer(globus_local_server, owner.username, "GET", f"/endpoint/{eid}/role_list")
    assert roles.json()["DATA"] == []
    shares = _transfer(
        globus_local_server, owner.username, "GET", f"/endpoint/{eid}/my_shared_endpoint_list"
    )
    assert shares.json()["DATA"] == []
    # a malformed ID is no page, not an error from the API
    assert http.get(base + "/not-an-id", timeout=30).status_code == 404


def test_search_pages_through_many_results_and_bad_paging_is_the_first_page(
    globus_local_server: LocalServer, logged_in_http: t.Any, tmp_path: Path
) -> None:
    http, owner = logged_in_http()
    tag = _tag()
    for n in range(27):
        _endpoint(globus_local_server, owner, tmp_path / f"e{n}", f"Shelf {tag} {n:02d}")
    base = globus_local_server.url.rstrip("/") + "/app/collections"
    first = http.get(base, params={"q": tag, "scope": "all"}, timeout=30)
    assert first.status_code == 200 and first.text.count('<tr data-id="') == 25
    assert "offset=25" in first.text and "Previous</a>" not in first.text
    second = http.get(base, params={"q": tag, "scope": "all", "offset": "25"}, timeout=30)
    assert second.text.count('<tr data-id="') == 2
    assert "Previous</a>" in second.text and "Next</a>" not in second.text
    for bad in ("-5", "x", "²", "9" * 40):
        answer = http.get(
            base, params={"q": tag, "scope": "my-endpoints", "offset": bad}, timeout=30
        )
        assert answer.status_code == 200, bad
