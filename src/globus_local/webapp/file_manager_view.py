"""The File Manager's state and what each pane shows, built from the Transfer API's answers.

Everything the page shows is in its URL (which collection and folder each pane has, how it
sorts, whether hidden items show), as in Globus's web app:
``/app/file-manager?origin_id=..&origin_path=..&destination_id=..&destination_path=..``.
So a link or a reload shows the same page, and every form sends the page's URL back to
return to it.
"""

from __future__ import annotations

import typing as t
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from globus_local.webapp import pages
from globus_local.webapp.platform_api import ApiError

BASE = "/app/file-manager"
SIDES = ("origin", "destination")
SORT_FIELDS = {"name": "Name", "size": "Size", "last_modified": "Modified"}
# Query parameters that make up the page's state (a just-submitted task is not state).
STATE_KEYS = tuple(
    f"{side}_{key}" for side in SIDES for key in ("id", "path", "sort", "order", "q")
) + ("hidden",)
NOTICE_KEYS = ("task", "task_kind")
SEARCH_LIMIT = 20


def other(side: str) -> str:
    return "destination" if side == "origin" else "origin"


@dataclass
class State:
    """The page's query parameters that matter, and URLs that change some of them."""

    values: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_query(cls, query: t.Mapping[str, str]) -> State:
        return cls({k: str(query[k]) for k in STATE_KEYS if query.get(k)})

    def get(self, key: str) -> str:
        return self.values.get(key, "")

    def url(self, **changes: str | None) -> str:
        """This page with ``changes`` (``None`` or ``""`` drops a key)."""
        values = {**self.values, **changes}
        kept = [(k, v) for k in STATE_KEYS if (v := values.get(k))]
        return BASE + ("?" + urlencode(kept) if kept else "")

    def hidden_fields(self, *leave_out: str) -> list[tuple[str, str]]:
        """The state as hidden form fields, for a GET form that sets the others."""
        return [(k, v) for k, v in self.values.items() if k not in leave_out]

    @property
    def show_hidden(self) -> bool:
        return self.get("hidden") == "1"


def back_url(value: str | None, **notice: str) -> str:
    """The File Manager URL a form came from (anything else is the bare page), with the
    notice parameters given replacing any it had."""
    target = value if isinstance(value, str) else ""
    if not target.startswith(BASE) or "\\" in target or target.startswith(BASE + "/"):
        target = BASE
    query = [(k, v) for k, v in parse_qsl(urlsplit(target).query) if k in STATE_KEYS]
    query += [(k, v) for k, v in notice.items() if v]
    return BASE + ("?" + urlencode(query) if query else "")


def join(folder: str, name: str) -> str:
    return (folder if folder.endswith("/") else folder + "/") + name


def parent(folder: str) -> str | None:
    trimmed = folder.rstrip("/")
    if not trimmed or trimmed in ("/~", "~"):
        return None
    return trimmed.rsplit("/", 1)[0] + "/"


def valid_name(name: str) -> bool:
    """A single file or folder name (no path, not ``.`` or ``..``)."""
    return bool(name.strip()) and "/" not in name and name not in (".", "..") and "\x00" not in name


@dataclass
class Row:
    name: str
    type: str
    size: int
    modified: str
    link: str | None  # a folder opens in the pane; a file downloads

    @property
    def value(self) -> str:
        return f"{'dir' if self.type == 'dir' else 'file'}:{self.name}"


@dataclass
class Pane:
    side: str
    state: State
    endpoint: dict[str, t.Any] | None = None
    error: str | None = None
    path: str = ""
    rows: list[Row] = field(default_factory=list)
    results: list[dict[str, t.Any]] = field(default_factory=list)
    results_title: str = ""
    bookmarks: list[dict[str, t.Any]] = field(default_factory=list)

    @property
    def title(self) -> str:
        return "Left pane" if self.side == "origin" else "Right pane"

    @property
    def endpoint_id(self) -> str:
        return self.state.get(f"{self.side}_id")

    @property
    def sort(self) -> str:
        value = self.state.get(f"{self.side}_sort")
        return value if value in SORT_FIELDS else "name"

    @property
    def descending(self) -> bool:
        return self.state.get(f"{self.side}_order") == "desc"

    def sort_url(self, key: str) -> str:
        flip = key == self.sort and not self.descending
        return self.state.url(
            **{f"{self.side}_sort": key, f"{self.side}_order": "desc" if flip else None}
        )

    def sort_mark(self, key: str) -> str:
        if key != self.sort:
            return ""
        return "descending" if self.descending else "ascending"

    def open_url(self, endpoint_id: str, path: str | None = None) -> str:
        return self.state.url(
            **{f"{self.side}_id": endpoint_id, f"{self.side}_path": path, f"{self.side}_q": None}
        )

    def folder_url(self, path: str) -> str:
        return self.state.url(**{f"{self.side}_path": path})

    @property
    def change_url(self) -> str:
        return self.state.url(**{f"{self.side}_id": None, f"{self.side}_path": None})

    @property
    def parent_url(self) -> str | None:
        up = parent(self.path)
        return None if up is None else self.folder_url(up)

    @property
    def orderby(self) -> str:
        # Folders first, then the chosen order, then by name.
        direction = " DESC" if self.descending else ""
        return f"type,{self.sort}{direction},name"


def _rows(pane: Pane, listing: dict[str, t.Any]) -> list[Row]:
    rows = []
    for entry in listing.get("DATA", []):
        name, kind = str(entry.get("name", "")), str(entry.get("type", "file"))
        path = join(pane.path, name)
        if kind == "dir":
            link: str | None = pane.folder_url(path + "/")
        elif kind == "file":
            link = BASE + "/download?" + urlencode({"endpoint_id": pane.endpoint_id, "path": path})
        else:
            link = None
        rows.append(Row(name, kind, int(entry.get("size") or 0), entry.get("last_modified"), link))
    return rows


async def browse(calls: pages.Services, pane: Pane) -> None:
    """Fill ``pane`` with its collection and folder listing, or the error that stops it."""
    try:
        pane.endpoint = await calls.get("transfer", f"/endpoint/{quote(pane.endpoint_id, safe='')}")
        answer = await calls.call(  # ``path`` is a query parameter here: not get()'s keyword
            "GET",
            "transfer",
            f"/operation/endpoint/{quote(pane.endpoint_id, safe='')}/ls",
            params={
                "path": pane.state.get(f"{pane.side}_path") or None,
                "show_hidden": "true" if pane.state.show_hidden else "false",
                "orderby": pane.orderby,
            },
        )
        listing = answer.checked()
    except ApiError as err:
        pane.error = pages.error_message(err)
        pane.rows = []
        return
    pane.path = str(listing.get("path") or "/")
    pane.rows = _rows(pane, listing)


async def pick(calls: pages.Services, pane: Pane, bookmarks: list[dict[str, t.Any]]) -> None:
    """Fill ``pane`` with collections to choose from: a search's results, or the user's own
    collections and bookmarks."""
    text = pane.state.get(f"{pane.side}_q").strip()
    pane.bookmarks = bookmarks
    params: dict[str, t.Any] = {"limit": SEARCH_LIMIT}
    if text:
        params.update(filter_fulltext=text, filter_scope="all")
        pane.results_title = f"Collections matching “{text}”"
    else:
        params.update(filter_scope="my-endpoints")
        pane.results_title = "Your collections"
    try:
        found = await calls.get("transfer", "/endpoint_search", **params)
    except ApiError as err:
        pane.error = pages.error_message(err)
        return
    pane.results = list(found.get("DATA", []))
