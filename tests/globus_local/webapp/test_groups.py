"""The Groups pages in a real browser: create, invite, accept, join by policy, leave; and
what another user must not see or change."""

from __future__ import annotations

import re
import typing as t

import requests

from globus_local.services.auth.scopes import GROUPS_ALL
from globus_local.testing import LocalServer

GROUP_URL = re.compile(r".*/app/groups/[0-9a-f-]{36}$")


class GroupsApi:
    """The Groups API as one user's script would call it, for setting up and checking."""

    def __init__(self, server: LocalServer, username: str) -> None:
        self.base = server.url.rstrip("/") + "/groups/v2"
        token = server.token(username, [GROUPS_ALL])["access_token"]
        self.headers = {"Authorization": f"Bearer {token}"}

    def call(self, method: str, path: str, body: t.Any = None, **params: t.Any) -> t.Any:
        answer = requests.request(
            method, self.base + path, json=body, params=params, headers=self.headers, timeout=30
        )
        answer.raise_for_status()
        return answer.json()

    def create(self, name: str, **policies: t.Any) -> str:
        group_id: str = self.call("POST", "/groups", {"name": name})["id"]
        if policies:
            self.call("PUT", f"/groups/{group_id}/policies", policies)
        return group_id

    def members(self, group_id: str) -> dict[str, t.Any]:
        doc = self.call("GET", f"/groups/{group_id}", include="memberships")
        return {m["username"]: m for m in doc["memberships"]}


def _notice(page: t.Any, text: str) -> None:
    page.wait_for_selector(f"p.notice:has-text('{text}')", timeout=30_000)


def _member_row(page: t.Any, username: str) -> t.Any:
    return page.locator(f"#members tr[data-username='{username}']")


def test_create_a_group_invite_a_user_who_accepts(
    open_browser: t.Any, make_web_user: t.Any, globus_local_server: LocalServer
) -> None:
    owner = make_web_user("olive", name="Olive Owner")
    guest = make_web_user("gus", name="Gus Guest")
    first = open_browser()
    first.login(owner, start="/app/groups")
    page = first.page
    assert page.locator("#my-groups .empty").is_visible()
    first.shot("groups-empty")

    page.fill("#group-name", "Telescope team")
    page.fill("#group-description", "Night shift observers.\nShared data on the lab collection.")
    page.click("#create-group-form button[type=submit]")
    page.wait_for_url(GROUP_URL)
    _notice(page, "created")
    group_id = page.url.rsplit("/", 1)[1]
    assert page.locator("#group-title").inner_text() == "Telescope team"
    assert _member_row(page, owner.username).get_attribute("data-status") == "active"
    first.shot("group-created")

    page.fill("#invite-usernames", "nobody-here@example.org")
    page.click("#invite-form button[type=submit]")
    _notice(page, "No user with the username nobody-here@example.org")
    page.fill("#invite-usernames", guest.username)
    page.click("#invite-form button[type=submit]")
    _notice(page, f"Invited {guest.username}")
    assert _member_row(page, guest.username).get_attribute("data-status") == "invited"
    first.shot("group-invited")

    second = open_browser()  # the guest's own browser
    second.login(guest, start="/app/groups")
    invite = second.page.locator(f"#invitations li[data-group-id='{group_id}']")
    assert "Telescope team" in invite.inner_text()
    second.shot("invitation")
    invite.locator("button.accept").click()
    _notice(second.page, "Invitation accepted")
    row = second.page.locator(f"#my-groups tr[data-group-id='{group_id}']")
    assert "member" in row.inner_text()
    assert second.page.locator("#invitations").count() == 0
    second.shot("groups-after-accept")

    page.reload()
    assert _member_row(page, guest.username).get_attribute("data-status") == "active"
    assert "Gus Guest" in _member_row(page, guest.username).inner_text()
    _member_row(page, guest.username).locator("select").select_option("manager")
    _member_row(page, guest.username).locator("button.change-role").click()
    _notice(page, "Role changed")
    assert "manager" in _member_row(page, guest.username).locator(".badge").first.inner_text()
    first.shot("group-members")
    api = GroupsApi(globus_local_server, owner.username)
    assert api.members(group_id)[guest.username]["role"] == "manager"

    page.goto(first.url("/app/groups"))
    counts = page.locator(f"#my-groups tr[data-group-id='{group_id}'] .members-count")
    assert "2 active" in counts.inner_text()
    first.shot("groups-list")

    phone = open_browser(width=390, height=844)
    phone.login(owner, start=f"/app/groups/{group_id}")
    assert phone.page.locator("#members").is_visible()
    phone.shot("group-phone")
    phone.goto("/app/groups")
    phone.shot("groups-phone")


