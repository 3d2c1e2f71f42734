"""Each listing page shows its history: dates and the fields that changed, in the page's
language, and never a commit message (one could name a confidential place)."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.git_repo import GitRepo, listing_fields

ROOT = Path(__file__).resolve().parent.parent

HIDDEN = {"visibility": "hidden", "state": "VT"}
APPROXIMATE = {"visibility": "approximate", "city": "Rutland", "state": "VT",
               "postal_code": "05701"}  # fmt: skip
SECRETS = ("Quillwort", "Bomoseen", "05732", "Castleton", "Lane", "Road", "Maple")


def _history(page: str) -> str:
    found = re.search(r'<details class="listing__history">.*?</details>', page, re.S)
    assert found, "the listing page has no history section"
    return found.group()


@pytest.fixture(scope="module")
def history_site(tmp_path_factory, run_build) -> Path:
    """A directory in its own git repository: a hidden shelter and an approximate
    listing whose commit titles name their confidential streets and towns."""
    repo = GitRepo(tmp_path_factory.mktemp("history") / "directory")
    shutil.copytree(ROOT / "content", repo.root / "content")
    repo.listing("quiet-harbor", **listing_fields("Quiet Harbor", location=HIDDEN))
    repo.listing("north-light", **listing_fields("North Light", location=APPROXIMATE))
    repo.commit("Add hidden shelter at 99 Quillwort Lane, Bomoseen VT 05732", date="2026-01-05")
    repo.listing(
        "quiet-harbor",
        **listing_fields(
            "Quiet Harbor",
            location={**HIDDEN, "city": "Castleton"},  # a town added, still hidden
            phones=[{"number": "802-555-0142", "type": "voice"}],
            last_verified="2026-02-01",
        ),
    )
    repo.listing(
        "north-light",
        **listing_fields("North Light", location={**APPROXIMATE, "postal_code": "05702"}),
    )
    repo.commit(
        "Quiet Harbor moved to 12 Maple Road, Castleton; North Light new ZIP", date="2026-02-03"
    )
    build = run_build(repo.root / "providers", content_dir=repo.root / "content")
    if build.returncode != 0:
        pytest.fail(f"the site build failed (exit {build.returncode}):\n{build.log}")
    return build.output


def test_hidden_listing_history_states_changes_without_any_value(history_site: Path):
    page = (history_site / "providers" / "quiet-harbor" / "index.html").read_text()
    history = _history(page)
    assert "Changes to this listing" in history
    items = re.findall(r"<li>(.*?)</li>", history, re.S)
    assert len(items) == 2
    newest = html.unescape(re.sub(r"<[^>]+>", "", items[0]))
    assert "February 3, 2026" in newest
    assert "Updated: location, date of verification, phone numbers." in newest
    assert "Added to the directory." in html.unescape(items[1])
    for secret in SECRETS:
        assert secret not in page


def test_the_history_is_in_the_page_language(history_site: Path):
    page = (history_site / "es" / "providers" / "quiet-harbor" / "index.html").read_text()
    history = html.unescape(re.sub(r"<[^>]+>", "", _history(page)))
    assert "Cambios en esta ficha" in history
    assert "Actualizado: ubicación, fecha de verificación, teléfonos." in history
    assert "Se agregó al directorio." in history
    assert "Updated" not in history and "Added" not in history
    for secret in SECRETS:
        assert secret not in page


def test_no_commit_message_reaches_any_output(history_site: Path):
    titles = ("Add hidden shelter", "moved to", "new ZIP")
    for path in history_site.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".json", ".csv", ".geojson", ".xml", ".txt"):
            text = path.read_text(errors="replace")
            for title in titles:
                assert title not in text, f"{path}: commit title {title!r} published"


def test_approximate_listing_says_its_location_changed_not_to_what(history_site: Path):
    page = (history_site / "providers" / "north-light" / "index.html").read_text()
    history = html.unescape(re.sub(r"<[^>]+>", "", _history(page)))
    assert "Updated: location." in history
    assert "05702" not in history and "05701" not in history


def test_sample_pages_show_no_commit_title(built_site: Path):
    proc = subprocess.run(
        ["git", "-C", str(ROOT), "log", "--no-merges", "--format=%s", "--",
         "providers/harbor-light-chicago-loop.md"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    titles = proc.stdout.splitlines() if proc.returncode == 0 else []
    if not titles:
        pytest.skip("not a git checkout (a build outside git has no history, by design)")
    page = (built_site / "providers" / "harbor-light-chicago-loop" / "index.html").read_text()
    history = _history(page)
    assert "Added to the directory." in history or "Updated: " in history
    for title in titles:
        assert html.escape(title, quote=False) not in history
