"""The web interface in a real browser against a real server: sign in, training, purpose, search,
and alerts pushed live.

One server (seeded with the demo town, plus a user whose training lapsed, a BOLO hotlist and a
few reads of a known plate) and one browser serve the whole module; each test gets fresh cookies.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from PIL import Image, ImageDraw

from tests.support.browser import chromium, require_browser, sign_in
from tests.support.live import isolated_environment, run_cli, running_server

pytestmark = pytest.mark.browser

PLATE = "6TRL204"
INVESTIGATOR = ("investigator", "Lantern-Quarry-9164")  # a demo login (platekeeper.demo)
LAPSED = ("lapsed", "Quiet-Harbor-Lantern-77")
LAPSED_ADMIN = ("lapsedadmin", "Amber-Lattice-Orchard-31")
OFFICER = ("officer", "Cobalt-Meadow-5830")  # a demo login (platekeeper.demo)
PARTNER = ("partner", "Juniper-Canyon-1385")  # a demo login: Oakland PD, under the demo MOU
ADMIN = ("admin", "Granite-Harbor-2417")  # a demo login
AUDITOR = ("auditor", "Thistle-Beacon-3072")  # a demo login
BOLO_LIST = "Robbery BOLO (test)"
BOLO_PLATE = "5KPW318"


@dataclass(frozen=True)
class Site:
    base: str
    browser: object
    token: str


def _plate_crop(text: str) -> str:
    image = Image.new("RGB", (160, 48), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((1, 1, 158, 46), outline="navy", width=2)
    draw.text((38, 16), text, fill="navy")
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG")
    return base64.b64encode(buffer.getvalue()).decode()


def _prepare(env: dict[str, str]) -> str:
    """Seed the demo town, add a user whose training lapsed and a BOLO hotlist, and register a
    camera (its token is the last line the last command prints)."""
    for args, stdin in [
        (("seed-demo", "--days", "1"), None),
        (("user", "add", LAPSED[0], "--role", "investigator", "--password-stdin"), LAPSED[1]),
        (
            ("user", "add", LAPSED_ADMIN[0], "--role", "administrator", "--password-stdin"),
            LAPSED_ADMIN[1],
        ),
        (
            (
                "training",
                "record",
                LAPSED_ADMIN[0],
                "--completed",
                f"{dt.datetime.now(dt.UTC).date() - dt.timedelta(days=400)}",
            ),
            None,
        ),
        (
            (
                "training",
                "record",
                LAPSED[0],
                "--completed",
                f"{dt.datetime.now(dt.UTC).date() - dt.timedelta(days=400)}",
            ),
            None,
        ),
        (
            (
                "hotlist",
                "create",
                BOLO_LIST,
                "--category",
                "wanted_person",
                "--source",
                "bolo",
                "--priority",
                "1",
            ),
            None,
        ),
        (
            (
                "hotlist",
                "add",
                BOLO_PLATE,
                "--list",
                BOLO_LIST,
                "--state",
                "CA",
                "--reason",
                "Armed robbery suspect vehicle",
                "--description",
                "Black Ford F-150",
                "--case-number",
                "24-0999",
            ),
            None,
        ),
        (
            ("camera", "add", "Moraga Ave at Estates", "--lat", "37.8331", "--lon", "-122.2168"),
            None,
        ),
    ]:
        done = run_cli(env, *args, stdin=stdin)
        assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[Site]:
    require_browser()
    data_dir = tmp_path_factory.mktemp("browser-site")
    with isolated_environment(data_dir) as env:
        token = _prepare(env)
        with running_server(env) as base:
            now = dt.datetime.now(dt.UTC)
            reads = [
                {
                    "id": f"4f1c7e2a-0000-4000-8000-00000000000{n}",
                    "plate": PLATE,
                    "captured_at": (now - dt.timedelta(minutes=20 * n + 3)).isoformat(),
                    "confidence": 0.94,
                    "state": "CA",
                    "plate_crop": _plate_crop(PLATE),
                }
                for n in range(3)
            ]
            posted = httpx.post(
                f"{base}/api/v1/reads",
                json={"reads": reads},
                headers={"Authorization": f"Bearer {token}"},
            )
            assert posted.json()["stored"] == 3, posted.text
            with chromium() as browser:
                yield Site(base=base, browser=browser, token=token)


@pytest.fixture
def page(site):
    context = site.browser.new_context(viewport={"width": 1280, "height": 800})
    yield context.new_page()
    context.close()


def test_sign_in_shows_the_dashboard(site, page, tmp_path):
    page.goto(f"{site.base}/search")
    assert "/login?next=" in page.url
    assert "for the official use of this department" in page.inner_text("body")
    page.screenshot(path=str(tmp_path / "login.png"))
    sign_in(page, site.base, *INVESTIGATOR)
    page.goto(f"{site.base}/")
    assert page.inner_text("h1") == "Dashboard"
    assert "reads today" in page.inner_text(".tiles").lower()
    assert page.is_visible("nav >> text=Search")
    assert not page.is_visible("nav >> text=Audit")
    page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)


def test_a_trained_user_states_a_purpose_then_searches(site, page, tmp_path):
    sign_in(page, site.base, *INVESTIGATOR)
    page.click("nav >> text=Search")
    assert "/purpose" in page.url
    page.select_option("select[name=purpose]", "stolen_vehicle")
    page.fill("input[name=case_number]", "24-0113")
    page.click("button:has-text('Continue')")
    assert page.url.endswith("/search")
    assert "24-0113" in page.inner_text(".purpose-bar")

    page.fill("input[name=plate]", PLATE.lower())
    page.click("form.card button[type=submit]")
    rows = page.locator("table.results tbody tr")
    assert rows.count() == 3
    assert "Moraga Ave at Estates" in rows.first.inner_text()
    page.wait_for_function(
        "() => [...document.querySelectorAll('img.crop')].every(i => i.complete && i.naturalWidth)",
        timeout=30_000,
    )
    page.screenshot(path=str(tmp_path / "search.png"), full_page=True)


def test_a_user_with_lapsed_training_is_refused_with_the_reason(site, page, tmp_path):
    sign_in(page, site.base, *LAPSED)
    banner = page.inner_text(".banner.bad.training")
    assert "lapsed on" in banner
    assert "unavailable until your training is renewed" in banner

    # Refused at once (training is asked before anything else), not asked for a purpose first.
    page.goto(f"{site.base}/search?plate={PLATE}")
    refusal = page.inner_text("[role=alert]")
    assert "Refused" in refusal
    assert "training lapsed on" in refusal
    assert page.locator("table.results").count() == 0
    page.screenshot(path=str(tmp_path / "refused.png"))


def test_an_alert_appears_live_and_is_worked_in_the_browser(site, page, tmp_path):
    """GIVEN an officer on the alerts page WHEN a camera posts a read of a BOLO plate THEN the
    alert row and banner appear without a reload, and its page shows the map and the steps."""
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    sign_in(page, site.base, *OFFICER)
    page.goto(f"{site.base}/alerts")
    assert page.url.endswith("/alerts")  # patrol monitoring: no purpose or case number asked
    page.wait_for_function(
        "() => document.getElementById('live-status').textContent.startsWith('Live')",
        timeout=30_000,
    )
    page.evaluate("() => { window.notReloaded = true; }")

    posted = httpx.post(
        f"{site.base}/api/v1/reads",
        json={
            "reads": [
                {
                    "id": "4f1c7e2a-0000-4000-8000-0000000000aa",
                    "plate": BOLO_PLATE,
                    "captured_at": (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)).isoformat(),
                    "confidence": 0.91,
                    "state": "CA",
                    "plate_crop": _plate_crop(BOLO_PLATE),
                }
            ]
        },
        headers={"Authorization": f"Bearer {site.token}"},
    )
    assert [a["entry_plate"] for a in posted.json()["alerts"]] == [BOLO_PLATE], posted.text

    row = page.wait_for_selector(
        f"#alert-rows tr:has(td.plate:text-is('{BOLO_PLATE}'))", timeout=30_000
    )
    assert BOLO_LIST in row.inner_text()
    assert page.evaluate("() => window.notReloaded === true")
    banner = page.locator("#live-banner")
    assert banner.is_visible()
    assert BOLO_PLATE in banner.inner_text()
    assert page.title().startswith("(1) ")
    page.screenshot(path=str(tmp_path / "alerts-live.png"), full_page=True)

    row.query_selector("a:text('open')").click()
    page.wait_for_selector(".leaflet-marker-icon", timeout=30_000)
    assert "An ALPR alert is not probable cause" in page.inner_text(".reminder")
    assert "Black Ford F-150" in page.inner_text(".compare")
    page.click("button:has-text('Acknowledge')")
    assert "Acknowledged." in page.inner_text(".messages")
    assert "officer" in page.inner_text("table.history")
    page.screenshot(path=str(tmp_path / "alert.png"), full_page=True)
    assert not [p for p in problems if "Content Security Policy" in p], problems


def test_live_repeat_hits_of_one_plate_fold_into_its_row(site, page, tmp_path):
    """GIVEN an officer watching the alerts page WHEN a BOLO plate is read twice THEN it keeps one
    row, the newest hit, with the count and a link to the hit it replaced."""
    sign_in(page, site.base, *OFFICER)
    page.goto(f"{site.base}/alerts")
    page.wait_for_function(
        "() => document.getElementById('live-status').textContent.startsWith('Live')",
        timeout=30_000,
    )
    now = dt.datetime.now(dt.UTC)
    for n in (1, 2):
        read = {
            "id": f"4f1c7e2a-0000-4000-8000-0000000000b{n}",
            "plate": BOLO_PLATE,
            "captured_at": (now - dt.timedelta(seconds=30 - n)).isoformat(),
            "confidence": 0.9,
            "state": "CA",
        }
        posted = httpx.post(
            f"{site.base}/api/v1/reads",
            json={"reads": [read]},
            headers={"Authorization": f"Bearer {site.token}"},
        )
        assert posted.json()["alerts"], posted.text
        page.wait_for_function(
            f"() => document.querySelectorAll('#alert-rows tr').length && "
            f"[...document.querySelectorAll('#alert-rows a')].some(a => a.href.endsWith("
            f"'/alerts/{posted.json()['alerts'][0]['id']}'))",
            timeout=30_000,
        )
    rows = page.locator(f'#alert-rows tr[data-plate="{BOLO_PLATE}"]')
    assert rows.count() == 1
    summary = rows.first.locator(".repeat-hits summary").inner_text()
    hits = int(summary.split()[0])
    assert hits >= 2
    assert rows.first.locator(".repeat-hits li").count() == hits - 1
    page.screenshot(path=str(tmp_path / "alerts-repeat.png"), full_page=True)


def test_the_public_transparency_page_shows_live_figures_and_no_plate(site, page, tmp_path):
    """GIVEN the demo town WHEN anyone opens /transparency, signed out THEN it shows the demo's
    live counts and not one plate."""
    page.goto(f"{site.base}/transparency")

    assert page.url.endswith("/transparency")  # no login asked
    text = page.inner_text("main")
    reads = page.inner_text(".tile:has-text('Plates read') .value")
    assert int(reads.replace(",", "")) > 0  # a count with thousands separators
    assert "Why officers looked at the data" in text
    assert PLATE not in text
    assert BOLO_PLATE not in text
    assert "Agencies with an agreement in effect: Oakland Police Department" in text
    assert "the current designee overseeing its operation is Lt. Omar Haddad (demo)" in text
    page.screenshot(path=str(tmp_path / "transparency.png"), full_page=True)


def test_a_partner_searches_under_its_agreement_and_the_sharing_log_shows_it(site, page, tmp_path):
    """GIVEN the demo MOU with Oakland PD WHEN its officer searches THEN only the MOU's purposes
    are offered, the search works, and the administrator sees it in the sharing log."""
    sign_in(page, site.base, *PARTNER)
    page.goto(f"{site.base}/search")
    offered = page.eval_on_selector_all(
        "select[name=purpose] option", "options => options.map(o => o.value)"
    )
    assert "stolen_vehicle" in offered
    assert "homeland_security" not in offered
    page.select_option("select[name=purpose]", "stolen_vehicle")
    page.fill("input[name=case_number]", "OPD-26-1180")
    page.click("button:has-text('Continue')")
    page.fill("input[name=plate]", PLATE)
    page.click("form.card button[type=submit]")
    assert page.locator("table.results tbody tr").count() == 3

    # The administrator at a desk of their own: a browser context of its own, so nothing of the
    # partner's session (a request still in flight setting its cookie again) can follow.
    desk = site.browser.new_context()
    admin = desk.new_page()
    try:
        sign_in(admin, site.base, *ADMIN)
        admin.click("nav >> text=Sharing")
        assert "in effect" in admin.inner_text("table.agreements")
        logged = admin.inner_text("table.disclosures")
        assert "Oakland Police Department" in logged
        assert "OPD-26-1180" in logged
        admin.screenshot(path=str(tmp_path / "sharing.png"), full_page=True)
    finally:
        desk.close()


def test_the_auditor_reads_the_compliance_report(site, page, tmp_path):
    sign_in(page, site.base, *AUDITOR)
    page.click("nav >> text=Compliance")

    assert page.inner_text("h1") == "Compliance report"
    assert "PASS" in page.inner_text("#sharing_lawful")
    assert "PASS" in page.inner_text("#officials_named")
    assert "PASS" in page.inner_text("#audits_on_schedule")  # the demo auditor ran a report
    page.screenshot(path=str(tmp_path / "compliance.png"), full_page=True)


@pytest.mark.parametrize("person", [AUDITOR, ADMIN], ids=["auditor", "administrator"])
def test_the_menu_fits_on_one_row_at_1280_pixels(site, page, tmp_path, person):
    """The longest menus (the auditor's, the administrator's) keep every link on one row beside
    the brand and the signed-in name, so the page does not start below a two-row bar."""
    sign_in(page, site.base, *person)
    box = "i => { const r = i.getBoundingClientRect(); return [r.top, r.bottom]; }"
    links = page.eval_on_selector_all("header.topbar nav a", f"items => items.map({box})")
    brand = page.eval_on_selector("header.topbar .brand", box)
    who = page.eval_on_selector("header.topbar .who", box)
    page.screenshot(path=str(tmp_path / f"menu-{person[0]}.png"))
    assert len(links) > 6
    assert {top for top, _ in links} == {links[0][0]}, links  # every link on the same row
    row_top, row_bottom = links[0]
    for top, bottom in (brand, who):  # the brand and the name sit on that row, not below it
        assert row_top <= top <= bottom <= row_bottom, (brand, who, links[0])


def test_an_administrator_whose_training_lapsed_cannot_import_a_hotlist(site, page, tmp_path):
    """GIVEN an administrator whose training lapsed WHEN they open the hotlists to import a file
    THEN the page refuses them saying the training lapsed, so no import form is reached (438.7
    asks training of every user; a POST to the import address itself is refused and audited in
    tests/server/test_refusals_generated.py)."""
    sign_in(page, site.base, *LAPSED_ADMIN)
    page.click("nav >> text=Hotlists")

    refusal = page.inner_text("[role=alert]")
    assert "training lapsed" in refusal
    assert page.locator("input[name=file]").count() == 0
    assert BOLO_LIST not in page.inner_text("body")


def _search_as_investigator(site: Site, case_numbers: list[str]) -> None:
    """The investigator searches the known plate once under each case number (data accesses
    for the auditor's sample), in a browser context of their own."""
    context = site.browser.new_context()
    page = context.new_page()
    sign_in(page, site.base, *INVESTIGATOR)
    for case in case_numbers:
        page.goto(f"{site.base}/purpose")
        page.select_option("select[name=purpose]", "stolen_vehicle")
        page.fill("input[name=case_number]", case)
        page.click("button:has-text('Continue')")
        page.goto(f"{site.base}/search")
        page.fill("input[name=plate]", PLATE)
        page.click("form.card button[type=submit]")
        page.wait_for_selector("table.results")
    context.close()


def test_the_auditor_reviews_a_sample_of_accesses(site, page, tmp_path):
    """GIVEN two searches by the investigator WHEN the auditor draws a sample, marks one access
    justified and one needing follow-up with a note THEN the unreviewed filter no longer lists
    them and the worklist shows each decision with its reviewer and note (438.5(c))."""
    _search_as_investigator(site, ["24-0701", "24-0702"])
    sign_in(page, site.base, *AUDITOR)
    page.goto(f"{site.base}/audit/report")
    page.select_option("select[name=kind]", "sample")
    page.fill("input[name=sample_size]", "200")
    page.click("button:has-text('Run report')")
    assert "Random sample" in page.inner_text("h2")
    page.click("text=Review them on the worklist")
    assert page.inner_text("h1") == "Review worklist"

    # Each search is two accesses: the results and their page of plate images.
    rows = page.locator("table.worklist tbody tr", has_text="24-070").filter(
        has_text="Plate search"
    )
    assert rows.count() == 2
    first, second = (rows.nth(n).get_attribute("data-event") for n in range(2))
    row = page.locator(f"#access-{first}")
    row.locator("input[value=justified]").check()
    with page.expect_navigation():
        row.locator("button[type=submit]").click()
    row = page.locator(f"#access-{second}")
    row.locator("input[value=needs_follow_up]").check()
    row.locator("input[name=note]").fill("Case 24-0702 names another plate; ask the detective")
    with page.expect_navigation():
        row.locator("button[type=submit]").click()

    assert page.locator(f"#access-{first}").count() == 0  # still the unreviewed filter
    assert page.locator(f"#access-{second}").count() == 0
    page.uncheck("input[name=unreviewed]")
    page.click("button:has-text('Filter')")
    justified = page.inner_text(f"#access-{first} .review-state")
    follow_up = page.inner_text(f"#access-{second} .review-state")
    assert "Justified" in justified
    assert "by auditor" in justified
    assert "Needs follow-up" in follow_up
    assert "ask the detective" in follow_up
    page.screenshot(path=str(tmp_path / "review-worklist.png"), full_page=True)


def test_a_broad_canvass_waits_for_the_supervisor_then_runs_once(site, page, tmp_path):
    """GIVEN the default thresholds WHEN the investigator canvasses 1.5 km THEN the page says
    "awaiting approval"; the auditor (the supervisor) approves it on /approvals, and the
    investigator's "Run" shows the canvass results, once."""
    sign_in(page, site.base, *INVESTIGATOR)
    page.click("nav >> text=Canvass")
    page.select_option("select[name=purpose]", "crime_scene_canvass")
    page.fill("input[name=case_number]", "24-0412")
    page.click("button:has-text('Continue')")
    page.fill("input[name=lat]", "37.8331")
    page.fill("input[name=lon]", "-122.2168")
    page.fill("input[name=radius_m]", "1500")
    page.click("#canvass-form button[type=submit]")
    assert "Awaiting approval" in page.inner_text("main")
    assert "radius 1,500 m is over 1,000 m" in page.inner_text("main")
    assert page.locator("#canvass-plates").count() == 0
    page.screenshot(path=str(tmp_path / "approval-held.png"), full_page=True)

    supervisor = site.browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    sign_in(supervisor, site.base, *AUDITOR)
    supervisor.click("nav >> text=Approvals")
    row = supervisor.locator("tr", has_text="investigator").filter(has_text="1,500 m").first
    row.locator("input[name=note]").fill("homicide canvass, 24-0412")
    row.locator("button[value=approve]").click()
    assert "approved" in supervisor.inner_text(".messages")
    supervisor.screenshot(path=str(tmp_path / "approval-decided.png"), full_page=True)
    supervisor.context.close()

    page.goto(f"{site.base}/approvals")
    assert page.locator("nav .badge").inner_text() == "1"
    mine = page.locator("table.mine tr", has_text="1,500 m").first
    assert "approved" in mine.inner_text()
    mine.locator("a:has-text('Run')").click()
    assert "approval=" in page.url
    assert PLATE in page.inner_text("#canvass-plates")
    page.screenshot(path=str(tmp_path / "approval-run.png"), full_page=True)

    page.reload()  # a second run is refused
    assert "already run" in page.inner_text("main")
