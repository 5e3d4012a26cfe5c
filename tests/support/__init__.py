"""Helpers for tests: factories, real servers, sample data."""
