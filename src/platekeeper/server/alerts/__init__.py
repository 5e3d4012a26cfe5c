"""Alerts: reads that matched a hotlist, and the verification an officer records before acting."""
