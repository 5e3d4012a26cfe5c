"""Alert, metrics, hotlist and correction pages through Django's test client."""

from __future__ import annotations

import base64
import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from platekeeper.server.access.gate import AccessDenied
from platekeeper.server.access.models import AuditEvent, TrainingRecord, User
from platekeeper.server.access.roles import Role
from platekeeper.server.alerts import actions, events
from platekeeper.server.alerts.models import Alert, AlertAction, AlertStatus
from platekeeper.server.cameras.models import Camera
from platekeeper.server.corrections.models import ReadCorrection
from platekeeper.server.hotlists.actions import add_entry, create_hotlist
from platekeeper.server.hotlists.models import HotlistEntry
from platekeeper.server.reads.actions import record_reads
from platekeeper.server.reads.models import Read
from platekeeper.server.web.alerts import CLETS_REMINDER
from tests.support.factories import CameraFactory, image_bytes, read_item
from tests.support.people import SETUP_REQUESTER, as_person, make_user
from tests.web.conftest import signed_in, with_purpose

pytestmark = pytest.mark.django_db

STOLEN = "7ABC123"


def _text(response) -> str:
    return response.content.decode()


def _events(response) -> str:
    """The whole body of a (short) event stream. Under WSGI, as in the test client, Django
    consumes the async stream in one go and warns that it had to."""
    with pytest.warns(Warning, match="must consume asynchronous iterators"):
        return b"".join(response).decode()


@pytest.fixture
def hotlist(db):
    stolen = create_hotlist(
        "CA stolen vehicles",
        requester=SETUP_REQUESTER,
        source="state",
        category="stolen_vehicle",
        priority=1,
    )
    add_entry(
        stolen,
        STOLEN,
        requester=SETUP_REQUESTER,
        state="CA",
        reason="Stolen vehicle",
        description="Silver Honda Civic",
        case_number="24-0456",
    )
    HotlistEntry.objects.filter(plate_normalized=STOLEN).update(ncic_number="V123456789")
    return stolen


def _post_read(plate: str, camera_name: str = "Grand Ave at Wildwood", **extra: object) -> dict:
    camera = Camera.objects.filter(name=camera_name).first() or CameraFactory(name=camera_name)
    crop = base64.b64encode(image_bytes()).decode()
    overview = base64.b64encode(image_bytes(size=(320, 200), color="gray")).decode()
    item = read_item(plate=plate, plate_crop=crop, overview=overview, **extra)
    record_reads(camera, [item])
    return item


@pytest.fixture
def alert(hotlist) -> Alert:
    item = _post_read(STOLEN)
    return Alert.objects.get(read_id=item["id"])


@pytest.fixture
def officer(db):
    return with_purpose(signed_in("luis", Role.OPERATOR))


# --- the list ------------------------------------------------------------------------------


def test_the_alert_list_is_patrol_work_without_a_purpose_and_one_event_names_its_images(alert):
    """GIVEN an operator who stated no purpose WHEN they open the alert list THEN it is shown
    under `hotlist_alert_response` (no case number) and one audit event names the read and its
    plate crop, shown inline: no event per thumbnail."""
    client = signed_in("luis", Role.OPERATOR)
    patrol = client.get("/alerts")
    assert patrol.status_code == 200
    page = _text(patrol)
    assert f'data-alert-id="{alert.id}"' in page
    assert 'src="data:image/jpeg;base64,' in page
    assert f"/alerts/{alert.id}/image/crop" not in page
    event = AuditEvent.objects.get(action="alerts.list")
    assert (event.purpose, event.case_number) == ("hotlist_alert_response", "")
    crop = Read.objects.get(pk=alert.read_id).plate_crop_id
    assert event.record_ids == [str(alert.read_id), crop]
    assert not AuditEvent.objects.filter(action="images.view").exists()

    with_purpose(client)
    page = _text(client.get("/alerts"))
    assert STOLEN in page
    assert "CA stolen vehicles" in page
    assert f'data-stream="/alerts/stream?after={alert.id}"' in page
    assert "alerts_live.js" in page
    stated = AuditEvent.objects.filter(action="alerts.list").last()
    assert (stated.purpose, stated.case_number) == ("stolen_vehicle", "24-0113")


