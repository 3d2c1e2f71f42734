"""Offline places: ZIP and city centres and the state check, from the zipcodes data."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from waystation.gazetteer import centres

ROOT = Path(__file__).resolve().parent.parent


def test_zip_centre_is_the_zip_centroid_and_accepts_zip_plus_four():
    lat, lon = centres.zip_centre("60601")
    assert centres.distance_km(lat, lon, 41.8858, -87.6181) < 1
    assert centres.zip_centre("60601-1234") == (lat, lon)


@pytest.mark.parametrize("code", ["00000", "abcde", "", None, "123"])
def test_unknown_or_malformed_zip_has_no_centre(code):
    assert centres.zip_centre(code) is None


@pytest.mark.parametrize(
    ("code", "state"),
    [("60601", "IL"), ("10001", "NY"), ("00901", "PR"), ("96910", "GU"), ("99501", "AK")],
)
def test_zip_state(code, state):
    assert centres.zip_state(code) == state


def test_zip_state_of_unknown_zip_is_none():
    assert centres.zip_state("00000") is None


def test_city_centre_ignores_case_spaces_punctuation_and_accents():
    reference = centres.city_centre("Winston-Salem", "NC")
    assert reference is not None
    assert centres.city_centre("winston salem", "nc") == reference
    assert centres.city_centre("WINSTON SALEM.", "NC") == reference
    assert centres.city_centre("Mayagüez", "PR") == centres.city_centre("mayaguez", "PR")
    assert centres.city_centre("Mayaguez", "PR") is not None


def test_city_centre_is_the_mean_of_the_citys_zip_centres_in_that_state():
    lat, lon = centres.city_centre("Chicago", "IL")
    assert centres.distance_km(lat, lon, 41.88, -87.63) < 15  # the Loop
    # Springfield exists in many states: each state gets its own.
    il = centres.city_centre("Springfield", "IL")
    mo = centres.city_centre("Springfield", "MO")
    assert centres.distance_km(*il, *mo) > 300


def test_city_centre_of_unknown_city_or_wrong_state_is_none():
    assert centres.city_centre("Atlantis", "IL") is None
    assert centres.city_centre("Chicago", "WY") is None
    assert centres.city_centre(None, "IL") is None


def test_distance_km_haversine():
    chicago_to_new_york = centres.distance_km(41.8781, -87.6298, 40.7128, -74.0060)
    assert 1140 < chicago_to_new_york < 1150
    assert centres.distance_km(10, 20, 10, 20) == 0


@pytest.mark.parametrize(
    ("lat", "lon", "inside", "outside"),
    [
        (41.8858, -87.6181, "IL", "IN"),  # Chicago Loop
        (41.5934, -87.3464, "IN", "IL"),  # Gary, 30 km from Chicago
        (40.7484, -73.9857, "NY", "NJ"),  # Midtown Manhattan
        (40.7357, -74.1724, "NJ", "NY"),  # Newark, across the river
        (38.8977, -77.0365, "DC", "MD"),
        (37.2090, -93.2923, "MO", "IL"),  # Springfield, MO
        (18.4655, -66.1057, "PR", "FL"),
        (21.3069, -157.8583, "HI", "CA"),
        (61.2181, -149.9003, "AK", "WA"),
    ],
)
def test_is_in_state(lat, lon, inside, outside):
    assert centres.is_in_state(lat, lon, inside)
    assert not centres.is_in_state(lat, lon, outside)


def test_a_point_at_sea_is_in_no_state():
    assert not centres.is_in_state(30.0, -45.0, "FL")
    assert not centres.is_in_state(0.0, 0.0, "NY")


def test_check_point_refuses_wrong_city_and_wrong_state():
    assert centres.check_point(41.887, -87.62, "IL", "60601") is None
    wrong_city = centres.check_point(39.799, -89.644, "IL", "60601")  # Springfield, IL
    assert wrong_city is not None and "km from ZIP 60601" in wrong_city
    wrong_state = centres.check_point(41.5934, -87.3464, "IL", "60601")  # Gary, IN, 25 km away
    assert wrong_state is not None and "outside IL" in wrong_state
    # Without a ZIP, the city's centre is the reference.
    assert "km from Chicago" in centres.check_point(39.799, -89.644, "IL", None, "Chicago")


def test_state_check_agrees_with_the_nearest_zip_centroids():
    # is_in_state skips ranking the candidates when they all agree; the answer must be
    # the one ranking gives.
    # A line across Colorado and its neighbours.
    points = [(36.0 + i * 0.006, -111.0 + i * 0.011) for i in range(1000)]
    inside = 0
    for lat, lon in points:
        box = centres.state_bbox("CO")
        in_box = box[0] <= lat <= box[2] and box[1] <= lon <= box[3]
        expected = in_box and "CO" in centres.nearest_zip_states(lat, lon)
        assert centres.is_in_state(lat, lon, "CO") == expected, (lat, lon)
        inside += expected
    assert 0 < inside < len(points)


def test_zip_data_is_read_only_when_first_needed(tmp_path):
    import os

    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    first = (
        "import sys, waystation.gazetteer.centres as p\n"
        "assert 'zipcodes' not in sys.modules, 'zipcodes imported too early'\n"
        "assert p._index.cache_info().currsize == 0\n"
        "p.zip_state('60601')\n"
        "assert 'zipcodes' in sys.modules\n"
        "p.zip_centre('10001'); p.is_in_state(41, -87, 'IL')\n"
        "assert p._index.cache_info().misses == 1\n"
    )
    subprocess.run([sys.executable, "-c", first], check=True, cwd=ROOT, env=env)
    assert list(tmp_path.glob("waystation/places-*.pickle")), "the derived index was not cached"
    # The second run reads the cached index and never loads zipcodes' 2-second table.
    second = (
        "import sys, waystation.gazetteer.centres as p\n"
        "assert p.zip_state('60601') == 'IL'\n"
        "assert p.city_centre('Hollywood', 'CA') is not None\n"
        "assert 'zipcodes' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", second], check=True, cwd=ROOT, env=env)
