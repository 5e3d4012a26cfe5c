"""`platekeeper seed-demo`: a demo town lands in the database once."""

from __future__ import annotations

import pytest

from platekeeper.server.access.gate import Justification, Requester
from platekeeper.server.access.models import User
from platekeeper.server.alerts.models import Alert
from platekeeper.server.cameras.models import Camera
from platekeeper.server.demo_seed import seed_demo
from platekeeper.server.hotlists.models import HotlistEntry
from platekeeper.server.reads.models import Image, Read
from platekeeper.server.reads.queries import search_plate
from platekeeper.server.records.models import RecordsRequest
from platekeeper.server.sharing.models import Disclosure
from platekeeper.server.sharing.selfcheck import sharing_findings

pytestmark = [pytest.mark.django_db, pytest.mark.both_databases]


def test_the_demo_town_is_seeded_once_with_cameras_reads_crops_and_alerts():
    first = seed_demo(days=1)
    second = seed_demo(days=1)

    assert first.reads_stored == Read.objects.count() > 500
    assert Camera.objects.filter(kind="mobile").count() == 2
    assert Camera.objects.filter(kind="fixed").count() >= 12
    assert Image.objects.exists()
    assert not Camera.objects.filter(last_seen_at__isnull=True).exists()
    assert not Read.objects.filter(plate_crop__isnull=True).exists()
    assert second.already_seeded
    assert Read.objects.count() == first.reads_stored
    assert "investigator" in first.describe()
    assert HotlistEntry.objects.count() >= 3
    assert Alert.objects.exists()  # the demo hotlist's plates are among the reads
    assert RecordsRequest.objects.get().routed_to == "auditor"


def test_the_demo_partner_searches_under_its_agreement_and_the_sharing_log_shows_it():
    seed_demo(days=1)
    partner = Requester(User.objects.get(username="partner"), channel="ui")
    plate = Read.objects.values_list("plate", flat=True).first()

    found = search_plate(partner, Justification("stolen_vehicle", "OPD-26-0042"), plate=plate)

    assert found.results
    assert Disclosure.objects.get().agency == "Oakland Police Department"
    assert sharing_findings() == []