def test_repeat_hits_of_one_plate_take_one_row_with_a_count_and_links_to_each(hotlist, officer):
    """GIVEN a listed car read by three cameras and another listed car read once WHEN the officer
    opens the alert list THEN the first car is one row (its newest hit) saying "3 hits", with a
    link to each older hit, and the other car its own row."""
    for camera in ("Grand Ave at Wildwood", "Moraga Ave at Estates", "Park Blvd at Hollis"):
        _post_read(STOLEN, camera)
    add_entry(hotlist, "8OTH321", requester=SETUP_REQUESTER, state="CA", reason="Stolen vehicle")
    _post_read("8OTH321")
    hits = list(Alert.objects.filter(read__plate_normalized=STOLEN).order_by("-id"))
    assert len(hits) == 3
    page = _text(officer.get("/alerts"))
    assert page.count(f'data-plate="{STOLEN}"') == 1
    assert page.count('data-plate="8OTH321"') == 1
    assert f'data-alert-id="{hits[0].id}"' in page
    assert "3 hits" in page
    for older in hits[1:]:
        assert f'href="/alerts/{older.id}"' in page
        assert f'data-alert-id="{older.id}"' not in page


def test_the_status_filter_and_a_role_without_alerts(alert, officer):
    assert STOLEN not in _text(officer.get("/alerts", {"status": "verified"}))
    assert STOLEN in _text(officer.get("/alerts", {"status": "new"}))
    custodian = with_purpose(signed_in("tom", Role.CUSTODIAN))
    assert custodian.get("/alerts").status_code == 403


def test_the_live_feed_sends_new_alerts_and_audits_only_when_it_discloses(
    alert, officer, monkeypatch
):
    monkeypatch.setattr(events, "STREAM_SECONDS", 0.3)
    monkeypatch.setattr(events, "POLL_SECONDS", 0.1)
    response = officer.get("/alerts/stream", {"after": alert.id - 1})
    assert response["Content-Type"] == "text/event-stream"
    body = _events(response)
    assert f"id: {alert.id}\nevent: alert\n" in body
    assert f'"plate":"{STOLEN}"' in body
    assert "event: bye" in body
    disclosed = AuditEvent.objects.filter(action="alerts.live")
    assert disclosed.count() == 1
    crop = Read.objects.get(pk=alert.read_id).plate_crop_id
    assert disclosed.get().record_ids == [str(alert.read_id), crop]

    quiet = officer.get("/alerts/stream", HTTP_LAST_EVENT_ID=str(alert.id))
    assert "event: alert" not in _events(quiet)
    assert AuditEvent.objects.filter(action="alerts.live").count() == 1


def test_the_live_feed_without_a_purpose_is_patrol_work(alert, monkeypatch):
    monkeypatch.setattr(events, "STREAM_SECONDS", 0.2)
    monkeypatch.setattr(events, "POLL_SECONDS", 0.1)
    client = signed_in("luis", Role.OPERATOR)
    body = _events(client.get("/alerts/stream", {"after": alert.id - 1}))
    assert f"id: {alert.id}\nevent: alert\n" in body
    assert '"crop_url":"data:image/jpeg;base64,' in body
    live = AuditEvent.objects.get(action="alerts.live")
    assert live.purpose == "hotlist_alert_response"
    assert Read.objects.get(pk=alert.read_id).plate_crop_id in live.record_ids


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda user: User.objects.filter(pk=user.pk).update(is_active=False), "disabled"),
        (
            lambda user: User.objects.filter(pk=user.pk).update(
                locked_until=timezone.now() + dt.timedelta(minutes=15)
            ),
            "locked",
        ),
        (lambda user: TrainingRecord.objects.filter(user=user).delete(), "training"),
    ],
)
def test_each_poll_of_the_live_feed_rechecks_the_account(alert, change, reason):
    """GIVEN a feed opened by an operator WHEN the account is disabled, locked or loses its
    training THEN the next poll (at most a second later) refuses, saying why."""
    user = make_user("luis", Role.OPERATOR)
    who = as_person(user)
    assert events.poll(who, None, alert.id - 1, lambda: None).results
    change(user)
    with pytest.raises(AccessDenied, match=reason):
        events.poll(who, None, alert.id - 1, lambda: None)
    assert AuditEvent.objects.filter(action="alerts.live").count() == 1


