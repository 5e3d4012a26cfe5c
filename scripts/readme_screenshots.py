"""Take the README's screenshots (docs/screenshots/*.png) of the real pages, on the demo town.

It starts what the browser tour (tests/web/test_tour.py) starts: the demo town seeded into a
fresh data dir, `platekeeper serve`, and Debian's chromium through Playwright; then signs in as
the demo's officer and investigator and saves three pages at 1280x800, scaled and reduced to a
palette by Pillow so each stays under 150 KB:

    PYTHONPATH=src .venv/bin/python scripts/readme_screenshots.py [--out docs/screenshots]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from PIL import Image

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from platekeeper.demo import DEMO_USERS  # noqa: E402 - after the repository joins the path
from tests.support.browser import chromium, sign_in  # noqa: E402
from tests.support.live import isolated_environment, run_cli, running_server  # noqa: E402

VIEWPORT = {"width": 1280, "height": 800}
#: The README shows them at this width; the palette keeps the text sharp and the file small.
WIDTH = 960
MAX_BYTES = 150_000


def login(role: str) -> tuple[str, str]:
    user = next(u for u in DEMO_USERS if u.role == role)
    return user.username, user.password


def state_purpose(page, base: str, purpose: str, case_number: str) -> None:
    page.goto(f"{base}/purpose")
    page.select_option("select[name=purpose]", purpose)
    page.fill("input[name=case_number]", case_number)
    with page.expect_navigation():
        page.click("main form button[type=submit]")


def shrink(path: Path) -> int:
    """Scale to WIDTH and reduce to a 256-colour palette; the file's size in bytes."""
    with Image.open(path) as image:
        height = round(image.height * WIDTH / image.width)
        small = image.convert("RGB").resize((WIDTH, height), Image.Resampling.LANCZOS)
    small.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise SystemExit(f"{path} is {size:,} bytes, over {MAX_BYTES:,}")
    return size


def take(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as data, isolated_environment(Path(data)) as env:
        done = run_cli(env, "seed-demo", "--days", "1")
        if done.returncode != 0:
            raise SystemExit(done.stdout + done.stderr)
        with running_server(env) as base, chromium() as browser:
            officer = browser.new_context(viewport=VIEWPORT).new_page()
            sign_in(officer, base, *login("operator"))
            officer.wait_for_selector("#camera-map .leaflet-marker-icon")
            officer.wait_for_load_state("networkidle")
            # Tall enough to show the camera map under the figures.
            officer.screenshot(
                path=str(out / "dashboard.png"),
                full_page=True,
                clip={"x": 0, "y": 0, "width": 1280, "height": 1040},
            )
            state_purpose(officer, base, "hotlist_alert_response", "")
            officer.goto(f"{base}/alerts")
            officer.click("#alert-rows a:has-text('open')")
            officer.wait_for_load_state("load")
            plate = officer.inner_text("h1").split()[1]  # "Alert: 7ABC123 on <list>"
            officer.screenshot(path=str(out / "alert.png"))

            investigator = browser.new_context(viewport=VIEWPORT).new_page()
            sign_in(investigator, base, *login("investigator"))
            state_purpose(investigator, base, "stolen_vehicle", "24-0311")
            investigator.goto(f"{base}/search?plate={plate}")
            investigator.wait_for_load_state("networkidle")
            investigator.screenshot(path=str(out / "search.png"))
    for name in ("dashboard.png", "alert.png", "search.png"):
        print(f"{out / name}: {shrink(out / name):,} bytes")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    take(parser.parse_args().out)


if __name__ == "__main__":
    main()
