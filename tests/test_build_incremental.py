"""Incremental builds: a rebuild after a change writes what a clean build writes, byte for
byte, rewrites nothing else, and leaves nothing of what is gone.

Each case starts from one incremental build of a copy of the sample project (listings,
content pages, theme, settings file and the ``waystation`` package itself, so that a
template or a translation catalog can be changed without touching the repository),
changes one thing the way a contributor would, rebuilds into the same output folder with
the same cache, then builds the changed project from scratch into a new folder and
compares the two trees.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import ROOT, SAMPLE_TODAY
from waystation.build import incremental

pytestmark = pytest.mark.filterwarnings("ignore")


#: Python run before Pelican to make the sample build fork what a large directory forks
#: (page renderers taking chunks in turn, the early open data and maps, the CSP scan).
FORK_EVERYTHING = (
    "from waystation.runtime import workers; from waystation.site import csp, write;"
    "write.PARALLEL_MIN_PAGES = workers.PARALLEL_MIN_LISTINGS = 1;"
    "write.CHUNK_PAGES = 3; write.CHUNK_OTHER_PAGES = 2; csp.PARALLEL_MIN_FILES = 1;"
    "import sys; from pelican import main; sys.argv = ['pelican'] + sys.argv[1:]; main()"
)


def build(project: Path, output: Path, cache: Path, forked: bool = False, **settings) -> str:
    """The real ``pelican`` command over ``project`` (caches on, as in pelicanconf.py);
    ``forked``: with every threshold at one, as a large directory is built."""
    values = {
        "CACHE_PATH": str(cache),
        "PROVIDERS_PATH": str(project / "providers"),
        "THEME": str(project / "theme"),
        **settings,
    }
    start = ["-c", FORK_EVERYTHING] if forked else ["-m", "pelican"]
    if forked:
        values["BUILD_WORKERS"] = 2
    command = [
        sys.executable, *start, str(project / "content"), "-o", str(output),
        "-s", str(project / "pelicanconf.py"), "-v",
        "-e", *(f"{k}={json.dumps(v)}" for k, v in sorted(values.items())),
    ]  # fmt: skip
    env = {
        **os.environ,
        "WAYSTATION_TODAY": SAMPLE_TODAY,
        "PYTHONHASHSEED": "0",
        "PYTHONPATH": str(project),  # the project's copy of the waystation package
        "COLUMNS": "200",
    }
    proc = subprocess.run(
        command, cwd=project, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    if proc.returncode != 0:
        pytest.fail(f"build failed:\n{proc.stdout}\n{proc.stderr}")
    return proc.stdout + proc.stderr


def snapshot(output: Path) -> dict[str, tuple[bytes, int, int]]:
    """Every file: (bytes, mtime_ns, inode)."""
    found = {}
    for path in sorted(output.rglob("*")):
        if path.is_file():
            stat = path.stat()
            found[path.relative_to(output).as_posix()] = (
                path.read_bytes(),
                stat.st_mtime_ns,
                stat.st_ino,
            )
    return found


def assert_untouched(before: dict, after: dict) -> None:
    """Most files are as they were (:func:`snapshot`s), and those keep their mtime; the
    pages the page writer writes are not even opened for writing (same inode)."""
    untouched = [p for p in after if p in before and after[p][0] == before[p][0]]
    assert len(untouched) > len(after) / 2
    rewritten = [p for p in untouched if after[p][1] != before[p][1]]
    assert rewritten == [], f"unchanged files got a new mtime: {rewritten[:5]}"
    pages = [p for p in untouched if p.endswith(".html") and not p.startswith(("map/", "es/map"))]
    moved = [p for p in pages if after[p][2] != before[p][2]]
    assert moved == [], f"unchanged pages were written again: {moved[:5]}"


def built_sample(folder: Path) -> Path:
    """``folder`` holding a copy of the sample project (``project/``, with this checkout's
    ``waystation`` package, which its builds run) built once incrementally: ``output/``
    and ``cache/`` kept."""
    project = folder / "project"
    project.mkdir()
    for name in ("content", "theme", "providers"):
        shutil.copytree(ROOT / name, project / name)
    shutil.copytree(
        ROOT / "waystation", project / "waystation", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copy(ROOT / "pelicanconf.py", project / "pelicanconf.py")
    shutil.copy(ROOT / "geocode-cache.json", project / "geocode-cache.json")
    (project / "providers" / "_template.md").unlink(missing_ok=True)
    build(project, folder / "output", folder / "cache")
    return folder


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    """The sample project, built once incrementally (output and cache kept)."""
    return built_sample(tmp_path_factory.mktemp("incremental-base"))


@pytest.fixture
def workspace(base, tmp_path) -> Path:
    """A copy of the base project, its output and cache (mtimes and all)."""
    target = tmp_path / "work"
    shutil.copytree(base, target, symlinks=True, copy_function=shutil.copy2)
    return target


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{path.name} has no {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def edit_listing(project: Path) -> str:
    replace_in(
        project / "providers" / "alamo-sunrise-housing.md",
        'summary: "Long-term apartments for survivors and their families,',
        'summary: "Long-term apartments (now with a 24/7 line) for survivors and families,',
    )
    return "providers/alamo-sunrise-housing/index.html"


def add_listing(project: Path) -> str:
    source = (project / "providers" / "alamo-sunrise-housing.md").read_text(encoding="utf-8")
    new = source.replace("name: Alamo Sunrise Housing", "name: Alamo Dawn Apartments")
    new = new.replace("615 Mesquite Courtyard Drive", "700 Mesquite Courtyard Drive")
    (project / "providers" / "alamo-dawn-apartments.md").write_text(new, encoding="utf-8")
    return "providers/alamo-dawn-apartments/index.html"


def remove_listing(project: Path) -> str:
    (project / "providers" / "yakima-valley-promise.md").unlink()
    return "providers/yakima-valley-promise/index.html"


def rename_listing(project: Path) -> str:
    old = project / "providers" / "yakima-valley-promise.md"
    old.rename(project / "providers" / "yakima-promise-center.md")
    return "providers/yakima-valley-promise/index.html"


def hide_listing(project: Path) -> str:
    path = project / "providers" / "harbor-light-chicago-loop.md"
    text = path.read_text(encoding="utf-8")
    text = re.sub(
        r"location:\n  visibility: public\n(?:  .*\n)*?(?=  state: IL\n)",
        "location:\n  visibility: hidden\n",
        text,
    )
    text = re.sub(r"  postal_code: .*\n|  coordinates: .*\n|  accessibility: .*\n", "", text)
    path.write_text(text, encoding="utf-8")
    return "providers/harbor-light-chicago-loop/index.html"


def edit_template(project: Path) -> str:
    replace_in(
        project / "theme" / "templates" / "state.html",
        "{% block content %}",
        '{% block content %}<p class="note">Call before you visit.</p>',
    )
    return "states/il/index.html"


def edit_translation(project: Path) -> str:
    catalog = project / "waystation" / "locale" / "es" / "LC_MESSAGES" / "messages.po"
    text = catalog.read_text(encoding="utf-8")
    found = re.search(r'msgid "Services"\nmsgstr "([^"]+)"', text)
    assert found, "the Spanish catalog translates 'Services'"
    catalog.write_text(
        text.replace(found.group(0), 'msgid "Services"\nmsgstr "Servicios ofrecidos"'),
        encoding="utf-8",
    )
    return "es/providers/alamo-sunrise-housing/index.html"


CHANGES = {
    "listing edited": edit_listing,
    "listing added": add_listing,
    "listing removed": remove_listing,
    "listing renamed": rename_listing,
    "public listing made hidden": hide_listing,
    "template edited": edit_template,
    "translation edited": edit_translation,
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_rebuild_after_a_change_is_a_clean_build_and_touches_nothing_else(workspace, change):
    project, output, cache = workspace / "project", workspace / "output", workspace / "cache"
    before = snapshot(output)
    page = CHANGES[change](project)
    build(project, output, cache)
    after = snapshot(output)
    clean = snapshot(build_clean(workspace, project))

    assert sorted(after) == sorted(clean), "the rebuild left or lacks files"
    differing = [path for path in clean if after[path][0] != clean[path][0]]
    assert differing == [], f"the rebuild differs from a clean build in {differing[:5]}"
    if change in ("listing removed", "listing renamed"):
        assert page in before and page not in after
    if change == "public listing made hidden":
        # Its street and point were published; no file may keep them now.
        street, point = b"1420 N Lantern Way", b"41.8862"
        assert any(street in data for data, _, _ in before.values())
        leaks = [path for path, (data, _, _) in after.items() if street in data or point in data]
        assert leaks == [], f"the hidden listing's street or point is still in {leaks}"
        assert b"60601" not in after[page][0]
    if change not in ("listing removed", "listing renamed"):
        assert after[page][0] != before.get(page, (b"",))[0], f"{page} did not change"
    assert_untouched(before, after)


def build_clean(workspace: Path, project: Path) -> Path:
    output = workspace / "clean-output"
    build(project, output, workspace / "clean-cache")
    return output


def test_a_setting_changed_rewrites_every_page_like_a_clean_build(workspace):
    project, output, cache = workspace / "project", workspace / "output", workspace / "cache"
    build(project, output, cache, SITENAME="Waystation Midwest")
    after = snapshot(output)
    clean_output = workspace / "clean-output"
    build(project, clean_output, workspace / "clean-cache", SITENAME="Waystation Midwest")
    clean = snapshot(clean_output)
    assert sorted(after) == sorted(clean)
    assert [p for p in clean if after[p][0] != clean[p][0]] == []
    assert b"Waystation Midwest" in after["providers/alamo-sunrise-housing/index.html"][0]


def test_nothing_changed_writes_no_file(workspace):
    project, output, cache = workspace / "project", workspace / "output", workspace / "cache"
    before = snapshot(output)
    log = build(project, output, cache)
    after = snapshot(output)
    assert "nothing changed since the last build" in log
    assert sorted(after) == sorted(before)
    changed = [p for p in after if after[p][:2] != before[p][:2]]
    assert changed == [], f"files changed although no input did: {changed[:5]}"
    # and again: what a nothing-changed build keeps lets the next one tell too
    assert "nothing changed since the last build" in build(project, output, cache)
    again = snapshot(output)
    assert [p for p in again if again[p][:2] != before[p][:2]] == []


def test_a_failing_page_is_reported_once_and_the_next_build_writes_it(workspace):
    """An unsafe template fails the incremental build with file and line; once fixed, the
    next build writes the pages (the manifest of the failed build is not trusted)."""
    project, output, cache = workspace / "project", workspace / "output", workspace / "cache"
    before = snapshot(output)  # a build of the project as it will be once fixed
    template = project / "theme" / "templates" / "state.html"
    good = template.read_text(encoding="utf-8")
    template.write_text(
        good.replace(
            "{% block content %}",
            '{% block content %}<img src="https://tracker.example.com/p.gif" alt="">',
            1,
        ),
        encoding="utf-8",
    )
    values = {
        "CACHE_PATH": str(cache),
        "PROVIDERS_PATH": str(project / "providers"),
        "THEME": str(project / "theme"),
    }
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pelican",
            str(project / "content"),
            "-o",
            str(output),
            "-s",
            str(project / "pelicanconf.py"),
            "-e",
            *(f"{k}={json.dumps(v)}" for k, v in sorted(values.items())),
        ],  # fmt: skip
        cwd=project,
        env={**os.environ, "WAYSTATION_TODAY": SAMPLE_TODAY, "PYTHONPATH": str(project)},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode != 0
    assert re.search(r"states/il/index\.html:\d+: ", proc.stdout + proc.stderr)
    template.write_text(good, encoding="utf-8")
    build(project, output, cache)
    after = snapshot(output)
    assert sorted(after) == sorted(before)
    assert [p for p in before if after[p][0] != before[p][0]] == []


def test_a_rebuild_by_forked_workers_is_a_clean_build(workspace):
    """Pages rendered (or skipped) by forked workers, their fingerprints sent back to the
    build: the same bytes as a clean build, the unchanged pages untouched."""
    project, output, cache = workspace / "project", workspace / "output", workspace / "cache"
    before = snapshot(output)
    page = edit_listing(project)
    log = build(project, output, cache, forked=True)
    assert re.search(r"pages shared by 2 renderers", log)  # the forked path was taken
    # A rebuild's changed pages do not wait for the open data and maps: forked beside them.
    assert "write_maps started early" in log and "done early" not in log
    skipped = re.search(r"\((\d+) unchanged, not written\)", log)
    assert skipped and int(skipped.group(1)) > 100, "the workers rendered every page again"
    after = snapshot(output)
    clean = snapshot(build_clean(workspace, project))
    assert sorted(after) == sorted(clean)
    assert [p for p in clean if after[p][0] != clean[p][0]] == []
    assert after[page][0] != before[page][0]
    untouched = [p for p in after if p in before and after[p][0] == before[p][0]]
    assert [p for p in untouched if after[p][1] != before[p][1]] == []


# The parts, without a build: fast, and messy inputs as people write them.

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=20,
)


def _reordered(value):
    if isinstance(value, dict):
        return {k: _reordered(value[k]) for k in reversed(list(value))}
    if isinstance(value, list):
        return [_reordered(v) for v in value]
    return value


@given(json_values)
def test_a_context_hashes_the_same_whatever_its_keys_order(value):
    assert incremental.canonical(value) == incremental.canonical(_reordered(value))


@given(json_values, json_values)
def test_different_contexts_hash_differently(first, second):
    same = json.dumps(first, sort_keys=True) == json.dumps(second, sort_keys=True)
    assert (incremental.canonical(first) == incremental.canonical(second)) == same


def test_a_template_fingerprint_follows_what_it_includes_and_nothing_else(tmp_path):
    (tmp_path / "partials").mkdir()
    (tmp_path / "base.html").write_text(
        '{{ partial("partials/nav.html") }}{% block c %}{% endblock %}'
    )
    (tmp_path / "partials" / "nav.html").write_text("<nav>Home</nav>")
    (tmp_path / "partials" / "card.html").write_text("<div>card</div>")
    (tmp_path / "state.html").write_text(
        '{% extends "base.html" %}{% block c %}{% include "partials/card.html" %}{% endblock %}'
    )
    (tmp_path / "listing.html").write_text('{% extends "base.html" %}{# partial(x) #}')
    (tmp_path / "dynamic.html").write_text('{% include "partials/" ~ kind ~ ".html" %}')

    def prints():
        made = incremental.TemplateFingerprints([tmp_path], "base")
        return {name: made.get(name) for name in ("state.html", "listing.html", "dynamic.html")}

    before = prints()
    (tmp_path / "partials" / "card.html").write_text("<div>card, edited</div>")
    after = prints()
    assert after["state.html"] != before["state.html"]
    assert after["listing.html"] == before["listing.html"]  # it shows no card
    assert after["dynamic.html"] != before["dynamic.html"]  # it may include any partial
    (tmp_path / "partials" / "nav.html").write_text("<nav>Start</nav>")
    assert all(prints()[name] != after[name] for name in after)


def test_a_browse_page_fingerprint_changes_with_the_listings_it_lists_only(tmp_path):
    (tmp_path / "state.html").write_text("{{ listing_items(local) }}")
    views = {"a": {"name": "Casa A"}, "b": {"name": "Casa B"}}
    check = incremental.PageCheck(
        incremental.Manifest(),
        tmp_path,
        incremental.TemplateFingerprints([tmp_path], "base"),
        lambda listing_id, lang: views[listing_id],
    )
    context = {"lang": "en", "local": [{"id": "a", "marks": [], "based_in": None}]}
    first = check.fingerprint("state.html", context)
    views["b"] = {"name": "Casa B, renamed"}
    check._listings.clear()
    assert check.fingerprint("state.html", context) == first
    views["a"] = {"name": "Casa A, renamed"}
    check._listings.clear()
    assert check.fingerprint("state.html", context) != first


def test_finish_deletes_what_is_gone_and_keeps_the_mtime_of_what_is_the_same(tmp_path):
    output = tmp_path / "output"
    (output / "providers" / "gone").mkdir(parents=True)
    (output / "providers" / "kept").mkdir(parents=True)
    gone, kept, same = (
        output / "providers" / "gone" / "index.html",
        output / "providers" / "kept" / "index.html",
        output / "providers.csv",
    )
    for path in (gone, kept, same):
        path.write_text(f"{path.name} v1")
    (output / "by-hand.txt").write_text("put here by a person")
    previous, _ = incremental.finish(output, incremental.Manifest(), {}, "x", 0)
    old_mtime = same.stat().st_mtime_ns
    os.utime(same, ns=(old_mtime, old_mtime - 10**9))  # as if written a second earlier
    previous, _ = incremental.finish(output, incremental.Manifest(), {}, "x", 0)
    previous.files.pop("by-hand.txt")  # no build wrote it
    started = incremental.clock_now(tmp_path / "cache")
    same.write_text(same.read_text())  # a step writes it again, same bytes
    manifest, deleted = incremental.finish(
        output, previous, {"providers/kept/index.html": "fp"}, "y", started
    )
    assert deleted == ["providers/gone/index.html"]
    assert not (output / "providers" / "gone").exists()
    assert kept.exists() and (output / "by-hand.txt").exists()
    assert same.stat().st_mtime_ns == old_mtime - 10**9
    assert manifest.pages == {"providers/kept/index.html": "fp"}
