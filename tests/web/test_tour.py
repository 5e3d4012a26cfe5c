"""The browser tour (issue 17, item 7): every demo role signs in and visits every page its menu
offers, in Debian's chromium, against a running server seeded with the demo town.

Each page must load without a console error or an uncaught script error, answer no 4xx/5xx (the
page itself or anything it loads from this server), and show no raw code (a purpose, check or
outcome code where its label belongs). A screenshot of every page is saved for review in
PLATEKEEPER_TOUR_SCREENSHOTS, or a temporary folder (never committed); scripts/readme_screenshots.py
takes the README's from the same tour.

One server and one browser serve the module; each role tours once, in a fresh context, and each
test reads that role's record. Mandatory where PLATEKEEPER_REQUIRE_BROWSER=1, like every browser
test (tests/support/browser.py).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest

from platekeeper.demo import DEMO_USERS, DemoUser
from platekeeper.demo.town import STREETS
from platekeeper.server.access.setup import DEFAULT_PURPOSES
from platekeeper.server.alerts.models import AlertStatus, CletsCheck, VisualCheck
from tests.support.browser import chromium, require_browser, sign_in
from tests.support.live import isolated_environment, run_cli, running_server

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = pytest.mark.browser

VIEWPORT = {"width": 1280, "height": 800}
#: Pages that hold a server-sent event stream open, and so never fall network-idle.
STREAMING_PAGES = frozenset({"/alerts"})
CASE_NUMBER = "24-0311"

#: Codes written with underscores never belong in visible text: any occurrence is a leak.
SNAKE_CODES = sorted(
    {code for code, _, _ in DEFAULT_PURPOSES if "_" in code}
    | {code.value for code in (*CletsCheck, *VisualCheck) if "_" in code.value}
)
#: Codes that are also English words leak only as the whole text of an element (a bare
#: `verified` in a table cell), not inside a sentence.
WORD_CODES = sorted(
    {code.value for code in (*AlertStatus, *VisualCheck, *CletsCheck) if "_" not in code.value}
)
_SNAKE = re.compile(r"(?<![\w.])(" + "|".join(map(re.escape, SNAKE_CODES)) + r")(?![\w])")

#: The whole visible text of every leaf element, from the page itself.
_LEAF_TEXTS = """() => Array.from(document.body.querySelectorAll('*'))
    .filter((e) => e.children.length === 0 && e.offsetParent !== null)
    .map((e) => e.textContent.trim())
    .filter(Boolean)"""


@dataclass
class Visit:
    """What one page did when the tour opened it."""

    path: str
    final_url: str = ""
    status: int = 0
    failed_responses: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    raw_codes: list[str] = field(default_factory=list)
    screenshot: str = ""


@dataclass(frozen=True)
class Site:
    base: str
    browser: Browser
    screenshots: Path


def screenshot_folder(fallback: Path) -> Path:
    folder = Path(os.environ.get("PLATEKEEPER_TOUR_SCREENSHOTS") or fallback)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[Site]:
    require_browser()
    with isolated_environment(tmp_path_factory.mktemp("tour-site")) as env:
        done = run_cli(env, "seed-demo", "--days", "1")
        assert done.returncode == 0, done.stdout + done.stderr
        with running_server(env) as base, chromium() as browser:
            yield Site(base, browser, screenshot_folder(tmp_path_factory.mktemp("tour")))


#: Every role's tour by server, taken once, whichever test asks first (each test then checks
#: one kind of problem). The partner tours first, so its searches are in the sharing log when
#: the administrator and the auditor open it: the result does not depend on the tests' order.
_TOURS: dict[str, dict[str, list[Visit]]] = {}
TOUR_ORDER = sorted(DEMO_USERS, key=lambda user: user.role != "partner")


def tour(site: Site, user: DemoUser) -> list[Visit]:
    if site.base not in _TOURS:
        _TOURS[site.base] = {each.username: _take_tour(site, each) for each in TOUR_ORDER}
    return _TOURS[site.base][user.username]


def _take_tour(site: Site, user: DemoUser) -> list[Visit]:
    context = site.browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    current: list[Visit] = []

    def on_console(message) -> None:
        if message.type == "error" and current:
            current[-1].console_errors.append(f"{message.text} ({message.location.get('url')})")

    def on_page_error(error) -> None:
        if current:
            current[-1].console_errors.append(f"uncaught: {error}")

    def on_response(response) -> None:
        if current and response.status >= 400 and response.url.startswith(site.base):
            current[-1].failed_responses.append(f"{response.status} {response.url}")

    page.on("console", on_console)
    page.on("pageerror", on_page_error)
    page.on("response", on_response)
    sign_in(page, site.base, user.username, user.password)
    visits = []
    for path in _menu(page, site.base):
        visit = Visit(path)
        current.append(visit)
        response = page.goto(f"{site.base}{path}", wait_until="load")
        if urlsplit(page.url).path == "/purpose":
            response = _state_purpose(page)
        if path not in STREAMING_PAGES:
            page.wait_for_load_state("networkidle")  # maps fetch their layers after load
        visit.final_url = page.url
        visit.status = response.status if response else 0
        visit.raw_codes = _raw_codes(page)
        name = f"{user.username}{path.replace('/', '_') or '_home'}.png"
        visit.screenshot = str(site.screenshots / name)
        page.screenshot(path=visit.screenshot)
        visits.append(visit)
    context.close()
    return visits


def _menu(page, base: str) -> list[str]:
    """Every page the header's menu and the footer link to, in order, once each."""
    hrefs = page.eval_on_selector_all(
        "header.topbar a[href], footer a[href]", "links => links.map(a => a.href)"
    )
    paths: list[str] = []
    for href in hrefs:
        parts = urlsplit(href)
        if f"{parts.scheme}://{parts.netloc}" == base and parts.path not in paths:
            paths.append(parts.path)
    return paths


