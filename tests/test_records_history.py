"""Listing histories from git (waystation/records/history.py), on a repository the test
makes: dates and the fields that changed, never what the commit message says."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from tests.git_repo import GitRepo, listing_fields
from waystation.publish import public_history
from waystation.records import git_objects
from waystation.records.history import HistoryEntry, repository_histories
from waystation.records.model import FIELDS

HIDDEN = {"visibility": "hidden", "state": "VT"}


def test_each_file_gets_the_changes_to_its_fields_newest_first(tmp_path: Path):
    repo = GitRepo(tmp_path / "directory")
    repo.listing("alpha", **listing_fields("Alpha"))
    repo.listing("beta", **listing_fields("Beta"))
    first = repo.commit("Add Alpha and Beta", date="2026-01-05")
    repo.listing(
        "alpha",
        **listing_fields(
            "Alpha",
            last_verified="2026-03-01",
            phones=[{"number": "312-555-0199", "type": "voice"}],
        ),
    )
    second = repo.commit("Alpha: new phone number, verified by call", date="2026-03-02")
    repo.write("README.md", "not a listing")
    repo.commit("Docs only", date="2026-04-01")
    (repo.root / "providers/beta.md").unlink()
    repo.listing("gamma", **listing_fields("Gamma"), body="Another text.")
    third = repo.commit("Replace Beta with Gamma", date="2026-05-10")

    histories = repository_histories(repo.root, "providers")

    assert set(histories) == {"providers/alpha.md", "providers/beta.md", "providers/gamma.md"}
    alpha = histories["providers/alpha.md"]
    assert [(e.commit, e.date, e.kind, e.fields) for e in alpha] == [
        (second, dt.date(2026, 3, 2), "changed", ("last_verified", "phones[0].number")),
        (first, dt.date(2026, 1, 5), "added", ()),
    ]
    # A removal has no page to be shown on: only what happened while the file existed.
    assert [(e.commit, e.kind) for e in histories["providers/beta.md"]] == [(first, "added")]
    assert [(e.commit, e.kind) for e in histories["providers/gamma.md"]] == [(third, "added")]


def test_no_commit_message_author_or_value_is_kept(tmp_path: Path):
    # The finding: a hidden shelter's street, town and ZIP in a commit title.
    repo = GitRepo(tmp_path / "directory")
    repo.listing("shelter", **listing_fields("Shelter", location=HIDDEN))
    repo.commit("Add hidden shelter at 99 Quillwort Lane, Bomoseen VT 05732", date="2026-01-05")
    repo.listing("shelter", **listing_fields("Shelter", location=HIDDEN, summary="New words."))
    repo.commit("Shelter moved to 12 Secret Road, Castleton VT", date="2026-02-05")

    histories = repository_histories(repo.root, "providers")

    entries = histories["providers/shelter.md"]
    assert [(e.date.isoformat(), e.kind, e.fields) for e in entries] == [
        ("2026-02-05", "changed", ("summary",)),
        ("2026-01-05", "added", ()),
    ]
    kept = repr(histories)
    for secret in ("Quillwort", "Bomoseen", "05732", "Secret Road", "Castleton", "New words"):
        assert secret not in kept


def test_a_change_to_the_description_is_named_and_reformatting_is_left_out(tmp_path: Path):
    repo = GitRepo(tmp_path / "directory")
    repo.listing("alpha", body="First text.", **listing_fields("Alpha"))
    repo.commit("Add", date="2026-01-05")
    repo.listing("alpha", body="Second text.", **listing_fields("Alpha"))
    repo.commit("Reword", date="2026-01-06")
    path = repo.root / "providers/alpha.md"
    path.write_text(path.read_text().replace("name: Alpha", "name: 'Alpha'") + "\n\n")
    repo.commit("Quotes and blank lines only", date="2026-01-07")

    entries = repository_histories(repo.root, "providers")["providers/alpha.md"]

    assert [(e.date.isoformat(), e.fields) for e in entries] == [
        ("2026-01-06", ("description",)),
        ("2026-01-05", ()),
    ]


def test_a_version_that_cannot_be_read_is_skipped_not_fatal(tmp_path: Path):
    repo = GitRepo(tmp_path / "directory")
    repo.listing("alpha", **listing_fields("Alpha"))
    repo.commit("Add", date="2026-01-05")
    repo.write("providers/alpha.md", "---\nname: x\nloop: &a [*a]\n---\n")
    repo.commit("Broken", date="2026-01-06")
    repo.write("providers/alpha.md", '---\nname: "a\x00b"\n---\n')
    repo.commit("Broken again", date="2026-01-07")
    repo.listing("alpha", **listing_fields("Alpha", summary="Back."))
    repo.commit("Fixed", date="2026-01-08")

    entries = repository_histories(repo.root, "providers")["providers/alpha.md"]

    assert [e.date.isoformat() for e in entries] == ["2026-01-08", "2026-01-05"]


def test_a_symbolic_link_is_not_a_listing_version(tmp_path: Path):
    repo = GitRepo(tmp_path / "directory")
    (repo.root / "providers").mkdir()
    (repo.root / "providers/link.md").symlink_to("/dev/zero")
    repo.commit("A link", date="2026-01-05")
    assert repository_histories(repo.root, "providers") == {}


def test_old_versions_are_read_in_one_git_process(tmp_path: Path, monkeypatch):
    repo = GitRepo(tmp_path / "directory")
    for index in range(6):
        for name in ("alpha", "beta", "gamma"):
            repo.listing(name, **listing_fields(name.title(), summary=f"Version {index}."))
        repo.commit(f"Version {index}", date=f"2026-01-0{index + 1}")
    calls: list[list[str]] = []
    real_run = subprocess.run

    def counting_run(args, *rest, **kwargs):
        calls.append(list(args))
        return real_run(args, *rest, **kwargs)

    monkeypatch.setattr(git_objects.subprocess, "run", counting_run)

    histories = repository_histories(repo.root, "providers", entries=10)

    assert sorted(len(entries) for entries in histories.values()) == [6, 6, 6]
    assert [args[3] for args in calls] == ["log", "cat-file"]


def test_uncommitted_files_have_no_history(tmp_path: Path):
    repo = GitRepo(tmp_path / "directory")
    repo.listing("alpha", **listing_fields("Alpha"))
    repo.commit("Add Alpha", date="2026-01-05")
    repo.listing("new-one", **listing_fields("New One"))  # not committed
    histories = repository_histories(repo.root, "providers")
    assert "providers/new-one.md" not in histories
    assert len(histories["providers/alpha.md"]) == 1


def test_outside_git_the_history_is_empty(tmp_path: Path, monkeypatch):
    # A build from a downloaded archive: no .git anywhere above.
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    folder = tmp_path / "archive"
    (folder / "providers").mkdir(parents=True)
    (folder / "providers" / "alpha.md").write_text("---\nname: Alpha\n---\n")
    assert repository_histories(folder, "providers") == {}


def test_without_git_installed_the_history_is_empty(tmp_path: Path, monkeypatch):
    repo = GitRepo(tmp_path / "directory")
    repo.listing("alpha", **listing_fields("Alpha"))
    repo.commit("Add Alpha", date="2026-01-05")
    monkeypatch.setenv("PATH", str(tmp_path / "no-bin"))
    assert repository_histories(repo.root, "providers") == {}


def test_a_rebuild_reads_only_versions_committed_since(tmp_path: Path, monkeypatch):
    repo = GitRepo(tmp_path / "directory")
    repo.listing("alpha", **listing_fields("Alpha"))
    repo.commit("Add", date="2026-01-05")
    repo.listing("alpha", **listing_fields("Alpha", summary="Changed."))
    repo.commit("Change", date="2026-01-06")
    cache = tmp_path / "cache" / "waystation-history.json"
    first = repository_histories(repo.root, "providers", cache_file=cache)
    assert cache.is_file()
    calls: list[list[str]] = []
    real_run = subprocess.run

    def counting_run(args, *rest, **kwargs):
        calls.append(list(args))
        return real_run(args, *rest, **kwargs)

    monkeypatch.setattr(git_objects.subprocess, "run", counting_run)
    again = repository_histories(repo.root, "providers", cache_file=cache)
    assert again == first
    assert [args[3] for args in calls] == ["log"]  # nothing to read: every pair is known
    repo.listing("alpha", **listing_fields("Alpha", summary="Changed again.", cost="free"))
    repo.commit("Change again", date="2026-01-07")
    calls.clear()
    newest = repository_histories(repo.root, "providers", cache_file=cache)
    assert newest["providers/alpha.md"][0].fields == ("summary", "cost")
    assert [args[3] for args in calls] == ["log", "cat-file"]
    cache.write_text("{not json", encoding="utf-8")  # a damaged cache is only slower
    assert repository_histories(repo.root, "providers", cache_file=cache) == newest


#: What a page may name: top-level fields of the record format, never ``source``.
SHOWABLE = (set(FIELDS) | {"description"}) - {"source", "translations"}
PATHS = st.one_of(
    st.sampled_from(["location.street", "location.coordinates.lat", "location.city",
                     "phones[0].number", "translations.es.description", "translations.es",
                     "source", "description", "hours[1].opens", "name"]),
    st.text(max_size=40),  # any key a contributor could write
    st.builds(lambda a, b: f"{a}.{b}", st.sampled_from(FIELDS), st.text(max_size=20)),
)  # fmt: skip


@given(st.lists(st.tuples(st.sampled_from(["added", "changed"]), st.lists(PATHS, max_size=8)),
                max_size=6))  # fmt: skip
def test_public_history_names_only_showable_fields_and_no_value(raw_entries):
    entries = [
        HistoryEntry("0" * 40, dt.date(2026, 1, 1 + i), kind, () if kind == "added" else tuple(p))
        for i, (kind, p) in enumerate(raw_entries)
    ]
    shown = public_history(entries)
    for item in shown:
        assert set(item) == {"date", "kind", "fields"}
        assert set(item["fields"]) <= SHOWABLE
        assert item["fields"] == sorted(set(item["fields"]), key=[*FIELDS, "description"].index)
    assert [i["kind"] for i in shown if i["kind"] == "added"] == [
        kind for kind, _ in raw_entries if kind == "added"
    ]
    for item, entry in zip(
        [i for i in shown if i["kind"] == "changed"],
        [e for e in entries if e.kind == "changed" and public_history([e])],
        strict=True,
    ):
        tops = {p.split(".")[0].split("[")[0] for p in entry.fields}
        if tops & {"location"}:
            assert "location" in item["fields"]
