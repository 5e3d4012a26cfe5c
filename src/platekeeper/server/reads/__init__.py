"""Plate reads and their images: ingestion and storage."""
