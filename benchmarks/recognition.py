"""Benchmark plate recognition on folders in the development set's format.

    taskset -c 0 python benchmarks/recognition.py [DIR ...]

Each DIR holds `NAME.jpg` + `NAME.txt` pairs (`file x y width height PLATE`, tab-separated), or
sub-folders `us/` and `eu/` of them. The first DIR defaults to the development set; give more
(a department's own photos) to score them in the same run. The engine's settings were chosen on
the development set, so its figure there is optimistic: a second folder tells what to expect.

One table, in one run: the `default` engine, the naive rapidocr pipeline (`naive`, unless
`--baseline none`) and the previous release's default engine (`--previous REF`, a git commit,
unpacked from this repository into a temporary folder; `--previous none` skips it). Each
(set, engine) runs in its own child process with one onnxruntime/OpenMP thread, so peak memory
is per engine and one core is measured. Timing covers `read_frame` with the models loaded
(image decoding excluded); start-up (model loading and the first read) is reported separately.
Under the table, each set's median CPU time and p90 as multiples of the previous release's:
CPU time differs from machine to machine, the ratio in one run much less.

    taskset -c 0 python benchmarks/recognition.py --video

generates a 720p 15 fps video of vehicles passing (each plate in view for 1.5 s) and times
`read_video` + `group_reads` on it: real-time factor, and vehicles read right once.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

#: The release before the second round of the default engine (issue 16): what it is compared with.
PREVIOUS_RELEASE = "5033014"
REPO = Path(__file__).resolve().parents[1]
#: Vehicle colours of 50 development photos, labelled by hand by looking at them.
COLOR_LABELS = REPO / "tests" / "recognition" / "vehicle_colors.csv"


def load_color_labels() -> dict[str, str]:
    """`us/car3.jpg` -> `white`."""
    import csv

    with COLOR_LABELS.open() as handle:
        return {row["file"]: row["color"] for row in csv.DictReader(handle)}


def load_truth(folder: Path) -> list[tuple[Path, tuple[int, int, int, int], str]]:
    items = []
    for text_file in sorted(folder.glob("*.txt")):
        fields = text_file.read_text().strip().split("\t")
        if len(fields) < 6:
            continue
        image = folder / fields[0]
        if not image.is_file():
            continue
        x, y, w, h = (int(v) for v in fields[1:5])
        items.append((image, (x, y, w, h), fields[5].upper()))
    return items


def measure(folder: Path, engine_name: str, country: str, top_n: int, limit: int | None) -> dict:
    """Run one engine over one folder in this process and return its figures."""
    from platekeeper.recognition import get_engine, load_image

    items = load_truth(folder)[:limit]
    started = time.perf_counter()
    engine = get_engine(engine_name, country=country, top_n=top_n, threads=1)
    engine.warm_up()
    startup_s = time.perf_counter() - started
    colors = load_color_labels()
    found = top1 = top1_o0 = topn = false_plates = colors_seen = colors_right = 0
    times: list[float] = []
    cpu_times: list[float] = []
    misses = []
    for image, (x, y, w, h), truth in items:
        frame = load_image(image)
        t0, c0 = time.perf_counter(), time.process_time()
        reads = engine.read_frame(frame)
        times.append((time.perf_counter() - t0) * 1000)
        # CPU time is what one core costs; wall time also counts waiting for a shared core.
        cpu_times.append((time.process_time() - c0) * 1000)
        on_plate = [r for r in reads if r.box is not None and r.box.contains(x + w / 2, y + h / 2)]
        found += bool(on_plate)
        false_plates += len(reads) - len(on_plate)
        label = colors.get(f"{folder.name}/{image.name}")
        if label is not None:
            colors_seen += 1
            color = getattr(on_plate[0], "color", None) if on_plate else None
            colors_right += color is not None and color.name == label
        hit = bool(reads) and reads[0].text == truth
        top1 += hit
        # The ground truth is inconsistent on O versus 0 for some jurisdictions.
        top1_o0 = top1_o0 + (
            bool(reads) and reads[0].text.replace("O", "0") == truth.replace("O", "0")
        )
        topn += any(c.text == truth for r in reads for c in r.candidates)
        if not hit:
            misses.append([image.name, truth, reads[0].text if reads else ""])
    n = max(1, len(items))
    return {
        "set": folder.name,
        "engine": engine_name,
        "images": len(items),
        "found": found / n,
        "top1": top1 / n,
        "top1_o_is_0": top1_o0 / n,
        "topn": topn / n,
        "false_per_image": false_plates / n,
        "median_ms": statistics.median(times) if times else 0.0,
        "p90_ms": statistics.quantiles(times, n=10)[-1] if len(times) > 1 else 0.0,
        "median_cpu_ms": statistics.median(cpu_times) if cpu_times else 0.0,
        "startup_s": startup_s,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "colors_labelled": colors_seen,
        "colors_right": colors_right,
        "misses": misses,
    }


def run_child(
    folder: Path,
    engine: str,
    country: str,
    top_n: int,
    limit: int | None,
    *,
    src: Path | None = None,
    label: str | None = None,
) -> dict:
    """Measure one engine on one folder in a fresh process; `src` runs another checkout's code."""
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    command = [
        sys.executable, __file__, str(folder), "--child", engine, "--country", country,
        "--top", str(top_n), "--src", str(src or REPO / "src"),
    ]  # fmt: skip
    if limit:
        command += ["--limit", str(limit)]
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)  # noqa: S603 - our own script
    if result.returncode != 0:
        raise SystemExit(f"{label or engine} on {folder} failed:\n{result.stderr}")
    row = json.loads(result.stdout.strip().splitlines()[-1])
    row["engine"] = label or engine
    return row


