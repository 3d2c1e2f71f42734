"""``waystation geocode`` end to end, against a local Nominatim stand-in.

Projects are built in a temporary folder: listing files, a ``pelicanconf.py``
pointing geopy's real Nominatim client at :mod:`nominatim_server`.  Nothing
here uses the network.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from nominatim_server import NominatimServer, Reply

from waystation import cli
from waystation.commands import geocode as geocode_cmd

ROOT = Path(__file__).resolve().parent.parent
UA = "waystation-tests/1.0 (tests@example.org)"


@pytest.fixture(scope="module")
def server():
    with NominatimServer() as running:
        yield running


@pytest.fixture(autouse=True)
def fresh(server, monkeypatch):
    server.requests.clear()
    server._script.clear()
    monkeypatch.setattr(geocode_cmd, "backoff_sleep", lambda seconds: None)


def listing_text(
    visibility="public",
    street=None,
    city="Chicago",
    state="IL",
    postal="60601",
    coordinates=None,
    status=None,
) -> str:
    lines = [
        "---",
        "name: Test Listing",
        "services: [case-management]",
        "trafficking_types: [sex, labor]",
        'phones: [{number: "312-555-0142", type: voice}]',
        "languages: [en]",
        "summary: A test listing.",
        "last_verified: 2026-10-01",
    ]
    if status:
        lines.append(f"status: {status}")
    lines += ["location:", f"  visibility: {visibility}"]
    if street:
        lines.append(f'  street: "{street}"')
    if city:
        lines.append(f"  city: {city}")
    lines.append(f"  state: {state}")
    if postal:
        lines.append(f'  postal_code: "{postal}"')
    if coordinates:
        lines.append(f"  coordinates: {{lat: {coordinates[0]}, lon: {coordinates[1]}}}")
    lines += ["---", "A test listing's description.", ""]
    return "\n".join(lines)


def make_project(tmp_path: Path, domain: str, listings: dict[str, str], **settings) -> Path:
    (tmp_path / "providers").mkdir()
    for listing_id, text in listings.items():
        (tmp_path / "providers" / f"{listing_id}.md").write_text(text, encoding="utf-8")
    values = {
        "GEOCODER": "nominatim",
        "GEOCODER_OPTIONS": {"domain": domain, "scheme": "http", "proxies": {}},
        "GEOCODER_USER_AGENT": UA,
        "GEOCODER_MIN_DELAY_SECONDS": 0,
        "GEOCODER_TIMEOUT_SECONDS": 2.0,
        "GEOCODER_MAX_RETRIES": 2,
    }
    values.update(settings)
    conf = "".join(f"{name} = {value!r}\n" for name, value in values.items())
    (tmp_path / "pelicanconf.py").write_text(conf, encoding="utf-8")
    return tmp_path


def run(project: Path, monkeypatch, capsys, *args: str) -> tuple[int, str, str]:
    monkeypatch.chdir(project)
    code = cli.main(["geocode", *args])
    out, err = capsys.readouterr()
    return code, out, err


def cache_of(project: Path) -> dict:
    return json.loads((project / "geocode-cache.json").read_text(encoding="utf-8"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


PUBLIC = {
    "alpha-center": listing_text(street="12 Harbor St"),
    "beta-house": listing_text(street="400 W Lake St", postal="60606"),
    "gamma-clinic": listing_text(street="1 E Jackson Blvd", postal="60604"),
}


def test_geocodes_new_addresses_then_cache_hits_make_no_request(
    tmp_path, server, monkeypatch, capsys
):
    project = make_project(tmp_path, server.domain, PUBLIC)
    code, out, err = run(project, monkeypatch, capsys)
    assert code == 0, err
    assert len(server.requests) == 3
    assert "geocoded 3 of 3 address(es): 3 saved" in out
    assert "ETA" in err  # the progress bar
    cache = cache_of(project)
    entry = cache["12 harbor st, chicago, il 60601, usa"]
    assert entry["query"] == "12 Harbor St, Chicago, IL 60601, USA"
    assert entry["geocoder"] == f"nominatim ({server.domain})"
    assert entry["precision"] == "address"
    assert set(entry) == {"query", "lat", "lon", "geocoder", "precision", "date"}

    server.requests.clear()
    code, out, err = run(project, monkeypatch, capsys)
    assert code == 0
    assert server.requests == []
    assert "nothing to look up: all 3 public street address(es) are in" in out


def test_non_public_listings_are_never_sent(tmp_path, server, monkeypatch, capsys):
    listings = {
        "alpha-center": listing_text(street="12 Harbor St"),
        # Approximate: only city/ZIP, never sent (its place is the ZIP centre, offline).
        "quiet-refuge": listing_text("approximate", city="Evanston", postal="60201"),
        # A hidden listing that wrongly carries a street: a validation error, never sent.
        "secret-house": listing_text("hidden", street="9 Secret Ln", city=None, postal=None),
        # An approximate one with a street: also an error, also never sent.
        "shady-grove": listing_text(
            "approximate", street="77 Hush Ct", city="Skokie", postal="60076"
        ),
        # Public but with coordinates, or inactive: nothing to look up.
        "pinned-place": listing_text(street="5 Pin St", coordinates=(41.88, -87.63)),
        "old-office": listing_text(street="8 Gone Ave", status="inactive"),
    }
    project = make_project(tmp_path, server.domain, listings)
    code, out, err = run(project, monkeypatch, capsys)
    assert code == 0, err
    assert server.queries() == ["12 Harbor St, Chicago, IL 60601, USA"]
    sent = " ".join(server.queries()).lower()
    for secret in ("secret", "hush", "evanston", "60201", "skokie", "60076", "pin st", "gone"):
        assert secret not in sent
    assert "2 listing file(s) have errors and are skipped" in err
    assert list(cache_of(project)) == ["12 harbor st, chicago, il 60601, usa"]

    for refused in ("quiet-refuge", "pinned-place", "old-office"):
        code, out, err = run(project, monkeypatch, capsys, "--refresh", refused)
        assert code == 2 and "cannot geocode it" in err
    code, out, err = run(project, monkeypatch, capsys, "--refresh", "quiet-refuge")
    assert "never sent to a geocoder" in err
    assert len(server.requests) == 1


def test_wrong_city_answer_is_rejected_with_a_warning_naming_the_listing(
    tmp_path, server, monkeypatch, capsys
):
    project = make_project(tmp_path, server.domain, {"alpha-center": PUBLIC["alpha-center"]})
    server.script(Reply("wrong_city"))
    code, out, err = run(project, monkeypatch, capsys)
    assert code == 0  # the geocoder answered; the answer was wrong
    line = next(x for x in err.splitlines() if "rejected" in x)
    assert line.startswith("providers/alpha-center.md:")
    assert "km from ZIP 60601" in line and "add location.coordinates" in line
    assert not (project / "geocode-cache.json").exists()


def test_answer_in_the_neighbouring_state_is_rejected(tmp_path, server, monkeypatch, capsys):
    project = make_project(tmp_path, server.domain, {"alpha-center": PUBLIC["alpha-center"]})
    server.script(Reply("wrong_city", lat=41.5934, lon=-87.3464))  # Gary, IN: 25 km away
    code, out, err = run(project, monkeypatch, capsys)
    assert "is outside IL" in err
    assert "1 rejected" in out


def test_town_level_match_is_rejected(tmp_path, server, monkeypatch, capsys):
    project = make_project(tmp_path, server.domain, {"alpha-center": PUBLIC["alpha-center"]})
    server.script(Reply("area"))
    code, out, err = run(project, monkeypatch, capsys)
    assert "matched only an area" in err
    assert not (project / "geocode-cache.json").exists()


def test_faults_are_survived_and_the_rest_finished(tmp_path, server, monkeypatch, capsys):
    project = make_project(
        tmp_path, server.domain, PUBLIC, GEOCODER_TIMEOUT_SECONDS=0.3, GEOCODER_MAX_RETRIES=3
    )
    server.script(
        Reply("delay", delay=1.0),  # alpha: a timeout, then
        Reply("429", retry_after=1),  # a 429, then
        Reply("500"),  # a 500, then an answer
        Reply("ok"),
        Reply("malformed"),  # beta: a malformed body: reported, not cached
        # gamma: the default answer
    )
    code, out, err = run(project, monkeypatch, capsys)
    assert code == 0, err
    assert "geocoded 2 of 3 address(es): 2 saved" in out and "1 failed" in out
    assert "beta-house:" in err and "not valid JSON" in err
    assert "retry 1" in err and "retry 2" in err
    assert "Traceback" not in err
    assert len(cache_of(project)) == 2


def test_exit_status_is_nonzero_only_if_nothing_could_be_looked_up(
    tmp_path, server, monkeypatch, capsys
):
    project = make_project(tmp_path, server.domain, PUBLIC, GEOCODER_MAX_RETRIES=0)
    server.script(Reply("malformed"), Reply("malformed"), Reply("malformed"))
    code, out, err = run(project, monkeypatch, capsys)
    assert code == 1
    assert "geocoded 0 of 3" in out
    assert not (project / "geocode-cache.json").exists()


def test_dead_server_is_one_clear_line_and_exit_1(tmp_path, monkeypatch, capsys):
    port = free_port()  # nobody listens there
    project = make_project(tmp_path, f"127.0.0.1:{port}", PUBLIC, GEOCODER_MAX_RETRIES=0)
    code, out, err = run(project, monkeypatch, capsys)
    assert code == 1
    lines = [x for x in err.splitlines() if "ETA" not in x]
    assert lines == [
        f"waystation geocode: error: cannot reach the geocoder at http://127.0.0.1:{port} "
        "(no connection): check the network, and GEOCODER_OPTIONS['domain'] if you set one"
    ]
    assert "2 left for the next run" in out


def test_unknown_geocoder_name_is_one_line_and_exit_1(tmp_path, server, monkeypatch, capsys):
    project = make_project(tmp_path, server.domain, PUBLIC, GEOCODER="nominatimm")
    code, out, err = run(project, monkeypatch, capsys)
    assert code == 1
    assert err.count("\n") == 1
    assert err.startswith("waystation geocode: error: GEOCODER: unknown geocoder 'nominatimm'")
    assert server.requests == []


def test_missing_user_agent_is_refused_before_any_request(tmp_path, server, monkeypatch, capsys):
    project = make_project(tmp_path, server.domain, PUBLIC, GEOCODER_USER_AGENT="")
    code, out, err = run(project, monkeypatch, capsys)
    assert code == 1
    assert err.count("\n") == 1 and "GEOCODER_USER_AGENT is not set" in err
    assert server.requests == []


def test_garbage_cache_file_is_one_line_naming_the_file(tmp_path, server, monkeypatch, capsys):
    project = make_project(tmp_path, server.domain, PUBLIC)
    (project / "geocode-cache.json").write_text('{"12 harbor st": {"lat": 4', encoding="utf-8")
    code, out, err = run(project, monkeypatch, capsys)
    assert code == 1
    assert err.count("\n") == 1
    assert err.startswith("waystation geocode: error: geocode-cache.json:1:")
    assert "git checkout -- geocode-cache.json" in err
    assert server.requests == []


def test_dry_run_lists_and_sends_nothing(tmp_path, server, monkeypatch, capsys):
    project = make_project(tmp_path, server.domain, PUBLIC, GEOCODER_USER_AGENT="")
    code, out, err = run(project, monkeypatch, capsys, "--dry-run")
    assert code == 0
    assert "would look up 3 address(es)" in out
    assert "  alpha-center: 12 Harbor St, Chicago, IL 60601, USA" in out
    assert server.requests == []
    assert not (project / "geocode-cache.json").exists()


def test_prune_and_refresh(tmp_path, server, monkeypatch, capsys):
    project = make_project(tmp_path, server.domain, PUBLIC)
    run(project, monkeypatch, capsys)
    (project / "providers" / "gamma-clinic.md").unlink()
    code, out, err = run(project, monkeypatch, capsys, "--prune", "--dry-run")
    assert "would remove 1 unused entry" in out and "1 e jackson blvd" in out
    assert len(cache_of(project)) == 3
    code, out, err = run(project, monkeypatch, capsys, "--prune")
    assert code == 0 and "removed 1 unused entry" in out
    assert sorted(cache_of(project)) == [
        "12 harbor st, chicago, il 60601, usa",
        "400 w lake st, chicago, il 60606, usa",
    ]

    server.requests.clear()
    server.script(Reply("ok", lat=41.8870, lon=-87.6250))
    code, out, err = run(project, monkeypatch, capsys, "--refresh", "alpha-center")
    assert code == 0
    assert server.queries() == ["12 Harbor St, Chicago, IL 60601, USA"]
    assert cache_of(project)["12 harbor st, chicago, il 60601, usa"]["lon"] == -87.625

    code, out, err = run(project, monkeypatch, capsys, "--refresh", "no-such-listing")
    assert code == 2 and "no valid listing has that id" in err


def test_sigkill_mid_run_keeps_every_answer_saved_before_it(tmp_path, server):
    """The real command in a subprocess, killed while waiting for a slow answer."""
    listings = {
        f"site-{i}": listing_text(street=f"{100 + i} W Lake St", postal="60606") for i in range(5)
    }
    project = make_project(tmp_path, server.domain, listings, GEOCODER_TIMEOUT_SECONDS=60.0)
    slow = Reply("delay", delay=0.2)
    server.script(slow, slow, slow, Reply("delay", delay=30))
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen(
        [sys.executable, "-m", "waystation", "geocode"],
        cwd=project,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        # The 4th request arrives only after the 3rd answer was handled (and saved).
        assert server.wait_for_requests(4, timeout=30), proc.stderr.read1().decode()
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    answered = server.queries()[:3]
    cache = cache_of(project)  # valid JSON, not half a file
    assert sorted(entry["query"] for entry in cache.values()) == sorted(answered)
    assert [p.name for p in project.iterdir() if p.name.endswith(".tmp")] == []


def test_progress_line_has_a_bar_count_and_eta():
    import io

    stream = io.StringIO()
    progress = geocode_cmd.Progress(4, stream=stream, per_item_guess=1.0)
    progress.show()
    progress.started -= 10  # pretend 10 s went by for the first item
    progress.step("alpha-center")
    first, second = stream.getvalue().splitlines()
    assert first.startswith("geocode [------------------------] 0/4")
    assert first.endswith("ETA 0:00:04")
    assert "1/4  25% ETA 0:00:30  alpha-center" in second


def test_real_clock_spacing_in_the_command(tmp_path, server, monkeypatch, capsys):
    project = make_project(tmp_path, server.domain, PUBLIC, GEOCODER_MIN_DELAY_SECONDS=0.2)
    start = time.monotonic()
    code, out, err = run(project, monkeypatch, capsys)
    assert code == 0
    times = server.times()
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    # Spacing is kept at the client; arrival times at the server jitter a little.
    assert min(gaps) >= 0.15, gaps
    assert times[-1] - times[0] >= 0.37, gaps
    assert time.monotonic() - start >= 0.4


def test_ctrl_c_saves_what_was_answered_and_says_how_to_continue(tmp_path, server):
    listings = {
        f"site-{i}": listing_text(street=f"{200 + i} W Lake St", postal="60606") for i in range(4)
    }
    project = make_project(tmp_path, server.domain, listings, GEOCODER_TIMEOUT_SECONDS=60.0)
    server.script(Reply("ok"), Reply("ok"), Reply("delay", delay=30))
    proc = subprocess.Popen(
        [sys.executable, "-m", "waystation", "geocode"],
        cwd=project,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.wait_for_requests(3, timeout=30)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130
    assert "stopped by Ctrl-C: 2 answer(s) saved to geocode-cache.json" in out
    assert err.rstrip().endswith("waystation geocode: interrupted")
    assert "Traceback" not in err
    assert len(cache_of(project)) == 2
