"""SHA-256 manifests of evidence exports, and checking them (standard library only).

The manifest is `manifest-sha256.txt` in the format of `sha256sum`, so the media can also be
checked without platekeeper: `sha256sum -c manifest-sha256.txt`.
"""

from __future__ import annotations

import hashlib
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

MANIFEST_NAME = "manifest-sha256.txt"
_LINE = re.compile(r"^([0-9a-f]{64})  (\S.*)$")


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_manifest(folder: Path) -> str:
    """Hash every file under `folder` into the manifest; return the manifest's own SHA-256."""
    lines = [
        f"{sha256_file(path)}  {path.relative_to(folder).as_posix()}"
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.name != MANIFEST_NAME
    ]
    text = "\n".join(lines) + "\n"
    (folder / MANIFEST_NAME).write_text(text, encoding="utf-8")
    return sha256_of(text.encode())


@dataclass
class VerifyReport:
    """What `evidence verify` found; `ok` only when every listed file is present and intact."""

    manifest_sha256: str = ""
    checked: int = 0
    changed: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.changed or self.missing or self.unexpected or self.problems)

    def describe(self) -> list[str]:
        lines = [f"changed: {name}" for name in self.changed]
        lines += [f"missing: {name}" for name in self.missing]
        lines += [f"not in the manifest: {name}" for name in self.unexpected]
        return lines + self.problems


class _Export:
    """An export as a folder or a zip file: names and bytes of its files."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.zip = zipfile.ZipFile(path) if zipfile.is_zipfile(path) else None

    def names(self) -> Iterator[str]:
        if self.zip:
            yield from (info.filename for info in self.zip.infolist() if not info.is_dir())
        else:
            for item in sorted(self.path.rglob("*")):
                if item.is_file():
                    yield item.relative_to(self.path).as_posix()

    def read(self, name: str) -> bytes | None:
        if self.zip:
            try:
                return self.zip.read(name)
            except KeyError:
                return None
        target = self.path / name
        return target.read_bytes() if target.is_file() else None


def verify_export(path: Path, *, expected_manifest_sha256: str = "") -> VerifyReport:
    """Re-hash every file an export's manifest lists; name changed, missing and extra files."""
    report = VerifyReport()
    if not path.exists():
        report.problems.append(f"{path}: no such file or folder")
        return report
    export = _Export(path)
    manifest = export.read(MANIFEST_NAME)
    if manifest is None:
        report.missing.append(MANIFEST_NAME)
        return report
    report.manifest_sha256 = sha256_of(manifest)
    if expected_manifest_sha256 and expected_manifest_sha256.lower() != report.manifest_sha256:
        report.changed.append(f"{MANIFEST_NAME} (its SHA-256 is not the one recorded)")
    listed: dict[str, str] = {}
    for number, line in enumerate(manifest.decode("utf-8", "replace").splitlines(), start=1):
        match = _LINE.match(line)
        name = match.group(2) if match else ""
        if not match or PurePosixPath(name).is_absolute() or ".." in PurePosixPath(name).parts:
            report.problems.append(f"{MANIFEST_NAME} line {number} is not '<sha256>  <file>'")
            continue
        listed[name] = match.group(1)
    for name, expected in listed.items():
        data = export.read(name)
        report.checked += 1
        if data is None:
            report.missing.append(name)
        elif sha256_of(data) != expected:
            report.changed.append(name)
    report.unexpected = [
        name for name in export.names() if name != MANIFEST_NAME and name not in listed
    ]
    return report
