"""Evidence export: what it writes, that it verifies, and that any change to it is caught."""

from __future__ import annotations

import csv
import hashlib
import json
import zipfile

import pytest

from platekeeper.server.access.gate import AccessDenied, Requester
from platekeeper.server.access.models import AuditEvent
from platekeeper.server.access.roles import Role
from platekeeper.server.retention.evidence import export_case
from platekeeper.server.retention.manifest import MANIFEST_NAME, verify_export
from platekeeper.server.retention.queries import EvidenceError
from tests.server.retention.conftest import CASE, days_ago, hold_plate, store_reads
from tests.support.people import make_user

pytestmark = [pytest.mark.django_db, pytest.mark.both_databases]


@pytest.fixture
def held_case(camera):
    """Three held reads of one plate (with crops) and one read of another plate, not held."""
    held = store_reads(camera, captured_at=days_ago(30), count=3, plate="8HLD001")
    store_reads(camera, captured_at=days_ago(30), plate="5OTHER1")
    investigator = make_user("ines", Role.INVESTIGATOR)
    requester = Requester(investigator, channel="cli", client_address="console:ines")
    hold_plate(requester, plate="8HLD001")
    return requester, held


def _export(requester, out, case=CASE):
    return export_case(requester, case_number=case, purpose="criminal_investigation", out=out)


def test_an_export_holds_every_part_and_verifies(held_case, tmp_path):
    requester, held = held_case
    out = tmp_path / "case-24-00123"

    result = _export(requester, out)

    assert (result.reads, result.images) == (3, 3)
    names = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert {
        "reads.json",
        "reads.csv",
        "holds.json",
        "context.json",
        "chain-of-custody.html",
        "chain-of-custody.pdf",
        MANIFEST_NAME,
    } <= names
    assert len([n for n in names if n.startswith("images/")]) == 3
    document = json.loads((out / "reads.json").read_text())
    assert sorted(r["id"] for r in document["reads"]) == sorted(held)
    assert {r["plate"] for r in document["reads"]} == {"8HLD001"}
    with (out / "reads.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        image = (out / row["plate_crop_file"]).read_bytes()
        assert hashlib.sha256(image).hexdigest() == row["plate_crop_sha256"]
    custody = (out / "chain-of-custody.html").read_text()
    assert "ines" in custody
    assert CASE in custody
    assert "Evidence in a criminal action" in custody
    assert "DDA J. Doe" in custody
    assert (out / "chain-of-custody.pdf").read_bytes().startswith(b"%PDF-1.4")
    report = verify_export(out, expected_manifest_sha256=result.manifest_sha256)
    assert report.ok, report.describe()
    assert report.checked == len(names) - 1


def test_the_export_is_one_audited_access_naming_the_reads_and_the_manifest(held_case, tmp_path):
    requester, held = held_case

    result = _export(requester, tmp_path / "out")

    event = AuditEvent.objects.get(action="retention.evidence_export")
    assert (event.username, event.case_number, event.purpose) == (
        "ines",
        CASE,
        "criminal_investigation",
    )
    assert sorted(event.record_ids) == sorted(held)
    assert event.query["manifest_sha256"] == result.manifest_sha256


@pytest.mark.parametrize("tamper", ["change", "delete", "add", "manifest"])
def test_a_modified_export_fails_verification_naming_the_file(held_case, tmp_path, tamper):
    requester, _ = held_case
    out = tmp_path / "out"
    result = _export(requester, out)

    if tamper == "change":
        (out / "reads.csv").write_text(
            (out / "reads.csv").read_text().replace("8HLD001", "8HLD007")
        )
    elif tamper == "delete":
        next((out / "images").iterdir()).unlink()
    elif tamper == "add":
        (out / "images" / "planted.jpg").write_bytes(b"\xff\xd8\xff")
    else:  # someone re-hashes after editing a file: only the recorded digest catches it
        (out / "reads.json").write_text("{}")
        from platekeeper.server.retention.manifest import write_manifest

        write_manifest(out)

    report = verify_export(out, expected_manifest_sha256=result.manifest_sha256)

    assert not report.ok
    expected = {
        "change": ("changed", "reads.csv"),
        "delete": ("missing", "images/"),
        "add": ("unexpected", "images/planted.jpg"),
        "manifest": ("changed", MANIFEST_NAME),
    }[tamper]
    assert any(expected[1] in name for name in getattr(report, expected[0]))


def test_a_zip_export_verifies_and_a_modified_zip_does_not(held_case, tmp_path):
    requester, _ = held_case
    out = tmp_path / "case.zip"

    _export(requester, out)

    assert verify_export(out).ok
    with zipfile.ZipFile(out) as original, zipfile.ZipFile(tmp_path / "bad.zip", "w") as copy:
        for info in original.infolist():
            data = original.read(info)
            copy.writestr(info, data + b" " if info.filename == "reads.json" else data)
    assert verify_export(tmp_path / "bad.zip").changed == ["reads.json"]


def test_export_refuses_a_case_without_a_hold_and_an_existing_target(held_case, tmp_path):
    requester, _ = held_case
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "x").write_text("x")

    with pytest.raises(EvidenceError, match="no standing hold"):
        _export(requester, tmp_path / "new", case="99-99999")
    with pytest.raises(EvidenceError, match="never overwritten"):
        _export(requester, tmp_path / "used")
    assert not (tmp_path / "new").exists()


def test_export_needs_the_export_permission(held_case, tmp_path):
    operator = make_user("oscar", Role.OPERATOR)

    with pytest.raises(AccessDenied, match="export reads"):
        _export(Requester(operator, channel="cli"), tmp_path / "out")

    assert not (tmp_path / "out").exists()


def test_the_export_carries_the_alerts_its_reads_raised(held_case, tmp_path):
    from tests.server.retention.test_purge import _alert_on

    requester, held = held_case
    _alert_on(held[0])

    _export(requester, tmp_path / "out")

    context = json.loads((tmp_path / "out" / "context.json").read_text())
    [alert] = context["alerts"]
    assert alert["read_id"] == held[0]
    assert alert["hotlist_name"] == "Stolen vehicles"
    assert alert["actions"] == []
