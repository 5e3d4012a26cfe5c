"""Publishing a new version of the department's ALPR policy on the transparency page."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from django.conf import settings
from django.db import transaction

from platekeeper.errors import PlatekeeperError
from platekeeper.server.access.gate import ADMINISTRATIVE, Requester, authorize, record_change
from platekeeper.server.access.roles import Permission


class PolicyError(PlatekeeperError, ValueError):
    """The policy cannot be published; the message says why."""


def publish_policy(text: str, *, requester: Requester) -> Path:
    """Replace the posted policy (written atomically) and audit who published which version."""
    authorize(
        requester,
        permission=Permission.MANAGE_SETTINGS,
        justification=ADMINISTRATIVE,
        action="policy.publish",
        query={},
    )
    if not text.strip():
        raise PolicyError("policy: the file is empty")
    path = Path(settings.PLATEKEEPER_POLICY_FILE)
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_suffix(path.suffix + ".new")
    draft.write_text(text, encoding="utf-8")
    with transaction.atomic():
        record_change(
            requester,
            ADMINISTRATIVE,
            action="policy.publish",
            query={"sha256": hashlib.sha256(text.encode()).hexdigest(), "bytes": len(text)},
        )
        os.replace(draft, path)
    return path
