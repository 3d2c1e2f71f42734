"""The GitHub Actions workflows' supply chain (issue 19).

Every workflow under ``.github/workflows/`` is parsed and checked:

- every action is pinned by a full commit SHA, with its tag in a comment on the same
  line (a tag can be moved to other code; a SHA cannot), unless listed in
  :data:`AWAITING_SHA` (an action whose SHA could not be verified yet: none now);
- a ``pull_request_target`` job (it holds a write token while pull requests are open
  to anyone) checks out the base branch without persisting credentials, installs
  only hashed wheels from the base branch's lock file, and builds nothing
  (no ``pip install .``, no ``make install``);
- container images are pinned (a digest, or at least an exact version tag);
- the weekly pull request gets checks (a token of its own, or a workflow_dispatch of
  the checks), and the weekly stale issue keeps reviewers' ticks;
- every ``run`` script is valid bash.

The checks are functions run over the real workflows and, to show they catch what
issue 19 found, over the old workflows' lines.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
LOCK = ROOT / ".github" / "review-comment-requirements.txt"

#: Actions allowed on a tag because no SHA could be verified for them yet:
#: ``{"owner/repo": "why, and who verifies it"}``.  Empty: every action is pinned.
AWAITING_SHA: dict[str, str] = {}

_USES = re.compile(r"^\s*(?:-\s+)?uses:\s*(?P<ref>\S+)(?P<rest>.*)$")
_SHA = re.compile(r"[0-9a-f]{40}")
_TAG_COMMENT = re.compile(r"#\s*v\d+(?:\.\d+)*\b")


def load(path: Path) -> dict[str, Any]:
    return parse(path.read_text(encoding="utf-8"))


def parse(text: str) -> dict[str, Any]:
    data = yaml.safe_load(text)
    if True in data:  # YAML 1.1 reads the key `on` as a boolean
        data["on"] = data.pop(True)
    return data


def unpinned_actions(text: str) -> list[str]:
    """Lines using an action not pinned by SHA with its tag in a comment."""
    problems = []
    for number, line in enumerate(text.splitlines(), 1):
        match = _USES.match(line)
        if not match:
            continue
        ref = match.group("ref").strip("'\"")
        if ref.startswith(("./", "docker://")):
            continue
        action, _, version = ref.partition("@")
        if action.split("/")[0] == "" or not version:
            problems.append(f"line {number}: {ref}: name the action as owner/repo@<commit SHA>")
        elif not _SHA.fullmatch(version):
            if action not in AWAITING_SHA:
                problems.append(
                    f"line {number}: {ref}: pin it by its full commit SHA with the tag in a "
                    f"comment ({action}@<40 hex> # {version})"
                )
        elif not _TAG_COMMENT.search(match.group("rest")):
            problems.append(f"line {number}: {ref}: add the tag in a comment (# v1.2.3)")
    return problems


def _on(workflow: dict[str, Any]) -> dict[str, Any]:
    on = workflow.get("on") or {}
    if isinstance(on, str):
        return {on: None}
    if isinstance(on, list):
        return dict.fromkeys(on)
    return on


def privileged_job_problems(workflow: dict[str, Any]) -> list[str]:
    """What is wrong in a pull_request_target workflow's jobs."""
    if "pull_request_target" not in _on(workflow):
        return []
    problems = []
    for name, job in (workflow.get("jobs") or {}).items():
        for step in job.get("steps") or []:
            uses = str(step.get("uses", ""))
            options = step.get("with") or {}
            if uses.startswith("actions/checkout@"):
                if str(options.get("persist-credentials", "true")).lower() != "false":
                    problems.append(f"{name}: checkout without persist-credentials: false")
                ref = str(options.get("ref", ""))
                if "base.sha" not in ref:
                    problems.append(f"{name}: checkout of {ref or 'the PR'}: check out the base")
            run = str(step.get("run", ""))
            if re.search(r"\bmake install\b|pip3? install\b[^\n]*(?:\s\.(?:\s|$)|-e\b)", run):
                problems.append(f"{name}: builds or installs the project: {run.strip()[:80]}")
            for command in re.findall(r"pip3? install\b[^\n]*", run):
                if "--require-hashes" not in command or "--only-binary=:all:" not in command:
                    problems.append(f"{name}: {command}: only hashed wheels from the lock file")
            if "pip install" in run and ".github/review-comment-requirements.txt" not in run:
                problems.append(f"{name}: install from .github/review-comment-requirements.txt")
    return problems


