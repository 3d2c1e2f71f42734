"""A throwaway git repository for tests (no global git configuration used)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from waystation.records.listing_writer import render_listing


class GitRepo:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.env = {
            **os.environ,
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_AUTHOR_NAME": "Test",
            "GIT_AUTHOR_EMAIL": "test@example.org",
            "GIT_COMMITTER_NAME": "Test",
            "GIT_COMMITTER_EMAIL": "test@example.org",
        }
        root.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")

    def git(self, *args: str, date: str | None = None) -> str:
        env = dict(self.env)
        if date:
            env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = f"{date}T12:00:00+00:00"
        return subprocess.run(
            ["git", "-C", str(self.root), *args],
            env=env, check=True, capture_output=True, text=True,
        ).stdout  # fmt: skip

    def write(self, relative: str, text: str) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def listing(self, listing_id: str, body: str = "A description.", **fields) -> Path:
        return self.write(f"providers/{listing_id}.md", render_listing(fields, body))

    def commit(self, message: str, date: str | None = None) -> str:
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message, date=date)
        return self.git("rev-parse", "HEAD").strip()


def listing_fields(name: str, **overrides) -> dict:
    fields = {
        "name": name,
        "summary": "Help for survivors.",
        "services": ["case-management"],
        "trafficking_types": ["sex", "labor"],
        "languages": ["en"],
        "phones": [{"number": "312-555-0142", "type": "voice"}],
        "location": {
            "visibility": "public",
            "street": "100 Example Street",
            "city": "Chicago",
            "state": "IL",
            "postal_code": "60601",
        },  # fmt: skip
        "last_verified": "2026-06-01",
    }
    fields.update(overrides)
    return fields
