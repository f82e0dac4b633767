"""Search in the web app: an index's query page with facets and filters, limited to what
the user may see."""

from __future__ import annotations

import typing as t

import globus_sdk
from globus_local.testing import LocalServer

SEARCH_ALL = "urn:globus:auth:scope:search.api.globus.org:all"


def _search_client(server: LocalServer, username: str) -> globus_sdk.SearchClient:
    token = server.token(username, SEARCH_ALL)["access_token"]
    return globus_sdk.SearchClient(authorizer=globus_sdk.AccessTokenAuthorizer(token))


def _make_index(server: LocalServer, owner: t.Any) -> str:
    sc = _search_client(server, owner.username)
    made = sc.post("/v1/index", data={"display_name": "Ocean samples", "description": "Samples"})
    index_id = made["id"]
    docs = [
        ("sample-1", {"title": "Kelp at station A", "site": "A", "kind": "kelp"}, ["public"]),
        ("sample-2", {"title": "Kelp at station B", "site": "B", "kind": "kelp"}, ["public"]),
        (
            "sample-3",
            {"title": "Plankton at station A", "site": "A", "kind": "plankton"},
            ["public"],
        ),
        (
            "secret-4",
            {"title": "Unpublished kelp", "site": "C", "kind": "kelp"},
            [f"urn:globus:auth:identity:{owner.id}"],
        ),
    ]
    task = sc.ingest(
        index_id,
        {
            "ingest_type": "GMetaList",
            "ingest_data": {
                "gmeta": [{"subject": s, "visible_to": v, "content": c} for s, c, v in docs]
            },
        },
    )["task_id"]
    while sc.get_task(task)["state"] not in ("SUCCESS", "FAILED"):
        pass
    return str(index_id)


def test_query_facets_and_filters_show_only_what_the_user_may_see(
    open_browser: t.Any, make_web_user: t.Any, globus_local_server: LocalServer
) -> None:
    owner, reader = make_web_user("curator"), make_web_user("reader")
    index_id = _make_index(globus_local_server, owner)

    browser = open_browser()
    browser.login(owner, start="/app/search")
    page = browser.page
    assert "Ocean samples" in page.locator("#indexes").inner_text()
    browser.shot("search-indexes")
    page.click("#indexes a")
    page.fill("#q", "kelp")
    page.click("#query-form button[type=submit]")
    page.wait_for_selector("#total")
    assert page.locator("#total").inner_text().startswith("3 records")  # the owner sees its own
    assert page.locator(".facet[data-field=site]").count() == 1
    browser.shot("search-owner-kelp")

    other = open_browser()
    other.login(reader, start=f"/app/search/{index_id}?q=kelp")
    rpage = other.page
    assert rpage.locator("#total").inner_text().startswith("2 records")
    assert "Unpublished" not in rpage.content() and "secret-4" not in rpage.content()
    site_c = rpage.locator(".facet[data-field=site] a", has_text="C")
    assert site_c.count() == 0  # facet counts leave out what the reader may not see
    rpage.locator(".facet[data-field=site] a", has_text="B").click()
    rpage.wait_for_selector(".facets a.active")
    assert rpage.locator("#total").inner_text().startswith("1 record")
    assert "Kelp at station B" in rpage.locator(".results").inner_text()
    other.shot("search-reader-filtered")

    phone = open_browser(width=390, height=844)
    phone.login(reader, start=f"/app/search/{index_id}")
    assert phone.page.locator("#total").inner_text().startswith("3 records")
    phone.shot("search-phone")


def test_bad_queries_and_unknown_indexes_get_clear_messages(
    globus_local_server: LocalServer, logged_in_http: t.Any
) -> None:
    http, _user = logged_in_http()
    base = globus_local_server.url.rstrip("/") + "/app/search"
    missing = http.get(base + "/00000000-0000-0000-0000-000000000000", timeout=30)
    assert missing.status_code == 404 and "Not found" in missing.text
    not_uuid = http.get(base + "?index_id=nope", timeout=30)
    assert "An index id is a UUID" in not_uuid.text
    empty = http.get(base, timeout=30)
    assert "You have no roles on any index" in empty.text
