"""Train the plate finder shipped as `recognition/models/plate_finder.onnx`.

The finder is a tiny fully convolutional network that marks where plates are in a grey frame
640 px on its longer side: one heat value per 8x8 pixels, peaking at a plate's centre. It sees a
plate as an object (a light rectangle with a row of dark marks) rather than as characters, so it
finds plates whose characters are too small for the text detector at 800 px; the engine then
looks at a window around each peak at the frame's own resolution (`engines/default.py`).

Data recipe (nothing is downloaded; photos and crops are read where they lie, never copied):

* The Brazilian benchmark photos (`openalpr-bench-br`, 114 photos with one plate box each;
  until the finder, used only to measure the engine): the scenes, and their plates as
  positives. Half the time the Brazilian plate is covered by a real US plate crop scaled to its
  width (`openalpr-plate-crops-us`), so the finder learns US plates in real street context.
* Zero to two more US plate crops pasted at random places (plates out of context, and scenes
  with several plates), each with random contrast and brightness.
* Every scene is scaled so its plate is 22-160 px wide (the range of the development photos
  at 640 px), cropped to 384x384 px (mostly around the plate), and blurred a third of the time.

The development photos (`openalpr-bench-dev`) are never trained on: they measure the finder.
Run on one core (the project machines are shared), for example::

    taskset -c 1 .venv/bin/python scripts/recognition/train_finder.py

About 20 minutes on one core. Needs PyTorch and onnx (`pip install '.[train]'`), which the
runtime engine does not.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import time
from pathlib import Path

import cv2
import numpy as np
import torch
from torch import nn

DEFAULT_PHOTOS = Path("/work/shared/datasets/openalpr-bench-br")
DEFAULT_CROPS = Path("/work/shared/datasets/openalpr-plate-crops-us")
DEFAULT_OUT = Path(__file__).resolve().parents[2] / "src/platekeeper/recognition/models"
INPUT_SIDE = 640  # the longer side of the frame the finder sees
STRIDE = 8  # input pixels per heat value
TILE = 384  # training crops, square
PLATE_WIDTHS = (22.0, 160.0)  # plate widths at the finder's input, as in the development photos


def load_photos(folder: Path) -> list[tuple[np.ndarray, tuple[int, int, int, int]]]:
    """Grey photos and their plate box (x, y, width, height) from `NAME.txt` files."""
    photos = []
    for text_file in sorted(folder.glob("*.txt")):
        fields = text_file.read_text().strip().split("\t")
        image = cv2.imread(str(folder / fields[0]), cv2.IMREAD_GRAYSCALE)
        if image is not None:
            box = (int(fields[1]), int(fields[2]), int(fields[3]), int(fields[4]))
            photos.append((image, box))
    return photos


def paste(
    image: np.ndarray, crop: np.ndarray, box: tuple[int, int, int, int], rng: random.Random
) -> bool:
    """Paste `crop` over `box` of `image` (in place) with a random contrast and brightness;
    False when the box does not lie wholly in the image."""
    x, y, w, h = box
    if w < 8 or h < 4 or x < 0 or y < 0 or x + w > image.shape[1] or y + h > image.shape[0]:
        return False
    scaled = cv2.resize(crop, (w, h), interpolation=cv2.INTER_AREA).astype(np.float32)
    scaled = scaled * rng.uniform(0.6, 1.3) + rng.uniform(-40, 40)
    image[y : y + h, x : x + w] = np.clip(scaled, 0, 255).astype(np.uint8)
    return True


def scene(
    photos: list, crops: list[np.ndarray], rng: random.Random
) -> tuple[np.ndarray, np.ndarray]:
    """One training tile and its heat map (1 at each plate's centre, a Gaussian around it)."""
    photo, plate = rng.choice(photos)
    image = photo.copy()
    boxes = [plate]
    if rng.random() < 0.5:  # a US plate where the Brazilian one was
        x, y, w, h = plate
        crop = rng.choice(crops)
        height = int(w * crop.shape[0] / crop.shape[1])
        covered = (x, y + h // 2 - height // 2, w, height)
        if paste(image, crop, covered, rng):
            boxes = [covered]
    wanted = math.exp(rng.uniform(*map(math.log, PLATE_WIDTHS)))
    scale = wanted / boxes[0][2]
    shrink = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    image = cv2.resize(image, None, fx=scale, fy=scale, interpolation=shrink)
    boxes = [(x * scale, y * scale, w * scale, h * scale) for x, y, w, h in boxes]
    for _ in range(rng.randrange(3)):  # plates out of context
        crop = rng.choice(crops)
        w = int(math.exp(rng.uniform(math.log(22), math.log(140))))
        h = int(w * crop.shape[0] / crop.shape[1])
        x = rng.randrange(max(1, image.shape[1] - w))
        y = rng.randrange(max(1, image.shape[0] - h))
        if paste(image, crop, (x, y, w, h), rng):
            boxes.append((x, y, w, h))
    height, width = image.shape
    if height < TILE or width < TILE:
        padded = np.full((max(height, TILE), max(width, TILE)), int(image.mean()), np.uint8)
        padded[:height, :width] = image
        image = padded
        height, width = image.shape
    x, y, w, h = boxes[0]
    if rng.random() < 0.8:  # mostly around the plate, sometimes anywhere
        left = int(np.clip(x + w / 2 - rng.uniform(0.1, 0.9) * TILE, 0, width - TILE))
        top = int(np.clip(y + h / 2 - rng.uniform(0.1, 0.9) * TILE, 0, height - TILE))
    else:
        left, top = rng.randrange(width - TILE + 1), rng.randrange(height - TILE + 1)
    tile = image[top : top + TILE, left : left + TILE]
    if rng.random() < 0.3:
        tile = cv2.GaussianBlur(tile, (0, 0), rng.uniform(0.5, 1.5))
    return tile, heat_map(boxes, left, top)


def heat_map(boxes: list, left: float, top: float) -> np.ndarray:
    """The target: 1 at the cell of each plate's centre, a Gaussian as wide as the plate's
    middle around it (CenterNet's target)."""
    cells = TILE // STRIDE
    heat = np.zeros((cells, cells), np.float32)
    ys, xs = np.mgrid[0:cells, 0:cells] + 0.5
    for x, y, w, h in boxes:
        cx, cy = (x + w / 2 - left) / STRIDE, (y + h / 2 - top) / STRIDE
        if not (0 <= cx < cells and 0 <= cy < cells):
            continue
        sx, sy = max(0.7, w / STRIDE / 4), max(0.7, h / STRIDE / 3)
        bump = np.exp(-((xs - cx) ** 2 / (2 * sx * sx) + (ys - cy) ** 2 / (2 * sy * sy)))
        heat = np.maximum(heat, bump)
        heat[int(cy), int(cx)] = 1.0
    return heat


def layer(inputs: int, outputs: int, stride: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(inputs, outputs, 3, stride, 1, bias=False),
        nn.BatchNorm2d(outputs),
        nn.ReLU(inplace=True),
    )


class PlateFinder(nn.Module):
    """Six 3x3 convolutions to stride 8, a dilated one for context, a 1x1 head (56k weights)."""

    def __init__(self) -> None:
        super().__init__()
        self.body = nn.Sequential(
            layer(1, 8, 2),
            layer(8, 16, 2),
            layer(16, 24, 1),
            layer(24, 32, 2),
            layer(32, 32, 1),
            layer(32, 48, 1),
            nn.Conv2d(48, 48, 3, 1, 2, dilation=2),
            nn.ReLU(inplace=True),
            nn.Conv2d(48, 1, 1),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x)


def normalise(gray: np.ndarray) -> np.ndarray:
    return gray.astype(np.float32) / 127.5 - 1.0


def focal_loss(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """CenterNet's penalty-reduced focal loss, per plate."""
    p = torch.sigmoid(logits).clamp(1e-6, 1 - 1e-6)
    centre = target.ge(0.99).float()
    positive = centre * (1 - p) ** 2 * torch.log(p)
    negative = (1 - centre) * (1 - target) ** 4 * p**2 * torch.log(1 - p)
    return -(positive + negative).sum() / centre.sum().clamp(min=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--photos", type=Path, default=DEFAULT_PHOTOS)
    parser.add_argument("--crops", type=Path, default=DEFAULT_CROPS)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=12)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(1)
    cv2.setNumThreads(1)
    rng = random.Random(args.seed)  # noqa: S311 - augmentation, not security
    torch.manual_seed(args.seed)
    photos = load_photos(args.photos)
    crops = [cv2.imread(str(p), cv2.IMREAD_GRAYSCALE) for p in sorted(args.crops.glob("**/*.png"))]
    print(f"{len(photos)} photos, {len(crops)} plate crops", flush=True)
    model = PlateFinder()
    optimiser = torch.optim.Adam(model.parameters(), lr=2e-3)
    start = time.monotonic()
    for step in range(1, args.steps + 1):
        for group in optimiser.param_groups:  # cosine decay to a tenth
            group["lr"] = 2e-4 + 1.8e-3 * 0.5 * (1 + math.cos(math.pi * step / args.steps))
        tiles, targets = zip(*(scene(photos, crops, rng) for _ in range(args.batch)), strict=True)
        x = torch.from_numpy(np.stack([normalise(t) for t in tiles])[:, None])
        loss = focal_loss(model(x), torch.from_numpy(np.stack(targets)[:, None]))
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        if step % 100 == 0:
            minutes = (time.monotonic() - start) / 60
            print(f"step {step} loss {loss.item():.3f} ({minutes:.1f} min)", flush=True)
    export(model, args.out, steps=args.steps)


def export(model: nn.Module, out_dir: Path, *, steps: int) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    model.eval()
    onnx_path = out_dir / "plate_finder.onnx"
    torch.onnx.export(
        model,
        torch.zeros(1, 1, 368, 640),
        str(onnx_path),
        input_names=["image"],
        output_names=["heat"],
        dynamic_axes={"image": {2: "height", 3: "width"}, "heat": {2: "rows", 3: "columns"}},
        opset_version=17,
        dynamo=False,
    )
    meta = {
        "input_side": INPUT_SIDE,
        "stride": STRIDE,
        "normalisation": "grey / 127.5 - 1",
        "output": "logit of a plate's centre per stride x stride cell",
        "trained_by": "scripts/recognition/train_finder.py",
        "steps": steps,
    }
    (out_dir / "plate_finder.json").write_text(json.dumps(meta, indent=2) + "\n")
    print(f"wrote {onnx_path} ({onnx_path.stat().st_size / 1e3:.0f} kB)", flush=True)


if __name__ == "__main__":
    main()
