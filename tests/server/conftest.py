"""Server fixtures: a registered camera with its device token, and a client that posts reads."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from django.test import Client

from platekeeper.server.cameras.actions import add_camera
from platekeeper.server.cameras.models import Camera
from tests.support.people import SETUP_REQUESTER


@dataclass
class Device:
    """A registered camera and a client that posts as it."""

    camera: Camera
    token: str
    client: Client

    def post(self, path: str, body: object, **headers: str):
        return self.client.post(
            path,
            data=json.dumps(body),
            content_type="application/json",
            headers={"Authorization": f"Bearer {self.token}", **headers},
        )

    def post_reads(self, items: list[dict]):
        return self.post("/api/v1/reads", {"reads": items})


@pytest.fixture
def device(db) -> Device:
    created = add_camera(
        "Grand Ave at Wildwood", requester=SETUP_REQUESTER, latitude=37.8215, longitude=-122.2406
    )
    return Device(camera=created.camera, token=created.token, client=Client())


@pytest.fixture
def patrol_car(db) -> Device:
    created = add_camera("Patrol 12", requester=SETUP_REQUESTER, mobile=True)
    return Device(camera=created.camera, token=created.token, client=Client())
