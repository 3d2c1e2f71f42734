"""The repository's own web address, for the links the issue forms and docs carry.

``REPOSITORY_URL`` when a site sets it (``pelicanconf.py``), otherwise the git
remote ``origin`` (``git@github.com:org/repo.git`` and
``https://github.com/org/repo.git`` both give ``https://github.com/org/repo``),
otherwise the setting's default.  Read by ``scripts/generate_issue_forms.py``,
so ``.github/ISSUE_TEMPLATE/config.yml`` points at this repository's private
security report, not at a placeholder.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from waystation import settings as settings_mod

_SSH = re.compile(r"^(?:ssh://)?git@(?P<host>[^:/]+)[:/](?P<path>.+?)(?:\.git)?/?$")
_HTTPS = re.compile(r"^(?:https?|git)://(?:[^@/]+@)?(?P<host>[^/]+)/(?P<path>.+?)(?:\.git)?/?$")


def web_address(remote: str) -> str | None:
    """The https address of a git remote URL, or None if it is not a hosted repository."""
    remote = remote.strip()
    found = _SSH.match(remote) or _HTTPS.match(remote)
    if not found or "/" not in found.group("path"):
        return None
    return f"https://{found.group('host')}/{found.group('path')}"


def git_remote(root: Path) -> str | None:
    """The web address of the ``origin`` remote of the repository at ``root``, if any."""
    try:
        proc = subprocess.run(
            ["git", "-C", str(root), "remote", "get-url", "origin"],
            capture_output=True, text=True, timeout=10, check=False,
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired):
        return None
    return web_address(proc.stdout) if proc.returncode == 0 else None


def repository_url(conf: Mapping[str, Any], root: Path) -> str:
    """``REPOSITORY_URL`` if set away from its default, else the git remote, else the default."""
    default = settings_mod.BY_NAME["REPOSITORY_URL"].default
    configured = str(conf.get("REPOSITORY_URL") or default).rstrip("/")
    if configured != default:
        return configured
    return git_remote(root) or default
