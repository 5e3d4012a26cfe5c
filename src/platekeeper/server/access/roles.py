"""The roles of Policy 438 and what each may do. Roles are Django groups carrying permissions."""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    """A user's single role; the value is the CLI name, the label the policy's title."""

    ADMINISTRATOR = "administrator"
    OPERATOR = "operator"
    INVESTIGATOR = "investigator"
    AUDITOR = "auditor"
    CUSTODIAN = "custodian"
    PARTNER = "partner"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.ADMINISTRATOR: "ALPR Administrator",
    Role.OPERATOR: "Operator / Officer",
    Role.INVESTIGATOR: "Investigator",
    Role.AUDITOR: "Auditor (Support Services Division Commander)",
    Role.CUSTODIAN: "Records Custodian",
    Role.PARTNER: "Partner-agency user",
}


class Permission(enum.StrEnum):
    """Custom permissions (codenames on the access.User model); checked by the access gate."""

    SEARCH_READS = "search_reads"
    CANVASS_READS = "canvass_reads"
    VIEW_ALERTS = "view_alerts"
    ACT_ON_ALERTS = "act_on_alerts"
    PLACE_HOLDS = "place_holds"
    EXPORT_READS = "export_reads"
    MANAGE_USERS = "manage_users"
    MANAGE_CAMERAS = "manage_cameras"
    MANAGE_SETTINGS = "manage_settings"
    RECORD_TRAINING = "record_training"
    VIEW_AUDIT = "view_audit"
    MANAGE_RETENTION = "manage_retention"
    MANAGE_RECORDS_REQUESTS = "manage_records_requests"
    ENTER_HOTLIST_ENTRIES = "enter_hotlist_entries"
    MANAGE_SHARING = "manage_sharing"
    DECIDE_RECORDS_REQUESTS = "decide_records_requests"
    VIEW_COMPLIANCE = "view_compliance"
    RECEIVE_HOTLIST_ENTRIES = "receive_hotlist_entries"
    APPROVE_BROAD_QUERIES = "approve_broad_queries"

    @property
    def label(self) -> str:
        return PERMISSION_LABELS[self]


PERMISSION_LABELS = {
    Permission.SEARCH_READS: "Search plate reads",
    Permission.CANVASS_READS: "Canvass reads around a place",
    Permission.VIEW_ALERTS: "See hotlist alerts",
    Permission.ACT_ON_ALERTS: "Acknowledge, verify and close hotlist alerts",
    Permission.PLACE_HOLDS: "Place evidence holds",
    Permission.EXPORT_READS: "Export reads",
    Permission.MANAGE_USERS: "Manage users and roles",
    Permission.MANAGE_CAMERAS: "Manage cameras",
    Permission.MANAGE_SETTINGS: "Manage system settings",
    Permission.RECORD_TRAINING: "Record training",
    Permission.VIEW_AUDIT: "View audit reports",
    Permission.MANAGE_RETENTION: "Manage retention and evidence",
    Permission.MANAGE_RECORDS_REQUESTS: "Handle records requests",
    Permission.ENTER_HOTLIST_ENTRIES: "Enter plates and partial plates on hotlists",
    Permission.MANAGE_SHARING: "Manage sharing agreements and settings",
    Permission.DECIDE_RECORDS_REQUESTS: "Decide records requests",
    Permission.VIEW_COMPLIANCE: "See the compliance report",
    Permission.RECEIVE_HOTLIST_ENTRIES: "Receive this department's hotlist entries",
    Permission.APPROVE_BROAD_QUERIES: "Approve or deny another person's broad query",
}

P = Permission
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMINISTRATOR: frozenset(
        {
            P.MANAGE_USERS,
            P.MANAGE_CAMERAS,
            P.MANAGE_SETTINGS,
            P.RECORD_TRAINING,
            P.VIEW_ALERTS,
            P.ENTER_HOTLIST_ENTRIES,
            P.MANAGE_SHARING,
            P.VIEW_COMPLIANCE,
            # 438.2.1(f): the ALPR Administrator works with the Custodian of Records on the
            # retention and destruction of ALPR data (the schedule, releasing holds; placing
            # holds and exporting stay with the evidence roles).
            P.MANAGE_RETENTION,
        }
    ),
    # 438.3(f): the officer who gets the hit verifies it and records the outcome.
    Role.OPERATOR: frozenset({P.VIEW_ALERTS, P.ACT_ON_ALERTS, P.SEARCH_READS}),
    # 438.3(c): investigators enter partial plates from major crimes and search back for them.
    Role.INVESTIGATOR: frozenset(
        {
            P.SEARCH_READS,
            P.CANVASS_READS,
            P.VIEW_ALERTS,
            P.ACT_ON_ALERTS,
            P.PLACE_HOLDS,
            P.EXPORT_READS,
            P.ENTER_HOTLIST_ENTRIES,
        }
    ),
    # The auditor (the Support Services Division Commander) reviews: audit reports, read-only
    # access to everything else (438.5(c)), the records requests routed to them (438.9), and
    # as the supervisor of the program the broad queries another person asks (issue 15).
    Role.AUDITOR: frozenset(
        {
            P.VIEW_AUDIT,
            P.APPROVE_BROAD_QUERIES,
            P.SEARCH_READS,
            P.CANVASS_READS,
            P.VIEW_ALERTS,
            P.VIEW_COMPLIANCE,
            P.MANAGE_RECORDS_REQUESTS,
            P.DECIDE_RECORDS_REQUESTS,
        }
    ),
    Role.CUSTODIAN: frozenset(
        {
            P.MANAGE_RETENTION,
            P.PLACE_HOLDS,
            P.MANAGE_RECORDS_REQUESTS,
            P.SEARCH_READS,
            P.EXPORT_READS,
        }
    ),
    # A partner's reach is narrowed further by its sharing agreement (sharing/scope.py).
    Role.PARTNER: frozenset({P.SEARCH_READS, P.VIEW_ALERTS, P.RECEIVE_HOTLIST_ENTRIES}),
}

#: Who may see the approvals of broad queries: whoever may ask one (their own requests), and
#: whoever decides them.
SEE_APPROVALS: tuple[Permission, ...] = (
    P.APPROVE_BROAD_QUERIES,
    P.CANVASS_READS,
    P.SEARCH_READS,
)

#: Who may see where the cameras stand (the camera list, the map layers; no plate, read or
#: person): every role that works with cameras or what they read.
SEE_CAMERA_PLACES: tuple[Permission, ...] = (
    P.MANAGE_CAMERAS,
    P.SEARCH_READS,
    P.CANVASS_READS,
    P.VIEW_ALERTS,
    P.VIEW_AUDIT,
)
