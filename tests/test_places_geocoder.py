"""geopy set-up, politeness and fault handling, against a local Nominatim stand-in.

Every test talks HTTP to :mod:`nominatim_server` on 127.0.0.1 through geopy's
real ``Nominatim`` client; nothing here uses the network.
"""

from __future__ import annotations

import socket
import statistics
import time

import pytest
from geopy.geocoders import Nominatim
from nominatim_server import NominatimServer, Reply

from waystation import settings as settings_mod
from waystation.exc import ConfigurationError
from waystation.places.geocoder import (
    Lookup,
    LookupFailed,
    build_geocoder,
    check_user_agent,
    geocoder_label,
    match_precision,
)

UA = "waystation-tests/1.0 (tests@example.org)"
QUERY = "12 Harbor St, Chicago, IL 60601, USA"


@pytest.fixture(scope="module")
def server():
    with NominatimServer() as running:
        yield running


@pytest.fixture(autouse=True)
def fresh(server):
    server.requests.clear()
    server._script.clear()


def conf(domain: str, **overrides) -> dict:
    values = {
        "GEOCODER_OPTIONS": {"domain": domain, "scheme": "http", "proxies": {}},
        "GEOCODER_USER_AGENT": UA,
        "GEOCODER_TIMEOUT_SECONDS": 2.0,
    }
    values.update(overrides)
    return settings_mod.resolve(values)


def lookup(server, sleeps=None, **options) -> Lookup:
    geocoder = build_geocoder(conf(server.domain, **options.pop("settings", {})))
    options.setdefault("min_delay_seconds", 0)
    return Lookup(geocoder, sleep=sleeps.append if sleeps is not None else no_retry, **options)


def no_retry(seconds: float) -> None:
    pytest.fail(f"unexpected retry (sleep {seconds})")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- set-up -------------------------------------------------------------------------


def test_builds_geopys_nominatim_pointed_at_the_configured_server(server):
    geocoder = build_geocoder(conf(server.domain))
    assert isinstance(geocoder, Nominatim)
    assert geocoder.domain == server.domain and geocoder.scheme == "http"
    assert geocoder.headers["User-Agent"] == UA
    assert geocoder_label(conf(server.domain)) == f"nominatim ({server.domain})"


def test_unknown_geocoder_name_is_one_clear_line(server):
    with pytest.raises(ConfigurationError) as raised:
        build_geocoder(conf(server.domain, GEOCODER="nominatimm"))
    message = str(raised.value)
    assert "unknown geocoder 'nominatimm'" in message and "\n" not in message


@pytest.mark.parametrize("agent", ["", "   ", "geopy/2.5.0", "python-requests/2.32", "waystation"])
def test_missing_or_default_user_agent_is_refused(agent):
    with pytest.raises(ConfigurationError, match="GEOCODER_USER_AGENT"):
        check_user_agent(agent)


def test_unknown_option_names_the_option(server):
    with pytest.raises(ConfigurationError, match="has no option 'domian'"):
        build_geocoder(conf(server.domain, GEOCODER_OPTIONS={"domian": "x"}))


def test_api_key_comes_from_the_named_environment_variable():
    values = settings_mod.resolve(
        {"GEOCODER": "opencage", "GEOCODER_USER_AGENT": UA, "GEOCODER_API_KEY_ENV": "OC_KEY"}
    )
    with pytest.raises(ConfigurationError, match="OC_KEY .* is not set"):
        build_geocoder(values, environ={})
    geocoder = build_geocoder(values, environ={"OC_KEY": "secret-123"})
    assert geocoder.api_key == "secret-123"
    without = settings_mod.resolve({"GEOCODER": "opencage", "GEOCODER_USER_AGENT": UA})
    with pytest.raises(ConfigurationError, match="needs api_key: set GEOCODER_API_KEY_ENV"):
        build_geocoder(without, environ={})


def test_match_precision_reads_nominatims_place_rank():
    assert match_precision({"place_rank": 30}) == "address"
    assert match_precision({"place_rank": 26}) == "street"
    assert match_precision({"place_rank": 16}) == "area"
    assert match_precision({"addresstype": "road"}) == "street"
    assert match_precision(None) == "unknown"


# -- answers ----------------------------------------------------------------------------


def test_an_answer_is_returned_with_its_precision(server):
    answer = lookup(server)(QUERY, "us")
    assert answer is not None
    assert answer.precision == "address"
    assert abs(answer.lat - 41.8878) < 0.01 and abs(answer.lon + 87.6211) < 0.01
    request = server.requests[0]
    assert request.query == QUERY
    assert request.user_agent == UA
    assert request.params["countrycodes"] == "us"


