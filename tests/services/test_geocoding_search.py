"""Forward geocoding for an Open311 address_string: the configured Nominatim, near the
municipality only, within the process's usage interval; against the fake server on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.config import Settings
from app.services import geocoding_search
from tests import geocoder
from tests.conftest import make_settings


@pytest.fixture
def nominatim() -> Iterator[geocoder.Nominatim]:
    with geocoder.serve() as server:
        yield server


def search_settings(tmp_path: Path, url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {"geocoder_url": url, "geocoder_min_interval_seconds": 0}
    return make_settings("sqlite://", tmp_path, **(values | overrides))


def test_an_address_is_found_near_the_municipality(nominatim, tmp_path):
    settings = search_settings(tmp_path, nominatim.url)
    assert geocoding_search.find(settings, "Storgatan 12, Boden") == (65.8253, 21.6880)
    (request,) = nominatim.search_requests()
    assert request.query["q"] == "Storgatan 12, Boden"
    assert request.query["bounded"] == "1"
    assert request.query["accept-language"] == "sv"
    lon_a, lat_a, lon_b, lat_b = (float(x) for x in request.query["viewbox"].split(","))
    assert min(lon_a, lon_b) < settings.map_center_lon < max(lon_a, lon_b)
    assert min(lat_a, lat_b) < settings.map_center_lat < max(lat_a, lat_b)
    assert abs(lat_b - lat_a) == pytest.approx(1.0)  # about 55 km either way of the centre
    assert "SafetyWalk" in request.headers["User-Agent"]


def test_control_characters_never_reach_the_server(nominatim, tmp_path):
    settings = search_settings(tmp_path, nominatim.url)
    geocoding_search.find(settings, "Storgatan\t12\n" + "x" * 400)
    (request,) = nominatim.search_requests()
    assert request.query["q"].startswith("Storgatan12")
    assert len(request.query["q"]) == geocoding_search.QUERY_MAX_CHARS


def test_nothing_found_is_none(nominatim, tmp_path):
    nominatim.search = lambda q: []
    assert geocoding_search.find(search_settings(tmp_path, nominatim.url), "Nowhere 1") is None


def test_without_a_geocoder_it_says_so(tmp_path):
    with pytest.raises(geocoding_search.NoGeocoder):
        geocoding_search.find(search_settings(tmp_path, ""), "Storgatan 12")


@pytest.mark.parametrize("status", [500, 503, 429, 403])
def test_a_failing_server_is_unavailable_after_one_try(nominatim, tmp_path, status):
    nominatim.statuses = [status, status, status]
    with pytest.raises(geocoding_search.Unavailable):
        geocoding_search.find(search_settings(tmp_path, nominatim.url), "Storgatan 12")
    assert len(nominatim.search_requests()) == 1  # a client is waiting: no retries here


def test_a_slow_server_is_unavailable_at_the_timeout(nominatim, tmp_path):
    nominatim.delay = 1.0
    settings = search_settings(tmp_path, nominatim.url, geocoder_timeout_seconds=0.2)
    with pytest.raises(geocoding_search.Unavailable):
        geocoding_search.find(settings, "Storgatan 12")


def test_searches_keep_the_usage_interval(nominatim, tmp_path):
    settings = search_settings(tmp_path, nominatim.url, geocoder_min_interval_seconds=0.3)
    geocoding_search.find(settings, "Storgatan 12")
    geocoding_search.find(settings, "Storgatan 14")
    first, second = nominatim.search_requests()
    assert second.at - first.at >= 0.29
