"""Retention (Policy 438.4): periods per kind of data, the purge, evidence holds and export."""