def test_nothing_found_is_none(server):
    server.script(Reply("empty"))
    assert lookup(server)(QUERY) is None


def test_rate_limit_spaces_requests_in_real_time(server):
    limited = lookup(server, min_delay_seconds=0.2)
    for _ in range(5):
        assert limited(QUERY) is not None
    times = server.times()
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert len(gaps) == 4
    # Spacing is kept at the client; arrival times at the server jitter (a loaded CI
    # machine delays one request's arrival, shortening the next gap): the bounds leave
    # room for that and still fail for an unlimited client (gaps of a few ms).
    assert min(gaps) >= 0.1, gaps
    assert times[-1] - times[0] >= 0.7, gaps
    assert statistics.median(gaps) >= 0.18, gaps


def test_timeout_is_retried_with_backoff(server):
    server.script(Reply("delay", delay=1.5))
    sleeps: list[float] = []
    answer = lookup(
        server, sleeps, timeout_seconds=0.3, settings={"GEOCODER_TIMEOUT_SECONDS": 0.3}
    )(QUERY)
    assert answer is not None
    assert sleeps == [2.0]
    assert len(server.requests) == 2


def test_read_timeout_arriving_as_geocoder_unavailable_is_retried(server):
    """geopy's default requests adapter retries reads itself, then raises GeocoderUnavailable."""
    plain = Nominatim(domain=server.domain, scheme="http", user_agent=UA, timeout=0.3, proxies={})
    server.script(*[Reply("delay", delay=1.0)] * 3)  # urllib3's own two retries included
    sleeps: list[float] = []
    messages: list[str] = []
    found = Lookup(
        plain,
        min_delay_seconds=0,
        timeout_seconds=0.3,
        sleep=sleeps.append,
        on_retry=lambda n, msg, wait: messages.append(msg),
    )(QUERY)
    assert found is not None
    assert sleeps == [2.0]
    assert "did not answer within 0.3 s" in messages[0]


def test_429_honours_retry_after(server):
    server.script(Reply("429", retry_after=7), Reply("429", retry_after=3))
    sleeps: list[float] = []
    retries: list[str] = []
    answer = lookup(server, sleeps, on_retry=lambda n, msg, wait: retries.append(msg))(QUERY)
    assert answer is not None
    assert sleeps == [7, 3]
    assert "HTTP 429" in retries[0] and "7 s" in retries[0]


def test_429_without_retry_after_backs_off_exponentially(server):
    server.script(Reply("429"), Reply("429"), Reply("429"))
    sleeps: list[float] = []
    assert lookup(server, sleeps, max_retries=3)(QUERY) is not None
    assert sleeps == [2.0, 4.0, 8.0]


def test_a_very_long_retry_after_stops_the_run(server):
    server.script(Reply("429", retry_after=3600))
    sleeps: list[float] = []
    with pytest.raises(LookupFailed) as raised:
        lookup(server, sleeps)(QUERY)
    assert raised.value.fatal
    assert sleeps == []


def test_500_is_retried_then_reported(server):
    server.script(Reply("500"), Reply("500"))
    sleeps: list[float] = []
    assert lookup(server, sleeps)(QUERY) is not None
    assert sleeps == [2.0, 4.0]
    server.script(*[Reply("500")] * 4)
    with pytest.raises(LookupFailed) as raised:
        lookup(server, [], max_retries=3)(QUERY)
    assert "HTTP 500" in str(raised.value) and not raised.value.fatal


def test_malformed_body_is_one_message_and_not_retried(server):
    server.script(Reply("malformed"))
    sleeps: list[float] = []
    with pytest.raises(LookupFailed) as raised:
        lookup(server, sleeps)(QUERY)
    assert "not valid JSON" in str(raised.value)
    assert "\n" not in str(raised.value)
    assert sleeps == [] and len(server.requests) == 1


def test_dead_server_is_fatal_and_says_so():
    port = free_port()
    sleeps: list[float] = []
    geocoder = build_geocoder(conf(f"127.0.0.1:{port}"))
    with pytest.raises(LookupFailed) as raised:
        Lookup(geocoder, min_delay_seconds=0, max_retries=2, sleep=sleeps.append)(QUERY)
    assert raised.value.fatal
    assert str(raised.value).startswith(f"cannot reach the geocoder at http://127.0.0.1:{port}")
    assert sleeps == [2.0, 4.0]


def test_backoff_sleep_is_injected_not_real(server):
    server.script(Reply("500"), Reply("500"), Reply("500"))
    start = time.monotonic()
    assert lookup(server, [], max_retries=3)(QUERY) is not None
    # Real back-off sleeps would take 2 + 4 + 8 s: well above this bound even on a
    # loaded machine.
    assert time.monotonic() - start < 5.0
