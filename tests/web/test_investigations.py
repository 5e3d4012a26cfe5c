"""Investigation pages through Django's test client: canvass on the map, scenes, convoy,
sightings and exports, each step in the audit log."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
from pathlib import Path

import pytest
from django.utils import timezone

from platekeeper.server.access.models import AuditEvent
from platekeeper.server.access.roles import Role
from platekeeper.server.reads.actions import record_reads
from tests.support.factories import CameraFactory, read_item
from tests.web.conftest import signed_in, with_purpose

LAT, LON = 37.8251, -122.2324
NOW = timezone.localtime().replace(second=0, microsecond=0)
FORM_WINDOW = {
    "start": (NOW - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
    # Hours ahead: a long suite may run these tests long after NOW was taken.
    "end": (NOW + dt.timedelta(hours=6)).strftime("%Y-%m-%dT%H:%M"),
}


def _text(response) -> str:
    return response.content.decode()


def _map_data(response) -> dict:
    match = re.search(
        r'<script id="map-data" type="application/json">(.*?)</script>', _text(response)
    )
    assert match, "the page carries its map data as a JSON block"
    return json.loads(match.group(1))


def _events(prefix: str = "reads.") -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action__startswith=prefix).order_by("id"))


@pytest.fixture
def scene(db) -> dict[str, list[str]]:
    """Two cameras near the scene: 1FOLLOW trails 1TARGET at both; 3FAR333 is two km away."""
    ids: dict[str, list[str]] = {}
    for number in range(2):
        camera = CameraFactory(name=f"Grand Ave {number}")
        moment = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=20 - 10 * number)
        place = {"latitude": LAT + 0.001 * number, "longitude": LON}
        follows = moment + dt.timedelta(seconds=15)
        items = [
            read_item(plate="1TARGET", captured_at=moment.isoformat(), **place),
            read_item(plate="1FOLLOW", captured_at=follows.isoformat(), **place),
        ]
        if number == 0:
            items.append(read_item(plate="3FAR333", latitude=LAT + 0.018, longitude=LON))
        for item in items:
            ids.setdefault(item["plate"], []).append(item["id"])
        assert not record_reads(camera, items).rejected
    return ids


@pytest.fixture
def ines(db):
    return with_purpose(signed_in("ines", Role.INVESTIGATOR), "crime_scene_canvass", "24-0311")


def test_canvass_asks_for_a_purpose_first(db):
    client = signed_in("ines", Role.INVESTIGATOR)
    response = client.get("/investigations/canvass")
    assert response.status_code == 302
    assert response.url.startswith("/purpose?next=")


def test_the_canvass_page_offers_a_map_that_picks_the_area(ines):
    page = ines.get("/investigations/canvass")

    assert page.status_code == 200
    html = _text(page)
    assert 'id="investigation-map"' in html
    assert 'data-pick="canvass"' in html
    assert "/static/vendor/leaflet/leaflet.js" in html
    assert "/static/platekeeper/investigation_map.js" in html
    assert "No map tiles configured" in html
    assert "<script>" not in html  # the CSP allows no inline script
    assert 'href="/investigations/canvass"' in html  # in the navigation
    assert _events() == []


def test_a_circle_canvass_lists_plates_with_counts_and_is_audited(ines, scene):
    response = ines.get(
        "/investigations/canvass",
        {"shape": "circle", "lat": LAT, "lon": LON, "radius_m": 500, **FORM_WINDOW},
    )

    assert response.status_code == 200, _text(response)
    html = _text(response)
    assert "2</strong> plates in 4 reads" in html
    assert "1TARGET" in html
    assert "3FAR333" not in html
    assert _map_data(response)["areas"] == [{"circle": [LAT, LON, 500.0]}]
    (event,) = _events()
    assert (event.action, event.channel, event.record_count) == ("reads.canvass", "ui", 4)
    assert (event.purpose, event.case_number) == ("crime_scene_canvass", "24-0311")


def test_a_polygon_canvass_shows_every_read_on_the_map(ines, scene):
    square = f"{LAT - 0.002},{LON - 0.002};{LAT + 0.002},{LON - 0.002};{LAT + 0.002},{LON + 0.002}"
    square += f";{LAT - 0.002},{LON + 0.002}"
    response = ines.get(
        "/investigations/canvass",
        {"shape": "polygon", "polygon": square, "view": "reads", **FORM_WINDOW},
    )

    assert response.status_code == 200, _text(response)
    data = _map_data(response)
    assert len(data["areas"][0]["polygon"]) == 4
    assert len(data["points"]) == 4
    assert all(p["url"].startswith("/reads/") for p in data["points"])
    assert "sightings" in _text(response)


def test_a_canvass_without_a_centre_says_what_is_missing(ines):
    response = ines.get("/investigations/canvass", {"shape": "circle", **FORM_WINDOW})

    assert response.status_code == 400
    # The query's field names, as the form labels them.
    assert "needs Latitude, Longitude and Radius (m)" in _text(response)


def test_the_csv_export_downloads_and_is_a_second_audited_access(ines, scene):
    params = {"shape": "circle", "lat": LAT, "lon": LON, "radius_m": 500, **FORM_WINDOW}
    page = _text(ines.get("/investigations/canvass", params))
    link = re.search(r'href="(/investigations/export/canvass\?[^"]*format=csv[^"]*)"', page)
    assert link, "the result offers a CSV export"

    download = ines.get(link.group(1).replace("&amp;", "&"))

    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    rows = list(csv.DictReader(io.StringIO(download.content.decode())))
    assert sorted(r["plate"] for r in rows) == ["1FOLLOW", "1FOLLOW", "1TARGET", "1TARGET"]
    assert [(e.action, e.outcome) for e in _events()] == [
        ("reads.canvass", "allowed"),
        ("reads.export", "allowed"),
    ]


def test_an_auditor_canvasses_but_gets_no_export(db, scene):
    auditor = with_purpose(signed_in("audra", Role.AUDITOR), "crime_scene_canvass", "24-0311")
    params = {"shape": "circle", "lat": LAT, "lon": LON, "radius_m": 500, **FORM_WINDOW}

    page = auditor.get("/investigations/canvass", params)
    export = auditor.get("/investigations/export/canvass", {**params, "format": "csv"})

    assert page.status_code == 200
    assert "/investigations/export/" not in _text(page)
    assert export.status_code == 403
    assert "may not export reads" in _text(export)


def test_an_operator_may_not_canvass(db):
    officer = with_purpose(signed_in("olly", Role.OPERATOR))
    response = officer.get("/investigations/canvass")
    assert response.status_code == 403
    assert 'href="/investigations/canvass"' not in _text(officer.get("/"))


def test_convoy_page_finds_the_follower_and_draws_tracks(ines, scene):
    response = ines.get(
        "/investigations/convoy",
        {"plate": "1TARGET", "within_s": 60, "min_cameras": 2, **FORM_WINDOW},
    )

    assert response.status_code == 200, _text(response)
    html = _text(response)
    assert "1TARGET</strong> was read 2 times" in html
    assert "1FOLLOW" in html
    tracks = _map_data(response)["tracks"]
    assert [(t["label"], t["role"], len(t["points"])) for t in tracks] == [
        ("1TARGET", "target", 2),
        ("1FOLLOW", "", 2),
    ]
    assert [e.action for e in _events()] == ["reads.convoy"]


def test_scenes_page_finds_plates_at_both_scenes(ines, scene):
    rows = {}
    for n, lat in ((1, LAT), (2, LAT + 0.001)):
        rows.update({f"lat{n}": lat, f"lon{n}": LON, f"radius{n}": 50})
        rows.update({f"start{n}": FORM_WINDOW["start"], f"end{n}": FORM_WINDOW["end"]})

    response = ines.get("/investigations/scenes", {**rows, "min_scenes": 2})

    assert response.status_code == 200, _text(response)
    html = _text(response)
    assert "1TARGET" in html
    assert "1FOLLOW" in html
    assert [a.get("label") for a in _map_data(response)["areas"]] == ["Scene 1", "Scene 2"]
    assert [e.action for e in _events()] == ["reads.scenes"]


def test_sightings_of_a_read_list_the_plate_around_it(ines, scene):
    read_id = scene["1TARGET"][0]

    response = ines.get(f"/reads/{read_id}/sightings", {"hours": 2})

    assert response.status_code == 200, _text(response)
    assert "2 reads" in _text(response)
    (event,) = _events()
    assert (event.action, event.record_count) == ("reads.sightings", 2)


def test_tiles_are_allowed_by_the_csp_only_when_configured(ines, settings):
    settings.PLATEKEEPER_MAP_TILES = "https://tiles.example.org/{z}/{x}/{y}.png"

    response = ines.get("/investigations/canvass")

    assert "https://tiles.example.org" in response["Content-Security-Policy"]
    assert 'data-tiles="https://tiles.example.org/{z}/{x}/{y}.png"' in _text(response)


# --- in a real browser -----------------------------------------------------------------------

DEMO_INVESTIGATOR = ("investigator", "Lantern-Quarry-9164")  # demo logins (platekeeper.demo)
DEMO_AUDITOR = ("auditor", "Thistle-Beacon-3072")
BROWSER_PLATE = "6TRL204"
#: Set PLATEKEEPER_SCREENSHOTS to a folder to keep the browser test's screenshots.
SCREENSHOTS = os.environ.get("PLATEKEEPER_SCREENSHOTS", "")


@pytest.fixture(scope="module")
def live_site(tmp_path_factory):
    """The demo town on a running server, with three reads of BROWSER_PLATE at one camera."""
    import httpx

    from tests.support.browser import chromium, require_browser
    from tests.support.live import isolated_environment, run_cli, running_server

    require_browser()
    with isolated_environment(tmp_path_factory.mktemp("investigations-site")) as env:
        for args in (
            ("seed-demo", "--days", "1"),
            ("camera", "add", "Moraga Ave at Estates", "--lat", "37.8331", "--lon", "-122.2168"),
        ):
            done = run_cli(env, *args)
            assert done.returncode == 0, done.stdout + done.stderr
        token = done.stdout.strip().splitlines()[-1]
        with running_server(env) as base:
            now = dt.datetime.now(dt.UTC)
            reads = [
                read_item(plate=BROWSER_PLATE, latitude=37.8331, longitude=-122.2168,
                          captured_at=(now - dt.timedelta(minutes=20 * n + 3)).isoformat())
                for n in range(3)
            ]  # fmt: skip
            posted = httpx.post(
                f"{base}/api/v1/reads",
                json={"reads": reads},
                headers={"Authorization": f"Bearer {token}"},
            )
            assert posted.json()["stored"] == 3, posted.text
            with chromium() as browser:
                yield base, browser


@pytest.mark.browser
def test_an_investigator_searches_canvasses_opens_a_read_and_exports(live_site, tmp_path):
    """GIVEN the demo town WHEN an investigator states a purpose, searches a partial plate,
    canvasses around a point picked on the map, opens a read and exports CSV THEN each step
    is in the audit log the auditor reads."""
    from tests.support.browser import sign_in

    base, browser = live_site
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    sign_in(page, base, *DEMO_INVESTIGATOR)

    page.goto(f"{base}/investigations/canvass")
    assert "/purpose" in page.url
    page.select_option("select[name=purpose]", "crime_scene_canvass")
    page.fill("input[name=case_number]", "24-0311")
    page.click("button:has-text('Continue')")
    assert page.url.endswith("/investigations/canvass")
    end = page.input_value("#id_end")  # now, to the minute, in the server's time zone

    page.goto(f"{base}/search")
    page.fill("input[name=plate]", "6TRL2?4")
    page.fill("input[name=start]", _shift(end, hours=-24))
    page.fill("input[name=end]", _shift(end, hours=1))
    page.click("form.card button[type=submit]")
    assert page.locator("table.results tbody tr").count() == 3

    page.goto(f"{base}/investigations/canvass")
    page.wait_for_selector("#investigation-map.leaflet-container")
    page.click("#investigation-map", position={"x": 400, "y": 200})
    assert page.input_value("#id_lat")  # a click on the map picks the centre...
    assert page.input_value("#id_lon")
    assert page.locator("#investigation-map path.leaflet-interactive").count() >= 1
    page.fill("#id_lat", "37.8331")  # ...which the investigator can also type
    page.fill("#id_lon", "-122.2168")
    page.fill("#id_radius_m", "300")
    # 23 hours: a canvass over 24 hours would wait for a supervisor's approval.
    page.fill("#id_start", _shift(end, hours=-22))
    page.fill("#id_end", _shift(end, hours=1))
    page.click("#canvass-form button[type=submit]")
    table = page.inner_text("#canvass-plates")
    assert BROWSER_PLATE in table
    assert problems == [], problems
    page.wait_for_selector("#investigation-map path.leaflet-interactive", state="attached")
    page.screenshot(path=str(SCREENSHOTS or tmp_path) + "/canvass.png", full_page=True)

    row = page.locator("#canvass-plates tr", has_text=BROWSER_PLATE)
    with page.expect_download() as download:
        page.click("a.button:has-text('CSV')")
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text())))
    assert BROWSER_PLATE in {r["plate"] for r in rows}
    row.locator("a").first.click()
    assert BROWSER_PLATE in page.inner_text("h1")
    assert problems == []
    context.close()

    audit = browser.new_context().new_page()
    sign_in(audit, base, *DEMO_AUDITOR)
    audit.goto(f"{base}/audit?username=investigator")
    log = audit.inner_text("table")
    for action in ("Plate search", "Canvass", "Reads exported", "Read viewed"):
        assert action in log, action


def _shift(local: str, *, hours: float) -> str:
    moment = dt.datetime.fromisoformat(local) + dt.timedelta(hours=hours)
    return moment.strftime("%Y-%m-%dT%H:%M")
