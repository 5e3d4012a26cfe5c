"""Publishing the ALPR policy on the web: upload or paste, audited, shown to the public at once."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from platekeeper.server.access.models import AuditEvent
from platekeeper.server.access.roles import Role
from tests.web.conftest import signed_in

pytestmark = [pytest.mark.django_db, pytest.mark.both_databases]

POLICY = "438 Automated License Plate Readers\n\n438.1 PURPOSE AND SCOPE\n"


@pytest.fixture(autouse=True)
def _policy_file(settings, tmp_path):
    settings.PLATEKEEPER_POLICY_FILE = str(tmp_path / "policy.txt")


@pytest.fixture
def admin() -> Client:
    return signed_in("ada", Role.ADMINISTRATOR)


def _public_page() -> str:
    return Client().get("/transparency").content.decode()


def test_an_administrator_uploads_the_policy_and_the_public_sees_it(admin):
    answer = admin.post("/policy", {"file": SimpleUploadedFile("438.txt", POLICY.encode())})

    assert answer.status_code == 302
    assert "438.1 PURPOSE AND SCOPE" in _public_page()
    event = AuditEvent.objects.get(action="policy.publish", outcome="allowed")
    assert (event.username, event.channel) == ("ada", "ui")
    assert event.query["sha256"] == hashlib.sha256(POLICY.encode()).hexdigest()
    assert "438.1 PURPOSE AND SCOPE" in admin.get("/policy").content.decode()


def test_pasted_text_is_published_as_typed(admin):
    assert admin.post("/policy", {"text": POLICY}).status_code == 302

    assert "438 Automated License Plate Readers" in _public_page()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"text": "  \n "}, "text", "upload the policy&#x27;s file or paste its text"),
        ({"file": SimpleUploadedFile("438.pdf", b"%PDF-1.7\xff\xfe")}, "file", "UTF-8"),
        (
            {"file": SimpleUploadedFile("438.txt", POLICY.encode()), "text": POLICY},
            "__all__",
            "not both",
        ),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_published(
    admin, data, field, message
):
    answer = admin.post("/policy", data)

    assert answer.status_code == 400
    assert field in answer.context["form"].errors
    assert message in answer.content.decode()
    assert not AuditEvent.objects.filter(action="policy.publish", outcome="allowed").exists()
    assert "438.1" not in _public_page()


@pytest.mark.parametrize("role", [Role.INVESTIGATOR, Role.AUDITOR, Role.CUSTODIAN])
def test_other_roles_may_not_publish_and_the_refusal_is_audited(role):
    client = signed_in("someone", role)

    assert client.get("/policy").status_code == 403
    assert client.post("/policy", {"text": POLICY}).status_code == 403
    assert "438.1" not in _public_page()
    assert AuditEvent.objects.filter(
        action="policy.publish", outcome="denied", username="someone"
    ).exists()


def test_the_policy_link_is_in_the_administrators_menu_only(admin):
    assert 'href="/policy"' in admin.get("/").content.decode()
    auditor = signed_in("audrey", Role.AUDITOR)
    assert 'href="/policy"' not in auditor.get("/").content.decode()
