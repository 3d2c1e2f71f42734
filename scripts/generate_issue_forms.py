"""Write the GitHub issue forms (.github/ISSUE_TEMPLATE/*.yml) from the vocabularies.

    python scripts/generate_issue_forms.py          # write them
    python scripts/generate_issue_forms.py --check  # fail if they are out of date

Run it after changing waystation/data/vocabularies.yaml or
waystation/contribute/issue_forms.py, or the repository's address (REPOSITORY_URL in
pelicanconf.py, else the git remote 'origin'), and commit the result;
tests/test_contribute_github_files.py
fails when the committed forms differ from what this writes.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from waystation import settings  # noqa: E402
from waystation.contribute.issue_forms import FORMS_FOLDER, form_files  # noqa: E402
from waystation.contribute.repository import repository_url  # noqa: E402


def expected_files() -> dict[str, str]:
    """The forms for this repository: links from REPOSITORY_URL or the git remote."""
    return form_files(repository_url(settings.load(ROOT / "pelicanconf.py"), ROOT))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if a form is out of date")
    args = parser.parse_args(argv)
    folder = ROOT / FORMS_FOLDER
    stale = []
    for name, text in expected_files().items():
        path = folder / name
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        if args.check:
            stale.append(path.relative_to(ROOT).as_posix())
        else:
            folder.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(ROOT).as_posix()}")
    if stale:
        print("out of date: " + ", ".join(stale) + ": run `python scripts/generate_issue_forms.py`")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
