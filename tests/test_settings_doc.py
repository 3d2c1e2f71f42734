"""docs/settings.md documents every declared setting with its default."""

from __future__ import annotations

import json
import re
from pathlib import Path

from waystation import settings

DOC = Path(__file__).resolve().parent.parent / "docs" / "settings.md"


def sections() -> dict[str, str]:
    text = DOC.read_text(encoding="utf-8")
    parts = re.split(r"^## `([A-Z0-9_]+)`\s*$", text, flags=re.MULTILINE)
    return {parts[i]: parts[i + 1] for i in range(1, len(parts), 2)}


def test_every_setting_is_documented_with_its_default():
    documented = sections()
    missing = [s.name for s in settings.SETTINGS if s.name not in documented]
    assert not missing, f"add these settings to docs/settings.md: {missing}"
    for setting in settings.SETTINGS:
        default = f"Default: `{json.dumps(setting.default, ensure_ascii=False)}`"
        assert default in documented[setting.name], f"{setting.name}: document {default}"


def test_no_undeclared_setting_is_documented():
    declared = {s.name for s in settings.SETTINGS}
    assert set(sections()) <= declared


def test_the_site_reads_its_settings_from_the_declared_list():
    values = settings.load(DOC.parent.parent / "pelicanconf.py")
    assert values["LANGUAGES"][0] == "en"
    assert values["STALE_AFTER_DAYS"] == settings.BY_NAME["STALE_AFTER_DAYS"].default
