"""The purge: reads age past retention and go, with their images; held reads and images stay."""

from __future__ import annotations

import datetime as dt
import os
import uuid

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from platekeeper.server.access.audit import verify_chain
from platekeeper.server.access.gate import AccessDenied, Requester
from platekeeper.server.access.models import AuditEvent
from platekeeper.server.access.roles import Role
from platekeeper.server.reads.actions import record_reads
from platekeeper.server.reads.models import Image, Read, ReadKey
from platekeeper.server.retention.actions import (
    RetentionError,
    release_holds,
    set_retention,
)
from platekeeper.server.retention.models import PurgeRun, ReleasedImage
from platekeeper.server.retention.purge import purge
from platekeeper.server.retention.queries import RetentionKind
from tests.server.retention.conftest import days_ago, hold_plate, store_reads
from tests.support.factories import read_item
from tests.support.people import SETUP_REQUESTER, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.both_databases]


def _files() -> set[str]:
    root = default_storage.path("images")
    return {
        os.path.relpath(os.path.join(folder, name), default_storage.path("")).replace(os.sep, "/")
        for folder, _, names in os.walk(root)
        for name in names
    }


def test_the_completed_run_and_its_audit_record_count_the_files_it_deleted(camera):
    """The report said 5 files, but the run's final save wrote back the 0 it started with."""
    store_reads(camera, captured_at=days_ago(0.5), count=3)
    store_reads(camera, captured_at=days_ago(1.5), count=2)

    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=366), tick=False):
        report = purge(requester=SETUP_REQUESTER, batch_size=2)

    run = PurgeRun.objects.get()
    event = AuditEvent.objects.filter(action="retention.purge").get()
    assert report.files_deleted == 5
    assert (run.files_deleted, run.images_deleted, run.reads_deleted) == (5, 5, 5)
    assert event.query["files_deleted"] == 5


def _dangling_reads() -> int:
    """Reads pointing at an image whose row or file is gone: what a purge must never leave."""
    images = dict(Image.objects.values_list("sha256", "path"))
    files = _files()
    bad = 0
    for crop, overview in Read.objects.values_list("plate_crop_id", "overview_id"):
        for digest in (crop, overview):
            if digest and (digest not in images or images[digest] not in files):
                bad += 1
    return bad


def test_reads_age_past_retention_and_are_purged_with_their_images(camera):
    """GIVEN reads of today WHEN a year and a day pass THEN the purge removes them and their
    images (rows and files), and one audit record counts them per day."""
    first = store_reads(camera, captured_at=days_ago(0.5), count=3)
    second = store_reads(camera, captured_at=days_ago(1.5), count=2)
    assert len(_files()) == 5

    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=363), tick=False):
        assert purge(requester=SETUP_REQUESTER, batch_size=2).reads_deleted == 0
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=366), tick=False):
        report = purge(requester=SETUP_REQUESTER, batch_size=2)

    assert report.reads_deleted == 5
    assert Read.objects.count() == 0
    assert Image.objects.count() == 0
    assert _files() == set()
    assert report.images_deleted == report.files_deleted == 5
    event = AuditEvent.objects.filter(action="retention.purge").order_by("-id").first()
    assert event.record_count == 5
    assert sorted(event.query["reads_per_day"].values()) == [2, 3]
    assert len(first) + len(second) == 5
    assert verify_chain().ok


def test_held_reads_and_their_images_survive_until_the_hold_is_released(camera):
    held = store_reads(camera, captured_at=days_ago(400), count=2, plate="8HLD001")
    store_reads(camera, captured_at=days_ago(400), count=3, plate="5FREE01")
    custodian = make_user("carla", Role.CUSTODIAN)
    hold_plate(Requester(custodian, channel="cli"), plate="8HLD001")

    report = purge(requester=SETUP_REQUESTER)

    assert report.reads_deleted == 3
    assert report.held_kept == 2
    assert sorted(str(i) for i in Read.objects.values_list("id", flat=True)) == sorted(held)
    assert Image.objects.count() == 2
    assert len(_files()) == 2
    assert _dangling_reads() == 0

    release_holds(
        "24-00123", requester=Requester.person(custodian, channel="cli"), reason="case closed"
    )
    assert purge(requester=SETUP_REQUESTER).reads_deleted == 2
    assert Read.objects.count() == 0
    assert _files() == set()


