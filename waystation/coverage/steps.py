"""The coverage report's post-build step.

Registered in :mod:`waystation.build.postbuild` as
``"waystation.coverage.steps:write_coverage"``: writes ``coverage.csv``,
``coverage.json`` and ``coverage/regions.json`` (:mod:`~waystation.coverage.files`)
from the coverage the page was planned with (:func:`~waystation.coverage.report.coverage_of`
keeps it), offline and deterministic.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from waystation.coverage.files import write_files
from waystation.coverage.report import coverage_of


def write_coverage(directory, output: Path, settings: dict[str, Any]) -> None:
    """Post-build step: the coverage files into ``output``."""
    merged = {k: v for k, v in settings.items() if k.isupper()}
    write_files(coverage_of(directory, merged), Path(output))
