"""Hotlists: plates of interest (stolen, wanted, missing; partial plates from major crimes)."""
