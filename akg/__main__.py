"""``python -m akg`` runs the CLI."""

from akg.cli import entry_point

entry_point()