def test_join_and_request_to_join_follow_the_groups_policies(
    open_browser: t.Any, make_web_user: t.Any, globus_local_server: LocalServer
) -> None:
    owner = make_web_user("olga", name="Olga Owner")
    joiner = make_web_user("jo", name="Jo Joiner")
    api = GroupsApi(globus_local_server, owner.username)
    by_request = api.create("Beamline users")
    open_group = api.create("Seminar list", group_visibility="authenticated", join_requests=False)

    admin = open_browser()
    admin.login(owner, start=f"/app/groups/{by_request}")
    page = admin.page
    page.check("#policies input[name=group_visibility][value=authenticated]")
    page.check("#join-requests")
    page.click("#policies-form button[type=submit]")
    _notice(page, "Policies saved")
    assert "ask to join" in page.locator("#about").inner_text()
    assert page.locator("button.copy").is_visible()  # the page's script ran under the CSP
    admin.shot("policies")

    other = open_browser()
    other.login(joiner, start="/app/groups")
    other.page.fill("#open-group-id", other.url(f"/app/groups/{by_request}"))  # the shared link
    other.page.click("#open-group button[type=submit]")
    other.page.wait_for_url(GROUP_URL)
    assert other.page.locator("#join-panel").is_visible()
    assert other.page.locator("#join-group").count() == 0  # approval needed: no direct join
    other.shot("request-join")
    other.page.click("#request-join")
    _notice(other.page, "Request sent")
    assert other.page.locator("#pending").is_visible()

    page.reload()
    row = _member_row(page, joiner.username)
    assert row.get_attribute("data-status") == "pending"
    admin.shot("request-to-approve")
    row.locator("button.approve").click()
    _notice(page, "Request approved")
    assert _member_row(page, joiner.username).get_attribute("data-status") == "active"

    other.goto(f"/app/groups/{open_group}")
    assert other.page.locator("#request-join").count() == 0
    other.page.click("#join-group")
    _notice(other.page, "You joined")
    assert api.members(open_group)[joiner.username]["status"] == "active"

    other.page.once("dialog", lambda dialog: dialog.accept())
    other.page.click("#leave")
    _notice(other.page, "You left")
    assert other.page.url.endswith("/app/groups")
    assert other.page.locator(f"#my-groups tr[data-group-id='{open_group}']").count() == 0
    assert other.page.locator(f"#my-groups tr[data-group-id='{by_request}']").count() == 1
    assert api.members(open_group)[joiner.username]["status"] == "left"

    club = api.create("Reading club")
    api.call("POST", f"/groups/{club}", {"invite": [{"identity_id": joiner.id}]})
    other.page.reload()
    other.page.locator(f"#invitations li[data-group-id='{club}'] button.decline").click()
    _notice(other.page, "Invitation declined")
    assert other.page.locator("#invitations").count() == 0
    assert api.members(club)[joiner.username]["status"] == "declined"


