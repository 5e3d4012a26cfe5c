"""One module per recognition engine; each registers itself with `register_engine`."""
