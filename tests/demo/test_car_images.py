"""Live demo photos and looks: the car a plate is on, a plate crop of its own for every pass."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import random

import pytest
from PIL import Image, ImageStat

from platekeeper.demo import build_town
from platekeeper.demo.car_images import BODIES, CROP_SIZE, HEIGHT, PAINT, WIDTH, photograph
from platekeeper.demo.vehicles import VehicleLook, kind_of, look_for

LOOK = VehicleLook(make="Subaru", colour="red", body="wagon", model_year=2019)


def _open(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_two_passes_of_one_car_give_different_photos_and_crops():
    rng = random.Random(1)
    first = photograph(rng, LOOK, "8ABC123", "CA")
    second = photograph(rng, LOOK, "8ABC123", "CA")

    assert first.overview != second.overview
    assert first.plate_crop != second.plate_crop
    overview, crop = _open(first.overview), _open(first.plate_crop)
    assert (overview.format, overview.size) == ("JPEG", (WIDTH, HEIGHT))
    assert (crop.format, crop.size) == ("JPEG", CROP_SIZE)
    x, y, width, height = first.plate_box
    assert x in range(WIDTH - width + 1)
    assert y in range(HEIGHT - height + 1)


@pytest.mark.parametrize("body", [*BODIES, "motorcycle"])
def test_every_body_type_draws(body):
    photo = photograph(random.Random(2), dataclasses.replace(LOOK, body=body), "23K4567", "CA")
    assert _open(photo.overview).size == (WIDTH, HEIGHT)


def test_the_car_is_painted_its_colour():
    """GIVEN a white and a black car in the same light WHEN photographed THEN the paint shows:
    the car's middle is far brighter for the white one."""
    middles = {}
    for colour in ("white", "black"):
        look = dataclasses.replace(LOOK, colour=colour, body="van")
        image = _open(photograph(random.Random(3), look, "8ABC123", "CA").overview)
        middles[colour] = ImageStat.Stat(image.convert("L").crop((250, 180, 390, 230))).mean[0]
    assert middles["white"] > middles["black"] + 80


def test_a_plate_always_carries_the_same_car():
    assert look_for("8ABC123") == look_for("8ABC123")
    looks = {look_for(f"8ABC{n:03d}") for n in range(200)}
    assert len({look.colour for look in looks}) >= 6
    assert len({look.body for look in looks}) >= 5
    assert all(look.colour in PAINT for look in looks)
    assert look_for("23K4567", "motorcycle").body == "motorcycle"


def test_the_hotlist_describes_the_car_the_simulator_draws_for_its_plate():
    """GIVEN the seeded town's stolen vehicles WHEN the live simulator, which knows only the
    plate and state from the hotlist API, draws the car THEN it is the car the entry describes."""
    town = build_town(days=1, end=dt.datetime(2026, 5, 12, 22, 30, tzinfo=dt.UTC))
    stolen = [entry for entry in town.hotlist if entry.reason == "stolen vehicle"]

    assert stolen
    for entry in stolen:
        look = look_for(entry.plate, kind_of(entry.plate, entry.state))
        described = f"{look.colour.capitalize()} {look.model_year} {look.make} {look.body},"
        assert entry.description.startswith(described)
