"""Overview photos for live demo reads: the back of a car of the read's colour and body, with its
plate, on a road in daylight or at night, and the plate crop cut from that photo.

Drawn with Pillow from a few shapes per body type. Each read draws its own light, position and
sensor noise, so two reads of one plate show one car but never the same image, as on a camera.
"""

from __future__ import annotations

import dataclasses
import io
import random

from PIL import Image, ImageDraw, ImageEnhance, ImageFilter

from platekeeper.demo.plate_formats import PlateKind
from platekeeper.demo.plate_images import render_plate
from platekeeper.demo.vehicles import VehicleLook

WIDTH = 640
HEIGHT = 400
CROP_SIZE = (240, 120)

Colour = tuple[int, int, int]

PAINT: dict[str, Colour] = {
    "white": (236, 236, 232),
    "black": (28, 28, 32),
    "gray": (118, 122, 126),
    "silver": (184, 188, 192),
    "blue": (36, 70, 150),
    "red": (170, 28, 34),
    "green": (36, 98, 60),
    "brown": (104, 70, 44),
    "beige": (214, 196, 160),
    "gold": (190, 160, 80),
    "orange": (226, 120, 30),
}


@dataclasses.dataclass(frozen=True)
class Body:
    """A body seen from behind, in pixels at scale 1: overall width, the body's height below
    the windows, the cabin's height and how much narrower its roof is than the body."""

    width: int
    lower: int
    cabin: int
    taper: int
    box: bool = False


BODIES: dict[str, Body] = {
    "sedan": Body(300, 92, 62, 70),
    "coupe": Body(292, 84, 52, 84),
    "hatchback": Body(278, 98, 70, 56),
    "wagon": Body(300, 96, 76, 46),
    "suv": Body(318, 118, 82, 42),
    "minivan": Body(314, 120, 96, 34),
    "pickup": Body(330, 110, 70, 60),
    "van": Body(320, 150, 104, 12, box=True),
    "truck": Body(356, 176, 110, 8, box=True),
}


@dataclasses.dataclass(frozen=True)
class Photo:
    """One read's images (JPEG bytes) and where the plate sits in the overview."""

    overview: bytes
    plate_crop: bytes
    plate_box: tuple[int, int, int, int]


def _shade(colour: Colour, factor: float) -> Colour:
    red, green, blue = (max(0, min(255, round(c * factor))) for c in colour)
    return red, green, blue


