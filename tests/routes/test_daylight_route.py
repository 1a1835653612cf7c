"""`/capture/daylight` (which presets "dark or daylight" once the phone knows where it is) and the
capture page's own preset follow the sun at the place and the app's clock."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app import clock

BODEN = {"lat": "65.8253", "lon": "21.6880"}
WINTER_EVENING = datetime(2026, 12, 1, 16, 0, tzinfo=UTC)  # 17:00 in Boden: dark since 13:30
MIDSUMMER_NOON = datetime(2026, 6, 21, 10, 0, tzinfo=UTC)  # 12:00 in Boden
MIDSUMMER_MIDNIGHT = datetime(2026, 6, 20, 22, 30, tzinfo=UTC)  # 00:30: the sun just dips


@pytest.mark.parametrize(
    ("at", "place", "dark"),
    [
        (WINTER_EVENING, BODEN, True),
        (MIDSUMMER_NOON, BODEN, False),
        (MIDSUMMER_MIDNIGHT, BODEN, False),  # never dark in Boden at midsummer
        (WINTER_EVENING, {"lat": "0", "lon": "21.6880"}, False),  # the same hour at the equator
    ],
)
def test_daylight_answers_for_the_place_at_the_apps_time(client, at, place, dark):
    with clock.frozen(at):
        answer = client.get("/capture/daylight", params=place)
    assert answer.status_code == 200
    assert answer.json() == {"dark": dark}


def test_the_same_place_changes_answer_when_the_clock_moves(client, stopped_clock):
    assert client.get("/capture/daylight", params=BODEN).json() == {"dark": True}
    clock.set_to(MIDSUMMER_NOON)
    assert client.get("/capture/daylight", params=BODEN).json() == {"dark": False}


def test_the_capture_page_presets_dark_from_the_clock(client):
    with clock.frozen(WINTER_EVENING):
        evening = client.get("/").text
    assert 'value="dark" data-dark checked' in evening
    with clock.frozen(MIDSUMMER_NOON):
        noon = client.get("/").text
    assert 'value="daylight" data-dark checked' in noon


@pytest.mark.parametrize("query", ["lat=91&lon=0", "lat=0&lon=181", "lat=x&lon=0", "lon=0"])
def test_a_bad_place_is_a_422(client, query):
    assert client.get(f"/capture/daylight?{query}").status_code == 422
