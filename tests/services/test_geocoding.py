"""Street addresses from a local Nominatim-format server (tests/geocoder.py): the pass, the
cache, the usage interval, retries, a slow or absent server. The real service is never asked."""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from app import clock
from app.config import Settings
from app.models import GeocodeCache, Observation
from app.services import geocoding
from tests import geocoder
from tests.conftest import free_port, make_settings
from tests.factories import insert_observation

CENTRUM = (65.82531, 21.68801)
THREE_M_NORTH = (65.825337, 21.68801)  # 3 m away, the same ~10 m cell


@pytest.fixture
def nominatim() -> Iterator[geocoder.Nominatim]:
    with geocoder.serve() as server:
        yield server


def geo_settings(database_url: str, tmp_path: Path, url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "geocoder_url": url,
        "geocoder_user_agent": "SafetyWalk tests (test@boden.example)",
        "geocoder_timeout_seconds": 2,
        "geocoder_min_interval_seconds": 0,
        "geocoder_interval_seconds": 0,
    }
    return make_settings(database_url, tmp_path, **(values | overrides))


@pytest.fixture
def settings(database_url: str, tmp_path: Path, nominatim: geocoder.Nominatim) -> Settings:
    return geo_settings(database_url, tmp_path, nominatim.url)


def report(session: Session, where: tuple[float, float] = CENTRUM, **fields: object) -> Observation:
    return insert_observation(session, lat=where[0], lon=where[1], **fields)


def reload(session: Session, obs: Observation) -> Observation:
    session.expire_all()
    found = session.get(Observation, obs.id)
    assert found is not None
    return found


def test_a_pass_gives_a_report_its_street_address(session, settings, nominatim):
    obs = report(session)
    assert obs.address is None

    result = geocoding.run_once(session=session, settings=settings)

    assert (result.found, result.none, result.unavailable) == (1, 0, False)
    obs = reload(session, obs)
    assert obs.address == "Storgatan 12, Boden"
    assert obs.geocoded_at is not None
    [request] = nominatim.reverse_requests()
    assert request.path == "/reverse"
    # Swedish names, street level with the house number, the address parts, our User-Agent.
    assert request.query["accept-language"] == "sv"
    assert request.query["zoom"] == "18"
    assert request.query["addressdetails"] == "1"
    assert request.query["format"] == "json"
    assert request.headers["User-Agent"] == "SafetyWalk tests (test@boden.example)"
    # The rounded position (the cache's key) is what the server is asked about.
    assert (request.query["lat"], request.query["lon"]) == ("65.8253", "21.688")


def test_a_second_pass_asks_nothing_more(session, settings, nominatim):
    report(session)
    geocoding.run_once(session=session, settings=settings)
    again = geocoding.run_once(session=session, settings=settings)
    assert (again.found, again.none, again.failed) == (0, 0, 0)
    assert nominatim.count == 1


def test_a_server_under_a_path_prefix(session, database_url, tmp_path):
    with geocoder.serve(prefix="/nominatim") as server:
        settings = geo_settings(database_url, tmp_path, server.url + "/")
        obs = report(session)
        geocoding.run_once(session=session, settings=settings)
        assert [r.path for r in server.requests] == ["/nominatim/reverse"]
    assert reload(session, obs).address == "Storgatan 12, Boden"


def test_two_reports_three_metres_apart_ask_the_server_once(session, settings, nominatim):
    first, second = report(session, CENTRUM), report(session, THREE_M_NORTH)

    result = geocoding.run_once(session=session, settings=settings)

    assert nominatim.count == 1
    assert (result.found, result.cached) == (2, 1)
    assert reload(session, first).address == reload(session, second).address
    assert reload(session, second).address == "Storgatan 12, Boden"
    cached = session.exec(select(GeocodeCache)).all()
    assert [(c.key, c.address) for c in cached] == [("65.8253,21.6880", "Storgatan 12, Boden")]


def test_a_later_report_at_a_known_spot_is_answered_from_the_cache(session, settings, nominatim):
    report(session)
    geocoding.run_once(session=session, settings=settings)
    later = report(session, THREE_M_NORTH)
    result = geocoding.run_once(session=session, settings=settings)
    assert (result.found, result.cached) == (1, 1)
    assert reload(session, later).address == "Storgatan 12, Boden"
    assert nominatim.count == 1


