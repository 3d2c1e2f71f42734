"""``waystation coverage --diff BASE``: the pull-request summary of how gaps move.

A throwaway repository with one legal-aid listing in Portland, Oregon; a contributor
adds one in Pendleton (eastern Oregon) whose name tries Markdown tricks; the summary
must say how many ZIP areas of Oregon it brings within reach (exactly: the count
worked out here from the gazetteer), name the regions, and show the name literally.
"""

from __future__ import annotations

import numpy as np
import pytest

from tests.git_repo import GitRepo
from waystation.cli import main
from waystation.coverage.compute import KM_PER_MILE
from waystation.coverage.zip_areas import gazetteer_areas
from waystation.gazetteer.centres import distance_km, zip_centre

PORTLAND = zip_centre("97201")
PENDLETON = zip_centre("97801")


def listing(name: str, services: str, location: str) -> str:
    return (
        f"---\nname: {name!r}\nservices: {services}\ntrafficking_types: [sex, labor]\n"
        'phones:\n  - {number: "541-555-0100", type: voice}\n'
        f"last_verified: 2026-11-01\n{location}---\n\nA listing written for a test.\n"
    )


PORTLAND_LEGAL = listing(
    "Portland Legal Aid", "[legal-civil]",
    "location:\n  visibility: public\n  street: \"1 SW Main St\"\n  city: Portland\n"
    f"  state: OR\n  postal_code: \"97201\"\n  coordinates: {{lat: {PORTLAND[0]}, "
    f"lon: {PORTLAND[1]}}}\n",
)  # fmt: skip
PENDLETON_LEGAL = listing(
    "[Free help](https://evil.example) @maintainers <b>", "[legal-immigration]",
    "location:\n  visibility: approximate\n  city: Pendleton\n  state: OR\n"
    "  postal_code: \"97801\"\n",
)  # fmt: skip


def within(points, miles: float = 50) -> np.ndarray:
    areas = gazetteer_areas()
    near = np.zeros(len(areas), dtype=bool)
    for lat, lon in points:
        near |= np.array([
            distance_km(lat, lon, a, b) <= miles * KM_PER_MILE
            for a, b in zip(areas.lat.tolist(), areas.lon.tolist(), strict=True)
        ])  # fmt: skip
    return near


@pytest.fixture
def repo(tmp_path, monkeypatch):
    repository = GitRepo(tmp_path / "site")
    repository.write("providers/portland-legal.md", PORTLAND_LEGAL)
    repository.git("add", "-A")
    repository.git("commit", "-qm", "Portland")
    monkeypatch.chdir(repository.root)
    return repository


def run(capsys, *args: str) -> str:
    assert main(["coverage", "--today", "2026-12-01", *args]) == 0
    return capsys.readouterr().out


def test_a_new_listing_closes_the_legal_gap_for_the_areas_it_brings_within_reach(repo, capsys):
    repo.write("providers/pendleton-legal.md", PENDLETON_LEGAL)
    text = run(capsys, "--diff", "main")
    closed = within([PENDLETON]) & ~within([PORTLAND])
    oregon = closed & (gazetteer_areas().states == "OR")
    assert oregon.sum() > 10
    assert (
        f"- **Legal help**: closes the gap (in person within 50 mi) for {closed.sum()} ZIP" in text
    )
    assert f"{oregon.sum()} in Oregon (ZIP 978xx: Umatilla County" in text
    # The name is shown literally: no link, no mention, no HTML.
    assert "`[Free help](https://evil.example) @maintainers <b>` (added)" in text
    assert "](https://evil.example)" not in text.replace("`[Free help](https://evil.example)", "")
    assert "opens a gap" not in text
    assert text.startswith("<!-- waystation-coverage-summary -->")


def test_removing_the_only_listing_opens_the_gap(repo, capsys):
    # Portland keeps a listing, for housing only; Pendleton's is the only legal help.
    repo.write("providers/portland-legal.md", PORTLAND_LEGAL.replace("legal-civil", "food"))
    repo.write("providers/pendleton-legal.md", PENDLETON_LEGAL)
    repo.git("add", "-A")
    repo.git("commit", "-qm", "Pendleton instead")
    (repo.root / "providers/pendleton-legal.md").unlink()
    text = run(capsys, "--diff", "main")
    opened = within([PENDLETON])
    assert (
        f"- **Legal help**: ⚠️ opens a gap (no one in person within 50 mi) for {opened.sum()}"
        in text
    )
    assert "(removed)" in text


def test_no_change_says_so(repo, capsys):
    text = run(capsys, "--diff", "main")
    assert "No ZIP area gains or loses in-person help within 50 miles" in text


def test_an_unknown_revision_says_what_to_do(repo, capsys):
    assert main(["coverage", "--diff", "no-such-branch"]) != 0
    assert "no-such-branch" in capsys.readouterr().err


def test_the_command_writes_the_files(repo, tmp_path, capsys):
    out = run(capsys, "--output", str(tmp_path / "out"))
    assert (tmp_path / "out" / "coverage.csv").is_file()
    assert (tmp_path / "out" / "coverage" / "regions.json").is_file()
    assert "coverage.json" in out
