"""Alerts out to the department's dispatch (CAD) system: signed webhooks, per hotlist."""
