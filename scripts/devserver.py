"""Rebuild the site whenever a listing, page, template or setting changes, and serve it.

Pelican's own ``--autoreload`` watches only ``content/``, the theme and the settings
file; listings live in ``providers/``, so this watches those too.

The first build, and a rebuild after anything but listing files changed (a template, a
content page, a setting, a catalog, the geocoding cache), runs Pelican in a fresh
process with its caches on, so it is incremental (``waystation/build/incremental.py``).
After it, this process reads the listings and plans every page once and keeps them
(``waystation/build/live.py``).  An edit of listing files (edited, added, removed,
renamed) is then rebuilt here, from that state: the changed listing files are read
again, the changed listings' pages are written first ("pages written": they are served
from then on), then the browse pages that list them, the search index (only when a
listing's searchable text changed), the search data, maps, open data and the sitemap
("build done").  The output is byte-identical to a clean build; files that did not
change keep their mtime.

    python scripts/devserver.py [--port 8000] [--output output] [--settings pelicanconf.py]
                                [--content content] [--set NAME=JSON ...] [--no-serve]

``--set`` passes Pelican's ``-e`` overrides (the benchmark builds elsewhere with them);
``--no-serve`` only rebuilds (the benchmark times it).  Each line it prints about a
rebuild starts with ``pages written (N s)``, ``build done (N s)`` or ``build FAILED``.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import watchfiles

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's waystation, as the builds use it

#: Besides the content, theme and listing folders and the settings file.
WATCHED = ("waystation/data", "waystation/locale", "geocode-cache.json")


def pelican_args(content: str, output: str, settings: str, overrides: list[str]) -> list[str]:
    args = [content, "-o", output, "-s", settings]
    return args + ["-e", *overrides] if overrides else args  # one -e takes them all


def _rss_mib() -> float:
    """This process's resident memory (MiB; 0 where /proc is missing)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def full_build(args: list[str]) -> bool:
    """One build in a fresh Pelican process; prints when the pages are written and when
    it is done."""
    cmd = [sys.executable, "-m", "pelican", *args, "-v"]
    started = time.perf_counter()
    env = {**os.environ, "COLUMNS": "1000"}  # one log record a line: no wrapping
    proc = subprocess.Popen(
        cmd,
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        bufsize=1,
    )
    assert proc.stdout is not None
    for line in proc.stdout:
        if "pages in" in line and "unchanged" in line:
            print(f"pages written ({time.perf_counter() - started:.1f} s): being served now")
        elif "INFO" not in line and "Writing" not in line and "Copying" not in line:
            print(line, end="")
    proc.wait()
    seconds = time.perf_counter() - started
    if proc.returncode == 0:
        print(f"build done ({seconds:.1f} s): full build", flush=True)
    else:
        print(f"build FAILED ({seconds:.1f} s): fix the messages above", flush=True)
    return proc.returncode == 0


