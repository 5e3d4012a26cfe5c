"""The background job that sends queued deliveries to dispatch, retrying with backoff.

Each attempt takes the payload out through the gate (a system requester, audited as
`alerts.dispatch`, a disclosure to the department's own system), signs it (`signing`) and
POSTs it. A 2xx answer marks the delivery delivered; anything else (or no answer) schedules the
next attempt after a doubling wait, until `MAX_ATTEMPTS`. The payload holds only what dispatch
needs: plate, state, list, place, time and a link to the alert.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import urllib.error
import urllib.request

from django.utils import timezone

from platekeeper.server.access.gate import ADMINISTRATIVE, RecordNotFound, Requester
from platekeeper.server.alerts.queries import alert_for_dispatch
from platekeeper.server.dispatch.actions import DispatchError, read_secret
from platekeeper.server.dispatch.models import DeliveryStatus, DispatchDelivery
from platekeeper.server.dispatch.signing import SIGNATURE_HEADER, signature_header

log = logging.getLogger(__name__)
DISPATCH_REQUESTER = Requester.system("alert-dispatch")
#: After this many failed attempts (about 9 hours of waiting) a delivery is given up.
MAX_ATTEMPTS = 12
FIRST_RETRY_SECONDS = 30
LONGEST_RETRY_SECONDS = 3600
SEND_TIMEOUT_SECONDS = 10
#: A claimed delivery is not picked up by another runner for this long.
CLAIM_SECONDS = 60
BATCH = 100


def retry_delay(attempts: int) -> dt.timedelta:
    """The wait after the `attempts`-th failure: 30 s, 1 min, 2 min, ... at most an hour."""
    return dt.timedelta(
        seconds=min(FIRST_RETRY_SECONDS * 2 ** (attempts - 1), LONGEST_RETRY_SECONDS)
    )


def send_due_deliveries(now: dt.datetime | None = None) -> int:
    """Attempt every delivery that is due; return how many were delivered. The scheduler's job."""
    now = now or timezone.now()
    due = list(
        DispatchDelivery.objects.filter(
            status=DeliveryStatus.PENDING, next_attempt_at__lte=now
        ).order_by("next_attempt_at", "id")[:BATCH]
    )
    return sum(_attempt(delivery, now) for delivery in due if _claim(delivery, now))


def _claim(delivery: DispatchDelivery, now: dt.datetime) -> bool:
    """Move the delivery's next attempt past the send, so a second runner leaves it alone."""
    claimed = DispatchDelivery.objects.filter(
        pk=delivery.pk, status=DeliveryStatus.PENDING, next_attempt_at=delivery.next_attempt_at
    ).update(next_attempt_at=now + dt.timedelta(seconds=CLAIM_SECONDS))
    return claimed == 1


def _attempt(delivery: DispatchDelivery, now: dt.datetime) -> bool:
    target = delivery.target
    attempt = delivery.attempts + 1
    try:
        secret = read_secret(target.secret_file)
        body = _gated_body(delivery, attempt)
        _post(target.url, body, secret, delivery)
    except (DispatchError, RecordNotFound, OSError) as error:
        _failed(delivery, attempt, now, str(error))
        return False
    delivery.status = DeliveryStatus.DELIVERED
    delivery.attempts = attempt
    delivery.delivered_at = timezone.now()
    delivery.last_error = ""
    delivery.save(update_fields=["status", "attempts", "delivered_at", "last_error"])
    return True


def _gated_body(delivery: DispatchDelivery, attempt: int) -> bytes:
    """The payload, through the gate: each attempt sends it out, so each is audited."""
    payload = alert_for_dispatch(
        delivery.alert_id,
        requester=DISPATCH_REQUESTER,
        justification=ADMINISTRATIVE,
        query={
            "alert": delivery.alert_id,
            "event": delivery.event,
            "url": delivery.target.url,
            "delivery": delivery.pk,
            "attempt": attempt,
        },
    )
    return json.dumps({"event": delivery.event, **payload}, separators=(",", ":")).encode()


def _post(url: str, body: bytes, secret: bytes, delivery: DispatchDelivery) -> None:
    timestamp = int(timezone.now().timestamp())
    # The scheme was checked to be http(s) when the target was set.
    request = urllib.request.Request(  # noqa: S310
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "Platekeeper-Event": delivery.event,
            "Platekeeper-Delivery": str(delivery.pk),
            SIGNATURE_HEADER: signature_header(secret, timestamp, body),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=SEND_TIMEOUT_SECONDS) as response:  # noqa: S310
            response.read()
    except urllib.error.HTTPError as error:
        raise DispatchError(f"{url} answered {error.code}") from None
    except urllib.error.URLError as error:
        raise DispatchError(f"{url}: {error.reason}") from None


def _failed(delivery: DispatchDelivery, attempt: int, now: dt.datetime, error: str) -> None:
    delivery.attempts = attempt
    delivery.last_error = error[:300]
    if attempt >= MAX_ATTEMPTS:
        delivery.status = DeliveryStatus.FAILED
        log.error("gave up sending alert %s to dispatch: %s", delivery.alert_id, error)
    else:
        delivery.next_attempt_at = now + retry_delay(attempt)
        log.warning(
            "alert %s not sent to dispatch (attempt %s): %s", delivery.alert_id, attempt, error
        )
    delivery.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
