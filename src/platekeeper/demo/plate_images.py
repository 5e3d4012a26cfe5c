"""Plate crop images for demo reads, drawn with Pillow in the colours of each state's plate."""

from __future__ import annotations

import dataclasses
import functools
import io
import math
import zlib
from pathlib import Path
from typing import Literal

from PIL import Image, ImageDraw, ImageFont

from platekeeper.demo.plate_formats import STATE_NAMES, PlateKind

ImageFormat = Literal["JPEG", "PNG"]

WIDTH = 240
HEIGHT = 120

# Debian's fonts look like a plate; Pillow's own font is the fallback everywhere else.
_FONT_DIRECTORIES = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/share/fonts/TTF"),
)

Colour = tuple[int, int, int]
FontType = ImageFont.FreeTypeFont | ImageFont.ImageFont


@dataclasses.dataclass(frozen=True)
class PlateStyle:
    """The colours and wording that make a plate recognisable as a state's at a glance."""

    background: Colour
    characters: Colour
    title: str
    title_colour: Colour
    border: Colour
    sticker: Colour
    caption: str = ""


_CA_WHITE = (246, 246, 242)
_CA_BLUE = (22, 36, 110)
_CA_RED = (178, 32, 40)
_CA_YELLOW = (230, 190, 40)

_STYLES: dict[tuple[str, PlateKind], PlateStyle] = {
    ("CA", "passenger"): PlateStyle(
        background=_CA_WHITE, characters=_CA_BLUE, title="California", title_colour=_CA_RED,
        border=_CA_BLUE, sticker=_CA_YELLOW, caption="dmv.ca.gov",
    ),
    ("CA", "commercial"): PlateStyle(
        background=_CA_WHITE, characters=_CA_BLUE, title="California", title_colour=_CA_BLUE,
        border=_CA_BLUE, sticker=(90, 160, 80), caption="COMMERCIAL",
    ),
    ("CA", "motorcycle"): PlateStyle(
        background=_CA_WHITE, characters=_CA_BLUE, title="California", title_colour=_CA_RED,
        border=_CA_BLUE, sticker=_CA_YELLOW, caption="MOTORCYCLE",
    ),
    ("NV", "passenger"): PlateStyle(
        background=(196, 214, 232), characters=(24, 40, 120), title="Nevada",
        title_colour=(24, 40, 120), border=(24, 40, 120), sticker=(220, 80, 60),
        caption="Home Means Nevada",
    ),
    ("OR", "passenger"): PlateStyle(
        background=(236, 240, 228), characters=(28, 46, 110), title="OREGON",
        title_colour=(28, 46, 110), border=(40, 110, 60), sticker=(60, 120, 200),
    ),
    ("AZ", "passenger"): PlateStyle(
        background=(240, 232, 214), characters=(120, 30, 40), title="ARIZONA",
        title_colour=(120, 30, 40), border=(150, 60, 50), sticker=(240, 200, 60),
        caption="Grand Canyon State",
    ),
    ("TX", "passenger"): PlateStyle(
        background=(244, 244, 244), characters=(20, 20, 20), title="TEXAS",
        title_colour=(20, 20, 20), border=(20, 20, 20), sticker=(200, 60, 60),
        caption="THE LONE STAR STATE",
    ),
    ("WA", "passenger"): PlateStyle(
        background=(238, 242, 248), characters=(30, 60, 140), title="Washington",
        title_colour=(30, 60, 140), border=(30, 60, 140), sticker=(90, 160, 220),
    ),
    ("NY", "passenger"): PlateStyle(
        background=(250, 250, 248), characters=(20, 40, 110), title="NEW YORK",
        title_colour=(20, 40, 110), border=(226, 170, 40), sticker=(220, 120, 40),
        caption="EXCELSIOR",
    ),
}  # fmt: skip


def style_for(state: str, kind: PlateKind) -> PlateStyle:
    """The style of `state`'s plate of `kind`, falling back to a plain white plate."""
    style = _STYLES.get((state, kind)) or _STYLES.get((state, "passenger"))
    if style is None:
        name = STATE_NAMES.get(state, state).upper()
        black = (20, 20, 20)
        style = PlateStyle(
            background=(245, 245, 245),
            characters=black,
            title=name,
            title_colour=black,
            border=black,
            sticker=(200, 200, 60),
        )
    return style