class Rebuilder:
    """Full builds in a fresh process; listing edits from the state kept here."""

    def __init__(self, args: list[str]):
        from waystation.build import live

        self.args = args
        self.live_module = live
        self.settings = live.pelican_settings(args)
        self.output = Path(self.settings["OUTPUT_PATH"])
        self.providers = (
            Path(self.settings["PATH"]).resolve().parent / self.settings["PROVIDERS_PATH"]
        ).resolve()
        self.site = None

    def watched(self) -> list[str]:
        settings = self.settings
        found = [settings["PATH"], settings["THEME"], str(self.providers), self.args[4]]
        found += [str(ROOT / name) for name in WATCHED]
        return sorted({str(Path(p).resolve()) for p in found if Path(p).exists()})

    def full(self, reload_state: bool = True, build: bool = True) -> None:
        """A full build, then the state read again (or, when only the theme or the
        content pages changed, only the manifest)."""
        if build and self.site is not None:
            self.site.stop_index_parts()  # the build has both processors to itself
        if build and not full_build(self.args):
            return
        if self.site is not None and not reload_state:
            self.site.reload_manifest()
            self.site.keep_index_parts()
            return
        started = time.perf_counter()
        if self.site is not None:
            self.site.close()
            self.site = None
        try:
            self.site = self.live_module.LiveSite.load(self.settings, self.output)
        except Exception as error:  # the next change runs a full build again
            print(f"live state not loaded ({error}): every rebuild is a full one", flush=True)
            return
        print(
            f"state kept: {len(self.site.plan)} pages in memory "
            f"({time.perf_counter() - started:.1f} s, this process now {_rss_mib():.0f} MiB): "
            "edits of listings are rebuilt here",
            flush=True,
        )
        # Meanwhile, the search index's parts are indexed in the background to be kept:
        # the first edit too then indexes only the parts holding the edited listing.
        self.site.keep_index_parts()

    def tick(self) -> None:
        """Between changes: join the background indexing of the parts once it has ended."""
        if self.site is None:
            return
        try:
            self.site.join_index_parts()
        except self.live_module.WaystationError as error:  # the next edit indexes the rest
            print(f"search index parts not kept ahead ({error})", flush=True)

    def changed(self, paths: list[str]) -> None:
        live = self.live_module

        def under(path: str, *folders: str) -> bool:
            return any(Path(path).resolve().is_relative_to(Path(f).resolve()) for f in folders)

        if self.site is not None and live.listing_paths_only(paths, self.providers):
            self.update()
        elif all(under(p, self.settings["THEME"], self.settings["PATH"]) for p in paths):
            self.full(reload_state=False)  # the listings and the plan are the same
        elif any(under(p, str(ROOT / "waystation"), self.args[4]) for p in paths):
            # A catalog, a vocabulary or a setting: this process has them in memory
            # (compiled catalogs, the code's fingerprint …); start it afresh.
            if full_build(self.args):
                self.restart()
        else:
            self.full()

    def restart(self) -> None:
        if self.site is not None:
            self.site.close()
        print("restarting the devserver to read what changed", flush=True)
        sys.stdout.flush()
        argv = [a for a in sys.argv if a != "--built"]
        os.execv(sys.executable, [sys.executable, *argv, "--built"])

    def update(self) -> None:
        live = self.live_module
        started = time.perf_counter()
        try:
            update = self.site.update(say=lambda line: print(line, flush=True))
        except live.BuildFailed as error:
            if self.site.stale:  # the day or the commit changed: nothing failed
                print(f"{error}", flush=True)
                self.full()
                return
            print(f"build FAILED ({time.perf_counter() - started:.1f} s): {error}", flush=True)
            if self.site.broken:
                self.site.close()
                self.site = None  # a full build next time
            return
        if update is None:
            print(f"build done ({time.perf_counter() - started:.1f} s): nothing changed")
            return
        print(
            f"build done ({update.done_seconds:.1f} s): {len(update.changed)} listing(s), "
            f"{len(update.pages_written) + len(update.others_written)} pages rendered, "
            f"{len(update.deleted)} deleted, search index "
            f"{_index_said(update)}",
            flush=True,
        )


def _index_said(update) -> str:
    """What became of the search index in a live update."""
    if not update.reindexed:
        return "unchanged"
    if update.parts > 1:
        return f"made again ({update.parts_indexed} of its {update.parts} parts indexed)"
    return "made again"


def serve(output: Path, port: int) -> http.server.ThreadingHTTPServer:
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(output))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"serving {output}/ on http://127.0.0.1:{port}/ (Ctrl-C to stop)")
    return server


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--output", default="output")
    parser.add_argument("--settings", default="pelicanconf.py")
    parser.add_argument("--content", default="content", help="the content folder (PATH)")
    parser.add_argument(
        "--set", action="append", default=[], metavar="NAME=JSON", help="Pelican's -e"
    )
    parser.add_argument("--no-serve", action="store_true", help="rebuild only")
    parser.add_argument("--built", action="store_true", help=argparse.SUPPRESS)  # restarted
    args = parser.parse_args()
    # Stopped by `kill` (or a container's stop) as by Ctrl-C: what the live state keeps
    # in /dev/shm (the search copies, the index's parts: memory) is deleted on the way out.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    os.chdir(ROOT)
    rebuilder = Rebuilder(pelican_args(args.content, args.output, args.settings, args.set))
    rebuilder.full(build=not args.built)
    server = None
    if not args.no_serve:
        try:
            server = serve(rebuilder.output, args.port)
        except OSError as error:
            print(f"cannot serve on port {args.port} ({error.strerror}): try --port 8001")
            return 1
    watching = False
    try:
        # A first empty yield once the watcher runs: an edit from then on is seen.
        for changes in watchfiles.watch(
            *rebuilder.watched(), yield_on_timeout=True, rust_timeout=200
        ):
            if not watching:
                watching = True
                live = "listing edits rebuilt here" if rebuilder.site else "full builds only"
                print(f"ready: watching for changes ({live})", flush=True)
            if not changes:
                rebuilder.tick()
                continue
            paths = sorted({path for _change, path in changes})
            names = sorted({Path(path).name for path in paths})
            print(f"changed: {', '.join(names[:5])}{' …' if len(names) > 5 else ''}", flush=True)
            rebuilder.changed(paths)
    except KeyboardInterrupt:
        pass
    finally:
        if server is not None:
            server.shutdown()
        if rebuilder.site is not None:
            rebuilder.site.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
