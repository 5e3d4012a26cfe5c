"""Rendered plate crops: real images, one look per state, different for every plate."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from platekeeper.demo import plate_images
from platekeeper.demo.plate_formats import FORMATS
from platekeeper.demo.plate_images import HEIGHT, WIDTH, render_plate


def _open(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


@pytest.mark.parametrize("image_format", ["JPEG", "PNG"])
def test_crops_decode_with_pillow(image_format: str) -> None:
    image = _open(render_plate("8ABC123", "CA", image_format=image_format))  # type: ignore[arg-type]

    assert image.format == image_format
    assert image.size == (WIDTH, HEIGHT)
    assert image.mode == "RGB"


def test_every_state_and_kind_renders() -> None:
    for plate_format in FORMATS:
        image = _open(render_plate(plate_format.example, plate_format.state, plate_format.kind))
        assert image.size == (WIDTH, HEIGHT)


def test_an_unknown_state_falls_back_to_a_plain_plate() -> None:
    assert _open(render_plate("ABC123", "ZZ")).size == (WIDTH, HEIGHT)


def test_crops_differ_per_plate_and_repeat_per_plate() -> None:
    crops = {render_plate(f"8ABC{n:03d}", "CA") for n in range(50)}

    assert len(crops) == 50
    assert render_plate("8ABC123", "CA") == render_plate("8ABC123", "CA")
    assert render_plate("8ABC123", "CA") != render_plate("8ABC123", "NV")


def test_the_characters_are_drawn() -> None:
    """GIVEN a plate WHEN rendered THEN its middle band holds dark ink, not just background."""
    image = _open(render_plate("8ABC123", "CA", image_format="PNG")).convert("L")
    band = image.crop((20, 40, WIDTH - 20, 95))
    dark = sum(band.histogram()[:100])

    assert dark > 0.15 * band.width * band.height


def test_pillows_own_font_stands_in_when_debian_fonts_are_missing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """GIVEN no font directories WHEN a plate renders THEN Pillow's default font draws it."""
    monkeypatch.setattr(plate_images, "_FONT_DIRECTORIES", ())
    caches = (plate_images._font, plate_images._template, plate_images._glyph)
    for cache in caches:
        cache.cache_clear()
    try:
        image = _open(render_plate("8ABC123", "CA"))
    finally:
        for cache in caches:
            cache.cache_clear()

    assert image.size == (WIDTH, HEIGHT)
