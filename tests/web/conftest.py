"""Fixtures for the web interface: signed-in clients by role, and stored reads to find."""

from __future__ import annotations

import base64

import pytest
from django.test import Client

from platekeeper.server.access.roles import Role
from platekeeper.server.reads.actions import record_reads
from tests.support.factories import CameraFactory, image_bytes, read_item
from tests.support.people import PASSWORD, make_user


def signed_in(
    username: str, role: Role = Role.INVESTIGATOR, *, training: str = "current"
) -> Client:
    """A client signed in through the real login form (so the login is audited as in life)."""
    make_user(username, role, training=training)
    client = Client()
    response = client.post("/login", {"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.content
    return client


def with_purpose(client: Client, purpose: str = "stolen_vehicle", case: str = "24-0113") -> Client:
    response = client.post("/purpose", {"purpose": purpose, "case_number": case})
    assert response.status_code == 302, response.content
    return client


@pytest.fixture
def investigator(db) -> Client:
    return signed_in("ines", Role.INVESTIGATOR)


@pytest.fixture
def stored_reads(db) -> list[dict]:
    """Three reads of 6TRL204 with plate crops, and one of another plate."""
    crop = base64.b64encode(image_bytes()).decode()
    items = [read_item(plate="6TRL204", plate_crop=crop) for _ in range(3)]
    items.append(read_item(plate="8XYZ999"))
    record_reads(CameraFactory(name="Grand Ave at Wildwood"), items)
    return items
