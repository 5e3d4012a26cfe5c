"""The daily self-check: does the effective sharing state match what was approved?

Real systems failed here: a "national lookup" setting switched back on unnoticed gave
out-of-state agencies hundreds of thousands of searches. So once a day (and on demand) the
switch and every agreement are compared with their audit records, every agreement in effect is
checked against the eligibility rules, and every active partner account is checked to have an
agreement in effect. Any finding is an alarm: logged as an error, audited, and shown to
administrators and auditors on the sharing and compliance pages.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from platekeeper.server.access.audit import record_event
from platekeeper.server.access.gate import ADMINISTRATIVE, Requester, authorize, held_permission
from platekeeper.server.access.models import User
from platekeeper.server.access.roles import Permission, Role
from platekeeper.server.sharing.eligibility import eligibility_problem
from platekeeper.server.sharing.integrity import agreement_problem, settings_problem
from platekeeper.server.sharing.models import Agreement, SelfCheck
from platekeeper.server.sharing.scope import agreements_in_effect, current_settings

log = logging.getLogger(__name__)
#: The daily job that runs the check by itself.
SYSTEM = Requester.system("sharing-check")


def sharing_findings() -> list[str]:
    """Every way the effective sharing state differs from the approved one (empty: none)."""
    today = timezone.localdate()
    findings = []
    problem = settings_problem(current_settings())
    if problem:
        findings.append(problem)
    live = Agreement.objects.select_related("partner").filter(
        revoked_at__isnull=True, ends_on__gte=today
    )
    for agreement in live.prefetch_related("purposes"):
        problems = (agreement_problem(agreement), eligibility_problem(agreement.partner))
        findings.extend(problem for problem in problems if problem)
    partners = User.objects.select_related("agency").filter(
        is_active=True, agency__isnull=False, agency__is_home=False
    )
    for account in partners:
        agency = account.agency  # never None: the query asks for an agency
        if agency is not None and not agreements_in_effect(agency.id, today):
            findings.append(
                f"active account {account.username!r} of {agency.name} has no "
                "agreement in effect; disable it"
            )
    wrong_role = User.objects.filter(is_active=True, agency__is_home=False).exclude(
        groups__name=Role.PARTNER.value
    )
    findings.extend(
        f"account {name!r} of another agency has a role other than partner"
        for name in wrong_role.values_list("username", flat=True)
    )
    return findings


def run_self_check(requester: Requester = SYSTEM) -> SelfCheck:
    """Compare, record the result, and raise the alarm on any drift.

    Run daily by the server (`SYSTEM`), or on demand by whoever manages sharing or audits it
    (asked of the gate: role, account, training; refusals audited)."""
    authorize(
        requester,
        permission=held_permission(requester, (Permission.MANAGE_SHARING, Permission.VIEW_AUDIT)),
        justification=ADMINISTRATIVE,
        action="sharing.selfcheck",
        query={},
    )
    findings = sharing_findings()
    with transaction.atomic():
        check = SelfCheck.objects.create(ran_at=timezone.now(), ok=not findings, findings=findings)
        record_event(
            actor=requester.actor,
            action="sharing.selfcheck",
            reason="; ".join(findings),
            query={"ok": check.ok, "findings": len(findings)},
            channel=requester.channel,
            client_address=requester.client_address,
        )
    for finding in findings:
        log.error("sharing self-check: %s", finding)
    return check