def test_an_image_shared_with_a_young_read_is_kept(camera):
    """GIVEN an old and a young read with the same crop WHEN the old one is purged THEN the
    image row and file stay for the young one."""
    from tests.server.retention.conftest import read_item, record_reads, unique_image

    crop = unique_image()
    record_reads(
        camera,
        [
            read_item(captured_at=days_ago(400).isoformat(), plate_crop=crop),
            read_item(captured_at=days_ago(2).isoformat(), plate_crop=crop),
        ],
    )

    report = purge(requester=SETUP_REQUESTER)

    assert report.reads_deleted == 1
    assert report.images_deleted == 0
    assert Image.objects.count() == 1
    assert _dangling_reads() == 0


def test_dry_run_counts_per_day_and_deletes_nothing(camera):
    store_reads(camera, captured_at=days_ago(400), count=2)
    store_reads(camera, captured_at=days_ago(380), count=1)
    events_before = AuditEvent.objects.count()

    report = purge(requester=SETUP_REQUESTER, dry_run=True)

    assert report.reads_deleted == 3
    assert sorted(report.reads_per_day.values()) == [1, 2]
    assert Read.objects.count() == 3
    assert AuditEvent.objects.count() == events_before
    assert not PurgeRun.objects.exists()


def test_orphaned_files_are_swept_once_old_enough(camera):
    """GIVEN image files without rows (a crash between file write and commit) WHEN the purge
    runs THEN the old ones are deleted and a young one (maybe not committed yet) is kept."""
    store_reads(camera, captured_at=days_ago(1))
    old = default_storage.save("images/ab/" + "ab" * 32 + ".jpg", _content())
    young = default_storage.save("images/cd/" + "cd" * 32 + ".jpg", _content())
    week_ago = (dt.datetime.now(dt.UTC) - dt.timedelta(days=7)).timestamp()
    os.utime(default_storage.path(old), (week_ago, week_ago))

    report = purge(requester=SETUP_REQUESTER)

    assert report.orphan_files_deleted == 1
    assert not default_storage.exists(old)
    assert default_storage.exists(young)
    assert Image.objects.count() == 1
    assert _dangling_reads() == 0


def test_shorter_image_period_drops_images_but_keeps_reads(camera):
    set_retention(
        {RetentionKind.IMAGES: 30},
        requester=SETUP_REQUESTER,
        override_reason="storage budget, §4.2",
    )
    old = store_reads(camera, captured_at=days_ago(40), count=2)
    store_reads(camera, captured_at=days_ago(5), count=1)

    report = purge(requester=SETUP_REQUESTER)

    assert report.reads_deleted == 0
    assert report.images_detached == 2
    assert Read.objects.count() == 3
    assert Read.objects.filter(id__in=old, plate_crop__isnull=True).count() == 2
    assert Image.objects.count() == 1
    assert len(_files()) == 1
    assert purge(requester=SETUP_REQUESTER).images_detached == 0  # the watermark spares a rescan


def test_a_run_killed_before_its_audit_record_is_audited_by_the_next_run(camera):
    PurgeRun.objects.create(
        started_at=days_ago(1),
        actor="system:retention",
        reads_cutoff=days_ago(366),
        images_cutoff=days_ago(366),
        reads_deleted=40,
        reads_per_day={"2025-11-01": 40},
    )

    report = purge(requester=SETUP_REQUESTER)

    assert report.interrupted_runs_audited == 1
    events = AuditEvent.objects.filter(action="retention.purge").order_by("id")
    assert [e.query["interrupted"] for e in events] == [True, False]
    assert events[0].record_count == 40
    assert not PurgeRun.objects.filter(audited=False).exists()


def test_a_second_purge_at_the_same_time_is_refused(camera):
    from platekeeper.server.retention import files

    with files.exclusive_file_lock("purge.lock") as mine:
        assert mine
        with pytest.raises(RetentionError, match="another purge is running"):
            purge(requester=SETUP_REQUESTER)


def _content():
    from django.core.files.base import ContentFile

    from tests.support.factories import image_bytes

    return ContentFile(image_bytes())


def _alert_on(read_id: str):
    """An alert raised by a read (fields copied from the entry, as the alerts app stores them)."""
    from django.apps import apps
    from django.utils import timezone

    if not apps.is_installed("platekeeper.server.alerts"):
        pytest.skip("the alerts app is not installed")
    return apps.get_model("alerts", "Alert").objects.create(
        read_id=read_id,
        hotlist_name="Stolen vehicles",
        category="stolen_vehicle",
        priority=1,
        plate="7ABC123",
        entry_plate="7ABC123",
        entry_entered_at=timezone.now(),
        match_kind="exact",
        created_at=timezone.now(),
    )