def test_no_address_is_cached_for_a_while_then_asked_again(
    session, settings, nominatim, stopped_clock
):
    nominatim.answer = lambda lat, lon: geocoder.NOTHING_HERE
    lonely = report(session)

    result = geocoding.run_once(session=session, settings=settings)

    assert (result.found, result.none) == (0, 1)
    # "" marks "looked, none there": the report is not asked about again.
    assert reload(session, lonely).address == ""
    assert session.exec(select(GeocodeCache.address)).one() is None
    assert geocoding.run_once(session=session, settings=settings).none == 0

    clock.advance(timedelta(days=29))
    report(session, THREE_M_NORTH)
    assert geocoding.run_once(session=session, settings=settings).cached == 1
    assert nominatim.count == 1

    clock.advance(timedelta(days=2))  # the "none here" has expired; the map may have grown
    nominatim.answer = lambda lat, lon: geocoder.STORGATAN
    newest = report(session, CENTRUM)
    result = geocoding.run_once(session=session, settings=settings)
    assert (result.found, result.cached) == (1, 0)
    assert nominatim.count == 2
    assert reload(session, newest).address == "Storgatan 12, Boden"
    assert session.exec(select(GeocodeCache.address)).one() == "Storgatan 12, Boden"


def test_requests_keep_the_usage_interval(session, database_url, tmp_path, nominatim):
    settings = geo_settings(
        database_url, tmp_path, nominatim.url, geocoder_min_interval_seconds=0.2
    )
    for i in range(4):  # four spots, each its own cache cell
        report(session, (CENTRUM[0] + i * 0.001, CENTRUM[1]))

    started = time.monotonic()
    result = geocoding.run_once(session=session, settings=settings)
    took = time.monotonic() - started

    assert result.found == 4
    arrivals = [r.at for r in nominatim.requests]
    assert len(arrivals) == 4
    gaps = [b - a for a, b in itertools.pairwise(arrivals)]
    # N requests take (N-1) intervals, and the server sees each the interval after the last.
    assert took >= 3 * 0.2
    assert min(gaps) >= 0.2, gaps


