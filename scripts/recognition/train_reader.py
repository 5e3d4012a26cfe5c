"""Train the small plate reader (CRNN + CTC) shipped as `recognition/models/plate_reader.onnx`.

Data recipe (nothing is downloaded; the crops are read where they lie and never copied):

* Real US plate crops from `openalpr-plate-crops-us` (openalpr/benchmarks `seg_and_ocr`, AGPL-3.0,
  compatible with the project's AGPL-3.0-or-later). Labels shorter than 4 characters are dropped
  (they are partial labels such as `0` for `0000`). About one crop in seven, chosen by a hash of
  its file name, is held out and only measured on.
* Plates rendered with the DejaVu fonts Debian ships: random US-like shapes (and random ones),
  state names and slogans, borders, background shapes, so the reader does not memorise the real
  labels; with `--eu-share`, that share of them drawn EU-style (white, blue band with a country
  code, EU formats).
* Every sample is augmented: perspective, loose or tight cropping (the engine hands the reader a
  text-line box grown to roughly the plate), blur, low resolution, noise, JPEG, lighting.

Run on one core (the project machines are shared), for example::

    taskset -c 1 .venv/bin/python scripts/recognition/train_reader.py --minutes 35

It writes the ONNX model and a JSON file describing its input and alphabet (and a PyTorch
state dict, not shipped). Needs PyTorch and onnx (`pip install torch onnx`), which the runtime
engine does not.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import math
import random
import time
from pathlib import Path

import cv2
import numpy as np
import torch
from PIL import Image, ImageDraw, ImageFont
from torch import nn

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"  # CTC blank is class 0, these are 1..36
INPUT_HEIGHT = 32
INPUT_WIDTH = 128
DEFAULT_CROPS = Path("/work/shared/datasets/openalpr-plate-crops-us")
DEFAULT_OUT = Path(__file__).resolve().parents[2] / "src/platekeeper/recognition/models"
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
MAIN_FONTS = [
    "DejaVuSans-Bold.ttf",
    "DejaVuSansCondensed-Bold.ttf",
    "DejaVuSansMono-Bold.ttf",
    "DejaVuSansCondensed.ttf",
    "DejaVuSerifCondensed-Bold.ttf",
    "DejaVuSans.ttf",
]
SMALL_WORDS = [
    "CALIFORNIA", "TEXAS", "NEW YORK", "FLORIDA", "OHIO", "ILLINOIS", "GEORGIA", "VIRGINIA",
    "MARYLAND", "ARIZONA", "NEVADA", "OREGON", "ALASKA", "MAINE", "IOWA", "UTAH", "IDAHO",
    "Sunshine State", "Land of Lincoln", "Empire State", "dmv.ca.gov", "THE GREAT LAKES STATE",
    "Live Free or Die", "Famous Potatoes", "Grand Canyon State", "Lone Star State",
    "FIRST IN FLIGHT",
]  # fmt: skip


def is_holdout(name: str) -> bool:
    """Return True for the crops kept aside for measuring (about one in seven, stable)."""
    return int(hashlib.sha1(name.encode()).hexdigest(), 16) % 7 == 0  # noqa: S324 - a split, not security


def load_real(crops_dir: Path) -> tuple[list, list]:
    train, holdout = [], []
    with (crops_dir / "groundtruth.csv").open() as handle:
        for row in csv.DictReader(handle):
            plate = row["plate"].strip().upper()
            if not 4 <= len(plate) <= 10 or any(c not in ALPHABET for c in plate):
                continue
            image = cv2.imread(str(crops_dir / "images" / row["file"]), cv2.IMREAD_GRAYSCALE)
            if image is None:
                continue
            (holdout if is_holdout(row["file"]) else train).append((image, plate))
    return train, holdout


def random_plate_text(rng: random.Random) -> tuple[str, str]:
    """Return (label, text as drawn with spaces/dashes) in a random plate-like shape."""
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    digits = "0123456789"
    shapes = [
        "LLL DDD", "DLLL DDD", "DDD LLL", "LLL DDDD", "LL DDDDD", "DLL DDDD", "DDDDDD",
        "LLDLDL", "DDD DDD", "LL DDD LL", "L DDDD LL", "LLL-DDDD", "DDDD LL", "LLL DD", "LL DDDD",
    ]  # fmt: skip
    if rng.random() < 0.25:
        shape = "".join(rng.choice("LD") for _ in range(rng.randint(4, 8)))
    else:
        shape = rng.choice(shapes)
    drawn = "".join(
        rng.choice(letters) if c == "L" else rng.choice(digits) if c == "D" else c for c in shape
    )
    return drawn.replace(" ", "").replace("-", ""), drawn


EU_SHAPES = [
    "LL DDD LL", "LL-DDD-LL", "LL DD LLL", "DDDD LLL", "LLL DDDD", "L LL DDDD", "LL L DDDD",
    "DLL DDDD", "LL DDDDD", "LLL DDD", "LL DDDD", "LLL DDLL", "DL DDDDD",
]  # fmt: skip
EU_COUNTRIES = ["D", "HR", "I", "F", "PL", "CZ", "NL", "A", "B", "E", "SK", "SLO"]


def render_eu_plate(rng: random.Random) -> tuple[np.ndarray, str]:
    """A white EU plate with the blue band and country code on the left, black characters."""
    letters = "ABCDEFGHJKLMNPRSTUVWXYZ"
    digits = "0123456789"
    shape = rng.choice(EU_SHAPES)
    drawn = "".join(
        rng.choice(letters) if c == "L" else rng.choice(digits) if c == "D" else c for c in shape
    )
    label = drawn.replace(" ", "").replace("-", "")
    width, height = 520, 112
    ground = tuple(rng.randint(215, 255) for _ in range(3))
    image = Image.new("RGB", (width, height), ground)
    draw = ImageDraw.Draw(image)
    band = int(width * rng.uniform(0.07, 0.09))
    draw.rectangle((0, 0, band, height), fill=(rng.randint(0, 40), rng.randint(30, 80), 160))
    small = ImageFont.truetype(str(FONT_DIR / "DejaVuSans-Bold.ttf"), rng.randint(18, 26))
    draw.text((band // 2, int(height * 0.75)), rng.choice(EU_COUNTRIES), font=small,
              fill=(240, 240, 240), anchor="mm")  # fmt: skip
    draw.rectangle((1, 1, width - 2, height - 2), outline=(20, 20, 20), width=rng.randint(2, 5))
    font = ImageFont.truetype(str(FONT_DIR / rng.choice(MAIN_FONTS[:4])), rng.randint(70, 90))
    box = draw.textbbox((0, 0), drawn, font=font)
    layer = Image.new("L", (box[2] - box[0] + 8, box[3] - box[1] + 8), 0)
    ImageDraw.Draw(layer).text((4 - box[0], 4 - box[1]), drawn, font=font, fill=255)
    target_w = int((width - band) * rng.uniform(0.78, 0.94))
    target_h = int(height * rng.uniform(0.62, 0.76))
    layer = layer.resize((target_w, target_h))
    x0 = band + (width - band - target_w) // 2 + rng.randint(-6, 6)
    y0 = (height - target_h) // 2 + rng.randint(-4, 4)
    image.paste(Image.new("RGB", layer.size, (15, 15, 15)), (x0, y0), layer)
    return cv2.cvtColor(np.asarray(image), cv2.COLOR_RGB2GRAY), label


def render_plate(rng: random.Random, eu_share: float = 0.0) -> tuple[np.ndarray, str]:
    """A rendered plate and its label: EU-style with probability `eu_share`, else US-like."""
    if eu_share > 0 and rng.random() < eu_share:
        return render_eu_plate(rng)
    label, drawn = random_plate_text(rng)
    width, height = 320, 160
    bg = tuple(rng.randint(170, 255) for _ in range(3))
    fg = tuple(rng.randint(0, 90) for _ in range(3))
    image = Image.new("RGB", (width, height), bg)
    draw = ImageDraw.Draw(image)
    for _ in range(rng.randint(0, 3)):  # background artwork
        x, y = rng.randint(-50, width), rng.randint(-50, height)
        r = rng.randint(20, 120)
        tint = tuple(max(0, min(255, c + rng.randint(-60, 30))) for c in bg)
        draw.ellipse((x, y, x + r, y + r), fill=tint)
    if rng.random() < 0.6:
        draw.rectangle((3, 3, width - 4, height - 4), outline=fg, width=rng.randint(1, 5))
    font = ImageFont.truetype(str(FONT_DIR / rng.choice(MAIN_FONTS)), rng.randint(70, 95))
    box = draw.textbbox((0, 0), drawn, font=font)
    text_w, text_h = box[2] - box[0], box[3] - box[1]
    layer = Image.new("L", (text_w + 8, text_h + 8), 0)
    ImageDraw.Draw(layer).text((4 - box[0], 4 - box[1]), drawn, font=font, fill=255)
    target_w = int(width * rng.uniform(0.7, 0.95))
    target_h = int(height * rng.uniform(0.42, 0.6))
    layer = layer.resize((target_w, target_h))
    x0 = (width - target_w) // 2 + rng.randint(-12, 12)
    y0 = (height - target_h) // 2 + rng.randint(-6, 10)
    image.paste(Image.new("RGB", layer.size, fg), (x0, y0), layer)
    small = ImageFont.truetype(str(FONT_DIR / rng.choice(MAIN_FONTS)), rng.randint(16, 28))
    if rng.random() < 0.8:
        word = rng.choice(SMALL_WORDS)
        draw.text((width // 2, rng.randint(14, 26)), word, font=small, fill=fg, anchor="mm")
    if rng.random() < 0.6:
        word = rng.choice(SMALL_WORDS)
        draw.text(
            (width // 2, height - rng.randint(12, 24)), word, font=small, fill=fg, anchor="mm"
        )
    gray = cv2.cvtColor(np.asarray(image), cv2.COLOR_RGB2GRAY)
    return gray, label


def augment(gray: np.ndarray, rng: random.Random) -> np.ndarray:
    """Perspective, crop, blur, resolution, noise, JPEG and lighting; returns INPUT-sized uint8."""
    h, w = gray.shape
    # The engine's crop ranges from the character band to the plate plus a margin.
    left = rng.uniform(-0.08, 0.04) * w
    right = rng.uniform(-0.08, 0.04) * w
    top = rng.uniform(-0.08, 0.24) * h
    bottom = rng.uniform(-0.08, 0.22) * h
    jitter = 0.025
    src = np.float32(
        [
            [left + rng.uniform(-jitter, jitter) * w, top + rng.uniform(-jitter, jitter) * h],
            [w - right + rng.uniform(-jitter, jitter) * w, top + rng.uniform(-jitter, jitter) * h],
            [
                w - right + rng.uniform(-jitter, jitter) * w,
                h - bottom + rng.uniform(-jitter, jitter) * h,
            ],
            [
                left + rng.uniform(-jitter, jitter) * w,
                h - bottom + rng.uniform(-jitter, jitter) * h,
            ],
        ]
    )
    angle = math.radians(rng.uniform(-5, 5))
    centre = src.mean(axis=0)
    rot = np.float32([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])
    src = (src - centre) @ rot.T + centre
    low_h = rng.choice([INPUT_HEIGHT, INPUT_HEIGHT, 20, 24, 48, 64])
    low_w = int(low_h * INPUT_WIDTH / INPUT_HEIGHT)
    dst = np.float32([[0, 0], [low_w, 0], [low_w, low_h], [0, low_h]])
    matrix = cv2.getPerspectiveTransform(np.float32(src), dst)
    out = cv2.warpPerspective(gray, matrix, (low_w, low_h), borderMode=cv2.BORDER_REPLICATE)
    if rng.random() < 0.4:
        k = rng.choice([3, 5])
        out = cv2.GaussianBlur(out, (k, k), 0)
    if rng.random() < 0.15:
        kernel = np.zeros((5, 5), np.float32)
        kernel[2, :] = 1 / 5
        out = cv2.filter2D(out, -1, kernel)
    out = out.astype(np.float32)
    contrast = rng.uniform(0.45, 1.3)
    out = (out - out.mean()) * contrast + out.mean() + rng.uniform(-50, 50)
    if rng.random() < 0.5:
        out = out + np.random.default_rng(rng.randint(0, 2**31)).normal(
            0, rng.uniform(2, 14), out.shape
        )
    out = np.clip(out, 0, 255).astype(np.uint8)
    if rng.random() < 0.5:
        quality = rng.randint(15, 90)
        ok, buf = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, quality])
        if ok:
            out = cv2.imdecode(buf, cv2.IMREAD_GRAYSCALE)
    if rng.random() < 0.08:
        out = 255 - out
    return cv2.resize(out, (INPUT_WIDTH, INPUT_HEIGHT), interpolation=cv2.INTER_AREA)


def prepare(gray: np.ndarray) -> np.ndarray:
    """The engine's preprocessing: resize, then per-crop contrast normalisation."""
    out = cv2.resize(gray, (INPUT_WIDTH, INPUT_HEIGHT), interpolation=cv2.INTER_AREA)
    return normalise(out)


