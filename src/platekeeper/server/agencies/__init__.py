"""Agencies: this department and the public agencies it may share ALPR data with."""
