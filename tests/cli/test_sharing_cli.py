"""`platekeeper agency ...` and `sharing ...` as an administrator uses them on the server."""

from __future__ import annotations

import datetime as dt

import pytest
from click.testing import CliRunner
from django.utils import timezone

from platekeeper.cli.main import cli
from platekeeper.server.access.models import AuditEvent
from platekeeper.server.sharing.models import SharingSettings

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def add_agreement(agency: str):
    return run(
        "sharing", "agreement", "add",
        "--agency", agency,
        "--reference", "MOU 2026-07",
        "--scope", "search", "--scope", "alerts",
        "--purpose", "stolen_vehicle",
        "--partner-retention-days", "365",
        "--starts", f"{TODAY}",
        "--ends", f"{TODAY + dt.timedelta(days=365)}",
        "--approved-by", "Chief Jeremy Bowers",
        "--approved-on", f"{TODAY}",
    )  # fmt: skip


def test_an_agreement_with_a_private_company_fails_with_one_readable_line():
    run("agency", "add", "Lot Watch LLC", "--type", "private")

    refused = add_agreement("Lot Watch LLC")

    assert refused.exit_code == 1
    assert refused.output.count("\n") == 1
    assert "Error: agency: Lot Watch LLC is a private entity" in refused.output


def test_agency_agreement_switch_status_and_token():
    added = run("agency", "add", "Oakland Police Department", "--type", "law_enforcement",
                "--ori", "CA0010900")  # fmt: skip
    agreed = add_agreement("CA0010900")
    switched = run("sharing", "on", "--reason", "MOU 2026-07 signed")
    status = run("sharing", "status")
    token = run(
        "sharing", "token", "Oakland Police Department",
        "--contact", "Sgt. Dana Reyes", "--attested-on", f"{TODAY}",
    )  # fmt: skip

    assert added.exit_code == 0, added.output
    assert agreed.exit_code == 0, agreed.output
    assert switched.exit_code == 0, switched.output
    assert "Sharing is ON." in status.output
    assert "MOU 2026-07 with Oakland Police Department: in effect" in status.output
    assert token.exit_code == 0, token.output
    assert token.output.startswith("pkp_")
    assert "agency-ca0010900" in token.output
    assert AuditEvent.objects.filter(action="sharing.settings", username__startswith="console:")


def test_check_exits_non_zero_on_drift_and_names_it():
    SharingSettings.objects.update_or_create(pk=1, defaults={"sharing_enabled": True})

    drift = run("sharing", "check")

    assert drift.exit_code == 1
    assert "DRIFT: sharing is on but was not switched on through platekeeper" in drift.output


def test_check_passes_and_log_is_empty_on_a_fresh_install():
    assert run("sharing", "check").exit_code == 0
    assert "Nothing has been shared." in run("sharing", "log").output
