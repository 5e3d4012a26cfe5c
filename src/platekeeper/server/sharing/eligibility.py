"""Who may ever receive ALPR data under an agreement.

Only California law-enforcement or prosecutorial agencies: Policy 438.9 names those two kinds;
Civil Code §1798.90.55(b) forbids a public agency to sell, share or transfer ALPR data except to
another public agency; the Attorney General's bulletin 2023-DLE-06 rules out out-of-state and
federal agencies. Anyone else asks through a records request.
"""

from __future__ import annotations

from platekeeper.server.agencies.models import Agency, AgencyType

SHARING_TYPES = {AgencyType.LAW_ENFORCEMENT, AgencyType.PROSECUTORIAL}
HOME_JURISDICTION = "CA"


def eligibility_problem(agency: Agency) -> str | None:
    """Why no agreement may be made with this agency, or None."""
    if agency.is_home:
        return f"agency: {agency.name} is this department; it needs no agreement"
    if agency.type == AgencyType.PRIVATE:
        return (
            f"agency: {agency.name} is a private entity; a public agency may not sell, share "
            "or transfer ALPR data except to another public agency (Civil Code §1798.90.55(b))"
        )
    if agency.type not in SHARING_TYPES:
        return (
            f"agency: {agency.name} is not a law-enforcement or prosecutorial agency; Policy "
            "438.9 shares only with those; its requests go through a records request"
        )
    if agency.jurisdiction != HOME_JURISDICTION:
        where = "a federal agency" if agency.jurisdiction == "US" else agency.jurisdiction
        return (
            f"agency: {agency.name} is {where}, not a California agency; California agencies "
            "may not share ALPR data out of state or with federal agencies "
            "(Attorney General bulletin 2023-DLE-06)"
        )
    return None
