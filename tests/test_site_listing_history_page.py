"""Each listing page shows its history: the commits that changed its file (from git)."""

from __future__ import annotations

import html
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _git_log(path: str) -> list[str]:
    proc = subprocess.run(
        ["git", "-C", str(ROOT), "log", "--no-merges", "--format=%s", "--", path],
        capture_output=True,
        text=True,
    )
    return proc.stdout.splitlines() if proc.returncode == 0 else []


def test_listing_page_lists_the_commits_that_changed_its_file(built_site):
    summaries = _git_log("providers/harbor-light-chicago-loop.md")
    if not summaries:
        pytest.skip("not a git checkout (a build outside git has no history, by design)")
    page = (built_site / "providers" / "harbor-light-chicago-loop" / "index.html").read_text()
    assert "Changes to this listing" in page
    for summary in summaries[:10]:
        assert html.escape(summary, quote=False) in page
    spanish = built_site / "es" / "providers" / "harbor-light-chicago-loop" / "index.html"
    assert "Cambios en esta ficha" in spanish.read_text()