def test_the_interval_holds_across_threads(database_url, tmp_path, nominatim):
    """Passes in several threads of one process, each with its own client, share the interval."""
    settings = geo_settings(
        database_url, tmp_path, nominatim.url, geocoder_min_interval_seconds=0.3
    )

    def ask(lat: float) -> None:
        server = geocoding.client(settings)
        geocoding.ask(server, settings=settings, lat=lat, lon=CENTRUM[1])

    threads = [threading.Thread(target=ask, args=(CENTRUM[0] + i * 0.001,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    arrivals = sorted(r.at for r in nominatim.requests)
    assert len(arrivals) == 4
    assert arrivals[-1] - arrivals[0] >= 3 * 0.3


@pytest.mark.parametrize("status", [500, 502, 503, 429])
def test_a_failing_server_is_retried_then_answers(session, settings, nominatim, status):
    nominatim.statuses = [status, status]
    obs = report(session)

    result = geocoding.run_once(session=session, settings=settings)

    assert nominatim.count == 3
    assert (result.found, result.unavailable) == (1, False)
    assert reload(session, obs).address == "Storgatan 12, Boden"


def test_a_refusal_is_not_retried_and_the_report_waits(session, settings, nominatim, caplog):
    nominatim.statuses = [403]
    obs = report(session)

    with caplog.at_level(logging.WARNING, logger="safetywalk.geocoding"):
        result = geocoding.run_once(session=session, settings=settings)

    assert nominatim.count == 1
    assert result.unavailable and result.failed == 1
    assert reload(session, obs).address is None
    assert "gave no answer" in caplog.text


def test_a_slow_server_is_given_up_and_the_report_retried_later(
    session, database_url, tmp_path, nominatim, stopped_clock
):
    settings = geo_settings(database_url, tmp_path, nominatim.url, geocoder_timeout_seconds=0.3)
    nominatim.delay = 1.5
    older = report(session, (CENTRUM[0] + 0.01, CENTRUM[1]))
    newest = report(session, created_at=stopped_clock + timedelta(minutes=1))

    started = time.monotonic()
    result = geocoding.run_once(session=session, settings=settings)
    took = time.monotonic() - started

    # Three tries of 0.3 s and two short waits (0.25 s, 0.5 s), far below the server's delay.
    assert took < 2.5, took
    assert nominatim.count == geocoding.ATTEMPTS
    assert result.unavailable and (result.found, result.failed) == (0, 1)
    # The pass stopped at the newest report: the older one was not tried, so it is not held up.
    newest, older = reload(session, newest), reload(session, older)
    assert newest.address is None and newest.geocoded_at == stopped_clock
    assert older.address is None and older.geocoded_at is None

    nominatim.delay = 0
    clock.advance(geocoding.RETRY_AFTER - timedelta(seconds=1))
    retried = geocoding.run_once(session=session, settings=settings, limit=1)
    assert reload(session, older).address == "Storgatan 12, Boden"  # the untried one first
    assert reload(session, newest).address is None and retried.found == 1

    clock.advance(timedelta(seconds=2))  # now the failed one's wait is over
    geocoding.run_once(session=session, settings=settings)
    assert reload(session, newest).address == "Storgatan 12, Boden"


def test_a_server_that_is_down_fails_nothing(session, database_url, tmp_path, caplog):
    settings = geo_settings(database_url, tmp_path, f"http://127.0.0.1:{free_port()}")
    obs = report(session)
    with caplog.at_level(logging.WARNING, logger="safetywalk.geocoding"):
        result = geocoding.run_once(session=session, settings=settings)
    assert result.unavailable and result.failed == 1
    assert reload(session, obs).address is None
    assert "127.0.0.1" in caplog.text


def test_without_a_geocoder_url_nothing_is_asked(session, database_url, tmp_path, nominatim):
    settings = geo_settings(database_url, tmp_path, "")
    obs = report(session)
    result = geocoding.run_once(session=session, settings=settings)
    assert result == geocoding.Pass()
    obs = reload(session, obs)
    assert obs.address is None and obs.geocoded_at is None
    assert nominatim.count == 0


def test_the_newest_reports_go_first_a_batch_at_a_time(session, settings, nominatim):
    start = clock.now() - timedelta(hours=3)
    made = [
        report(session, (CENTRUM[0] + i * 0.001, CENTRUM[1]), created_at=start + timedelta(hours=i))
        for i in range(3)
    ]
    result = geocoding.run_once(session=session, settings=settings, limit=2)
    assert result.found == 2 and result.more
    addressed = [reload(session, obs).address is not None for obs in made]
    assert addressed == [False, True, True]
    assert geocoding.waiting(session=session) == 1
    assert not geocoding.run_once(session=session, settings=settings, limit=2).more
    assert geocoding.waiting(session=session) == 0


def test_a_report_another_pass_has_claimed_is_left_to_it(session, settings, nominatim):
    obs = report(session, geocoded_at=clock.now())  # claimed a moment ago elsewhere
    result = geocoding.run_once(session=session, settings=settings)
    assert (result.found, result.failed) == (0, 0)
    assert nominatim.count == 0
    assert reload(session, obs).address is None


def test_a_stopped_pass_ends_between_reports(session, settings, nominatim):
    report(session)
    stop = threading.Event()
    stop.set()  # the app is shutting down
    assert geocoding.run_once(session=session, settings=settings, stop=stop).found == 0
    assert nominatim.count == 0


def test_the_wait_between_passes_grows_while_the_server_is_down():
    done = geocoding.Pass()
    full = geocoding.Pass(found=100, more=True)
    assert geocoding.pause(result=done, failures=0, interval=30) == 30
    assert geocoding.pause(result=full, failures=0, interval=30) == 0  # more are waiting
    assert geocoding.pause(result=None, failures=1, interval=30) == 60
    assert geocoding.pause(result=None, failures=3, interval=30) == 240
    assert geocoding.pause(result=None, failures=20, interval=30) == geocoding.MAX_PAUSE_SECONDS


@pytest.mark.parametrize(
    ("url", "agent"),
    [
        ("ftp://nominatim.example.org", "SafetyWalk tests"),
        ("http://127.0.0.1:9", " "),
    ],
)
def test_a_mistyped_setting_is_logged_and_asks_no_one(
    session, database_url, tmp_path, caplog, url, agent
):
    """An unusable address, or no User-Agent (public Nominatim refuses geopy's default),
    stops nothing else."""
    settings = geo_settings(database_url, tmp_path, url, geocoder_user_agent=agent)
    obs = report(session)
    with caplog.at_level(logging.ERROR, logger="safetywalk.geocoding"):
        result = geocoding.run_once(session=session, settings=settings)
    assert result.unavailable and result.found == 0
    assert "not looked up" in caplog.text
    assert reload(session, obs).geocoded_at is None
