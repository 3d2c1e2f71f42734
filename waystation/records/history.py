"""A listing's history: the commits that changed its file, read from git.

Used on each listing page ("last verified" and history).  A build outside a
git checkout (a downloaded archive) still works: the history is then empty.
All files' histories come from one ``git log`` call, not one per listing.
"""

from __future__ import annotations

import datetime as dt
import subprocess
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

_SEP = "\x1f"
_START = "\x1e"


@dataclass(frozen=True)
class HistoryEntry:
    commit: str
    date: dt.date
    summary: str


def repository_histories(root: Path, folder: str) -> dict[str, list[HistoryEntry]]:
    """Every file's history under ``folder`` (a path relative to ``root``).

    Keys are paths relative to ``root`` (``providers/foo.md``); entries are
    newest first.  Returns ``{}`` when ``root`` is not in a git checkout or git
    is not installed.
    """
    try:
        proc = subprocess.run(
            [
                "git",
                "-C",
                str(root),
                "log",
                "--no-merges",
                "--date=short",
                f"--format={_START}%H{_SEP}%ad{_SEP}%s",
                "--name-only",
                "--no-renames",
                "--",
                folder,
            ],
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return {}
    if proc.returncode != 0:
        return {}
    histories: dict[str, list[HistoryEntry]] = defaultdict(list)
    for chunk in proc.stdout.split(_START):
        if not chunk.strip():
            continue
        header, _, names = chunk.partition("\n")
        commit, date, summary = (header.split(_SEP) + ["", "", ""])[:3]
        try:
            day = dt.date.fromisoformat(date)
        except ValueError:
            continue
        entry = HistoryEntry(commit, day, summary)
        for name in names.splitlines():
            name = name.strip()
            if name:
                histories[name].append(entry)
    return dict(histories)