def _state_purpose(page):
    """A data page first asks for a purpose and case number: state the first offered (a partner
    is offered only its agreement's) and come back to the page."""
    options = page.eval_on_selector_all(
        "select[name=purpose] option", "options => options.map(o => o.value).filter(Boolean)"
    )
    page.select_option("select[name=purpose]", options[0])
    page.fill("input[name=case_number]", CASE_NUMBER)
    with page.expect_navigation() as navigation:
        page.click("main form button[type=submit]")
    return navigation.value


def _raw_codes(page) -> list[str]:
    found = set(_SNAKE.findall(page.inner_text("body")))
    found |= {text for text in page.evaluate(_LEAF_TEXTS) if text in WORD_CODES}
    return sorted(found)


ROLES = [pytest.param(user, id=user.username) for user in DEMO_USERS]


@pytest.mark.parametrize("user", ROLES)
def test_every_page_of_the_menu_opens_without_an_error(site, user):
    visits = tour(site, user)

    assert len(visits) >= 3, f"{user.username}'s menu offers too little: {visits}"
    problems = [f"{v.path}: answered {v.status}" for v in visits if not 200 <= v.status < 400] + [
        f"{v.path}: {failed}" for v in visits for failed in v.failed_responses
    ]
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("user", ROLES)
def test_no_page_logs_a_console_error(site, user):
    errors = [f"{v.path}: {e}" for v in tour(site, user) for e in v.console_errors]

    assert errors == [], "\n".join(errors)


@pytest.mark.parametrize("user", ROLES)
def test_no_page_shows_a_raw_code(site, user):
    """Purpose, check and outcome codes are shown by their labels on every page."""
    leaks = {v.path: v.raw_codes for v in tour(site, user) if v.raw_codes}

    assert leaks == {}, leaks


@pytest.mark.parametrize("user", ROLES)
def test_every_page_leaves_a_screenshot(site, user):
    visits = tour(site, user)

    assert all(Path(v.screenshot).stat().st_size > 1000 for v in visits)


def test_the_scene_picker_takes_a_typed_crossing_instead_of_a_click(site):
    """GIVEN the canvass page WHEN the investigator clicks the map, then types a crossing of the
    town and canvasses THEN the typed place replaces the click and the circle stands there."""
    user = next(u for u in DEMO_USERS if u.role == "investigator")
    context = site.browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in(page, site.base, user.username, user.password)
    page.goto(f"{site.base}/investigations/canvass")
    _state_purpose(page)
    page.wait_for_selector("#investigation-map.leaflet-container")

    page.click("#investigation-map", position={"x": 400, "y": 200})
    clicked = page.input_value("#id_lat")
    page.fill("#id_address", "Grand Ave & Highland Ave")
    typed_over = page.input_value("#id_lat")
    end = page.input_value("#id_end")
    page.fill("#id_start", f"{end[:10]}T00:00")
    page.click("#canvass-form button[type=submit]")

    corner = STREETS["Grand Ave"].points[-1]
    assert clicked
    assert typed_over == ""  # the address, not the click, places the centre now
    assert float(page.input_value("#id_lat")) == pytest.approx(corner[0], abs=1e-5)
    assert float(page.input_value("#id_lon")) == pytest.approx(corner[1], abs=1e-5)
    assert page.locator("[role=alert]").count() == 0
    assert errors == []
    context.close()
