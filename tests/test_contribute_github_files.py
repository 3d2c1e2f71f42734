"""The GitHub files: workflows and issue forms valid against GitHub's schemas, forms in
sync with the vocabularies, and the commands the workflows call working here."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.git_repo import GitRepo, listing_fields
from waystation import settings
from waystation.cli import build_parser, main
from waystation.contribute import issue_forms, review_diff
from waystation.contribute.repository import repository_url, web_address
from waystation.gazetteer.states import STATES
from waystation.records import vocabulary

ROOT = Path(__file__).resolve().parent.parent
GITHUB = ROOT / ".github"
WORKFLOWS = sorted((GITHUB / "workflows").glob("*.yml"))
FORMS = [GITHUB / "ISSUE_TEMPLATE" / form.filename for form in issue_forms.FORMS]
CHECK_JSONSCHEMA = Path(sys.executable).parent / "check-jsonschema"
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def check_jsonschema(schema: str, *files: Path) -> subprocess.CompletedProcess:
    assert CHECK_JSONSCHEMA.exists(), "install the test extras: pip install -e '.[test]'"
    return subprocess.run(
        [str(CHECK_JSONSCHEMA), "--builtin-schema", schema, *map(str, files)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_workflows_are_valid_for_github():
    assert {p.name for p in WORKFLOWS} >= {
        "pull-request.yml", "review-comment.yml", "deploy.yml", "weekly.yml"
    }  # fmt: skip
    result = check_jsonschema("vendor.github-workflows", *WORKFLOWS)
    assert result.returncode == 0, result.stdout + result.stderr


def test_issue_forms_and_config_are_valid_for_github():
    result = check_jsonschema("vendor.github-issue-forms", *FORMS)
    assert result.returncode == 0, result.stdout + result.stderr
    result = check_jsonschema("vendor.github-issue-config", GITHUB / "ISSUE_TEMPLATE/config.yml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_schema_check_catches_a_broken_form(tmp_path):
    data = yaml.safe_load(FORMS[0].read_text(encoding="utf-8"))
    data["body"][1]["type"] = "text-field"
    broken = tmp_path / "broken.yml"
    broken.write_text(yaml.safe_dump(data), encoding="utf-8")
    assert check_jsonschema("vendor.github-issue-forms", broken).returncode != 0


def _repository() -> str:
    return repository_url(settings.load(ROOT / "pelicanconf.py"), ROOT)


def _committed_repository() -> str:
    """The repository address the committed forms were generated for (their private
    security-report link): the forms must be current for it whatever clone runs this."""
    config = yaml.safe_load((GITHUB / "ISSUE_TEMPLATE" / "config.yml").read_text("utf-8"))
    (link,) = [c["url"] for c in config["contact_links"] if "/security/" in c["url"]]
    return link.split("/security/")[0]


def test_committed_forms_are_generated_from_the_vocabularies():
    """Up to date with the vocabularies and forms, for the address they name (a clone
    whose remote is the real repository regenerates them with its own address)."""
    for name, text in issue_forms.form_files(_committed_repository()).items():
        path = GITHUB / "ISSUE_TEMPLATE" / name
        assert path.read_text(encoding="utf-8") == text, (
            f"{path} is out of date: run `python scripts/generate_issue_forms.py`"
        )


def _fields(path: Path) -> dict[str, dict]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {item["id"]: item for item in data["body"] if "id" in item}


@pytest.mark.parametrize("form", ["new-listing.yml", "correct-a-listing.yml"])
def test_form_options_match_the_vocabularies(form):
    fields = _fields(GITHUB / "ISSUE_TEMPLATE" / form)
    for field_id in ("services", "trafficking_types", "populations", "features"):
        options = [o["label"] for o in fields[field_id]["attributes"]["options"]]
        terms = vocabulary.get(field_id).terms
        assert options == [f"{t.label_in('en')} (`{t.id}`)" for t in terms], field_id
    for field_id in ("visibility", "cost"):
        options = fields[field_id]["attributes"]["options"]
        assert [issue_forms.option_id(o) for o in options] == list(vocabulary.get(field_id).ids)
    states = fields["state"]["attributes"]["options"]
    assert [issue_forms.option_id(o) for o in states] == list(STATES)


def test_form_fields_mirror_the_record_format():
    listing_ids = {
        "name", "organization", "summary", "services", "trafficking_types", "populations",
        "features", "visibility", "street", "city", "state", "postal_code", "phones",
        "website", "email", "languages", "cost", "how_to_apply", "eligibility", "hours",
        "service_area", "description", "last_verified", "source", "confirmations",
    }  # fmt: skip
    new = _fields(GITHUB / "ISSUE_TEMPLATE/new-listing.yml")
    assert set(new) == listing_ids
    for required in ("name", "visibility", "state", "last_verified"):
        assert new[required]["validations"]["required"] is True
    confirm = new["confirmations"]["attributes"]["options"]
    assert confirm[0]["required"] is True and "no street address" in confirm[0]["label"]
    correction = _fields(GITHUB / "ISSUE_TEMPLATE/correct-a-listing.yml")
    assert set(correction) == listing_ids | {
        "listing", "what_changed", "status", "remove", "changes"
    }  # fmt: skip
    assert all(
        "validations" not in field for key, field in correction.items()
        if key not in ("listing", "what_changed")
    )  # fmt: skip


def _workflow_commands() -> list[tuple[str, list[str]]]:
    """Every `python -m waystation ...` command line in the workflows' run steps."""
    found = []
    for path in WORKFLOWS:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for job in data["jobs"].values():
            for step in job.get("steps", []):
                for line in step.get("run", "").splitlines():
                    match = re.search(r"-m waystation (.*)$", line)
                    if not match:
                        continue
                    command = re.split(r"\s(?:>|\||\|\||&&)\s", match.group(1))[0]
                    command = re.sub(r'"\$\([^)]*\)"|"?\$\{?\w+\}?"?', "VALUE", command)
                    command = command.replace('VALUE/geocodeconf.py"', "conf.py")
                    found.append((path.name, shlex.split(command)))
    return found