def container_problems(workflow: dict[str, Any]) -> list[str]:
    problems = []
    for name, job in (workflow.get("jobs") or {}).items():
        images = []
        container = job.get("container")
        if container:
            images.append(container if isinstance(container, str) else container.get("image"))
        for service in (job.get("services") or {}).values():
            images.append(service.get("image"))
        for image in images:
            image = str(image or "")
            tag = image.split("@")[0].rpartition(":")[2] if ":" in image else ""
            if "@sha256:" not in image and not re.match(r"\d+\.\d+\.\d+(?:-|$)", tag):
                problems.append(
                    f"{name}: image {image!r}: pin it by digest (@sha256:…) or an exact "
                    "version tag (python:3.11.11-bookworm)"
                )
    return problems


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_action_is_pinned_by_commit_with_its_tag(path):
    assert unpinned_actions(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_privileged_jobs_keep_no_token_and_build_nothing(path):
    assert privileged_job_problems(load(path)) == []


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_container_images_are_pinned(path):
    assert container_problems(load(path)) == []


def test_there_is_a_privileged_workflow_and_it_is_checked():
    privileged = [p.name for p in WORKFLOWS if "pull_request_target" in _on(load(p))]
    assert privileged == ["review-comment.yml"]


def test_the_checks_catch_what_the_old_workflows_did():
    assert unpinned_actions("      - uses: peter-evans/create-pull-request@v7\n")
    assert unpinned_actions("      - uses: actions/checkout@v4\n")
    assert unpinned_actions(  # pinned, but which tag?
        "      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683\n"
    )
    old = parse(
        """
on: {pull_request_target: {types: [opened]}}
jobs:
  comment:
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
        with: {ref: "${{ github.event.pull_request.base.sha }}", fetch-depth: 0}
      - run: python -m pip install --disable-pip-version-check .
"""
    )
    problems = privileged_job_problems(old)
    assert any("persist-credentials" in p for p in problems)
    assert any("builds or installs the project" in p for p in problems)
    assert container_problems({"jobs": {"test": {"container": "python:3.11-bookworm"}}})
    assert not container_problems({"jobs": {"test": {"container": "python:3.11.11-bookworm"}}})


def _pins() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    pins = {}
    for requirement in project["project"]["dependencies"]:
        name, _, version = requirement.partition("==")
        pins[re.sub(r"\[.*\]", "", name).lower().replace("_", "-")] = version
    return pins


def _lock() -> dict[str, tuple[str, list[str]]]:
    text = LOCK.read_text(encoding="utf-8").replace("\\\n", " ")
    found = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        requirement, *options = line.split()
        name, _, version = requirement.partition("==")
        hashes = [o.removeprefix("--hash=sha256:") for o in options if o.startswith("--hash=")]
        found[name.lower().replace("_", "-")] = (version, hashes)
    return found


def test_the_privileged_jobs_lock_file_has_pyprojects_pins_all_hashed():
    lock = _lock()
    for name, version in _pins().items():
        assert name in lock, f"{name} is missing from {LOCK.name}"
        assert lock[name][0] == version, f"{name}: {lock[name][0]} in the lock, {version} pinned"
    for name, (version, hashes) in lock.items():
        assert version and hashes and all(re.fullmatch(r"[0-9a-f]{64}", h) for h in hashes), name


def test_the_weekly_pull_request_gets_checks():
    weekly = load(ROOT / ".github" / "workflows" / "weekly.yml")
    steps = weekly["jobs"]["geocode"]["steps"]
    propose = next(s for s in steps if s.get("name") == "Propose the new cache entries")
    assert "secrets.WEEKLY_PR_TOKEN" in propose["env"]["GH_TOKEN"]
    assert "gh workflow run pull-request.yml" in propose["run"]
    assert weekly["jobs"]["geocode"]["permissions"]["actions"] == "write"
    checks = load(ROOT / ".github" / "workflows" / "pull-request.yml")
    assert "workflow_dispatch" in _on(checks)
    text = (ROOT / ".github" / "workflows" / "weekly.yml").read_text(encoding="utf-8")
    assert "peter-evans" not in text and "WEEKLY_PR_TOKEN" in text


def test_the_weekly_stale_issue_is_written_keeping_the_ticks():
    weekly = load(ROOT / ".github" / "workflows" / "weekly.yml")
    runs = "\n".join(str(s.get("run", "")) for s in weekly["jobs"]["stale"]["steps"])
    assert "gh issue view" in runs
    assert "stale --format markdown --keep-ticks-from previous.md > stale.md" in runs
    assert "--body-file stale.md" in runs


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_run_script_is_valid_bash(path):
    for name, job in load(path)["jobs"].items():
        for step in job.get("steps") or []:
            if "run" not in step:
                continue
            script = re.sub(r"\$\{\{[^}]*\}\}", "x", str(step["run"]))
            done = subprocess.run(
                ["bash", "-n"], input=script, capture_output=True, text=True, check=False
            )
            assert done.returncode == 0, f"{name}: {step.get('name')}: {done.stderr}"


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_no_checkout_leaves_its_token_in_git_config(path):
    """Steps after a checkout (pip, make, the build) never find a token on disk; the
    steps that push or fetch pass one to that one git command."""
    for name, job in load(path)["jobs"].items():
        for step in job.get("steps") or []:
            if str(step.get("uses", "")).startswith("actions/checkout@"):
                options = step.get("with") or {}
                assert str(options.get("persist-credentials")).lower() == "false", name
