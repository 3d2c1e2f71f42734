"""Shared fixtures: real Pelican builds of the site.

- ``built_site`` (session): the repository's sample (``providers/``, ``content/``,
  ``theme/``) built once per test session with the real ``pelican`` command into a
  temporary folder; returns the output folder (a :class:`pathlib.Path`).
- ``build_site(providers_dir, extra_settings=None)``: build the site from another
  folder of listings (same content and theme) into a fresh temporary folder; returns
  the output folder, or fails the test with Pelican's output if the build fails.
- ``run_build(providers_dir, extra_settings=None, output=None, content_dir=None)``: the same build,
  returning a :class:`SiteBuild` (``returncode``, ``stdout``, ``stderr``, ``output``)
  without judging it: for tests of builds that must fail.

Every build pins "today" with ``WAYSTATION_TODAY`` (:data:`SAMPLE_TODAY`) so that the
"may be out of date" notices do not change as the calendar moves; each uses its own
cache folder, never the repository's ``cache/``.  Builds never touch the network.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROVIDERS = ROOT / "providers"
#: The date every test build treats as today.
SAMPLE_TODAY = "2026-12-01"


@dataclass
class SiteBuild:
    returncode: int
    stdout: str
    stderr: str
    output: Path

    @property
    def log(self) -> str:
        return f"{self.stdout}\n{self.stderr}"


def pelican_command(
    output: Path, settings: dict, conf: str = "pelicanconf.py", content: Path | None = None
) -> list[str]:
    command = [
        sys.executable,
        "-m",
        "pelican",
        str(content or ROOT / "content"),
        "-o",
        str(output),
        "-s",
        str(ROOT / conf),
    ]
    if settings:
        command.append("-e")
        command.extend(f"{key}={json.dumps(value)}" for key, value in sorted(settings.items()))
    return command


def run_pelican(
    output: Path,
    cache: Path,
    providers_dir: Path | None = None,
    extra_settings: dict | None = None,
    today: str = SAMPLE_TODAY,
    content_dir: Path | None = None,
) -> SiteBuild:
    settings = {"CACHE_PATH": str(cache)}
    if providers_dir is not None:
        settings["PROVIDERS_PATH"] = str(Path(providers_dir).resolve())
    settings.update(extra_settings or {})
    env = {**os.environ, "WAYSTATION_TODAY": today, "PYTHONHASHSEED": "0"}
    env.setdefault("COLUMNS", "200")
    proc = subprocess.run(
        pelican_command(output, settings, content=content_dir),
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    return SiteBuild(proc.returncode, proc.stdout, proc.stderr, output)


def _checked(build: SiteBuild) -> Path:
    if build.returncode != 0:
        pytest.fail(f"the site build failed (exit {build.returncode}):\n{build.log}")
    return build.output


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """The sample site, built once per session; do not modify it."""
    base = tmp_path_factory.mktemp("built-site")
    return _checked(run_pelican(base / "output", base / "cache"))


@pytest.fixture(scope="session")
def run_build(tmp_path_factory):
    def run(providers_dir, extra_settings=None, output=None, content_dir=None) -> SiteBuild:
        base = tmp_path_factory.mktemp("site-build")
        return run_pelican(
            Path(output) if output else base / "output",
            base / "cache",
            providers_dir,
            extra_settings,
            content_dir=content_dir,
        )

    return run


@pytest.fixture(scope="session")
def build_site(run_build):
    def build(providers_dir, extra_settings=None) -> Path:
        return _checked(run_build(providers_dir, extra_settings))

    return build


@pytest.fixture
def forks(monkeypatch) -> list:
    """The start methods of the multiprocessing contexts asked for during the test (each
    pool of forked workers asks for one)."""
    import multiprocessing

    asked: list = []
    real_context = multiprocessing.get_context

    def counting_context(method=None):
        asked.append(method)
        return real_context(method)

    monkeypatch.setattr(multiprocessing, "get_context", counting_context)
    return asked
