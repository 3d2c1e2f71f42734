"""What the docs say editors and tools do with listings is what they do."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from waystation.records.listing_writer import SCHEMA_LINE

ROOT = Path(__file__).resolve().parent.parent
DOC = (ROOT / "docs" / "record-format.md").read_text(encoding="utf-8")
CHECK_JSONSCHEMA = Path(sys.executable).parent / "check-jsonschema"


def test_no_editor_promise_and_the_modeline_is_where_the_docs_say():
    assert "autocomplete" not in DOC.lower()
    assert "first line points" not in DOC
    assert "**second** line" in DOC and SCHEMA_LINE in DOC
    template = (ROOT / "providers" / "_template.md").read_text(encoding="utf-8").splitlines()
    assert template[:2] == ["---", SCHEMA_LINE]
    for path in sorted((ROOT / "providers").glob("*.md")):
        lines = path.read_text(encoding="utf-8").splitlines()
        if SCHEMA_LINE in lines:
            assert lines.index(SCHEMA_LINE) == 1, path.name


def _documented_check(listing: Path, tmp_path: Path) -> subprocess.CompletedProcess:
    """The two commands docs/record-format.md gives, run as written."""
    block = re.search(r"```sh\n(awk .*?)\n(check-jsonschema .*?)\n```", DOC, re.S)
    assert block, "the documented commands are gone from docs/record-format.md"
    extract = block.group(1).replace("providers/x.md", str(listing))
    extract = extract.replace("/tmp/x.yaml", str(tmp_path / "x.yaml"))
    subprocess.run(["sh", "-c", extract], check=True, cwd=ROOT, timeout=30)
    check = block.group(2).replace("check-jsonschema", str(CHECK_JSONSCHEMA), 1)
    check = check.replace("/tmp/x.yaml", str(tmp_path / "x.yaml"))
    return subprocess.run(
        ["sh", "-c", check], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def test_the_documented_json_schema_check_passes_a_listing_and_catches_a_typo(tmp_path):
    good = next(p for p in sorted((ROOT / "providers").glob("*.md")) if p.name[0] != "_")
    result = _documented_check(good, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    bad = tmp_path / "typo.md"
    bad.write_text(
        good.read_text(encoding="utf-8").replace("services: [", "services: [shelterr, ", 1),
        encoding="utf-8",
    )
    result = _documented_check(bad, tmp_path)
    assert result.returncode == 1 and "shelterr" in result.stdout
