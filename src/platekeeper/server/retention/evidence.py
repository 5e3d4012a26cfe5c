"""Evidence export (Policy 438.4): a case's held reads onto portable media, ready to book in.

An export is a folder (or a zip of one) holding the reads as JSON and CSV, every image, the
holds, the hotlist and alert context, a chain-of-custody document (HTML and PDF) and a SHA-256
manifest of every file. Nothing is overwritten: the target must not exist yet.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
import socket
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.html import escape

from platekeeper import __version__
from platekeeper.server.access.gate import Requester
from platekeeper.server.access.models import AuditEvent, Purpose
from platekeeper.server.retention.manifest import (
    MANIFEST_NAME,
    sha256_file,
    sha256_of,
    write_manifest,
)
from platekeeper.server.retention.pdf import Line, render_pdf
from platekeeper.server.retention.queries import (
    EvidenceBundle,
    EvidenceError,
    EvidenceImage,
    EvidenceRead,
    export_evidence,
)

CSV_COLUMNS = [
    "id",
    "plate",
    "plate_as_read",
    "state",
    "confidence",
    "captured_at",
    "received_at",
    "latitude",
    "longitude",
    "heading",
    "speed_kmh",
    "camera",
    "source",
    "vehicle_make",
    "vehicle_color",
    "vehicle_type",
    "plate_crop_file",
    "plate_crop_sha256",
    "overview_file",
    "overview_sha256",
]
_EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}
COC_TITLE = "Chain of custody - ALPR evidence export"


@dataclass(frozen=True)
class ExportResult:
    out: str
    reads: int
    images: int
    files: int
    manifest_sha256: str


Progress = Callable[[int, int], None]


def export_case(
    requester: Requester,
    *,
    case_number: str,
    purpose: str,
    out: Path,
    progress: Progress | None = None,
    after_audit: Callable[[AuditEvent], None] | None = None,
) -> ExportResult:
    """Export the held reads of a case to `out` (a new folder, or a file ending in .zip).

    `after_audit` runs with the export's audit event, in its transaction (see `run_gated`).
    """
    out = out.expanduser().resolve()
    as_zip = out.suffix.lower() == ".zip"
    if out.exists() and (as_zip or any(out.iterdir())):
        raise EvidenceError(f"out: {out} already exists; evidence is never overwritten")
    if not out.parent.is_dir():
        raise EvidenceError(f"out: the folder {out.parent} does not exist")

    def write(bundle: EvidenceBundle) -> dict[str, Any]:
        with tempfile.TemporaryDirectory(prefix="evidence-", dir=out.parent) as staging:
            folder = Path(staging) / "export"
            folder.mkdir()
            result = _write_export(folder, bundle, requester, progress or (lambda *_: None))
            if as_zip:
                _zip_folder(folder, out)
            elif out.exists():  # an empty folder made for the purpose, e.g. a mount point
                _move_into(folder, out)
            else:
                folder.rename(out)
        return {**asdict(result), "out": str(out)}

    written = export_evidence(
        requester, purpose=purpose, case_number=case_number, write=write, after_audit=after_audit
    )
    return ExportResult(**written)


def _write_export(
    folder: Path, bundle: EvidenceBundle, requester: Requester, progress: Progress
) -> ExportResult:
    exported_at = timezone.now()
    images = _copy_images(folder / "images", bundle.reads, progress)
    rows = [_read_row(read) for read in bundle.reads]
    document = {
        "case_number": bundle.case_number,
        "exported_at": exported_at.isoformat(),
        "exported_by": requester.acting_user.get_username(),
        "reads": rows,
    }
    _write_json(folder / "reads.json", document)
    with (folder / "reads.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=CSV_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    _write_json(folder / "holds.json", [asdict(hold) for hold in bundle.holds])
    _write_json(folder / "context.json", _context(bundle))
    data_files = [
        (path.relative_to(folder).as_posix(), path.stat().st_size, sha256_file(path))
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    ]
    custody = _custody_facts(bundle, requester, exported_at, images)
    (folder / "chain-of-custody.html").write_text(
        _custody_html(custody, data_files), encoding="utf-8"
    )
    (folder / "chain-of-custody.pdf").write_bytes(
        render_pdf(_custody_lines(custody, data_files), title=COC_TITLE)
    )
    manifest_sha256 = write_manifest(folder)
    return ExportResult(
        out=str(folder),
        reads=len(bundle.reads),
        images=images,
        files=len(data_files) + 3,
        manifest_sha256=manifest_sha256,
    )


def _context(bundle: EvidenceBundle) -> dict[str, Any]:
    """The hotlist and alert context: each alert a held read raised, with the hotlist entry
    as it stood when the alert was raised (alerts keep a copy) and every step taken on it."""
    if bundle.alerts is None:
        return {
            "alerts": [],
            "note": "This installation has no alerts app: no read here raised an alert.",
        }
    return {
        "alerts": bundle.alerts,
        "note": f"{len(bundle.alerts)} alerts raised by the reads in this export.",
    }


def _image_file(image: EvidenceImage) -> str:
    return f"images/{image.sha256}.{_EXTENSIONS.get(image.content_type, 'bin')}"


def _copy_images(target: Path, reads: list[EvidenceRead], progress: Progress) -> int:
    """Copy each image once, checking it still hashes to the digest its read recorded."""
    target.mkdir()
    wanted = {
        image.sha256: image
        for read in reads
        for image in (read.plate_crop, read.overview)
        if image is not None
    }
    for done, image in enumerate(wanted.values(), start=1):
        with default_storage.open(image.storage_path, "rb") as handle:
            data = handle.read()
        if sha256_of(data) != image.sha256:
            raise EvidenceError(
                f"stored image {image.sha256} no longer matches its SHA-256; "
                "report it and do not export until it is explained"
            )
        (target.parent / _image_file(image)).write_bytes(data)
        progress(done, len(wanted))
    return len(wanted)


def _read_row(read: EvidenceRead) -> dict[str, Any]:
    row = asdict(read)
    row["captured_at"] = read.captured_at.astimezone(dt.UTC).isoformat()
    row["received_at"] = read.received_at.astimezone(dt.UTC).isoformat()
    for name in ("plate_crop", "overview"):
        image: EvidenceImage | None = getattr(read, name)
        row.pop(name)
        row[f"{name}_file"] = _image_file(image) if image else ""
        row[f"{name}_sha256"] = image.sha256 if image else ""
    return row


def _write_json(path: Path, value: object) -> None:
    path.write_text(json.dumps(value, indent=2, sort_keys=True, default=str) + "\n", "utf-8")


def _zip_folder(folder: Path, out: Path) -> None:
    """Zip the export (images stored as they are: they are compressed already)."""
    partial = out.with_name(out.name + ".partial")
    with zipfile.ZipFile(partial, "w") as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                name = path.relative_to(folder).as_posix()
                method = zipfile.ZIP_STORED if name.startswith("images/") else zipfile.ZIP_DEFLATED
                archive.write(path, name, compress_type=method)
    partial.rename(out)


def _move_into(folder: Path, out: Path) -> None:
    for item in folder.iterdir():
        shutil.move(str(item), out / item.name)


# --- Chain of custody --------------------------------------------------------------------


def _custody_facts(
    bundle: EvidenceBundle, requester: Requester, exported_at: dt.datetime, images: int
) -> list[tuple[str, str]]:
    user = requester.acting_user
    role = user.role.label if user.role else "no role"
    purpose = Purpose.objects.filter(code=bundle.purpose).first()
    times = [read.captured_at for read in bundle.reads]
    span = (
        f"{min(times).astimezone(dt.UTC):%Y-%m-%d %H:%M:%S} to "
        f"{max(times).astimezone(dt.UTC):%Y-%m-%d %H:%M:%S} UTC"
        if times
        else "none"
    )
    facts = [
        ("Case number", bundle.case_number),
        ("Exported by", f"{user.get_full_name() or user.get_username()} ({user.get_username()})"),
        ("Role and agency", f"{role}, {user.agency.name if user.agency else 'no agency'}"),
        ("Exported at", f"{exported_at.astimezone(dt.UTC):%Y-%m-%d %H:%M:%S} UTC"),
        ("Purpose", purpose.label if purpose else bundle.purpose),
        (
            "Exported through",
            f"platekeeper {__version__} on {socket.gethostname()} "
            f"({requester.channel}); audited as retention.evidence_export",
        ),
        (
            "Contents",
            f"{len(bundle.reads)} reads captured {span}; {images} images; "
            f"{len(bundle.alerts or [])} alerts",
        ),
    ]
    for hold in bundle.holds:
        facts.append(
            (
                f"Hold #{hold.id}",
                f"{hold.reason_label}; requested by {hold.requested_by}; placed by "
                f"{hold.placed_by} at {hold.placed_at.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC; "
                f"{hold.read_count} reads" + (f"; note: {hold.note}" if hold.note else ""),
            )
        )
    return facts


_VERIFY_HELP = (
    f"Every file is listed with its SHA-256 in {MANIFEST_NAME}. Check the media with "
    f"'platekeeper evidence verify PATH' or 'sha256sum -c {MANIFEST_NAME}'. Record the "
    "manifest's own SHA-256 (printed at export and kept in the audit log) on the property form."
)
_CUSTODY_ROWS = 6


def _custody_html(facts: list[tuple[str, str]], data_files: list[tuple[str, int, str]]) -> str:
    fact_rows = "\n".join(
        f"<tr><th>{escape(name)}</th><td>{escape(value)}</td></tr>" for name, value in facts
    )
    file_rows = "\n".join(
        f"<tr><td>{escape(name)}</td><td>{size}</td><td><code>{digest}</code></td></tr>"
        for name, size, digest in data_files
    )
    transfer_rows = "\n".join(
        "<tr><td>&nbsp;</td><td></td><td></td><td></td><td></td></tr>" for _ in range(_CUSTODY_ROWS)
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{COC_TITLE}</title>
<style>
body {{ font: 11pt sans-serif; margin: 2em; }} table {{ border-collapse: collapse; width: 100%; }}
th, td {{ border: 1px solid #444; padding: 4px 6px; text-align: left; vertical-align: top; }}
code {{ font-size: 8pt; word-break: break-all; }}
</style></head><body>
<h1>{COC_TITLE}</h1>
<p>Policy 438.4: data that has become evidence is downloaded onto portable media and booked into
evidence.</p>
<h2>Export</h2>
<table>{fact_rows}</table>
<h2>Files</h2>
<p>{escape(_VERIFY_HELP)}</p>
<table><tr><th>File</th><th>Bytes</th><th>SHA-256</th></tr>
{file_rows}
</table>
<h2>Transfers of custody</h2>
<table><tr><th>Date and time</th><th>Released by (name, signature)</th>
<th>Received by (name, signature)</th><th>Purpose of transfer</th><th>Property tag</th></tr>
{transfer_rows}
</table>
</body></html>
"""


def _custody_lines(
    facts: list[tuple[str, str]], data_files: list[tuple[str, int, str]]
) -> list[Line]:
    lines = [Line(COC_TITLE, "title"), Line("Export", "heading")]
    lines += [Line(f"{name}: {value}") for name, value in facts]
    lines += [Line(""), Line("Files", "heading"), Line(_VERIFY_HELP)]
    lines += [Line(f"{digest}  {name} ({size} bytes)", "mono") for name, size, digest in data_files]
    lines += [Line(""), Line("Transfers of custody", "heading")]
    for _ in range(_CUSTODY_ROWS):
        lines += [
            Line(
                "Date/time: ____________  Released by: ______________________  "
                "Received by: ______________________"
            ),
            Line("Purpose: ______________________________  Property tag: ____________"),
            Line(""),
        ]
    return lines