def test_reads_that_raised_alerts_are_kept_for_the_alerted_period_then_go_with_their_alerts(
    camera,
):
    """GIVEN alerted reads 400 and 800 days old (alerted reads are kept 730 days) WHEN the
    purge runs THEN the younger stays with its alert, the older goes and so does its alert."""
    [young] = store_reads(camera, captured_at=days_ago(400))
    [old] = store_reads(camera, captured_at=days_ago(800))
    young_alert, old_alert = _alert_on(young), _alert_on(old)

    report = purge(requester=SETUP_REQUESTER)

    assert [str(i) for i in Read.objects.values_list("id", flat=True)] == [young]
    assert report.also_deleted == {"alerts.Alert": 1}
    alerts = type(young_alert).objects
    assert alerts.filter(pk=young_alert.pk).exists()
    assert not alerts.filter(pk=old_alert.pk).exists()
    event = AuditEvent.objects.filter(action="retention.purge").get()
    assert event.query["also_deleted"] == {"alerts.Alert": 1}


def test_hotlist_entries_expired_longer_than_their_period_are_purged(camera):
    """GIVEN entries expired 400 and 10 days ago, one that never expires, and an alert raised by
    the old one WHEN the purge runs (period 365 days) THEN only the old entry goes, in batches,
    counted in the run and its audit record, the matcher generation changes and the alert
    stays (without its link)."""
    from platekeeper.server.alerts.models import Alert
    from platekeeper.server.hotlists.actions import add_entry, create_hotlist
    from platekeeper.server.hotlists.models import HotlistEntry, HotlistGeneration

    hotlist = create_hotlist("Stolen", requester=SETUP_REQUESTER)
    old = [
        add_entry(hotlist, plate, requester=SETUP_REQUESTER, expires_at=days_ago(400)).entry
        for plate in ("1OLD001", "2OLD002", "3OLD003")
    ]
    add_entry(hotlist, "4RECENT", requester=SETUP_REQUESTER, expires_at=days_ago(10))
    add_entry(hotlist, "5NEVER5", requester=SETUP_REQUESTER)
    [read] = store_reads(camera, captured_at=days_ago(1), plate="7ABC123")
    Alert.objects.filter(pk=_alert_on(read).pk).update(entry=old[0])  # raised while it stood
    generation = HotlistGeneration.objects.get(pk=1).value

    assert purge(requester=SETUP_REQUESTER, dry_run=True).hotlist_entries_deleted == 3
    assert HotlistEntry.objects.count() == 5
    report = purge(requester=SETUP_REQUESTER, batch_size=2)

    assert report.hotlist_entries_deleted == 3
    assert sorted(HotlistEntry.objects.values_list("plate_normalized", flat=True)) == [
        "4RECENT",
        "5NEVER5",
    ]
    assert HotlistGeneration.objects.get(pk=1).value != generation
    assert Alert.objects.filter(entry__isnull=True).count() == 1
    run = PurgeRun.objects.get()
    assert run.also_deleted["hotlists.HotlistEntry"] == 3
    event = AuditEvent.objects.filter(action="retention.purge").order_by("-id").first()
    assert event.query["hotlist_entries_deleted"] == 3
    assert verify_chain().ok


def _partition_for(moment: dt.datetime) -> str:
    """Create the day partition of `moment` (PostgreSQL; SQLite has one table: skip)."""
    from django.db import connection

    from platekeeper.server.reads import partitions

    if connection.vendor != "postgresql":
        pytest.skip("day partitions exist on PostgreSQL only")
    day = moment.astimezone(dt.UTC).date()
    with connection.cursor() as cursor:
        partitions.ensure_partition(cursor, day)
    return partitions.partition_name(day)


