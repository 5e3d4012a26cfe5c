"""Sharing agreements with partner agencies (438.6, 438.9; Civil Code §1798.90.55)."""
