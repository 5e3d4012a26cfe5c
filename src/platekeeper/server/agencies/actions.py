"""Changes to agencies."""

from __future__ import annotations

from django.db import transaction

from platekeeper.server.agencies.models import Agency, AgencyType

HOME_AGENCY_DEFAULT_NAME = "Piedmont Police Department"


@transaction.atomic
def ensure_home_agency(name: str = HOME_AGENCY_DEFAULT_NAME, ori: str = "CA0013900") -> Agency:
    """Return this department's own agency, creating it on first use.

    Cameras and users belong to an agency; a fresh install has exactly one, its own.
    """
    agency = Agency.objects.filter(is_home=True).first()
    if agency is None:
        agency = Agency.objects.create(
            name=name, ori=ori, type=AgencyType.LAW_ENFORCEMENT, jurisdiction="CA", is_home=True
        )
    return agency
