"""The generator Pelican drives (waystation/build/generator.py), run in this process."""

from __future__ import annotations

from pathlib import Path

import pelican.settings

from waystation.build.generator import WaystationGenerator

ROOT = Path(__file__).resolve().parent.parent
SHARED_PHONE = ROOT / "tests" / "fixtures" / "cross_file" / "shared_phone"


def _generator(tmp_path, monkeypatch, providers: Path = SHARED_PHONE) -> WaystationGenerator:
    """A generator over ``providers``, as Pelican makes it, writing into ``tmp_path``."""
    monkeypatch.setenv("WAYSTATION_TODAY", "2026-07-01")
    settings = pelican.settings.read_settings(
        str(ROOT / "pelicanconf.py"),
        override={
            "PATH": str(ROOT / "content"),
            "PROVIDERS_PATH": str(providers),
            "CACHE_PATH": str(tmp_path / "cache"),
            "CACHE_CONTENT": False,
            "LOAD_CONTENT_CACHE": False,
        },
    )
    return WaystationGenerator(
        {}, settings, settings["PATH"], settings["THEME"], str(tmp_path / "output")
    )


def test_warnings_are_reported_once_and_not_kept_for_the_rest_of_the_build(
    tmp_path, capsys, monkeypatch
):
    """Every warning is printed with its file and line when the listings are read; the
    directory the rest of the build keeps (to its post-build steps) no longer holds them:
    a directory imported from 211 data warns about every shared phone number, tens of
    megabytes at a national directory's size."""
    generator = _generator(tmp_path, monkeypatch)
    generator.generate_context()
    printed = [line for line in capsys.readouterr().err.splitlines() if "warning:" in line]
    assert printed and all("same phone" in line for line in printed)
    assert all(line.split(":")[1].isdigit() for line in printed)  # file:line:column
    assert len(generator.data.directory.listings) == 2
    assert generator.data.directory.problems == []


def test_many_listings_are_read_in_a_process_of_their_own_with_the_same_result(
    tmp_path, monkeypatch
):
    """From PARALLEL_MIN_LISTINGS files on, the listings are read in a forked process
    (what reading leaves behind dies with it): the build gets the same listings, places
    and problems as when it reads them itself, and an invalid listing still fails it
    with every error's file and line."""
    import datetime as dt
    import os
    import shutil

    from waystation import directory as directory_mod
    from waystation import settings as declared
    from waystation.exc import ListingsInvalid
    from waystation.runtime import workers

    settings = declared.load(ROOT / "pelicanconf.py")
    settings["PROVIDERS_PATH"] = str(SHARED_PHONE)
    today = dt.date(2026, 7, 1)
    readers = tmp_path / "readers"
    read = directory_mod._read

    def noting_read(*args):
        with open(readers, "a", encoding="utf-8") as file:
            file.write(f"{os.getpid()}\n")
        return read(*args)

    monkeypatch.setattr(directory_mod, "_read", noting_read)
    here = directory_mod.build_directory(settings, ROOT, today, separate=True)
    monkeypatch.setattr(workers, "PARALLEL_MIN_LISTINGS", 2)
    apart = directory_mod.build_directory(settings, ROOT, today, separate=True)
    pids = readers.read_text(encoding="utf-8").split()
    assert pids[0] == str(os.getpid()) and pids[1] != str(os.getpid())
    assert apart.listings == here.listings and len(apart.listings) == 2
    assert apart.places == here.places
    assert [p.format_text() for p in apart.problems] == [p.format_text() for p in here.problems]
    assert apart.problems and apart.settings is settings

    broken = tmp_path / "providers"
    shutil.copytree(SHARED_PHONE, broken)
    shutil.copy(ROOT / "tests" / "fixtures" / "invalid" / "bad-cost.md", broken)
    settings["PROVIDERS_PATH"] = str(broken)
    errors = []
    for minimum in (10**6, 2):
        monkeypatch.setattr(workers, "PARALLEL_MIN_LISTINGS", minimum)
        try:
            directory_mod.build_directory(settings, ROOT, today, separate=True)
        except ListingsInvalid as error:
            errors.append([p.format_text() for p in error.problems if p.is_error])
    assert len(errors) == 2 and errors[0] == errors[1]
    assert errors[0] and all("bad-cost.md:" in line for line in errors[0])


