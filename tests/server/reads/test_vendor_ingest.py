"""OpenALPR and Plate Recognizer devices posting in their own formats become ordinary reads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from platekeeper.server.reads.models import Read
from tests.support.factories import image_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.both_databases]

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def sample(name: str) -> dict:
    return json.loads((SAMPLES / name).read_text())


def test_an_openalpr_group_becomes_one_read_and_a_resend_is_a_duplicate(device):
    group = sample("openalpr_alpr_group.json")

    first = device.post("/api/v1/ingest/openalpr", group).json()
    again = device.post("/api/v1/ingest/openalpr", group).json()

    assert first == {"stored": 1, "duplicates": 0, "rejected": [], "alerts": []}
    assert again == {"stored": 0, "duplicates": 1, "rejected": [], "alerts": []}
    read = Read.objects.get()
    assert (read.plate_normalized, read.state, read.source) == ("D2651BF", "MO", "openalpr")
    assert read.confidence == pytest.approx(0.929, abs=0.001)
    assert read.candidates[0]["plate"] == "D2651BF"


def test_openalpr_frame_results_become_reads(device):
    body = device.post("/api/v1/ingest/openalpr", sample("openalpr_alpr_results.json")).json()

    assert body["stored"] >= 1
    assert body["rejected"] == []


def test_an_openalpr_heartbeat_is_accepted_and_stores_nothing(device):
    heartbeat = {"data_type": "heartbeat", "version": 2, "agent_uid": "X", "epoch_time": 1}

    response = device.post("/api/v1/ingest/openalpr", heartbeat)

    assert response.status_code == 200
    assert response.json()["stored"] == 0


def test_an_unknown_openalpr_message_is_refused_naming_the_field(device):
    response = device.post("/api/v1/ingest/openalpr", {"data_type": "mystery"})

    assert response.status_code == 400
    assert "data_type" in response.json()["detail"]


def test_a_plate_recognizer_stream_webhook_becomes_reads_at_the_fixed_camera(device):
    body = device.post(
        "/api/v1/ingest/platerecognizer", sample("platerecognizer_stream_webhook.json")
    ).json()

    assert body["stored"] >= 1
    read = Read.objects.filter(plate_normalized="7ABC123").get()
    assert read.state == "CA"
    assert (read.latitude, read.longitude) == (device.camera.latitude, device.camera.longitude)
    assert read.source == "platerecognizer"


def test_a_plate_recognizer_snapshot_with_an_uploaded_image_keeps_the_image(device):
    payload = sample("platerecognizer_snapshot_webhook.json")
    photo = image_bytes("JPEG", size=(320, 200))

    response = device.client.post(
        "/api/v1/ingest/platerecognizer",
        data={"json": json.dumps(payload), "upload": SimpleUploadedFile("car.jpg", photo)},
        headers={"Authorization": f"Bearer {device.token}"},
    )

    assert response.status_code == 200, response.content
    assert response.json()["stored"] >= 1
    assert not Read.objects.filter(overview__isnull=True).exists()


def test_vendor_endpoints_need_the_device_token(db, client):
    response = client.post("/api/v1/ingest/openalpr", data="{}", content_type="application/json")

    assert response.status_code == 401


def test_alpr_command_line_output_is_ingested_and_a_resend_is_a_duplicate(device):
    """`alpr -j photo.jpg` of OpenALPR 2.3 has no uuid; the same output twice is one read."""
    output = sample("openalpr_alpr_cli.json")

    first = device.post("/api/v1/ingest/openalpr", output).json()
    again = device.post("/api/v1/ingest/openalpr", output).json()

    assert (first["stored"], first["duplicates"]) == (1, 0)
    assert (again["stored"], again["duplicates"]) == (0, 1)
    assert Read.objects.get().plate_normalized == "8LXK204"


def test_every_registered_vendor_has_its_route_and_source(device):
    from platekeeper.server.reads.models import read_source_choices
    from platekeeper.vendors import vendors

    sources = dict(read_source_choices())
    for vendor in vendors():
        response = device.post(f"/api/v1/ingest/{vendor.name}", {})
        assert response.status_code == 400, vendor.name  # the route exists and names a field
        assert sources[vendor.name] == vendor.label


def test_a_signed_verkada_webhook_is_checked_when_the_secret_is_set(device, monkeypatch):
    from platekeeper.vendors import verkada
    from tests.vendors.test_verkada import lpr_webhook, signed

    monkeypatch.setenv("PLATEKEEPER_VERKADA_SECRET", "s3cret")
    message = signed(lpr_webhook(), secret="s3cret")
    headers = {"Authorization": f"Bearer {device.token}"}

    good = device.client.post(
        "/api/v1/ingest/verkada",
        data=message.body,
        content_type="application/json",
        headers={**headers, "Verkada-Signature": message.headers["Verkada-Signature"]},
    )
    forged = device.client.post(
        "/api/v1/ingest/verkada",
        data=message.body,
        content_type="application/json",
        headers={**headers, "Verkada-Signature": f"{int(verkada.time.time())}|00"},
    )

    assert good.status_code == 200, good.content
    assert good.json()["stored"] == 1
    assert forged.status_code == 401
    assert "Verkada-Signature" in forged.json()["detail"]
    read = Read.objects.get()
    assert (read.source, read.state, read.plate_normalized) == ("verkada", "CA", "ABCD123")


def test_an_axis_push_event_becomes_a_read(device):
    from tests.vendors.test_axis import push_event

    body = device.post("/api/v1/ingest/axis", push_event()).json()

    assert body["stored"] == 1
    assert Read.objects.get().source == "axis"


def test_a_frigate_end_event_posted_over_http_becomes_a_read(device):
    from tests.vendors.test_frigate import ended

    first = device.post("/api/v1/ingest/frigate", ended()).json()
    again = device.post("/api/v1/ingest/frigate", ended()).json()

    assert (first["stored"], again["duplicates"]) == (1, 1)
    assert Read.objects.get().source == "frigate"


def test_a_signed_vendor_refuses_a_multipart_body_it_cannot_check(device, monkeypatch):
    from tests.vendors.test_verkada import lpr_webhook, signed

    monkeypatch.setenv("PLATEKEEPER_VERKADA_SECRET", "s3cret")
    message = signed(lpr_webhook(), secret="s3cret")  # the JSON text, signed, sent as a part

    response = device.client.post(
        "/api/v1/ingest/verkada",
        data={"json": message.body.decode()},
        headers={
            "Authorization": f"Bearer {device.token}",
            "Verkada-Signature": message.headers["Verkada-Signature"],
        },
    )

    assert response.status_code == 401
    assert "does not match" in response.json()["detail"]
    assert not Read.objects.exists()
