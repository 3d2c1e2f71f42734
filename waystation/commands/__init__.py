"""Subcommands of ``waystation``: one module each (see :mod:`waystation.cli`)."""
