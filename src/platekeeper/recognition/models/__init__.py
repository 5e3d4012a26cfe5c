"""Model files shipped with the recognition engine (see docs/recognition.md for their origin)."""