@functools.lru_cache(maxsize=32)
def _font(size: int, *, serif: bool = False, condensed: bool = False) -> FontType:
    if serif:
        names: tuple[str, ...] = ("DejaVuSerif-BoldItalic.ttf",)
    elif condensed:
        names = ("DejaVuSansCondensed-Bold.ttf", "DejaVuSans-Bold.ttf")
    else:
        names = ("DejaVuSans-Bold.ttf",)
    for directory in _FONT_DIRECTORIES:
        for name in names:
            path = directory / name
            if path.is_file():
                return ImageFont.truetype(str(path), size)
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow before 10.1 has only the small bitmap font
        return ImageFont.load_default()


@functools.lru_cache(maxsize=64)
def _template(style: PlateStyle) -> Image.Image:
    """Background, border, title and caption: the same for every plate of a style, so drawn once."""
    image = Image.new("RGB", (WIDTH, HEIGHT), style.background)
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((1, 1, WIDTH - 2, HEIGHT - 2), radius=10, outline=style.border, width=4)
    for x in (38, WIDTH - 38):  # the two mounting bolts
        draw.ellipse((x - 4, 8, x + 4, 16), fill=(170, 170, 170), outline=(110, 110, 110))
    draw.text(
        (WIDTH // 2, 18),
        style.title,
        font=_font(22, serif=True),
        fill=style.title_colour,
        anchor="mm",
    )
    if style.caption:
        draw.text(
            (WIDTH // 2, HEIGHT - 13),
            style.caption,
            font=_font(11),
            fill=style.characters,
            anchor="mm",
        )
    draw.rectangle((WIDTH - 30, 9, WIDTH - 14, 19), fill=style.sticker)
    return image


#: Height of the serial's characters, about half the plate as on a real one.
_CHARACTER_HEIGHT = 56


@functools.lru_cache(maxsize=1024)
def _glyph(character: str, cell_width: int) -> Image.Image:
    """One character as a mask squeezed into a fixed-width cell, as plates are stamped.

    Rendering each character once and pasting it is several times faster than laying out text
    for every plate, which matters when a demo week holds ten thousand distinct plates.
    """
    font = _font(64, condensed=True)
    width = math.ceil(font.getlength("W")) + 4
    mask = Image.new("L", (width, 96))
    ImageDraw.Draw(mask).text((width / 2, 48), character, font=font, fill=255, anchor="mm")
    # Crop to the height of a capital so that letters and digits line up, then squeeze.
    _, top, _, bottom = font.getbbox("H", anchor="mm")
    mask = mask.crop((0, 48 + top, width, 48 + bottom))
    return mask.resize((cell_width, _CHARACTER_HEIGHT), Image.Resampling.BILINEAR)


def render_plate(
    plate: str, state: str, kind: PlateKind = "passenger", *, image_format: ImageFormat = "JPEG"
) -> bytes:
    """Draw a plate crop of `plate` and return it encoded as JPEG (default) or PNG.

    The image is a function of its arguments only, so a plate renders to the same bytes every
    time; callers render each distinct plate once and share the bytes, which the server stores
    content-addressed anyway. A small shift and shade derived from the text keeps plates of
    one state from looking pasted from one stencil.
    """
    style = style_for(state, kind)
    image = _template(style).copy()
    wobble = zlib.crc32(plate.encode("ascii"))
    dx, dy = wobble % 5 - 2, (wobble >> 3) % 5 - 2
    ink = tuple(max(0, c - (wobble >> 6) % 24) for c in style.characters)
    cell_width = min(34, (WIDTH - 24) // max(1, len(plate)))
    left = (WIDTH - cell_width * len(plate)) // 2 + dx
    top = HEIGHT // 2 + 6 - _CHARACTER_HEIGHT // 2 + dy
    for index, character in enumerate(plate):
        image.paste(ink, (left + index * cell_width, top), _glyph(character, cell_width - 3))
    buffer = io.BytesIO()
    if image_format == "PNG":
        image.save(buffer, format="PNG", optimize=False)
    else:
        image.save(buffer, format="JPEG", quality=70)
    return buffer.getvalue()
