"""Words, not codes: what a person reads on the pages, in the reports and in the export files
(labels, times with their zone, numbers with separators, default windows, result counts)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from django.template import Context, Template
from django.test import Client
from django.utils import timezone

from platekeeper.server.access.gate import AccessDenied, ApprovalPending
from platekeeper.server.access.roles import Role
from platekeeper.server.common import labels
from platekeeper.server.reads.actions import record_reads
from platekeeper.server.reads.queries import QueryError
from platekeeper.server.web.field_names import in_form_words
from platekeeper.server.web.forms import SearchForm
from tests.support.factories import CameraFactory, read_item
from tests.web.conftest import signed_in, with_purpose

pytestmark = [pytest.mark.django_db, pytest.mark.both_databases]

#: A time on a page: date, hours and minutes (maybe seconds), and the zone's name.
ZONED = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d(:\d\d)? P[SD]T")


def _text(response) -> str:
    return response.content.decode()


def _input_time(page: str, name: str) -> dt.datetime:
    match = re.search(rf'name="{name}" value="([^"]+)"', page)
    assert match, f"{name} has an initial value"
    return dt.datetime.fromisoformat(match.group(1))


# --- the one map of codes to words ------------------------------------------------------------


def test_codes_read_as_words_and_an_unnamed_code_still_reads_as_words():
    assert labels.label("purpose", "stolen_vehicle") == "Stolen or wanted vehicle"
    assert labels.label("outcome", "not_found") == "Not found"
    assert labels.label("action", "reads.search") == "Plate search"
    assert labels.label("alert_result", "on_file") == "Still on file"
    assert labels.label("alert_step", "clets_check") == "CLETS/NCIC check"
    assert labels.label("hotlist_category", "amber_alert") == "AMBER alert"
    assert labels.label("decision", "partial") == "Release in part"
    assert labels.label("action", "records.something_new") == "Records something new"
    assert labels.label("purpose", "") == ""
    with pytest.raises(ValueError, match="kind"):
        labels.label("colour", "red")


def test_a_purpose_added_later_reads_with_its_own_label():
    from platekeeper.server.access.models import Purpose

    Purpose.objects.create(code="fleet_check", label="Fleet vehicle check")
    assert labels.label("purpose", "fleet_check") == "Fleet vehicle check"


def test_a_query_reads_as_named_parts_with_local_times():
    text = labels.query_text(
        {
            "plate": "7ABC123",
            "start": "2026-11-29T19:05:00+00:00",
            "lookalike": True,
            "cursor": "",
            "circle": [37.8, -122.2, 300],
        }
    )
    assert text == (
        "Plate: 7ABC123 · From: 2026-11-29 11:05 PST · Look-alike: yes · Circle: 37.8, -122.2, 300"
    )
    assert "{" not in labels.query_text({"scenes": [{"start": "2026-11-29T19:05:00+00:00"}]})
    assert labels.query_text({"user": "ines", "role": "investigator"}) == (
        "User: ines · Role: Investigator"
    )


def test_an_agreements_purposes_read_as_their_labels(db):
    text = labels.query_text({"purposes": ["stolen_vehicle", "missing_person"]})
    assert "stolen_vehicle" not in text
    assert labels.purpose_label("stolen_vehicle") in text
    assert labels.query_text({"hotlist": "SVS", "category": "stolen_vehicle"}) == (
        "Hotlist: SVS · Category: Stolen vehicle"
    )


def test_times_carry_their_zone_on_screen_and_their_offset_in_files():
    moment = dt.datetime(2026, 7, 4, 18, 30, 15, tzinfo=dt.UTC)
    assert labels.local_time(moment) == "2026-07-04 11:30 PDT"
    assert labels.local_time(moment, seconds=True) == "2026-07-04 11:30:15 PDT"
    assert labels.export_time(moment) == "2026-07-04T11:30:15-07:00"
    assert dt.datetime.fromisoformat(labels.export_time(moment)) == moment


def test_the_template_filters_write_words_times_and_numbers():
    template = Template(
        '{% load platekeeper_web %}{{ n|number }} · {{ m|when }} · {{ p|label:"purpose" }}'
    )
    moment = dt.datetime(2026, 11, 29, 19, 5, tzinfo=dt.UTC)
    text = template.render(Context({"n": 41890, "m": moment, "p": "amber_alert"}))
    assert text == "41,890 · 2026-11-29 11:05 PST · AMBER / missing child alert"


# --- pages ----------------------------------------------------------------------------------


def test_the_audit_log_shows_words_zoned_times_and_a_count(db):
    investigator = with_purpose(signed_in("ines", Role.INVESTIGATOR))
    investigator.get("/search", {"plate": "7ABC123", "lookalike": "on", "start": "", "end": ""})
    investigator.get("/search", {"plate": "7ABC123"})
    auditor = signed_in("maggie", Role.AUDITOR)

    page = _text(auditor.get("/audit"))

    assert "Plate search" in page
    assert "Stolen or wanted vehicle" in page
    assert "stolen_vehicle" not in page
    assert "Plate: 7ABC123" in page
    assert "{'" not in page  # no Python-style query text
    assert "plate=" not in page
    assert ZONED.search(page)
    assert re.search(r"\d+ events", page)
    assert '<option value="reads.search">Plate search</option>' in page  # the filter's choices


def test_the_transparency_page_speaks_to_the_public(db, settings, tmp_path):
    settings.PLATEKEEPER_POLICY_FILE = str(tmp_path / "none.txt")
    investigator = with_purpose(signed_in("ines", Role.INVESTIGATOR))
    investigator.get("/search", {"plate": "7ABC123"})

    page = _text(Client().get("/transparency"))

    assert "platekeeper policy publish" not in page
    assert "has not been published" in page
    assert "contact" in page
    assert "Stolen or wanted vehicle" in page
    assert "stolen_vehicle" not in page
    assert ZONED.search(page)


# --- default windows and the form's words in errors ------------------------------------------


def test_searches_offer_the_last_seven_days_and_a_canvass_the_last_day(db):
    client = with_purpose(signed_in("ines", Role.INVESTIGATOR), "crime_scene_canvass", "24-1")

    search = _text(client.get("/search"))
    canvass = _text(client.get("/investigations/canvass"))
    scenes = _text(client.get("/investigations/scenes"))

    spans = {
        "search": _input_time(search, "end") - _input_time(search, "start"),
        "canvass": _input_time(canvass, "end") - _input_time(canvass, "start"),
        "scenes": _input_time(scenes, "end1") - _input_time(scenes, "start1"),
    }
    assert spans == {
        "search": dt.timedelta(days=7),
        "canvass": dt.timedelta(hours=24),
        "scenes": dt.timedelta(days=7),
    }
    now = timezone.localtime().replace(tzinfo=None)
    assert abs(_input_time(search, "end") - now) <= dt.timedelta(minutes=1)


def test_a_search_error_names_the_box_as_the_page_labels_it(db):
    client = with_purpose(signed_in("ines", Role.INVESTIGATOR))

    response = client.get("/search", {"plate": "7AB?12", "start": "", "end": ""})

    assert response.status_code == 400
    page = _text(response)
    assert "From: a partial or look-alike search needs From and To" in page
    assert "start:" not in page


def test_only_the_web_translates_field_names_and_a_refusal_keeps_its_status():
    form = SearchForm()
    worded = in_form_words(AccessDenied("end: must be after start", status=400), form)
    assert (str(worded), worded.status) == ("To: must be after From", 400)
    unknown = in_form_words(QueryError("case_number: required"), form)
    assert str(unknown) == "case_number: required"


def test_a_held_request_keeps_its_approval_number_in_the_forms_words():
    held = ApprovalPending("awaiting approval: start to end spans 30 days", approval_id=7)
    worded = in_form_words(held, SearchForm())
    assert isinstance(worded, ApprovalPending)
    assert (str(worded), worded.status, worded.approval_id) == (
        "awaiting approval: From to To spans 30 days",
        202,
        7,
    )


# --- counts and pages -----------------------------------------------------------------------


def test_search_results_are_counted_and_paged(db):
    record_reads(CameraFactory(), [read_item(plate="5PAGE55") for _ in range(53)])
    client = with_purpose(signed_in("ines", Role.INVESTIGATOR))

    first = _text(client.get("/search", {"plate": "5PAGE55", "start": "", "end": ""}))
    assert "Reads 1\N{EN DASH}50, more follow" in first
    link = re.search(r'href="(\?[^"]*cursor=[^"]*)">Next page', first)
    assert link
    assert "at=51" in link.group(1)

    second = _text(client.get("/search" + link.group(1).replace("&amp;", "&")))
    assert "Reads 51\N{EN DASH}53" in second
    assert "more follow" not in second
    assert "Next page" not in second
    assert "First page" in second


def test_a_short_result_is_simply_counted(db):
    record_reads(CameraFactory(), [read_item(plate="5FEW555") for _ in range(2)])
    client = with_purpose(signed_in("ines", Role.INVESTIGATOR))

    page = _text(client.get("/search", {"plate": "5FEW555", "start": "", "end": ""}))

    assert "2 reads" in page
    assert "Next page" not in page


# --- exports --------------------------------------------------------------------------------


def test_an_export_gives_local_times_with_their_offset(db):
    when = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=30)
    record_reads(
        CameraFactory(),
        [read_item(plate="6EXP666", captured_at=when.isoformat(), latitude=37.8, longitude=-122.2)],
    )
    client = with_purpose(signed_in("ines", Role.INVESTIGATOR), "crime_scene_canvass", "24-1")
    now = timezone.localtime()
    window = {
        "start": (now - dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "end": (now + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
    }
    area = {"shape": "circle", "lat": 37.8, "lon": -122.2, "radius_m": 200}

    response = client.get("/investigations/export/canvass", {**area, **window, "format": "csv"})

    assert response.status_code == 200, _text(response)
    rows = list(csv.DictReader(io.StringIO(_text(response))))
    captured = rows[0]["captured_at"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d-0[78]:00", captured)
    assert abs(dt.datetime.fromisoformat(captured) - when) < dt.timedelta(seconds=1)
