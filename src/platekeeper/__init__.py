"""platekeeper: an Automated License Plate Reader system that enforces its agency's ALPR policy."""

__version__ = "0.1.0"
