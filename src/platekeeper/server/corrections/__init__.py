"""Misread correction: an operator corrects a read's plate; the original stays (issue 5, item 7)."""
