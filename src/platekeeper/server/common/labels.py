"""The words people read for the codes the system stores, and the one way times and numbers are
written for them.

The database, the API and the audit chain keep codes (`criminal_investigation`, `reads.search`,
`on_file`): they are stable and machine-readable. Pages (the `label`, `when`, `number` and
`query_text` template filters), the auditor's reports and the CLI's tables, and the export files
ask here instead, so a purpose or an outcome reads the same everywhere and a new code is named
once. A code nobody named yet still reads as words ("sharing.agreement.add" becomes "Sharing
agreement add"), never as a blank.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from typing import Any

from django.core.signals import request_started
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from platekeeper.server.access.models import Outcome, Purpose
from platekeeper.server.access.roles import Role
from platekeeper.server.alerts.models import AlertStatus, CletsCheck, VisualCheck
from platekeeper.server.hotlists.models import HotlistCategory, HotlistSource
from platekeeper.server.records.models import Decision, LegalBasis, RequestKind, RequestStatus
from platekeeper.server.sharing.models import AgreementKind, Scope

#: Audit actions (`AuditEvent.action`), as the audit pages and reports name them.
ACTIONS: dict[str, str] = {
    "agency.add": "Agency added",
    "alerts.acknowledge": "Alert acknowledged",
    "alerts.alert": "Alert step",
    "alerts.clets_check": "Alert CLETS/NCIC check",
    "alerts.close": "Alert outcome",
    "alerts.detail": "Alert viewed",
    "alerts.dispatch": "Alert sent to dispatch",
    "alerts.enforcement": "Alert enforcement action",
    "alerts.list": "Alert list viewed",
    "alerts.live": "Live alert feed",
    "alerts.visual_check": "Alert visual check",
    "audit.report": "Audit report run",
    "audit.view": "Audit log viewed",
    "camera.add": "Camera added",
    "camera.token_issue": "Camera token issued",
    "camera.token_revoke": "Camera token revoked",
    "compliance.officials": "Program officials named",
    "compliance.report": "Compliance report run",
    "hotlist.create": "Hotlist created",
    "hotlist.dispatch": "Hotlist dispatch target set",
    "hotlist.entry_add": "Hotlist entry added",
    "hotlist.import": "Hotlist imported",
    "hotlists.agent_copy": "Hotlist copy sent to a camera",
    "hotlists.shared_entries": "Hotlist entries shared",
    "hotlists.view": "Hotlists viewed",
    "images.view": "Image viewed",
    "login": "Signed in",
    "login.failed": "Sign-in failed",
    "login.lockout": "Account locked after failed sign-ins",
    "login.totp": "Second factor checked",
    "login.totp_failed": "Second factor failed",
    "logout": "Signed out",
    "policy.publish": "Policy published",
    "purpose.activate": "Purpose reactivated",
    "purpose.add": "Purpose added",
    "purpose.retire": "Purpose retired",
    "reads.canvass": "Canvass",
    "reads.convoy": "Convoy search",
    "reads.correct": "Read corrected",
    "reads.detail": "Read viewed",
    "reads.export": "Reads exported",
    "reads.scenes": "Multiple-scene search",
    "reads.search": "Plate search",
    "reads.sightings": "Sightings around a read",
    "records.decide": "Records request decided",
    "records.extend": "Records request extended",
    "records.intake": "Records request taken in",
    "records.release": "Records released",
    "records.view": "Records requests viewed",
    "retention.evidence_export": "Evidence exported",
    "retention.hold_place": "Evidence hold placed",
    "retention.hold_release": "Evidence hold released",
    "retention.holds_view": "Evidence holds viewed",
    "retention.purge": "Purge run",
    "retention.purges_view": "Purge runs viewed",
    "retention.settings": "Retention periods changed",
    "settings.require_totp": "Second factor requirement changed",
    "sharing.agency.add": "Partner agency added",
    "sharing.agreement.add": "Sharing agreement added",
    "sharing.agreement.revoke": "Sharing agreement revoked",
    "sharing.log.view": "Sharing log viewed",
    "sharing.selfcheck": "Sharing self-check",
    "sharing.settings": "Sharing switched",
    "sharing.token.attest": "Agency token attested",
    "token.create": "API token created",
    "token.revoke": "API token revoked",
    "totp.confirm": "Second factor confirmed",
    "totp.enrol": "Second factor set up",
    "totp.remove": "Second factor removed",
    "training.record": "Training recorded",
    "training.view": "Training viewed",
    "user.create": "User created",
    "user.disable": "User disabled",
    "user.password_change": "Password changed",
    "user.role_change": "Role changed",
    "users.view": "Users viewed",
}

#: The steps of an alert's verification (`AlertAction.action`).
ALERT_STEPS: dict[str, str] = {
    "acknowledge": "Acknowledged",
    "visual_check": "Visual check",
    "clets_check": "CLETS/NCIC check",
    "close": "Outcome",
    "enforcement": "Enforcement action",
}

#: The results a step records (`AlertAction.value`): a visual check, a CLETS check or an outcome.
ALERT_RESULTS: dict[str, str] = {
    **dict(VisualCheck.choices),
    **dict(CletsCheck.choices),
    **dict(AlertStatus.choices),
}

#: How a read matched a hotlist entry (`Alert.match_kind`, `platekeeper.matching`).
MATCH_KINDS: dict[str, str] = {
    "exact": "Exact",
    "lookalike": "Look-alike",
    "partial": "Partial plate",
    "fuzzy": "One character away",
}

#: Where an access came from (`AuditEvent.channel`).
CHANNELS: dict[str, str] = {"ui": "web", "api": "API", "cli": "console", "system": "system"}

#: The names of the parts of a query (`AuditEvent.query`), as the forms call them.
QUERY_KEYS: dict[str, str] = {
    "start": "From",
    "end": "To",
    "since": "From",
    "until": "To",
    "lookalike": "Look-alike",
    "min_scenes": "Seen in at least",
    "within_s": "Within (seconds)",
    "min_cameras": "At cameras",
    "radius_m": "Radius (m)",
    "color": "Colour",
    "case": "Case",
    "sample_size": "Sample size",
    "legal_basis": "Legal basis",
    "received_on": "Received",
    "require_totp": "Second factor required",
}

#: Kinds of codes with fixed words; purposes come from the Purpose table (`purpose_label`).
FIXED: dict[str, Mapping[str, str]] = {
    "action": ACTIONS,
    "outcome": dict(Outcome.choices),
    "alert_status": dict(AlertStatus.choices),
    "alert_step": ALERT_STEPS,
    "alert_result": ALERT_RESULTS,
    "match_kind": MATCH_KINDS,
    "channel": CHANNELS,
    "role": {role.value: role.label for role in Role},
    "hotlist_category": dict(HotlistCategory.choices),
    "hotlist_source": dict(HotlistSource.choices),
    "records_kind": dict(RequestKind.choices),
    "records_status": dict(RequestStatus.choices),
    "decision": dict(Decision.choices),
    "legal_basis": dict(LegalBasis.choices),
    "scope": dict(Scope.choices),
    "agreement_kind": dict(AgreementKind.choices),
}
KINDS = ("purpose", *FIXED)


def label(kind: str, code: object) -> str:
    """The words for `code` of this kind ("" for no code); an unnamed code as plain words."""
    if code in (None, ""):
        return ""
    text = str(code)
    if kind == "purpose":
        return purpose_label(text)
    if kind not in FIXED:
        raise ValueError(f"kind: {kind!r} is not a kind of label (one of {', '.join(KINDS)})")
    return FIXED[kind].get(text) or words(text)


def purpose_label(code: str) -> str:
    """A purpose's label from the Purpose table (retired ones too), or the code as words."""
    return _purpose_labels().get(code) or words(code)