def normalise(img: np.ndarray) -> np.ndarray:
    img = img.astype(np.float32)
    return (img - img.mean()) / (img.std() + 8.0)


class PlateReader(nn.Module):
    """A small CRNN: conv features to one row of 32 steps, a BiLSTM, CTC over 37 classes."""

    def __init__(self) -> None:
        super().__init__()

        def block(cin: int, cout: int) -> list[nn.Module]:
            return [nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU()]

        self.features = nn.Sequential(
            *block(1, 32),
            nn.MaxPool2d(2),  # 16x64
            *block(32, 64),
            nn.MaxPool2d(2),  # 8x32
            *block(64, 128),
            *block(128, 128),
            nn.MaxPool2d((2, 1)),  # 4x32
            *block(128, 192),
            nn.MaxPool2d((2, 1)),  # 2x32
            nn.Conv2d(192, 256, (2, 1), bias=False),  # 1x32
            nn.BatchNorm2d(256),
            nn.ReLU(),
        )
        self.rnn = nn.LSTM(256, 128, bidirectional=True, batch_first=True)
        self.head = nn.Linear(256 + 256, len(ALPHABET) + 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        f = self.features(x).squeeze(2).permute(0, 2, 1)  # (N, T, C)
        r, _ = self.rnn(f)
        return self.head(torch.cat([f, r], dim=2))  # logits (N, T, K)


def greedy(logits: np.ndarray) -> str:
    best = logits.argmax(-1)
    out, prev = [], 0
    for k in best:
        if k != prev and k != 0:
            out.append(ALPHABET[k - 1])
        prev = k
    return "".join(out)


def evaluate(model: nn.Module, holdout: list) -> float:
    model.eval()
    with torch.no_grad():
        x = torch.from_numpy(np.stack([prepare(img) for img, _ in holdout])[:, None])
        logits = model(x).numpy()
    model.train()
    return sum(greedy(lg) == plate for lg, (_, plate) in zip(logits, holdout, strict=True)) / len(
        holdout
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--crops", type=Path, default=DEFAULT_CROPS)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--minutes", type=float, default=35.0)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--real-share", type=float, default=0.6)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--eu-share", type=float, default=0.0, help="rendered plates drawn EU-style"
    )
    args = parser.parse_args()
    torch.set_num_threads(1)
    cv2.setNumThreads(1)
    rng = random.Random(args.seed)  # noqa: S311 - augmentation, not security
    torch.manual_seed(args.seed)
    train, holdout = load_real(args.crops)
    print(f"real crops: {len(train)} train, {len(holdout)} held out", flush=True)
    model = PlateReader()
    print(f"parameters: {sum(p.numel() for p in model.parameters()):,}", flush=True)
    optimiser = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
    ctc = nn.CTCLoss(blank=0, zero_infinity=True)
    budget = args.minutes * 60
    start = time.monotonic()
    step, last_report = 0, start
    while (elapsed := time.monotonic() - start) < budget:
        lr = 2e-3 * 0.5 * (1 + math.cos(math.pi * min(1.0, elapsed / budget))) + 2e-5
        for group in optimiser.param_groups:
            group["lr"] = lr
        images, labels = [], []
        for _ in range(args.batch):
            if rng.random() < args.real_share:
                gray, label = rng.choice(train)
            else:
                gray, label = render_plate(rng, args.eu_share)
            images.append(normalise(augment(gray, rng)))
            labels.append(label)
        x = torch.from_numpy(np.stack(images)[:, None])
        targets = torch.tensor([ALPHABET.index(c) + 1 for lab in labels for c in lab])
        target_lengths = torch.tensor([len(lab) for lab in labels])
        log_probs = model(x).log_softmax(2).permute(1, 0, 2)  # (T, N, K)
        input_lengths = torch.full((len(labels),), log_probs.shape[0], dtype=torch.long)
        loss = ctc(log_probs, targets, input_lengths, target_lengths)
        optimiser.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        optimiser.step()
        step += 1
        if time.monotonic() - last_report > 120:
            last_report = time.monotonic()
            acc = evaluate(model, holdout)
            print(
                f"{elapsed / 60:5.1f} min step {step} loss {loss.item():.3f} lr {lr:.5f} "
                f"holdout exact {acc:.1%}",
                flush=True,
            )
    acc = evaluate(model, holdout)
    print(f"final: {step} steps, holdout exact {acc:.1%}", flush=True)
    args.out.mkdir(parents=True, exist_ok=True)
    torch.save(model.state_dict(), args.out / "plate_reader.pt")  # not shipped; for re-export
    export(model, args.out, {"holdout_exact": round(acc, 4), "holdout_crops": len(holdout)})


def export(model: nn.Module, out_dir: Path, metrics: dict) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    model.eval()
    dummy = torch.zeros(1, 1, INPUT_HEIGHT, INPUT_WIDTH)
    onnx_path = out_dir / "plate_reader.onnx"
    torch.onnx.export(
        model,
        dummy,
        str(onnx_path),
        input_names=["image"],
        output_names=["logits"],
        dynamic_axes={"image": {0: "batch"}, "logits": {0: "batch"}},
        opset_version=17,
        dynamo=False,
    )
    meta = {
        "alphabet": ALPHABET,
        "blank": 0,
        "input_height": INPUT_HEIGHT,
        "input_width": INPUT_WIDTH,
        "normalisation": "per-crop (x - mean) / (std + 8)",
        "trained_by": "scripts/recognition/train_reader.py",
        **metrics,
    }
    (out_dir / "plate_reader.json").write_text(json.dumps(meta, indent=2) + "\n")
    print(f"wrote {onnx_path} ({onnx_path.stat().st_size / 1e6:.1f} MB)", flush=True)


if __name__ == "__main__":
    main()
