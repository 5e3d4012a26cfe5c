"""The Django server: ingestion, storage, access control, audit and the web interface."""