# --- one alert -----------------------------------------------------------------------------


def test_the_detail_shows_both_images_the_entry_and_the_clets_reminder(alert, officer):
    page = _text(officer.get(f"/alerts/{alert.id}"))
    assert f'src="/alerts/{alert.id}/image/crop"' in page
    assert f'src="/alerts/{alert.id}/image/overview"' in page
    assert CLETS_REMINDER in page
    assert "An ALPR alert is not probable cause" in page
    for fact in ("Silver Honda Civic", "Stolen vehicle", "24-0456", "V123456789"):
        assert fact in page
    assert "Exact: the read and the entry have the same characters." in page
    assert 'id="alert-map"' in page
    assert "vendor/leaflet/leaflet.js" in page

    crop = officer.get(f"/alerts/{alert.id}/image/crop")
    assert crop.status_code == 200
    assert crop["Content-Type"] == "image/jpeg"
    assert officer.get(f"/alerts/{alert.id}/image/overview").status_code == 200
    views = AuditEvent.objects.filter(action="images.view")
    assert views.count() == 2
    assert {e.query["which"] for e in views} == {"crop", "overview"}


def test_an_administrator_sees_alert_images_without_the_right_to_search(alert):
    admin = with_purpose(signed_in("dana", Role.ADMINISTRATOR))
    assert admin.get(f"/alerts/{alert.id}").status_code == 200
    assert admin.get(f"/alerts/{alert.id}/image/crop").status_code == 200
    assert admin.get(f"/reads/{alert.read_id}").status_code == 403


def test_a_stale_entry_is_flagged(alert, officer):
    HotlistEntry.objects.all().delete()  # the source dropped it: alert.entry is cleared
    page = _text(officer.get(f"/alerts/{alert.id}"))
    assert "Stale entry." in page


def test_each_step_moves_the_status_and_is_kept_in_the_history(alert, officer):
    url = f"/alerts/{alert.id}/step"
    assert officer.post(f"{url}/acknowledge").status_code == 302
    assert Alert.objects.get(pk=alert.id).status == AlertStatus.ACKNOWLEDGED
    officer.post(f"{url}/visual-check", {"result": "match", "note": "Civic, CA plate matches"})
    officer.post(f"{url}/clets-check", {"result": "on_file", "note": "Still stolen per CLETS"})
    closed = officer.post(f"{url}/close", {"result": "verified", "note": "Confirmed hit"})
    assert closed.status_code == 302
    after = Alert.objects.get(pk=alert.id)
    assert (after.status, after.visual_check, after.clets_check) == (
        AlertStatus.VERIFIED,
        "match",
        "on_file",
    )
    page = _text(officer.get(f"/alerts/{alert.id}", follow=True))
    assert "Outcome recorded; the alert is closed." in page
    officer.post(f"{url}/enforcement", {"note": "Vehicle recovered, driver detained"})
    assert Alert.objects.get(pk=alert.id).enforcement_recorded

    page = _text(officer.get(f"/alerts/{alert.id}"))
    for label in ("Acknowledged", "Visual check", "CLETS/NCIC check", "Outcome"):
        assert f"<td>{label}</td>" in page
    assert "Still stolen per CLETS" in page
    assert "Vehicle recovered, driver detained" in page
    assert page.count("<td>luis</td>") == 5
    assert list(AlertAction.objects.values_list("action", flat=True)) == [
        "acknowledge",
        "visual_check",
        "clets_check",
        "close",
        "enforcement",
    ]


