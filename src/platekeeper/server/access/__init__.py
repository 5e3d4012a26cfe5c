"""Access control and audit: users, roles, training, purposes, the access gate and the audit log."""
