"""POST /api/v1/hotlists/{name}/import: an administrator's integration refreshes a list."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from platekeeper.server.access.actions import create_personal_token
from platekeeper.server.access.roles import Role
from platekeeper.server.hotlists.actions import create_hotlist
from platekeeper.server.hotlists.models import HotlistEntry
from tests.support.people import SETUP_REQUESTER, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.both_databases]


def _client(role: Role) -> Client:
    make_user("amir", role)
    return Client(
        headers={
            "Authorization": f"Bearer {create_personal_token('amir', requester=SETUP_REQUESTER)[1]}"
        }
    )


def _post(client: Client, body: bytes, **fields: str):
    create_hotlist("BOLO", requester=SETUP_REQUESTER)
    return client.post(
        "/api/v1/hotlists/BOLO/import",
        data={"file": SimpleUploadedFile("bolo.csv", body), **fields},
    )


def test_an_administrator_imports_a_file_with_a_column_mapping():
    response = _post(
        _client(Role.ADMINISTRATOR),
        b"LicNo,St\n7ABC123,CA\nBAD#,CA\n",
        mapping="plate=LicNo,state=St",
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["added"], body["invalid"]) == (
        1,
        [{"line": 3, "reason": body["invalid"][0]["reason"]}],
    )
    assert HotlistEntry.objects.get().state == "CA"


def test_an_investigator_may_not_change_hotlists():
    response = _post(_client(Role.INVESTIGATOR), b"plate\n7ABC123\n")

    assert response.status_code == 403
    assert not HotlistEntry.objects.exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [({"mapping": "plate"}, "mapping: 'plate' is not ours=theirs"), ({"format": "xml"}, "format:")],
)
def test_bad_import_options_are_named(fields, message):
    response = _post(_client(Role.ADMINISTRATOR), b"plate\n7ABC123\n", **fields)

    assert response.status_code == 400
    assert message in response.json()["detail"]


def test_the_import_answer_lists_ncic_immigration_records_refused_under_7284_6():
    response = _post(
        _client(Role.ADMINISTRATOR),
        b"7ABC123|CA|2025|PC|V1|CA0013900|V|20261120\n4IVF001|CA|2025|PC|I1|DHS0|I|20261120\n",
        format="ncic",
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["added"] == 1
    (refused,) = body["refused"]
    assert refused["line"] == 2
    assert "Immigration Violator File" in refused["category"]
    assert "Gov. Code §7284.6" in refused["reason"]
