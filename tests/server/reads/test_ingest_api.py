"""POST /api/v1/reads: what a camera sees when it sends batches, good and bad."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import uuid

import pytest
from django.test import Client

from platekeeper.server.cameras.actions import revoke_device_tokens
from platekeeper.server.reads.images import verify_image
from platekeeper.server.reads.models import Image, Read
from tests.support.factories import image_bytes, read_item
from tests.support.people import SETUP_REQUESTER

pytestmark = [pytest.mark.django_db, pytest.mark.both_databases]


def test_a_batch_is_stored_and_counted(device):
    items = [read_item(plate="7abc 123"), read_item(plate="8XYZ-456", state="ca")]

    response = device.post_reads(items)

    assert response.status_code == 200
    assert response.json() == {"stored": 2, "duplicates": 0, "rejected": [], "alerts": []}
    first = Read.objects.get(id=items[0]["id"])
    assert first.plate == "7abc 123"
    assert first.plate_normalized == "7ABC123"
    assert first.camera == device.camera
    assert first.captured_at.tzinfo is not None
    assert Read.objects.get(id=items[1]["id"]).state == "CA"


def test_sending_the_same_batch_twice_stores_each_read_once(device):
    items = [read_item(), read_item(), read_item()]

    first = device.post_reads(items).json()
    second = device.post_reads(items).json()

    assert first == {"stored": 3, "duplicates": 0, "rejected": [], "alerts": []}
    assert second == {"stored": 0, "duplicates": 3, "rejected": [], "alerts": []}
    assert Read.objects.count() == 3


def test_a_read_repeated_inside_one_batch_is_stored_once(device):
    item = read_item()

    assert device.post_reads([item, item]).json() == {
        "stored": 1,
        "duplicates": 1,
        "rejected": [],
        "alerts": [],
    }


@pytest.mark.parametrize(
    ("override", "expected_reason"),
    [
        ({"captured_at": "2026-11-28T10:15:00"}, "captured_at"),
        ({"captured_at": "yesterday"}, "captured_at"),
        ({"captured_at": "1999-12-31T23:00:00Z"}, "before the year 2000"),
        ({"latitude": 91.0}, "latitude"),
        ({"longitude": -181.0}, "longitude"),
        ({"plate": ""}, "plate: plate is empty"),
        ({"plate": "THIS IS A SLOGAN"}, "plate"),
        ({"plate": "7AB#123"}, "plate"),
        ({"confidence": 1.5}, "confidence"),
        ({"id": "not-a-uuid"}, "id"),
        ({"colour": "red"}, "colour: is not a known field"),
        ({"plate_crop": "@@@not base64@@@"}, "plate_crop: is not valid base64"),
        ({"plate_crop": base64.b64encode(b"GIF89a....").decode()}, "plate_crop: is not a JPEG"),
    ],
)
def test_an_invalid_item_is_rejected_by_index_while_the_others_are_stored(
    device, override, expected_reason
):
    good_before, bad, good_after = read_item(), read_item(**override), read_item()

    body = device.post_reads([good_before, bad, good_after]).json()

    assert body["stored"] == 2
    assert [r["index"] for r in body["rejected"]] == [1]
    assert expected_reason in body["rejected"][0]["reason"]
    assert Read.objects.count() == 2


def test_a_missing_required_field_is_named(device):
    item = read_item()
    del item["captured_at"]

    body = device.post_reads([item]).json()

    assert body["rejected"] == [{"index": 0, "reason": "captured_at: is required"}]


def test_a_read_from_the_future_is_refused(device):
    future = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)).isoformat()

    body = device.post_reads([read_item(captured_at=future)]).json()

    assert "captured_at: is in the future" in body["rejected"][0]["reason"]


def test_timestamps_with_an_offset_are_stored_in_utc(device):
    item = read_item(captured_at="2026-11-27T08:00:00-08:00")

    device.post_reads([item])

    assert Read.objects.get(id=item["id"]).captured_at == dt.datetime(
        2026, 11, 27, 16, tzinfo=dt.UTC
    )


def test_a_fixed_camera_lends_its_location_to_reads_without_one(device):
    item = read_item()
    del item["latitude"], item["longitude"]

    device.post_reads([item])

    read = Read.objects.get(id=item["id"])
    assert (read.latitude, read.longitude) == (37.8215, -122.2406)


def test_a_mobile_camera_must_send_a_position(patrol_car):
    item = read_item()
    del item["latitude"], item["longitude"]

    body = patrol_car.post_reads([item]).json()

    assert body["stored"] == 0
    assert "latitude: is required" in body["rejected"][0]["reason"]


def test_images_are_stored_content_addressed_with_their_digest_on_the_read(device):
    crop = image_bytes("JPEG")
    overview = image_bytes("PNG", size=(640, 360), color="gray")
    encoded = base64.b64encode(crop).decode()
    first = read_item(plate_crop=encoded, overview=base64.b64encode(overview).decode())
    second = read_item(plate_crop=encoded)

    assert device.post_reads([first, second]).json()["stored"] == 2

    read = Read.objects.select_related("plate_crop", "overview").get(id=first["id"])
    assert read.plate_crop.sha256 == hashlib.sha256(crop).hexdigest()
    assert read.plate_crop.content_type == "image/jpeg"
    assert read.overview.content_type == "image/png"
    assert verify_image(read.plate_crop)
    assert verify_image(read.overview)
    assert Image.objects.count() == 2  # the shared crop is stored once


def test_an_oversized_image_rejects_only_its_item(device, settings):
    settings.PLATEKEEPER_MAX_IMAGE_BYTES = 2000
    big = base64.b64encode(image_bytes("PNG", size=(400, 400), color="red") + b"\0" * 3000).decode()

    body = device.post_reads([read_item(overview=big), read_item()]).json()

    assert body["stored"] == 1
    assert "overview: is " in body["rejected"][0]["reason"]
    assert "over the limit of 2000" in body["rejected"][0]["reason"]
    assert Image.objects.count() == 0


def test_images_may_come_as_multipart_file_parts(device):
    import json

    crop = image_bytes("JPEG")
    item = read_item(plate_crop_file="crop0")
    response = device.client.post(
        "/api/v1/reads",
        data={"batch": json.dumps({"reads": [item]}), "crop0": _upload("crop0.jpg", crop)},
        headers={"Authorization": f"Bearer {device.token}"},
    )

    assert response.json() == {"stored": 1, "duplicates": 0, "rejected": [], "alerts": []}
    assert Read.objects.get(id=item["id"]).plate_crop_id == hashlib.sha256(crop).hexdigest()


def test_a_file_part_that_is_not_there_is_named(device):
    import json

    item = read_item(plate_crop_file="missing")
    response = device.client.post(
        "/api/v1/reads",
        data={"batch": json.dumps({"reads": [item]})},
        headers={"Authorization": f"Bearer {device.token}"},
    )

    assert (
        "plate_crop_file: no multipart part named 'missing'"
        in response.json()["rejected"][0]["reason"]
    )


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ("not json at all", 400, "body is not valid JSON"),
        ("[]", 400, "body must be a JSON object"),
        ("{}", 400, "reads: is required"),
        ('{"reads": {}}', 400, "reads: is required and must be a list"),
        ('{"reads": [], "camera": "x"}', 400, "camera: is not a known field"),
    ],
)
def test_a_malformed_batch_is_answered_4xx_naming_the_problem(device, body, status, message):
    response = device.client.post(
        "/api/v1/reads",
        data=body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {device.token}"},
    )

    assert response.status_code == status
    assert message in response.json()["detail"]


def test_a_batch_over_1000_reads_is_refused_whole(device):
    response = device.post_reads([read_item() for _ in range(1001)])

    assert response.status_code == 400
    assert "at most 1000" in response.json()["detail"]
    assert Read.objects.count() == 0


def test_a_non_json_content_type_is_refused(device):
    response = device.client.post(
        "/api/v1/reads",
        data="plate=7ABC123",
        content_type="text/plain",
        headers={"Authorization": f"Bearer {device.token}"},
    )

    assert response.status_code == 415


@pytest.mark.parametrize("authorization", [None, "Bearer wrong-token", "Basic abc"])
def test_a_missing_or_wrong_token_is_refused(db, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    response = Client().post(
        "/api/v1/reads", data={"reads": []}, content_type="application/json", headers=headers
    )

    assert response.status_code == 401
    assert "bearer token" in response.json()["detail"]


def test_a_revoked_token_is_refused(device):
    revoke_device_tokens(device.camera, requester=SETUP_REQUESTER)

    assert device.post_reads([read_item()]).status_code == 401
    assert Read.objects.count() == 0


def test_posting_updates_the_cameras_last_seen_time(device):
    assert device.camera.last_seen_at is None

    device.post_reads([read_item()])

    device.camera.refresh_from_db()
    assert device.camera.last_seen_at is not None


def test_a_read_keeps_its_candidates_box_and_vehicle(device):
    item = read_item(
        candidates=[
            {"plate": "7ABC123", "confidence": 0.93},
            {"plate": "7A8C123", "confidence": 0.4},
        ],
        plate_box={"x": 10, "y": 20, "width": 120, "height": 60},
        heading=182.5,
        speed_kmh=41.0,
        vehicle_make="Toyota",
        vehicle_color="silver",
        vehicle_type="sedan",
    )

    device.post_reads([item])

    read = Read.objects.get(id=item["id"])
    assert read.candidates[1] == {"plate": "7A8C123", "confidence": 0.4}
    assert read.plate_box == {"x": 10, "y": 20, "width": 120, "height": 60}
    assert (read.heading, read.speed_kmh, read.vehicle_make) == (182.5, 41.0, "Toyota")


def test_reads_land_in_their_geocell(device):
    from platekeeper.geo import geocell

    item = read_item(latitude=37.8244, longitude=-122.2317)
    device.post_reads([item])

    assert Read.objects.get(id=item["id"]).geocell == geocell(37.8244, -122.2317)


def _upload(name: str, data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def test_ids_must_be_unique_uuids_not_sequence_numbers(device):
    """GIVEN a uuid the camera chose WHEN it is stored THEN it is the read's identity."""
    chosen = uuid.uuid4()
    device.post_reads([read_item(id=str(chosen))])

    assert Read.objects.filter(pk=chosen).exists()