def test_an_admin_removes_a_member_renames_and_deletes_the_group(
    open_browser: t.Any, make_web_user: t.Any, globus_local_server: LocalServer
) -> None:
    owner = make_web_user("ada", name="Ada Admin")
    member = make_web_user("max", name="Max Member")
    api = GroupsApi(globus_local_server, owner.username)
    group_id = api.create("Old name")
    api.call("POST", f"/groups/{group_id}", {"add": [{"identity_id": member.id}]})

    browser = open_browser()
    browser.login(owner, start=f"/app/groups/{group_id}")
    page = browser.page
    page.on("dialog", lambda dialog: dialog.accept())
    _member_row(page, member.username).locator("button.remove").click()
    _notice(page, "Member removed")
    assert _member_row(page, member.username).count() == 0
    page.click("details.past summary")
    assert "removed" in page.locator("details.past").inner_text()
    assert api.members(group_id)[member.username]["status"] == "removed"
    browser.shot("member-removed")

    page.fill("#edit-name", "New name")
    page.fill("#edit-description", "Renamed <b>safely</b>")
    page.click("#edit-form button[type=submit]")
    _notice(page, "Group details saved")
    assert page.locator("#group-title").inner_text() == "New name"
    assert page.locator("#about .description").inner_text() == "Renamed <b>safely</b>"

    page.click("#delete-group")
    _notice(page, "deleted")
    assert page.url.endswith("/app/groups")
    assert page.locator("#my-groups .empty").is_visible()
    assert api.call("GET", "/groups/my_groups") == []


def test_another_user_sees_no_private_group_and_no_hidden_members(
    open_browser: t.Any, make_web_user: t.Any, globus_local_server: LocalServer
) -> None:
    owner = make_web_user("pia", name="Pia Private")
    member = make_web_user("mo", name="Mo Member")
    outsider = make_web_user("oz", name="Oz Outsider")
    api = GroupsApi(globus_local_server, owner.username)
    private = api.create("Secret project")
    visible = api.create("Visible team", group_visibility="authenticated", join_requests=True)
    for group_id in (private, visible):
        api.call("POST", f"/groups/{group_id}", {"add": [{"identity_id": member.id}]})

    browser = open_browser()
    browser.login(outsider, start=f"/app/groups/{private}")
    page = browser.page
    html = page.content()
    assert "Not found" in page.locator("h1").inner_text()
    for secret in ("Secret project", owner.username, "Pia Private", member.username, "Mo Member"):
        assert secret not in html
    browser.shot("private-group-refused")

    browser.goto(f"/app/groups/{visible}")
    assert page.locator("#members-hidden").is_visible()
    html = page.content()
    for secret in (owner.username, "Pia Private", member.username, "Mo Member"):
        assert secret not in html
    browser.shot("members-hidden")

    browser.goto("/app/groups/not-a-group")
    assert "Not found" in page.locator("h1").inner_text()


def test_forms_need_the_csrf_token_and_the_apis_rights(
    globus_local_server: LocalServer, logged_in_http: t.Any, make_web_user: t.Any
) -> None:
    http, user = logged_in_http()
    base = globus_local_server.url.rstrip("/")
    api = GroupsApi(globus_local_server, user.username)
    refused = http.post(base + "/app/groups", data={"name": "Forged"}, allow_redirects=False)
    assert refused.status_code == 403 and "Form rejected" in refused.text
    assert api.call("GET", "/groups/my_groups") == []

    group_id = api.create("Mine")
    other = make_web_user("eve")
    forged = http.post(
        base + f"/app/groups/{group_id}/invite",
        data={"usernames": other.username, "csrf_token": "x" * 32},
        allow_redirects=False,
    )
    assert forged.status_code == 403
    assert list(api.members(group_id)) == [user.username]

    # a logged-in outsider with a valid form still meets the API's rights check
    outsider_http, _outsider = logged_in_http()
    page = outsider_http.get(base + "/app/groups").text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert csrf is not None
    answer = outsider_http.post(
        base + f"/app/groups/{group_id}/members/{user.id}/remove",
        data={"csrf_token": csrf.group(1)},
        allow_redirects=False,
    )
    assert answer.status_code == 303
    assert api.members(group_id)[user.username]["status"] == "active"
