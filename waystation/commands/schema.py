"""``waystation schema``: write (or check) the listing JSON Schema for editors."""

from __future__ import annotations

from pathlib import Path

from waystation.records.model import json_schema_text

NAME = "schema"
HELP = "write the listing JSON Schema (waystation/data/listing.schema.json), or --check it"

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "data" / "listing.schema.json"


def add_arguments(parser) -> None:
    parser.add_argument("--check", action="store_true", help="fail if the file is out of date")
    parser.add_argument("--output", type=Path, default=SCHEMA_PATH, help="where to write it")


def run(args) -> int:
    text = json_schema_text()
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != text:
            print(f"{args.output} is out of date: run `waystation schema` and commit it")
            return 1
        print(f"{args.output} is up to date")
        return 0
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output}")
    return 0