def test_a_reading_process_that_dies_fails_the_build_in_one_line(tmp_path, capsys, monkeypatch):
    """Killed while it reads (the machine out of memory, say), the process reading the
    listings fails the build with one line saying so, not a traceback."""
    import os

    import pytest

    from waystation import directory as directory_mod
    from waystation.build.generator import BuildFailed
    from waystation.runtime import workers

    monkeypatch.setattr(workers, "PARALLEL_MIN_LISTINGS", 2)
    monkeypatch.setattr(directory_mod, "_read", lambda *args: os._exit(9))
    generator = _generator(tmp_path, monkeypatch)
    with pytest.raises(BuildFailed, match=r"^reading the listings ended without its result"):
        generator.generate_context()
    printed = capsys.readouterr().err.splitlines()
    assert printed == [
        "reading the listings ended without its result (exit code 9): see the messages above"
    ]


def test_a_full_temporary_folder_fails_the_build_in_one_line_that_says_what_to_do(
    tmp_path, capsys, monkeypatch
):
    """The disk under the system's temporary folder fills up while the search copies are
    written (a CI runner's small /tmp): the build stops with one line naming the folders
    it writes into and what to do, not a traceback, and leaves no scratch file behind
    to fill that disk further."""
    import errno
    import os
    import tempfile

    import pytest

    from waystation.build.generator import BuildFailed
    from waystation.site import search_packs

    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    monkeypatch.setattr("waystation.search.pagefind.SCRATCH_DIRS", ())  # not /dev/shm

    def full(self, path, data):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(search_packs.Packer, "add", full)
    generator = _generator(tmp_path, monkeypatch)
    generator.generate_context()
    capsys.readouterr()
    with pytest.raises(BuildFailed) as failed:
        generator.generate_output(None)
    printed = capsys.readouterr().err.splitlines()
    assert printed == [str(failed.value)]
    assert printed[0].startswith("No space left on device: the build writes into ")
    assert str((tmp_path / "output").resolve()) in printed[0]
    assert str(scratch) in printed[0] and "set TMPDIR" in printed[0]
    assert list(scratch.iterdir()) == []


def test_write_failures_name_the_file_and_the_folders_and_other_errors_stay_errors():
    """A read-only output folder names the file that could not be written; an error that
    is not about the disk (a bug) is not dressed up as one."""
    import errno

    from waystation.exc import WriteFailed

    read_only = OSError(errno.EROFS, "Read-only file system", "/srv/site/providers/x/index.html")
    failure = WriteFailed.from_os_error(read_only, ["/srv/site", "/tmp", "/tmp"])
    assert str(failure) == (
        "Read-only file system (/srv/site/providers/x/index.html): the build writes into "
        "/srv/site and /tmp; make them writable by this user (or set TMPDIR to a folder "
        "that is), then build again"
    )
    missing = OSError(errno.ENOENT, "No such file or directory", "/srv/site/x")
    assert WriteFailed.from_os_error(missing, ["/srv/site"]) is None


def test_a_failing_post_build_step_fails_the_build_once_with_its_whole_message(tmp_path, capsys):
    """Pagefind failing (or any Waystation error of a step) prints its message, every
    line of it, and fails the build once without a traceback; cleaning up runs first;
    anything else (a defect) keeps its traceback."""
    import pytest

    from waystation.build.generator import BuildFailed, failures_reported
    from waystation.exc import WaystationError

    cleaned = []
    with (
        pytest.raises(BuildFailed) as failed,
        failures_reported(tmp_path, lambda: cleaned.append(1)),
    ):
        raise WaystationError("Pagefind could not index output (exit 1): \nits log line")
    assert str(failed.value) == "Pagefind could not index output (exit 1): "
    assert capsys.readouterr().err.splitlines() == [
        "Pagefind could not index output (exit 1): ",
        "its log line",
    ]
    assert cleaned == [1]
    with pytest.raises(KeyError), failures_reported(tmp_path, lambda: cleaned.append(2)):
        raise KeyError("a defect")
    assert cleaned == [1, 2] and capsys.readouterr().err == ""