def test_enforcement_before_the_checks_is_refused_with_the_reason(alert, officer):
    response = officer.post(
        f"/alerts/{alert.id}/step/enforcement", {"note": "Stopped the car"}, follow=True
    )
    assert response.status_code == 200
    assert "record the visual check and the CLETS/NCIC check first" in _text(response)
    assert not Alert.objects.get(pk=alert.id).enforcement_recorded

    refused = officer.post(
        f"/alerts/{alert.id}/step/close", {"result": "verified", "note": "Looks right"}, follow=True
    )
    assert "a hit is verified only after a matching visual check" in _text(refused)
    assert Alert.objects.get(pk=alert.id).status == AlertStatus.NEW


def test_a_step_without_a_purpose_is_patrol_work_audited_with_channel_and_address(alert):
    client = signed_in("luis", Role.OPERATOR)
    response = client.post(f"/alerts/{alert.id}/step/acknowledge")
    assert response.url == f"/alerts/{alert.id}"
    assert Alert.objects.get(pk=alert.id).status == AlertStatus.ACKNOWLEDGED
    step = AuditEvent.objects.get(action="alerts.acknowledge")
    assert (step.purpose, step.case_number, step.channel, step.client_address) == (
        "hotlist_alert_response",
        "",
        "ui",
        "127.0.0.1",
    )


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.ADMINISTRATOR])
def test_roles_that_only_see_alerts_may_not_act_on_them(alert, role):
    """The auditor is read-only (438.5(c)); steps are the officer's (438.3(f))."""
    client = with_purpose(signed_in("sam", role))
    client.post(f"/alerts/{alert.id}/step/close", {"result": "misread", "note": "x"})
    client.post(f"/alerts/{alert.id}/step/acknowledge")
    assert Alert.objects.get(pk=alert.id).status == AlertStatus.NEW
    assert not AlertAction.objects.exists()
    assert AuditEvent.objects.filter(action="alerts.close", outcome="denied").exists()


# --- metrics -------------------------------------------------------------------------------


def test_the_metrics_page_counts_lists_cameras_times_and_misreads(hotlist):
    add_entry(hotlist, "8XYZ999", requester=SETUP_REQUESTER)
    first = Alert.objects.get(read_id=_post_read(STOLEN, "Camera North")["id"])
    second = Alert.objects.get(read_id=_post_read("8XYZ999", "Camera South")["id"])
    Alert.objects.get(read_id=_post_read(STOLEN, "Camera South")["id"])
    user = make_user("luis", Role.OPERATOR)
    who = as_person(user)
    Alert.objects.filter(pk=first.pk).update(created_at=timezone.now() - dt.timedelta(minutes=4))
    actions.record_visual_check(first.pk, "match", requester=who)
    actions.record_clets_check(first.pk, "on_file", requester=who)
    actions.close_alert(first.pk, "verified", requester=who, note="confirmed")
    actions.close_alert(second.pk, "misread", requester=who, note="8XYZ998 on the crop")

    auditor = signed_in("maggie", Role.AUDITOR)
    response = auditor.get("/alerts/metrics")
    assert response.status_code == 200
    page = _text(response)
    assert '<div class="value" id="metric-total">3</div>' in page
    assert '<div class="value" id="metric-misread-share">50.0 %</div>' in page
    assert "1 misread of 2 closed" in page
    assert "<td>Camera South</td><td>2</td><td>1</td><td>0</td><td>1</td>" in page
    assert "<td>CA stolen vehicles</td><td>3</td>" in page
    median = page.split('id="metric-to-outcome">', 1)[1].split("<", 1)[0]
    assert "min" in median  # about 2 minutes: (4 min + ~0 s) / 2
    assert signed_in("ines", Role.INVESTIGATOR).get("/alerts/metrics").status_code == 403
    assert signed_in("dana", Role.ADMINISTRATOR).get("/alerts/metrics").status_code == 200


