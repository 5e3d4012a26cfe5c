"""The `platekeeper` command line: one entry point for everything users and administrators run."""
