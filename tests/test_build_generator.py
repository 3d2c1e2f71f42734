"""The generator Pelican drives (waystation/build/generator.py), run in this process."""

from __future__ import annotations

from pathlib import Path

import pelican.settings

from waystation.build.generator import WaystationGenerator

ROOT = Path(__file__).resolve().parent.parent
SHARED_PHONE = ROOT / "tests" / "fixtures" / "cross_file" / "shared_phone"


def test_warnings_are_reported_once_and_not_kept_for_the_rest_of_the_build(
    tmp_path, capsys, monkeypatch
):
    """Every warning is printed with its file and line when the listings are read; the
    directory the rest of the build keeps (to its post-build steps) no longer holds them:
    a directory imported from 211 data warns about every shared phone number, tens of
    megabytes at a national directory's size."""
    monkeypatch.setenv("WAYSTATION_TODAY", "2026-07-01")
    settings = pelican.settings.read_settings(
        str(ROOT / "pelicanconf.py"),
        override={
            "PATH": str(ROOT / "content"),
            "PROVIDERS_PATH": str(SHARED_PHONE),
            "CACHE_PATH": str(tmp_path / "cache"),
            "CACHE_CONTENT": False,
            "LOAD_CONTENT_CACHE": False,
        },
    )
    generator = WaystationGenerator(
        {}, settings, settings["PATH"], settings["THEME"], str(tmp_path / "output")
    )
    generator.generate_context()
    printed = [line for line in capsys.readouterr().err.splitlines() if "warning:" in line]
    assert printed and all("same phone" in line for line in printed)
    assert all(line.split(":")[1].isdigit() for line in printed)  # file:line:column
    assert len(generator.data.directory.listings) == 2
    assert generator.data.directory.problems == []