def test_the_dashboard_counts_open_alerts(alert):
    page = _text(signed_in("luis", Role.OPERATOR).get("/"))
    assert '<div class="label">Alerts open</div><div class="value bad">1</div>' in page
    Alert.objects.filter(pk=alert.pk).update(status=AlertStatus.MISREAD)
    page = _text(signed_in("ines", Role.INVESTIGATOR).get("/"))
    assert '<div class="label">Alerts open</div><div class="value">0</div>' in page


# --- hotlists ------------------------------------------------------------------------------


def test_an_administrator_uploads_a_hotlist_and_sees_the_report(hotlist):
    admin = signed_in("dana", Role.ADMINISTRATOR)
    assert "CA stolen vehicles" in _text(admin.get("/hotlists"))
    csv = b"LicNo,St,description\n4LIV123,CA,Blue Prius\n!!,CA,bad plate\n5SAM777,NV,\n"
    response = admin.post(
        f"/hotlists/{hotlist.pk}/import",
        {
            "file": SimpleUploadedFile("stolen.csv", csv, content_type="text/csv"),
            "format": "csv",
            "mapping": "plate=LicNo, state=St",
            "replace": "on",
        },
    )
    assert response.status_code == 200
    page = _text(response)
    assert "Imported stolen.csv" in page
    assert "2 added, 1 removed, 0 unchanged, 1 invalid" in page
    assert "<td>3</td><td>plate:" in page
    assert set(HotlistEntry.objects.values_list("plate_normalized", flat=True)) == {
        "4LIV123",
        "5SAM777",
    }
    assert AuditEvent.objects.filter(action="hotlist.import", username="dana").count() == 1

    unmapped = admin.post(
        f"/hotlists/{hotlist.pk}/import",
        {"file": SimpleUploadedFile("x.csv", b"LicNo\n1AAA111\n"), "format": "csv"},
    )
    assert unmapped.status_code == 400
    assert "no &#x27;plate&#x27; column" in _text(unmapped)


def test_the_import_page_shows_ncic_immigration_records_refused_under_7284_6(hotlist):
    admin = signed_in("dana", Role.ADMINISTRATOR)
    extract = b"4LIV123|CA|2025|PC|V1|CA0013900|V|20261120\n4IVF001|CA|2025|PC|I1|DHS0|I|20261120\n"
    response = admin.post(
        f"/hotlists/{hotlist.pk}/import",
        {"file": SimpleUploadedFile("ncic.txt", extract), "format": "ncic"},
    )

    assert response.status_code == 200
    page = _text(response)
    assert "1 refused (the department may not act on it: Gov. Code §7284.6" in page
    assert "<td>2</td><td>NCIC file I, Immigration Violator File:" in page


def test_an_administrator_whose_training_lapsed_cannot_import_on_the_web_either(hotlist):
    """GIVEN an administrator whose training lapsed WHEN they upload a hotlist on the web page
    THEN it is refused as through the API (403, training lapsed), nothing is stored, and the
    refusal is audited."""
    before = HotlistEntry.objects.count()
    admin = signed_in("dana", Role.ADMINISTRATOR, training="lapsed")
    response = admin.post(
        f"/hotlists/{hotlist.pk}/import",
        {
            "file": SimpleUploadedFile("stolen.csv", b"plate,state\n4LIV123,CA\n"),
            "format": "csv",
        },
    )
    assert response.status_code == 403
    assert "training lapsed" in _text(response)
    assert HotlistEntry.objects.count() == before
    refused = AuditEvent.objects.get(action="hotlist.import", username="dana")
    assert refused.outcome == "denied"


