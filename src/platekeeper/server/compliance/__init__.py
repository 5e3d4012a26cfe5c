"""The compliance report: each obligation of Policy 438 and Civil Code §1798.90.51-.55."""
