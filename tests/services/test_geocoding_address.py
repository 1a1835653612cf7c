"""The short address as people write it in Sweden, from Nominatim's answer, and the server's
address as geopy's Nominatim takes it. Pure functions: no server, no database."""

from __future__ import annotations

import pytest

from app.services import geocoding
from tests.geocoder import STORGATAN


def answer(display_name: str = "", **parts: str) -> dict[str, object]:
    return {"display_name": display_name, "address": parts}


def test_street_number_and_town():
    assert geocoding.short_address(STORGATAN) == "Storgatan 12, Boden"


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        ({"road": "Storgatan", "town": "Boden"}, "Storgatan, Boden"),  # no house number
        ({"road": "Kungsgatan", "house_number": "3", "city": "Luleå"}, "Kungsgatan 3, Luleå"),
        (
            {"road": "Byvägen", "village": "Sävast", "municipality": "Bodens kommun"},
            "Byvägen, Sävast",
        ),
        ({"road": "Skogsvägen", "municipality": "Bodens kommun"}, "Skogsvägen, Bodens kommun"),
        ({"pedestrian": "Drottninggatan", "town": "Boden"}, "Drottninggatan, Boden"),
        ({"footway": "Älvpromenaden", "town": "Boden"}, "Älvpromenaden, Boden"),
        ({"road": "Storgatan"}, "Storgatan"),  # no place: the street alone
    ],
)
def test_as_people_write_it(parts, expected):
    assert geocoding.short_address(answer("x, y, z", **parts)) == expected


def test_without_a_street_the_first_two_parts_of_the_display_name():
    raw = answer("Stadsparken, Centrum, Boden, Bodens kommun, Sverige", park="Stadsparken")
    assert geocoding.short_address(raw) == "Stadsparken, Centrum"


def test_nothing_to_show_is_none():
    assert geocoding.short_address({}) is None
    assert geocoding.short_address(answer(" , ")) is None


def test_a_hostile_answer_is_cleaned_and_cut_to_the_column():
    raw = answer("", road="Stor\x00gatan\n", house_number="1\x07", town="B" * 400)
    text = geocoding.short_address(raw)
    assert text is not None and text.startswith("Storgatan 1, BBB")
    assert len(text) == geocoding.ADDRESS_MAX_CHARS
    assert not any(ord(c) < 32 for c in text)


def test_cache_keys_round_to_about_ten_metres():
    assert geocoding.cache_key(65.82531, 21.68801) == "65.8253,21.6880"
    assert geocoding.cache_key(65.825337, 21.68801) == "65.8253,21.6880"  # 3 m north
    assert geocoding.cache_key(65.8255, 21.688) != "65.8253,21.6880"  # 22 m north
    assert geocoding.cache_key(-0.00001, 0.00001) == "0.0000,0.0000"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://nominatim.openstreetmap.org", ("https", "nominatim.openstreetmap.org")),
        ("http://127.0.0.1:8080", ("http", "127.0.0.1:8080")),
        ("https://maps.example.org/nominatim/", ("https", "maps.example.org/nominatim")),
        ("nominatim.example.org", ("https", "nominatim.example.org")),
    ],
)
def test_the_server_address_for_geopy(url, expected):
    assert geocoding.endpoint(url) == expected


@pytest.mark.parametrize("url", ["ftp://example.org", "http://", "https:///path"])
def test_a_server_address_that_is_not_http_is_refused(url):
    with pytest.raises(ValueError):
        geocoding.endpoint(url)
