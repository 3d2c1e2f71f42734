"""Subcommands of ``waystation``: one module each (see :mod:`waystation.cli`).

Each module has ``NAME``, ``HELP``, ``add_arguments(parser)`` and ``run(args) -> int``
and only connects the command line to the stages: parsing arguments, printing
problems one per line, choosing the exit code.  Commands may import every stage
(:mod:`waystation.build` and everything below it); nothing imports them but the CLI.
"""
