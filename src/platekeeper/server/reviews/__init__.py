"""The Auditor's review of sampled data accesses (Policy 438.5(c))."""