@functools.cache
def _purpose_labels() -> dict[str, str]:
    # One small query per request, not one per row: forgotten when a request starts and when a
    # purpose is saved here, so a purpose added from the console shows on the next page.
    return dict(Purpose.objects.values_list("code", "label"))


def _forget_purposes(**_: Any) -> None:
    _purpose_labels.cache_clear()


request_started.connect(_forget_purposes, dispatch_uid="labels.request_started")
post_save.connect(_forget_purposes, sender=Purpose, dispatch_uid="labels.purpose_saved")
post_delete.connect(_forget_purposes, sender=Purpose, dispatch_uid="labels.purpose_deleted")


def words(code: str) -> str:
    """A code as plain words: `criminal_investigation` and `sharing.agreement.add` become
    "Criminal investigation" and "Sharing agreement add"."""
    text = code.replace(".", " ").replace("_", " ").replace("-", " ").strip()
    return text[:1].upper() + text[1:]


# --- times and numbers ------------------------------------------------------------------------


def local_time(moment: dt.datetime | None, *, seconds: bool = False) -> str:
    """A moment as a person reads it on screen, in the server's zone with the zone's name:
    `2026-11-29 11:05 PST` ("" for none)."""
    if moment is None:
        return ""
    pattern = "%Y-%m-%d %H:%M:%S %Z" if seconds else "%Y-%m-%d %H:%M %Z"
    return timezone.localtime(moment).strftime(pattern)


def export_time(moment: dt.datetime | None, *, sep: str = "T") -> str:
    """A moment as files and reports carry it: ISO 8601 in the server's zone with its UTC
    offset (`2026-11-29T11:05:00-08:00`), so a spreadsheet shows the time the screen showed and
    a program still knows the instant ("" for none)."""
    if moment is None:
        return ""
    return timezone.localtime(moment).isoformat(sep=sep, timespec="seconds")


def number(value: object) -> str:
    """A count with thousands separators (`41,890`); anything else as it is ("" for none)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return "" if value is None else str(value)


# --- queries ----------------------------------------------------------------------------------


def query_text(query: object) -> str:
    """An audit event's query as readable text: `Plate: 7ABC123 · From: 2026-11-22 00:00 PST`,
    named as the forms name them, codes as words, empty parts left out."""
    if not isinstance(query, Mapping):
        return "" if query in (None, "") else str(query)
    parts = []
    for key, value in query.items():
        if value in (None, "", False, [], {}):
            continue
        parts.append(f"{QUERY_KEYS.get(key) or words(str(key))}: {_value_text(key, value)}")
    return " · ".join(parts)


def _value_text(key: str, value: object) -> str:
    if value is True:
        return "yes"
    if isinstance(value, Mapping):
        return f"({query_text(value)})"
    if isinstance(value, list | tuple):
        return ", ".join(_value_text(key, item) for item in value)
    if isinstance(value, str):
        moment = _moment(value)
        if moment is not None:
            return local_time(moment)
        if key in ("purpose", "purposes"):  # an access's purpose, an agreement's list
            return purpose_label(value)
        if key in ("decision", "legal_basis", "outcome"):
            return label(key, value)
        if key == "category":  # a hotlist's
            return label("hotlist_category", value)
        if key in ("role", "from", "to") and value in FIXED["role"]:  # a role change
            return label("role", value)
    return str(value)


def _moment(text: str) -> dt.datetime | None:
    """`text` as an aware moment when it is an ISO 8601 date and time with an offset."""
    if len(text) < 16 or text[4:5] != "-" or text[10:11] not in ("T", " "):
        return None
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None