def test_an_administrator_enters_a_partial_plate_and_creates_a_list():
    admin = signed_in("dana", Role.ADMINISTRATOR)
    created = admin.post(
        "/hotlists",
        {"name": "Homicide 24-77", "category": "other", "source": "bolo", "priority": 1},
    )
    assert created.status_code == 302
    added = admin.post(
        f"{created.url}/add", {"plate": "6tr?20", "reason": "Partial plate", "case_number": "24-77"}
    )
    assert added.status_code == 302
    assert "Entered 6TR?20" in _text(admin.get(created.url))
    bad = admin.post(f"{created.url}/add", {"plate": "!"})
    assert bad.status_code == 400
    investigator = signed_in("ines")  # enters plates (438.3(c)) but does not manage lists
    assert investigator.get("/hotlists").status_code == 200
    mine = {"name": "Mine", "category": "other", "source": "bolo", "priority": 1}
    assert investigator.post("/hotlists", mine).status_code == 403
    assert signed_in("olivia", Role.OPERATOR).get("/hotlists").status_code == 403


# --- misread correction --------------------------------------------------------------------


def test_a_correction_keeps_the_original_is_audited_and_matches_again(hotlist):
    item = _post_read("7ABC128")  # the camera read an 8 for a 3: no alert
    assert not Alert.objects.exists()
    investigator = with_purpose(signed_in("ines"))
    page = _text(investigator.get(f"/reads/{item['id']}"))
    assert "Correct a misread" in page

    response = investigator.post(
        f"/reads/{item['id']}/correct",
        {"plate": "7abc123", "reason": "Crop clearly shows a 3", "next": f"/reads/{item['id']}"},
    )
    alert = Alert.objects.get()
    assert response.url == f"/alerts/{alert.id}"
    assert (alert.plate, alert.entry_plate, str(alert.read_id)) == (STOLEN, STOLEN, item["id"])
    correction = ReadCorrection.objects.get()
    assert (correction.original_plate, correction.corrected_plate) == ("7ABC128", STOLEN)
    event = AuditEvent.objects.get(action="reads.correct")
    assert event.query["to"] == STOLEN
    assert event.purpose == "stolen_vehicle"
    assert event.record_ids == [item["id"]]

    page = _text(investigator.get(f"/reads/{item['id']}"))
    assert "7ABC128" in page  # the camera's reading stays
    assert "Crop clearly shows a 3" in page

    again = investigator.post(
        f"/reads/{item['id']}/correct", {"plate": STOLEN, "reason": "again"}, follow=True
    )
    assert "the read already says 7ABC123" in _text(again)


def test_a_reads_page_shows_its_hotlist_status(alert):
    investigator = with_purpose(signed_in("ines"))

    hit = _text(investigator.get(f"/reads/{alert.read_id}"))
    clean = _text(investigator.get(f"/reads/{_post_read('1CLEAN1')['id']}"))

    assert "Hotlist status" in hit
    assert "CA stolen vehicles" in hit
    assert "matched no hotlist" in clean


def test_the_history_gives_each_result_in_words_with_its_time_zone(alert, officer):
    """GIVEN an alert checked, found on file and closed WHEN its page is read THEN the history
    names each result as the choice was worded, never its stored code."""
    url = f"/alerts/{alert.id}/step"
    officer.post(f"{url}/acknowledge")
    officer.post(f"{url}/visual-check", {"result": "match", "note": "Civic matches"})
    officer.post(f"{url}/clets-check", {"result": "on_file", "note": "Still stolen"})
    officer.post(f"{url}/close", {"result": "verified", "note": "Confirmed hit"})

    page = _text(officer.get(f"/alerts/{alert.id}"))
    history = page[page.index("<h2>History</h2>") :]

    for words in (
        "Plate, state and vehicle match the entry",
        "Still on file",
        "Verified (confirmed hit)",
    ):
        assert f"<td>{words}</td>" in history
    for code in ("match", "on_file", "verified"):
        assert f"<td>{code}</td>" not in history
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d P[SD]T", history)
