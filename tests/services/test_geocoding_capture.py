"""Street addresses seen from the outside: a resident reports through the capture form, the
address arrives afterwards (a pass, or the app's own runner in the background), and a slow,
failing or absent geocoder never holds the resident up."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.config import Settings
from app.main import create_app
from app.models import Observation
from app.services import geocoding
from tests import geocoder
from tests.conftest import free_port, make_settings
from tests.factories import JSON, jpeg_bytes, login_as, post_observation, sent_anew


@pytest.fixture
def nominatim() -> Iterator[geocoder.Nominatim]:
    with geocoder.serve() as server:
        yield server


def geo_settings(database_url: str, tmp_path: Path, url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "geocoder_url": url,
        "geocoder_min_interval_seconds": 0,
        "geocoder_interval_seconds": 0,  # the tests run the passes, unless they say otherwise
    }
    return make_settings(database_url, tmp_path, **(values | overrides))


@pytest.fixture
def settings(database_url: str, tmp_path: Path, nominatim: geocoder.Nominatim) -> Settings:
    return geo_settings(database_url, tmp_path, nominatim.url)


def the_report(session: Session) -> Observation:
    session.expire_all()
    return session.exec(select(Observation)).one()


def test_the_address_arrives_after_capture_and_shows_on_the_staff_page(
    client, session, settings, nominatim
):
    answer = post_observation(client, photos=[("lamp.jpg", jpeg_bytes(), "image/jpeg")])
    assert sent_anew(answer)
    assert nominatim.count == 0  # capture never asks the geocoder
    obs = the_report(session)
    assert obs.address is None

    geocoding.run_once(session=session, settings=settings)

    login_as(client, session, "triager")
    page = client.get(f"/triage/{obs.id}")
    assert page.status_code == 200
    assert "Storgatan 12, Boden" in page.text
    assert nominatim.count == 1


def test_a_slow_geocoder_delays_no_one(client, session, database_url, tmp_path, nominatim):
    settings = geo_settings(database_url, tmp_path, nominatim.url, geocoder_timeout_seconds=0.3)
    nominatim.delay = 5

    started = time.monotonic()
    answer = post_observation(client, headers=JSON)
    took = time.monotonic() - started

    assert answer.status_code == 201 and took < 3, took
    assert nominatim.count == 0
    # The pass gives up within about the timeout times the tries; the report waits for later.
    started = time.monotonic()
    result = geocoding.run_once(session=session, settings=settings)
    assert time.monotonic() - started < 2.5
    assert result.unavailable
    obs = the_report(session)
    assert obs.address is None and obs.geocoded_at is not None
    assert client.get(answer.json()["url"]).status_code == 200  # the resident's page still works


def test_the_apps_own_runner_finds_the_address_in_the_background(database_url, tmp_path, nominatim):
    app = create_app(
        geo_settings(database_url, tmp_path, nominatim.url, geocoder_interval_seconds=1)
    )
    try:
        with TestClient(app, headers={"Accept-Language": "en"}) as client:
            assert sent_anew(post_observation(client))
            with Session(app.state.engine) as session:
                deadline = time.monotonic() + 15
                while the_report(session).address is None and time.monotonic() < deadline:
                    time.sleep(0.1)
                assert the_report(session).address == "Storgatan 12, Boden"
    finally:
        app.state.engine.dispose()


def test_while_the_runner_waits_on_a_slow_geocoder_capture_answers_at_once(
    database_url, tmp_path, nominatim
):
    settings = geo_settings(
        database_url,
        tmp_path,
        nominatim.url,
        geocoder_interval_seconds=1,
        geocoder_timeout_seconds=3,
    )
    nominatim.delay = 4
    app = create_app(settings)
    try:
        with TestClient(app, headers={"Accept-Language": "en"}) as client:
            assert sent_anew(post_observation(client))
            deadline = time.monotonic() + 10
            while nominatim.count == 0 and time.monotonic() < deadline:
                time.sleep(0.05)
            assert nominatim.count == 1  # the runner is now waiting on the server

            started = time.monotonic()
            answer = post_observation(client, headers=JSON)
            took = time.monotonic() - started

            assert answer.status_code == 201 and took < 2, took
            assert client.get("/").status_code == 200
    finally:
        app.state.engine.dispose()


@pytest.mark.parametrize("url", ["", "down"])
def test_with_the_geocoder_off_or_down_capture_works_as_before(
    database_url, tmp_path, nominatim, url
):
    if url == "down":
        url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    app = create_app(geo_settings(database_url, tmp_path, url, geocoder_interval_seconds=1))
    try:
        with TestClient(app, headers={"Accept-Language": "en"}) as client:
            answer = post_observation(client, headers=JSON)
            assert answer.status_code == 201
            time.sleep(1.5)  # a runner pass (when there is one) has come and gone
            assert client.get(answer.json()["url"]).status_code == 200
            with Session(app.state.engine) as session:
                login_as(client, session, "triager")
                obs = the_report(session)
                assert obs.address is None
                assert (obs.geocoded_at is None) == (url == "")  # off: not even tried
            assert client.get(f"/triage/{obs.id}").status_code == 200
            assert client.get("/triage").status_code == 200
    finally:
        app.state.engine.dispose()
    assert nominatim.count == 0
