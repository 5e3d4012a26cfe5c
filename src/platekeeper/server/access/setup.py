"""Keeping role groups and the purpose list in the database in step with the code."""

from __future__ import annotations

from typing import Any

from platekeeper.server.access.roles import ROLE_PERMISSIONS

#: The policy's purposes (438.2, 438.3). Exempt purposes need no case number.
DEFAULT_PURPOSES = [
    ("stolen_vehicle", "Stolen or wanted vehicle", True),
    ("stolen_plate", "Stolen license plate", True),
    ("wanted_person", "Wanted person / suspect interdiction", True),
    ("missing_person", "Missing person", True),
    ("warrant", "Active warrant", True),
    ("criminal_investigation", "Criminal investigation", True),
    ("crime_scene_canvass", "Canvass around a crime scene", True),
    ("homeland_security", "Homeland security", True),
    ("stolen_property", "Stolen property recovery", True),
    ("amber_alert", "AMBER / missing child alert", False),
    ("records_release", "Records release (438.9)", True),
    ("hotlist_alert_response", "Hotlist alert response on patrol", False),
]


def sync_roles_and_purposes(**_signal: Any) -> None:
    """Create each role's group with exactly its permissions, and the default purposes.

    Runs after every migrate, so a permission added in code reaches existing installs. Purposes
    are only added, never changed: an administrator may have retired or re-labelled one.
    """
    from django.contrib.auth.models import Group, Permission
    from django.contrib.contenttypes.models import ContentType

    from platekeeper.server.access.models import Purpose, User

    content_type = ContentType.objects.get_for_model(User)
    for role, permissions in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role.value)
        group.permissions.set(
            Permission.objects.filter(
                content_type=content_type, codename__in=[p.value for p in permissions]
            )
        )
    for code, label, case_required in DEFAULT_PURPOSES:
        Purpose.objects.get_or_create(
            code=code, defaults={"label": label, "case_number_required": case_required}
        )