def _scene(rng: random.Random, night: bool) -> Image.Image:
    """Sky or dark, a kerb line and the road surface with its lane marks."""
    image = Image.new("RGB", (WIDTH, HEIGHT))
    draw = ImageDraw.Draw(image)
    top = (20, 24, 40) if night else (rng.randint(150, 190), rng.randint(185, 210), 228)
    horizon = 150 + rng.randint(-10, 10)
    for y in range(horizon):
        draw.line((0, y, WIDTH, y), fill=_shade(top, 0.8 + 0.3 * y / horizon))
    verge = (30, 40, 30) if night else (88, 120, 72)
    draw.rectangle((0, horizon - 18, WIDTH, horizon), fill=verge)
    asphalt = (34, 34, 38) if night else (96, 98, 102)
    draw.rectangle((0, horizon, WIDTH, HEIGHT), fill=asphalt)
    lane = (150, 150, 120) if night else (236, 226, 160)
    for y in range(horizon + 20, HEIGHT, 60):
        draw.rectangle((WIDTH // 2 - 4, y, WIDTH // 2 + 4, y + 30), fill=lane)
    return image


def _car(
    draw: ImageDraw.ImageDraw, body: Body, paint: Colour, centre: int, ground: int, scale: float
) -> tuple[int, int, int, int]:
    """Draw the back of a car standing on `ground`; returns the box where its plate goes."""
    width = round(body.width * scale)
    lower = round(body.lower * scale)
    cabin = round(body.cabin * scale)
    taper = round(body.taper * scale)
    left, right = centre - width // 2, centre + width // 2
    wheel = round(34 * scale)
    draw.ellipse((left - 20, ground - 12, right + 20, ground + 14), fill=(20, 20, 22))  # shadow
    for x in (left + round(10 * scale), right - round(10 * scale) - wheel):
        draw.rounded_rectangle((x, ground - wheel, x + wheel, ground), radius=6, fill=(18, 18, 18))
    bottom = ground - round(12 * scale)
    waist = bottom - lower
    roof = waist - cabin
    draw.polygon(
        [(left + taper // 2, waist), (left + taper, roof), (right - taper, roof),
         (right - taper // 2, waist)],
        fill=_shade(paint, 0.92),
    )  # fmt: skip
    inset = round(10 * scale)
    glass = (40, 52, 64) if not body.box else (52, 60, 70)
    if body.box:  # a van's or truck's back doors: two windows and a seam
        middle = (left + right) // 2
        draw.rectangle((left + taper, roof + inset, middle - 4, waist - inset), fill=glass)
        draw.rectangle((middle + 4, roof + inset, right - taper, waist - inset), fill=glass)
    else:
        draw.polygon(
            [(left + taper // 2 + inset, waist - 4), (left + taper + inset // 2, roof + inset),
             (right - taper - inset // 2, roof + inset), (right - taper // 2 - inset, waist - 4)],
            fill=glass,
        )  # fmt: skip
    draw.rounded_rectangle(
        (left, waist, right, bottom),
        radius=round(18 * scale),
        fill=paint,
        outline=_shade(paint, 0.6),
    )
    light = round(44 * scale)
    lamp_top = waist + round(10 * scale)
    for x in (left + round(8 * scale), right - round(8 * scale) - light):
        draw.rounded_rectangle(
            (x, lamp_top, x + light, lamp_top + round(22 * scale)), radius=4, fill=(196, 24, 30)
        )
    draw.rectangle((left + 4, bottom - round(16 * scale), right - 4, bottom), fill=(30, 30, 32))
    plate_width, plate_height = round(96 * scale), round(48 * scale)
    plate_top = bottom - round(18 * scale) - plate_height
    plate_left = centre - plate_width // 2
    return plate_left, plate_top, plate_left + plate_width, plate_top + plate_height


def _motorcycle(
    draw: ImageDraw.ImageDraw, paint: Colour, centre: int, ground: int, scale: float
) -> tuple[int, int, int, int]:
    """A motorcycle and its rider from behind; returns the plate's box under the seat."""
    tyre = round(26 * scale)
    draw.ellipse((centre - 60, ground - 8, centre + 60, ground + 10), fill=(20, 20, 22))
    draw.rounded_rectangle(
        (centre - tyre // 2, ground - round(90 * scale), centre + tyre // 2, ground),
        radius=8,
        fill=(18, 18, 18),
    )
    seat = ground - round(150 * scale)
    draw.rounded_rectangle(
        (centre - round(48 * scale), seat, centre + round(48 * scale), seat + round(40 * scale)),
        radius=10,
        fill=paint,
    )
    draw.rounded_rectangle(
        (centre - round(38 * scale), seat - round(120 * scale), centre + round(38 * scale), seat),
        radius=16,
        fill=(40, 40, 46),
    )  # the rider's jacket
    draw.ellipse(
        (
            centre - round(26 * scale),
            seat - round(170 * scale),
            centre + round(26 * scale),
            seat - round(116 * scale),
        ),
        fill=_shade(paint, 0.8),
    )  # fmt: skip  (the helmet)
    draw.rectangle(
        (centre - 12, seat + round(42 * scale), centre + 12, seat + round(54 * scale)),
        fill=(196, 24, 30),
    )
    plate_width, plate_height = round(64 * scale), round(40 * scale)
    plate_top = seat + round(58 * scale)
    return (
        centre - plate_width // 2,
        plate_top,
        centre + plate_width // 2,
        plate_top + plate_height,
    )


def _jpeg(image: Image.Image, quality: int) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality)
    return buffer.getvalue()


def photograph(
    rng: random.Random,
    look: VehicleLook,
    plate: str,
    state: str,
    kind: PlateKind = "passenger",
    *,
    night: bool = False,
) -> Photo:
    """The overview and plate crop of one pass of the vehicle `look` carrying `plate`."""
    image = _scene(rng, night)
    draw = ImageDraw.Draw(image)
    paint = _shade(PAINT.get(look.colour, PAINT["gray"]), rng.uniform(0.9, 1.08))
    centre = WIDTH // 2 + rng.randint(-60, 60)
    ground = HEIGHT - rng.randint(30, 70)
    scale = rng.uniform(0.85, 1.05)
    if look.body == "motorcycle":
        box = _motorcycle(draw, paint, centre, ground, scale)
    else:
        box = _car(draw, BODIES.get(look.body, BODIES["sedan"]), paint, centre, ground, scale)
    with Image.open(io.BytesIO(render_plate(plate, state, kind, image_format="PNG"))) as drawn:
        plate_image = drawn.convert("RGB").resize((box[2] - box[0], box[3] - box[1]))
    image.paste(plate_image, box[:2])
    light = rng.uniform(0.45, 0.65) if night else rng.uniform(0.85, 1.15)
    image = ImageEnhance.Brightness(image).enhance(light)
    if rng.random() < 0.3:  # motion or focus blur on some passes
        image = image.filter(ImageFilter.GaussianBlur(rng.uniform(0.4, 1.1)))
    margin = rng.randint(3, 9)
    crop = image.crop((box[0] - margin, box[1] - margin, box[2] + margin, box[3] + margin))
    crop = crop.resize(CROP_SIZE, Image.Resampling.BILINEAR)
    crop = crop.rotate(rng.uniform(-3.0, 3.0), resample=Image.Resampling.BILINEAR, expand=False)
    crop = ImageEnhance.Contrast(crop).enhance(rng.uniform(0.85, 1.2))
    x, y, right, bottom = box
    return Photo(
        overview=_jpeg(image, rng.randint(62, 80)),
        plate_crop=_jpeg(crop, rng.randint(70, 85)),
        plate_box=(x, y, right - x, bottom - y),
    )
