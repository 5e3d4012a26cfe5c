"""Looking up one read or image: an id that names nothing is audited (`not_found`) and answers
404, so probing for ids leaves a trace; a read's page is one access, images included."""

from __future__ import annotations

import base64

import pytest
from django.test import Client

from platekeeper.server.access.actions import create_personal_token
from platekeeper.server.access.models import AuditEvent
from platekeeper.server.access.roles import Role
from platekeeper.server.reads.actions import record_reads
from platekeeper.server.reads.models import Read
from tests.support.factories import CameraFactory, image_bytes, read_item
from tests.support.people import SETUP_REQUESTER, make_user
from tests.web.conftest import signed_in, with_purpose

pytestmark = [pytest.mark.django_db, pytest.mark.both_databases]
JUSTIFIED = {"purpose": "stolen_vehicle", "case_number": "24-001"}
MISSING_READ = "8a6e0804-2bd0-4672-b79a-d46a1f1c3a3a"
MISSING_IMAGE = "0" * 64


def _api() -> Client:
    make_user("ines", Role.INVESTIGATOR)
    token = create_personal_token("ines", requester=SETUP_REQUESTER)[1]
    return Client(headers={"Authorization": f"Bearer {token}"})


def test_a_read_or_image_that_does_not_exist_answers_404_and_is_audited():
    client = _api()

    read = client.get(f"/api/v1/reads/{MISSING_READ}", JUSTIFIED)
    image = client.get(f"/api/v1/images/{MISSING_IMAGE}", JUSTIFIED)

    assert (read.status_code, image.status_code) == (404, 404), (read.content, image.content)
    assert "no read" in read.json()["detail"]
    probes = AuditEvent.objects.filter(outcome="not_found").order_by("id")
    assert [(e.action, e.username, e.purpose) for e in probes] == [
        ("reads.detail", "ines", "stolen_vehicle"),
        ("images.view", "ines", "stolen_vehicle"),
    ]
    assert probes[0].query == {"read_id": MISSING_READ}


def test_a_missing_read_is_refused_before_its_absence_when_the_gate_refuses():
    make_user("olga", Role.OPERATOR, training="lapsed")
    token = create_personal_token("olga", requester=SETUP_REQUESTER)[1]
    client = Client(headers={"Authorization": f"Bearer {token}"})

    response = client.get(f"/api/v1/reads/{MISSING_READ}", JUSTIFIED)

    assert response.status_code == 403
    assert AuditEvent.objects.get(action="reads.detail").outcome == "denied"


def test_a_reads_web_page_is_one_audit_event_naming_the_read_and_its_images():
    item = read_item(
        plate="7ABC123",
        plate_crop=base64.b64encode(image_bytes()).decode(),
        overview=base64.b64encode(image_bytes(size=(320, 200))).decode(),
    )
    record_reads(CameraFactory(), [item])
    read = Read.objects.get()
    investigator = with_purpose(signed_in("ines"))

    page = investigator.get(f"/reads/{item['id']}")

    assert page.status_code == 200
    assert "data:image/jpeg;base64," in page.content.decode()
    events = AuditEvent.objects.filter(action__in=["reads.detail", "images.view"])
    assert [e.action for e in events] == ["reads.detail"]
    assert events[0].record_ids == [str(read.pk), read.plate_crop_id, read.overview_id]


def test_a_reads_web_page_for_a_missing_id_answers_404_and_is_audited():
    investigator = with_purpose(signed_in("ines"))

    assert investigator.get(f"/reads/{MISSING_READ}").status_code == 404
    assert AuditEvent.objects.get(action="reads.detail").outcome == "not_found"
