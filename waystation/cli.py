"""The ``waystation`` command.

Each subcommand is a module in :mod:`waystation.commands` with ``NAME``,
``HELP``, ``add_arguments(parser)`` and ``run(args) -> int``.  Commands are
found by listing that package, so adding one is adding one file.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

from waystation import commands
from waystation.exc import UsageError, WaystationError
from waystation.runtime import collector


def _module_names() -> list[str]:
    return sorted(
        info.name
        for info in pkgutil.iter_modules(commands.__path__)
        if not info.name.startswith("_")
    )


def _command_modules(only: str | None = None):
    """The command modules; with ``only``, just that command's (fast start-up)."""
    names = _module_names()
    if only is not None and only.replace("-", "_") in names:
        names = [only.replace("-", "_")]
    for name in names:
        yield importlib.import_module(f"{commands.__name__}.{name}")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="waystation",
        description="Validate, geocode and publish a directory of services for survivors "
        "of human trafficking.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for module in _command_modules(only):
        cmd = sub.add_parser(module.NAME, help=module.HELP, description=module.HELP)
        cmd.add_argument(
            "--config",
            default="pelicanconf.py",
            metavar="FILE",
            help="settings file to read (default: pelicanconf.py)",
        )
        module.add_arguments(cmd)
        cmd.set_defaults(_run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    # Import only the command being run: some pull in heavy libraries (geopy).
    first = next((a for a in argv if not a.startswith("-")), None)
    # Importing the command makes many long-lived objects and no garbage: no
    # collection passes over them meanwhile (a tenth of the start-up).
    with collector.paused():
        parser = build_parser(only=first)
    args = parser.parse_args(argv)
    try:
        return int(args._run(args) or 0)
    except UsageError as error:
        print(f"waystation {args.command}: {error}", file=sys.stderr)
        return 2
    except WaystationError as error:
        print(f"waystation {args.command}: error: {error}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        print(f"waystation {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
