"""Read back a QR code that a page drew as inline SVG (segno's markup), as a phone would:
redraw its modules as an image and decode that with OpenCV's QR reader."""

from __future__ import annotations

import re

import numpy as np
from PIL import Image, ImageDraw

_SIZE = re.compile(r'<svg[^>]*\bwidth="(\d+)"')
_SCALE = re.compile(r'transform="scale\((\d+)\)"')
_MODULES = re.compile(r'class="qrline"[^>]*\bd="([^"]+)"')
_STEP = re.compile(r"([Mmh])(-?[\d.]+)(?: (-?[\d.]+))?")
_PIXELS = 8  # per module, so the reader sees crisp squares


def decode_svg_qr(svg: str) -> str:
    """The text encoded in `svg`, or "" when nothing readable is drawn."""
    import cv2

    modules = int(_SIZE.search(svg)[1]) // int(_SCALE.search(svg)[1])
    image = Image.new("L", (modules * _PIXELS,) * 2, 255)
    draw = ImageDraw.Draw(image)
    x = y = 0.0
    for command, first, second in _STEP.findall(_MODULES.search(svg)[1]):
        if command == "M":
            x, y = float(first), float(second)
        elif command == "m":
            x, y = x + float(first), y + float(second)
        else:  # h: a run of dark modules on the current row
            run = float(first)
            row = int(y)
            draw.rectangle(
                (x * _PIXELS, row * _PIXELS, (x + run) * _PIXELS - 1, (row + 1) * _PIXELS - 1),
                fill=0,
            )
            x += run
    text, _, _ = cv2.QRCodeDetector().detectAndDecode(np.array(image.convert("RGB")))
    return text