def unpack_release(ref: str, into: Path) -> Path:
    """Write the package sources of git commit `ref` under `into`; return its `src` folder."""
    archive = subprocess.run(  # noqa: S603 - git on our own repository
        ["git", "-C", str(REPO), "archive", ref, "src"],  # noqa: S607
        capture_output=True,
        check=False,
    )
    if archive.returncode != 0:
        raise SystemExit(f"cannot unpack release {ref}: {archive.stderr.decode().strip()}")
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)  # noqa: S603, S607
    return into / "src"


VIDEO_PLATES = ["7ABC123", "KL3B8K", "8XYZ042", "4GLS168", "5RIN962", "6WHS906"]


def measure_video(engine_name: str, every_n_frames: int) -> dict:
    """Time `read_video` on a generated pass video; one vehicle per plate in VIDEO_PLATES."""
    import tempfile

    from platekeeper.recognition import MIN_GROUP_CONFIDENCE, get_engine
    from platekeeper.recognition.synthetic import write_pass_video
    from platekeeper.recognition.video import group_reads

    fps = 15.0
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "passes.mp4"
        truth = write_pass_video(path, VIDEO_PLATES, fps=fps)
        engine = get_engine(engine_name, threads=1)
        engine.warm_up()
        started = time.perf_counter()
        reads = list(engine.read_video(path, every_n_frames=every_n_frames))
        elapsed = time.perf_counter() - started
    groups = group_reads(reads, max_gap_seconds=2 * every_n_frames / fps)
    groups = [g for g in groups if g.confidence >= MIN_GROUP_CONFIDENCE]
    frames = truth[-1][2] + 1
    correct = sum(any(g.text == text for g in groups) for text, _, _ in truth)
    return {
        "engine": engine_name,
        "every_n_frames": every_n_frames,
        "video_s": frames / fps,
        "processing_s": elapsed,
        "realtime_factor": (frames / fps) / elapsed,
        "vehicles": len(truth),
        "vehicles_read": correct,
        "groups": len(groups),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def table(rows: list[dict], top_n: int) -> str:
    header = (
        "| folder | set | engine | images | plates found | top-1 exact | top-1 if O=0 "
        f"| truth in top-{top_n} | false plates/image | median ms | p90 ms | median CPU ms "
        "| start-up s | peak RSS MB | colour right |"
    )
    lines = [header, "|" + "---|" * 15]
    for r in rows:
        lines.append(
            f"| {r['folder']} | {r['set']} | {r['engine']} | {r['images']} | {r['found']:.1%} "
            f"| {r['top1']:.1%} "
            f"| {r['top1_o_is_0']:.1%} "
            f"| {r['topn']:.1%} | {r['false_per_image']:.2f} | {r['median_ms']:.0f} "
            f"| {r['p90_ms']:.0f} | {r['median_cpu_ms']:.0f} | {r['startup_s']:.2f} "
            f"| {r['peak_rss_mb']:.0f} "
            f"| {r['colors_right']}/{r['colors_labelled']} |"
        )
    return "\n".join(lines)


def against_previous(rows: list[dict], engine: str, previous: str) -> list[str]:
    """One line per set: `engine`'s median CPU and p90 time as multiples of `previous`'s in the
    same run, the only way to compare speed across machines (the issue's targets are judged
    this way against the previous release's figures)."""
    before = {(r["folder"], r["set"]): r for r in rows if r["engine"] == previous}
    lines = []
    for row in rows:
        then = before.get((row["folder"], row["set"]))
        if row["engine"] == engine and then and then["median_cpu_ms"] and then["p90_ms"]:
            lines.append(
                f"{row['folder']}/{row['set']}: median CPU "
                f"{row['median_cpu_ms'] / then['median_cpu_ms']:.2f}x and p90 "
                f"{row['p90_ms'] / then['p90_ms']:.2f}x those of {previous}, in this run"
            )
    return lines


def _default_dataset() -> Path | None:
    """PLATEKEEPER_DEV_DATASET, else the shared development set beside the checkout."""
    configured = os.environ.get("PLATEKEEPER_DEV_DATASET")
    shared = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "openalpr-bench-dev"
    for candidate in (Path(configured) if configured else None, shared):
        if candidate is not None and candidate.is_dir():
            return candidate
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("dirs", type=Path, nargs="*", metavar="DIR")
    parser.add_argument("--video", action="store_true", help="time read_video on a generated video")
    parser.add_argument("--every", type=int, default=3, help="with --video: read every Nth frame")
    parser.add_argument("--engine", default="default")
    parser.add_argument("--baseline", default="naive", help="engine to compare with, or 'none'")
    parser.add_argument(
        "--previous",
        default=PREVIOUS_RELEASE,
        help="git commit of the previous release to compare with, or 'none'",
    )
    parser.add_argument("--top", type=int, default=10)
    parser.add_argument("--limit", type=int, default=None, help="first N images per set")
    parser.add_argument("--country", default=None, help="us or eu (default: from folder name)")
    parser.add_argument("--misses", action="store_true", help="list wrong reads")
    parser.add_argument("--json", type=Path, default=None, help="also write figures here")
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--src", type=Path, default=REPO / "src", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.src.is_dir():
        sys.path.insert(0, str(args.src))
    if args.child:
        row = measure(args.dirs[0], args.child, args.country, args.top, args.limit)
        print(json.dumps(row))
        return
    if not args.dirs:
        dev = _default_dataset()
        if dev is None:
            print("(no development set found: set PLATEKEEPER_DEV_DATASET; timing a video instead)")
            args.video = True
        else:
            args.dirs = [dev]
    if args.video:
        row = measure_video(args.engine, args.every)
        print(
            "| engine | every Nth frame | video s | processing s | real-time factor "
            "| vehicles read / passed | groups | peak RSS MB |\n|---|---|---|---|---|---|---|---|\n"
            f"| {row['engine']} | {row['every_n_frames']} | {row['video_s']:.1f} "
            f"| {row['processing_s']:.1f} | {row['realtime_factor']:.2f} "
            f"| {row['vehicles_read']} / {row['vehicles']} | {row['groups']} "
            f"| {row['peak_rss_mb']:.0f} |"
        )
        return
    for folder in args.dirs:
        if not folder.is_dir():
            raise SystemExit(f"no such folder: {folder}")
    with tempfile.TemporaryDirectory() as scratch:
        engines = [(args.engine, None, args.engine)]
        if args.baseline != "none":
            engines.append((args.baseline, None, args.baseline))
        if args.previous != "none":
            previous_src = unpack_release(args.previous, Path(scratch))
            engines.append(("default", previous_src, f"default @ {args.previous}"))
        rows = []
        for root in args.dirs:
            sets = [d for d in (root / "us", root / "eu") if d.is_dir()] or [root]
            for folder in sets:
                country = args.country or ("eu" if folder.name == "eu" else "us")
                for engine, src, label in engines:
                    row = run_child(
                        folder, engine, country, args.top, args.limit, src=src, label=label
                    )
                    row["folder"] = root.name
                    rows.append(row)
                    print(
                        f"{root.name}/{folder.name} {label}: top-1 {row['top1']:.1%}, "
                        f"median {row['median_ms']:.0f} ms",
                        file=sys.stderr,
                        flush=True,
                    )
                    if args.misses:
                        for miss in row["misses"]:
                            print("   miss", *miss, file=sys.stderr)
    print(table(rows, args.top))
    if args.previous != "none":
        print("\n".join(against_previous(rows, args.engine, f"default @ {args.previous}")))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main()
