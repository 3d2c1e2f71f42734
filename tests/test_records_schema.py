"""The committed JSON Schema matches the model, and the template uses it."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from waystation.records.model import json_schema_text
from waystation.records.source import load_yaml_text

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = ROOT / "waystation" / "data" / "listing.schema.json"


def test_committed_schema_is_up_to_date():
    assert SCHEMA.read_text(encoding="utf-8") == json_schema_text(), (
        "waystation/data/listing.schema.json is out of date: run `make schema` and commit it"
    )


def _front_matter(path: Path):
    text = path.read_text(encoding="utf-8")
    return load_yaml_text(text.split("---\n")[1])


def test_schema_accepts_the_valid_fixture_and_rejects_a_typo():
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    data = _front_matter(ROOT / "tests/fixtures/valid/lakeside-survivor-services.md")
    data["last_verified"] = "2026-06-01"  # editors see YAML 1.2 dates as strings
    jsonschema.validate(data, schema)
    data["servics"] = ["food"]
    try:
        jsonschema.validate(data, schema)
    except jsonschema.ValidationError as error:
        assert "servics" in str(error)
    else:
        raise AssertionError("the schema accepted an unknown field")


def test_template_and_sample_point_editors_at_the_schema():
    template = (ROOT / "providers" / "_template.md").read_text(encoding="utf-8")
    assert "# yaml-language-server: $schema=../waystation/data/listing.schema.json" in template
    target = (ROOT / "providers" / "../waystation/data/listing.schema.json").resolve()
    assert target == SCHEMA


def test_vocabulary_docs_are_up_to_date():
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "generate_vocabulary_docs.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout


def test_every_vocabulary_term_has_english_and_spanish():
    from waystation.records import vocabulary

    for name in vocabulary.NAMES:
        for term in vocabulary.get(name).terms:
            for lang in ("en", "es"):
                assert term.label.get(lang), (name, term.id, lang)
                assert term.description.get(lang), (name, term.id, lang)
