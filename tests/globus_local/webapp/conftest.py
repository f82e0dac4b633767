"""Browser fixtures: Debian's headless Chromium driven by Playwright, logged in through the
platform's own login and consent pages.

Screenshots go to ``build/screenshots/<test name>/`` (``GLOBUS_LOCAL_SCREENSHOTS`` moves the
root); each test that takes them prints the folder. Without a Chromium binary the tests are
skipped, unless ``GLOBUS_LOCAL_REQUIRE_BROWSER=1`` (set by ``.ci/run``), where they fail.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import typing as t
from dataclasses import dataclass
from pathlib import Path

import pytest

from globus_local.testing import LocalServer, unique_username

ROOT = Path(__file__).resolve().parents[3]
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")


def _chromium_path() -> str | None:
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="module")
def chromium() -> t.Iterator[t.Any]:
    """One headless Chromium per test module. Not longer: Playwright's sync API keeps an
    asyncio loop running in the test thread while it lives, and later modules' tests that
    call ``asyncio.run`` would fail on it."""
    path = _chromium_path()
    if path is None:
        if os.environ.get("GLOBUS_LOCAL_REQUIRE_BROWSER") == "1":
            pytest.fail("no Chromium binary (apt-get install chromium)")
        pytest.skip("no Chromium binary (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=path, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class WebUser:
    username: str
    password: str
    id: str


@pytest.fixture
def make_web_user(globus_local_server: LocalServer) -> t.Callable[..., WebUser]:
    def make(prefix: str = "web", name: str | None = None) -> WebUser:
        password = secrets.token_urlsafe(12)
        doc = globus_local_server.create_user(
            unique_username(prefix), password, name=name or prefix.title()
        )
        return WebUser(doc["username"], password, doc["id"])

    return make


class Browser:
    """A browser context (its own cookies) for one user, with the steps tests share."""

    def __init__(self, context: t.Any, server: LocalServer, shots: Path) -> None:
        self.context = context
        self.server = server
        self.page = context.new_page()
        self.page.set_default_timeout(30_000)
        self.shots = shots

    def url(self, path: str) -> str:
        return self.server.url.rstrip("/") + path

    def goto(self, path: str) -> t.Any:
        return self.page.goto(self.url(path))

    def login(self, user: WebUser, start: str = "/app/") -> None:
        """Open ``start``, log in on Auth's page and allow the web app's consent."""
        page = self.page
        self.goto(start)
        page.fill("#username", user.username)
        page.fill("#password", user.password)
        page.click("#login-form button[type=submit]")
        page.wait_for_load_state()
        if page.locator("#consent-form").count():
            page.click("#consent-form button[value=allow]")
        page.wait_for_url(re.compile(r".*/app/.*"))

    def shot(self, name: str, *, full_page: bool = True) -> Path:
        self.shots.mkdir(parents=True, exist_ok=True)
        path = self.shots / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=full_page)
        return path


def screenshot_dir(request: pytest.FixtureRequest) -> Path:
    root = Path(os.environ.get("GLOBUS_LOCAL_SCREENSHOTS") or ROOT / "build" / "screenshots")
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    return root / name


@pytest.fixture
def open_browser(
    chromium: t.Any, globus_local_server: LocalServer, request: pytest.FixtureRequest
) -> t.Iterator[t.Callable[..., Browser]]:
    """``open_browser(width=1280, height=800)``: a fresh browser context (no cookies)."""
    contexts: list[t.Any] = []
    shots = screenshot_dir(request)

    def open_one(width: int = 1280, height: int = 800) -> Browser:
        context = chromium.new_context(viewport={"width": width, "height": height})
        contexts.append(context)
        return Browser(context, globus_local_server, shots)

    yield open_one
    for context in contexts:
        context.close()
    if shots.exists():
        print(f"screenshots in {shots}")


@pytest.fixture
def logged_in_http(
    globus_local_server: LocalServer, make_web_user: t.Callable[..., WebUser]
) -> t.Callable[..., tuple[t.Any, WebUser]]:
    """``logged_in_http(user=None)``: a requests session logged in to the web app over
    HTTP (for checks a browser would not make: forged forms, tampered cookies)."""
    import requests

    from globus_local.services.auth.browser import login_with_password

    def login(user: WebUser | None = None) -> tuple[t.Any, WebUser]:
        user = user or make_web_user()
        http = requests.Session()
        base = globus_local_server.url.rstrip("/")
        start = http.get(base + "/app/settings", allow_redirects=False, timeout=30)
        final = login_with_password(
            base + start.headers["location"], user.username, user.password, http=http
        )
        http.get(final, timeout=30)
        return http, user

    return login
