"""Generated plates, scenes and videos for tests and benchmarks (Pillow only; no binaries kept).

The plates are simple (a light ground, a border, a state name, dark characters in a DejaVu or
Pillow's own font): good for checking a pipeline end to end, not for measuring accuracy.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

_FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed-Bold.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
)


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for candidate in _FONT_CANDIDATES:
        if Path(candidate).is_file():
            return ImageFont.truetype(candidate, size)
    return ImageFont.load_default(size=size)


def render_plate(text: str, *, width: int = 240, state: str = "CALIFORNIA") -> Image.Image:
    """A light plate with a border, a state name and `text` in large dark characters."""
    height = width // 2
    plate = Image.new("RGB", (width, height), (236, 236, 230))
    draw = ImageDraw.Draw(plate)
    draw.rectangle((2, 2, width - 3, height - 3), outline=(40, 40, 60), width=3)
    draw.text(
        (width // 2, height // 7), state, font=_font(height // 9), fill=(160, 30, 30), anchor="mm"
    )
    size = int(height * 0.48)
    main = _font(size)
    while size > 8 and draw.textlength(text, font=main) > width * 0.86:
        size -= 2
        main = _font(size)
    draw.text((width // 2, int(height * 0.56)), text, font=main, fill=(20, 30, 90), anchor="mm")
    return plate


def render_scene(
    text: str,
    *,
    size: tuple[int, int] = (960, 640),
    plate_width: int = 240,
    position: tuple[int, int] = (360, 380),
    skew_degrees: float = 0.0,
    blur: float = 0.0,
    noise: float = 0.0,
    seed: int = 0,
) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """A car-like scene with the plate; returns (BGR array, plate box x, y, w, h)."""
    rng = np.random.default_rng(seed)
    scene = Image.new("RGB", size, (90, 110, 130))
    draw = ImageDraw.Draw(scene)
    draw.rectangle((0, int(size[1] * 0.8), size[0], size[1]), fill=(70, 70, 70))  # road
    x, y = position
    body = (x - 220, y - 200, x + plate_width + 220, y + plate_width // 2 + 90)
    draw.rounded_rectangle(body, radius=40, fill=(150, 20, 25))  # car rear
    plate = render_plate(text, width=plate_width)
    if skew_degrees:
        plate = plate.rotate(skew_degrees, expand=True, fillcolor=(150, 20, 25))
    scene.paste(plate, (x, y))
    if blur:
        scene = scene.filter(ImageFilter.GaussianBlur(blur))
    array: np.ndarray = np.asarray(scene, dtype=np.float32)
    if noise:
        array = array + rng.normal(0, noise, array.shape)
    bgr = np.clip(array, 0, 255).astype(np.uint8)[:, :, ::-1].copy()
    return bgr, (x, y, plate.width, plate.height)


def write_pass_video(
    path: str | Path,
    plates: list[str],
    *,
    size: tuple[int, int] = (1280, 720),
    fps: float = 15.0,
    seconds_per_vehicle: float = 1.5,
    idle_seconds: float = 1.0,
) -> list[tuple[str, int, int]]:
    """Write an mp4 of vehicles passing left to right, idle road between them.

    Returns (plate, first frame, last frame) for each vehicle, the truth a benchmark scores.
    """
    import cv2  # heavy; imported when first used

    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"mp4v"), fps, size)
    if not writer.isOpened():
        raise RuntimeError("OpenCV cannot write mp4v video here")
    idle, _ = render_scene("", size=size, position=(-2000, -2000))
    truth = []
    frame_index = 0
    try:
        for text in plates:
            for _ in range(int(idle_seconds * fps)):
                writer.write(idle)
                frame_index += 1
            steps = int(seconds_per_vehicle * fps)
            first = frame_index
            for step in range(steps):
                x = int(size[0] * 0.15 + step * size[0] * 0.5 / steps)
                frame, _ = render_scene(
                    text, size=size, plate_width=200, position=(x, int(size[1] * 0.55))
                )
                writer.write(frame)
                frame_index += 1
            truth.append((text, first, frame_index - 1))
    finally:
        writer.release()
    return truth
