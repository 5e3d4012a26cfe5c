"""Setting a hotlist's dispatch target, and queueing deliveries as alerts are raised and verified.

Queueing is one insert in the transaction that raised or verified the alert: sending happens in
the background job (`platekeeper.server.dispatch.sender`), so a slow or absent dispatch system
never holds up ingest, and a delivery is never lost to a crash in between.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit

from django.utils import timezone

from platekeeper.errors import PlatekeeperError
from platekeeper.server.access.gate import ADMINISTRATIVE, Requester, change, record_change
from platekeeper.server.access.roles import Permission
from platekeeper.server.dispatch.models import DispatchDelivery, DispatchEvent, DispatchTarget
from platekeeper.server.hotlists.models import Hotlist

#: A shorter shared secret is guessable; 32 random bytes is what the README suggests.
MIN_SECRET_BYTES = 16


class DispatchError(PlatekeeperError, ValueError):
    """A dispatch target was refused; the message starts with the field."""


def read_secret(secret_file: str) -> bytes:
    """The shared secret in `secret_file` (surrounding whitespace ignored)."""
    try:
        secret = Path(secret_file).read_bytes().strip()
    except OSError as error:
        raise DispatchError(f"secret_file: cannot read {secret_file}: {error.strerror}") from None
    if len(secret) < MIN_SECRET_BYTES:
        raise DispatchError(
            f"secret_file: {secret_file} holds {len(secret)} bytes; at least "
            f"{MIN_SECRET_BYTES} are needed (e.g. `openssl rand -hex 32`)"
        )
    return secret


def _check_url(url: str) -> str:
    parts = urlsplit(url.strip())
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise DispatchError(f"url: {url!r} is not an http:// or https:// address")
    return url.strip()


@change(Permission.MANAGE_SETTINGS, "hotlist.dispatch")
def set_dispatch_target(
    hotlist_name: str, *, requester: Requester, url: str | None, secret_file: str = ""
) -> DispatchTarget | None:
    """Send this hotlist's raised and verified alerts to `url`, signed with the secret in
    `secret_file` (kept on disk, named here); `url=None` stops sending (queued ones are dropped)."""
    hotlist = Hotlist.objects.filter(name=hotlist_name).first()
    if hotlist is None:
        raise DispatchError(f"name: no hotlist named {hotlist_name!r}")
    if url is None:
        DispatchTarget.objects.filter(hotlist=hotlist).delete()
        target = None
        query = {"hotlist": hotlist.name, "url": ""}
    else:
        url = _check_url(url)
        secret_path = str(Path(secret_file).resolve()) if secret_file else ""
        read_secret(secret_path)
        target, _ = DispatchTarget.objects.update_or_create(
            hotlist=hotlist, defaults={"url": url, "secret_file": secret_path}
        )
        query = {"hotlist": hotlist.name, "url": url, "secret_file": secret_path}
    record_change(requester, ADMINISTRATIVE, action="hotlist.dispatch", query=query)
    return target


def queue_deliveries(alerts: Sequence[tuple[int, int | None]], event: DispatchEvent) -> int:
    """Queue `event` of each `(alert id, hotlist id)` whose hotlist has a target; call inside the
    transaction that raised or verified them (one query when no hotlist has one)."""
    if not alerts:
        return 0
    targets = dict(
        DispatchTarget.objects.filter(
            hotlist_id__in={hotlist for _, hotlist in alerts}
        ).values_list("hotlist_id", "id")
    )
    now = timezone.now()
    queued = [
        DispatchDelivery(
            alert_id=alert_id,
            target_id=targets[hotlist_id],
            event=event,
            next_attempt_at=now,
            created_at=now,
        )
        for alert_id, hotlist_id in alerts
        if hotlist_id in targets
    ]
    DispatchDelivery.objects.bulk_create(queued)
    return len(queued)
