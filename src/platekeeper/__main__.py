"""`python -m platekeeper` runs the CLI."""

from platekeeper.cli.main import cli

cli()
