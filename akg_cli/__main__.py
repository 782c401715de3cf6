"""``python -m akg_cli`` runs the ``akg`` command."""

from akg_cli import entry_point

entry_point()