def test_workflow_commands_exist_with_those_options():
    commands = _workflow_commands()
    called = {args[0] for _, args in commands}
    assert called >= {"validate", "diff", "stale", "geocode"}
    parser = build_parser()
    for name, args in commands:
        try:
            parser.parse_args(args)
        except SystemExit:
            pytest.fail(f"{name}: `waystation {' '.join(args)}` is not a valid command")


def test_workflows_use_pinned_actions_and_least_privilege():
    for path in WORKFLOWS:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert data["permissions"] == {"contents": "read"}, path.name
        for job in data["jobs"].values():
            for step in job.get("steps", []):
                if "uses" in step:
                    assert re.search(r"@(v\d+|[0-9a-f]{40})$", step["uses"]), step["uses"]
    comment = (GITHUB / "workflows/review-comment.yml").read_text(encoding="utf-8")
    assert review_diff.MARKER in comment
    # The write-token workflow never checks out the pull request's code.
    data = yaml.safe_load(comment)
    checkout = data["jobs"]["comment"]["steps"][0]
    assert checkout["with"]["ref"] == "${{ github.event.pull_request.base.sha }}"


def waystation(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "waystation", *args],
        cwd=cwd, env=ENV, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def test_validate_step_runs_on_the_sample_listings():
    result = waystation("validate", "--format", "github", "--today", "2026-11-30")
    assert result.returncode == 0, result.stdout[-3000:]
    lines = result.stdout.splitlines()
    annotations = lines[: lines.index("::group::Full validation report")]
    assert all(re.match(r"::(error|warning) file=providers/", line) for line in annotations)
    assert lines[-1] == "::endgroup::"


def test_stale_step_runs_on_the_sample_listings(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    assert main(["stale", "--format", "markdown", "--today", "2030-01-01"]) == 0
    markdown = capsys.readouterr().out
    assert markdown.startswith("<!-- waystation-stale-listings -->")
    assert main(["stale", "--format", "json", "--today", "2030-01-01"]) == 0
    count = len(json.loads(capsys.readouterr().out)["listings"])
    assert count > 0  # in 2030 every sample listing is due
    assert markdown.count("\n- [ ] ") == count


def test_summary_step_runs_like_the_workflow(tmp_path):
    repo = GitRepo(tmp_path / "directory")
    repo.listing("alpha", **listing_fields("Alpha"))
    base = repo.commit("Base")
    repo.listing("alpha", **listing_fields("Alpha", summary="A new summary."))
    repo.commit("Change")
    result = waystation("diff", base, "HEAD", "--format", "markdown", "--output", "summary.md",
                        cwd=repo.root)  # fmt: skip
    assert result.returncode == 0, result.stderr
    summary = (repo.root / "summary.md").read_text(encoding="utf-8")
    assert summary.startswith(review_diff.MARKER)
    assert "`summary`: `Help for survivors.` → `A new summary.`" in summary


def test_form_generator_check_passes():
    result = subprocess.run(
        [sys.executable, "scripts/generate_issue_forms.py", "--check"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout


def test_issue_form_links_point_at_this_repository(tmp_path):
    config = yaml.safe_load((GITHUB / "ISSUE_TEMPLATE/config.yml").read_text(encoding="utf-8"))
    security = config["contact_links"][1]["url"]
    assert security == f"{_repository()}/security/advisories/new"
    # The address comes from REPOSITORY_URL when a site sets it, else from the git remote.
    repo = GitRepo(tmp_path / "fork")
    assert repository_url({}, repo.root) == settings.BY_NAME["REPOSITORY_URL"].default
    repo.git("remote", "add", "origin", "git@github.com:harbor-ngo/directory.git")
    assert repository_url({}, repo.root) == "https://github.com/harbor-ngo/directory"
    mine = {"REPOSITORY_URL": "https://git.example.net/ngo/waystation/"}
    assert repository_url(mine, repo.root) == "https://git.example.net/ngo/waystation"
    files = issue_forms.form_files(repository_url({}, repo.root))
    assert "https://github.com/harbor-ngo/directory/security/advisories/new" in files["config.yml"]
    assert "example/waystation" not in files["config.yml"]
    assert web_address("https://x-access-token@github.com/a/b.git") == "https://github.com/a/b"
    assert web_address("/srv/git/local-only") is None
