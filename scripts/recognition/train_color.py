"""Train the vehicle colour classifier (`recognition/color.py`): `models/color_classifier.json`.

The training photos are the ones hand-labelled in `tests/recognition/vehicle_colors_train.csv`:
development photos outside the 50 evaluation ones (`vehicle_colors.csv`, never used here) and
Brazilian benchmark photos, read where they lie and never copied into the repository. Each photo
is described five times: at its ground-truth plate box, at a box shaped like the character line
the engine measures from (96% as wide, 90% as tall: the median ratios on these photos), and at
the true box moved 0.15 plate widths to either side and 0.3 plate heights down (the engine's box
is never exactly the truth's; cross-validated, 2 photos more of 251 right). The
classifier is a mixture, with fixed weights, of one multinomial logistic regression applied to
each region around the plate, fitted by full-batch gradient descent on the mixture's
likelihood with an L2 penalty: each region learns from a photo's label as much as it explains
it, so a grille or a window above the plate teaches the shared weights little about paint.
Five-fold cross-validation (by photo) says how often it names unseen photos right. numpy only;
deterministic.

    taskset -c 0 .venv/bin/python scripts/recognition/train_color.py [--datasets DIR]
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "src"))

from platekeeper.recognition import load_image  # noqa: E402
from platekeeper.recognition.color import (  # noqa: E402
    COLOR_NAMES,
    REGIONS,
    ColorClassifier,
    color_features,
    mixture_weights,
)
from platekeeper.recognition.results import Box  # noqa: E402

LABELS = REPO / "tests/recognition/vehicle_colors_train.csv"
DEFAULT_DATASETS = Path("/work/shared/datasets")
OUT = REPO / "src/platekeeper/recognition/models/color_classifier.json"
#: The engine's character line against the ground truth's plate box (width, height).
LINE_SHAPE = (0.96, 0.90)
#: Moves of the true box, in plate widths (x) and heights (y), that training also describes.
SHIFTS = ((-0.15, 0.0), (0.15, 0.0), (0.0, 0.3))
FOLDS = 5


def plate_boxes(annotation: Path) -> list[Box]:
    """The ground-truth plate box of a benchmark photo (first), a character-line-shaped box in
    it and the true box moved by SHIFTS."""
    x, y, w, h = (float(v) for v in annotation.read_text().split("\t")[1:5])
    lw, lh = w * LINE_SHAPE[0], h * LINE_SHAPE[1]
    lx, ly = x + (w - lw) / 2, y + (h - lh) / 2
    moved = [(x + dx * w, y + dy * h, w, h) for dx, dy in SHIFTS]
    return [
        Box.from_points([(bx, by), (bx + bw, by), (bx + bw, by + bh), (bx, by + bh)])
        for bx, by, bw, bh in ((x, y, w, h), (lx, ly, lw, lh), *moved)
    ]


def load_examples(labels: Path, datasets: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Features (one `color_features` stack per example), name indices and the photo each
    example came from."""
    rows, names, photos = [], [], []
    with labels.open() as handle:
        for number, row in enumerate(csv.DictReader(handle)):
            image = datasets / row["file"]
            frame = load_image(image)
            for box in plate_boxes(image.with_suffix(".txt")):
                features = color_features(frame, box)
                if features is not None:
                    rows.append(features)
                    names.append(COLOR_NAMES.index(row["color"]))
                    photos.append(number)
    return np.array(rows), np.array(names), np.array(photos)


def fit(x: np.ndarray, y: np.ndarray, l2: float, steps: int) -> ColorClassifier:
    """The mixture of shared logistic regressions on standardised features, by gradient descent
    on its log-likelihood: each region's gradient is weighted by its share of the probability
    the mixture gives the true name (its responsibility)."""
    rows = x.reshape(-1, x.shape[-1])
    mean, scale = np.nanmean(rows, axis=0), np.nanstd(rows, axis=0) + 1e-6
    z = np.nan_to_num((x - mean) / scale)
    targets = np.eye(len(COLOR_NAMES))[y][:, None, :]
    weights = np.zeros((x.shape[-1], len(COLOR_NAMES)))
    bias = np.zeros((len(REGIONS), len(COLOR_NAMES)))
    model = ColorClassifier(COLOR_NAMES, mean, scale, weights, bias)  # updated in place below
    prior = mixture_weights(x)
    for _ in range(steps):
        region = model.region_probabilities(x)
        explained = prior * (region * targets).sum(axis=-1)
        responsibility = explained / explained.sum(axis=-1, keepdims=True)
        error = responsibility[..., None] * (region - targets)
        weights -= 0.5 * (np.einsum("nrf,nrk->fk", z, error) / len(x) + l2 * weights)
        bias -= 0.5 * error.mean(axis=0)
    return model


def cross_validate(
    x: np.ndarray, y: np.ndarray, photos: np.ndarray, l2: float, steps: int
) -> tuple[int, int, list[tuple[float, bool]]]:
    """Photos named right at their ground-truth box when left out, of all, and each left-out
    photo's (confidence, right)."""
    fold = np.random.default_rng(0).permutation(photos.max() + 1) % FOLDS
    first = np.r_[True, photos[1:] != photos[:-1]]  # the ground-truth box of each photo
    right, scored = 0, []
    for k in range(FOLDS):
        held = fold[photos] == k
        model = fit(x[~held], y[~held], l2, steps)
        probabilities = model.probabilities(x[held & first])
        for p, truth in zip(probabilities, y[held & first], strict=True):
            scored.append((float(p.max()), bool(p.argmax() == truth)))
            right += int(p.argmax() == truth)
    return right, int(first.sum()), scored


def ranking_auc(scored: list[tuple[float, bool]]) -> float:
    """How often a right name's confidence is above a wrong one's (area under the ROC curve)."""
    right = np.array([c for c, ok in scored if ok])
    wrong = np.array([c for c, ok in scored if not ok])
    if not len(right) or not len(wrong):
        return float("nan")
    above = (right[:, None] > wrong[None, :]).sum() + 0.5 * (right[:, None] == wrong[None, :]).sum()
    return float(above / (len(right) * len(wrong)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--labels", type=Path, default=LABELS)
    parser.add_argument("--datasets", type=Path, default=DEFAULT_DATASETS)
    parser.add_argument("--l2", type=float, default=0.03)
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    x, y, photos = load_examples(args.labels, args.datasets)
    right, total, scored = cross_validate(x, y, photos, args.l2, args.steps)
    print(
        f"{total} photos, {len(x)} examples; cross-validated: {right}/{total} right "
        f"({right / total:.1%}), confidence AUC right vs wrong {ranking_auc(scored):.2f}"
    )
    model = fit(x, y, args.l2, args.steps)
    fitted = int((model.probabilities(x).argmax(axis=1) == y).sum())
    print(f"fitted on all: {fitted}/{len(x)} examples right")
    args.out.write_text(json.dumps(model.to_json()) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
