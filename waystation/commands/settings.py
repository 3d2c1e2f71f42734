"""``waystation settings``: print every setting with its value, default and help."""

from __future__ import annotations

import json

from waystation import settings as settings_mod

NAME = "settings"
HELP = "list every setting with its current value, its default and what it does"


def add_arguments(parser) -> None:
    parser.add_argument("--format", choices=["text", "json"], default="text")


def run(args) -> int:
    values = settings_mod.load(args.config)
    errors, warnings = settings_mod.check(values)
    if args.format == "json":
        print(
            json.dumps(
                [
                    {
                        "name": s.name,
                        "value": values[s.name],
                        "default": s.default,
                        "help": s.help,
                    }
                    for s in settings_mod.SETTINGS
                ],
                indent=2,
                sort_keys=True,
                ensure_ascii=False,
            )
        )
    else:
        for s in settings_mod.SETTINGS:
            marker = "" if values[s.name] == s.default else "  (changed)"
            print(f"{s.name} = {values[s.name]!r}{marker}")
            print(f"    {s.help}")
            if values[s.name] != s.default:
                print(f"    default: {s.default!r}")
    for message in warnings:
        print(f"warning: {message}")
    for message in errors:
        print(f"error: {message}")
    return 1 if errors else 0