def test_an_expired_day_is_dropped_whole_keeping_held_and_alerted_reads(camera):
    """GIVEN a day partition 400 days old with plain reads (one sharing its image with a young
    read), a held read and an alerted read WHEN the purge runs THEN the partition is gone, the
    held and alerted reads moved out and still readable, the images only the dropped reads used
    are gone, and the audit record names the partition, its rows and the reads moved."""
    from django.db import connection

    moment = days_ago(400).replace(hour=12)
    name = _partition_for(moment)
    dropped = store_reads(camera, captured_at=moment, count=3)
    shared = Read.objects.get(id=dropped[0]).plate_crop_id
    young = store_reads(camera, captured_at=days_ago(2), count=1)
    Read.objects.filter(id=young[0]).update(plate_crop_id=shared)
    held = store_reads(camera, captured_at=moment, plate="4HLD777")
    alerted = store_reads(camera, captured_at=moment)
    alert = _alert_on(alerted[0])
    custodian = make_user("carla", Role.CUSTODIAN)
    hold_plate(Requester(custodian, channel="cli"), plate="4HLD777")

    report = purge(requester=SETUP_REQUESTER)

    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [name])
        assert cursor.fetchone()[0] is None
    day = moment.astimezone(dt.UTC).date().isoformat()
    # The three dropped reads released their three images; one is shared with a young read.
    expected = {"partition": name, "day": day, "rows": 3, "moved": 2, "images_released": 3}
    assert report.dropped_partitions == [expected]
    assert report.reads_deleted == 3
    assert report.images_deleted == report.files_deleted == 2
    assert not ReleasedImage.objects.exists()
    assert not Read.objects.filter(id__in=dropped).exists()
    assert Read.objects.filter(id__in=[*held, *alerted, *young]).count() == 3
    assert type(alert).objects.filter(pk=alert.pk).exists()
    assert Image.objects.filter(sha256=shared).exists()
    event = AuditEvent.objects.filter(action="retention.purge").latest("id")
    assert event.query["dropped_partitions"] == [expected]
    assert event.query["reads_per_day"] == {day: 3}
    # The key of a dropped read is gone with it; the kept reads keep theirs.
    assert not ReadKey.objects.filter(id__in=dropped).exists()
    again = record_reads(camera, [read_item(id=held[0], captured_at=moment.isoformat())])
    assert again.duplicates == 1


def test_images_released_by_a_killed_run_are_deleted_by_the_next(camera):
    """GIVEN a run killed after a day's commit, before the day's keys and images went WHEN
    the purge runs again THEN the keys of the gone reads and the images it released that no
    read uses are deleted, rows and files."""
    _partition_for(days_ago(400))
    orphan = ReadKey.objects.create(id=uuid.uuid4(), captured_at=days_ago(401))
    kept = store_reads(camera, captured_at=days_ago(2), count=1)
    in_use = Read.objects.get(id=kept[0]).plate_crop_id
    path = default_storage.save("images/ab/left.jpg", ContentFile(b"jpg"))
    left = Image.objects.create(
        sha256="ab" * 32, content_type="image/jpeg", size_bytes=3, path=path
    )
    ReleasedImage.objects.bulk_create(
        [ReleasedImage(sha256=left.sha256), ReleasedImage(sha256=in_use)]
    )

    report = purge(requester=SETUP_REQUESTER)

    assert report.images_deleted == 1
    assert not Image.objects.filter(sha256=left.sha256).exists()
    assert not default_storage.exists(path)
    assert Image.objects.filter(sha256=in_use).exists()
    assert not ReleasedImage.objects.exists()
    assert not ReadKey.objects.filter(id=orphan.id).exists()
    assert ReadKey.objects.filter(id=kept[0]).exists()


def test_a_dropped_day_takes_the_alerts_of_reads_past_the_alerted_period(camera):
    moment = days_ago(800).replace(hour=12)
    _partition_for(moment)
    alerted = store_reads(camera, captured_at=moment)
    alert = _alert_on(alerted[0])

    report = purge(requester=SETUP_REQUESTER)

    assert report.dropped_partitions[0]["moved"] == 0
    assert report.also_deleted == {"alerts.Alert": 1}
    assert not type(alert).objects.filter(pk=alert.pk).exists()
    assert not Read.objects.filter(id__in=alerted).exists()


def test_a_person_without_the_custodians_permission_may_not_purge(camera):
    store_reads(camera, captured_at=days_ago(400), count=2)
    officer = Requester.person(make_user("ines", Role.INVESTIGATOR), channel="cli")

    with pytest.raises(AccessDenied, match="your role may not"):
        purge(requester=officer)

    assert Read.objects.count() == 2
    assert not PurgeRun.objects.exists()
    refusal = AuditEvent.objects.get(action="retention.purge")
    assert (refusal.outcome, refusal.username) == ("denied", "ines")
