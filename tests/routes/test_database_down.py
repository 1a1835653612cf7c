"""With the database down, the app still starts, and every page that needs the database
answers 503 "try again later": never 200, never a 500 that blames the request. /healthz (alive)
still answers 200; /readyz says 503 (tests/routes/test_health.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from tests.conftest import ENGINE, free_port, make_settings


def unreachable_database(root: Path) -> str:
    """A URL of the engine under test that nothing answers at."""
    if ENGINE == "postgresql":
        # A port nobody listens on: the connection is refused at once.
        return f"postgresql+psycopg://safetywalk:safetywalk@127.0.0.1:{free_port()}/safetywalk_test"
    return f"sqlite:///{root / 'no-such-directory' / 'safetywalk.db'}"


@pytest.fixture
def client_without_database(tmp_path: Path):  # type: ignore[no-untyped-def]
    settings = make_settings(unreachable_database(tmp_path), tmp_path, outbox_interval_seconds=3600)
    app = create_app(settings)  # starts without touching the database
    with TestClient(app, headers={"Accept-Language": "en"}) as client:  # lifespan runs too
        yield client
    app.state.engine.dispose()


def test_a_page_says_503_when_the_database_is_down(client_without_database):
    answer = client_without_database.get("/observations")
    assert answer.status_code == 503
    assert answer.headers["retry-after"] == "30"
    assert "not available just now" in answer.text
    as_json = client_without_database.get("/observations", headers={"Accept": "application/json"})
    assert as_json.status_code == 503
    assert as_json.json() == {
        "error": "The service is not available just now. Please try again in a moment."
    }


def test_healthz_stays_alive_and_readyz_says_503(client_without_database):
    assert client_without_database.get("/healthz").status_code == 200
    answer = client_without_database.get("/readyz")
    assert answer.status_code == 503 and answer.json()["status"] == "unavailable"


def test_pages_that_need_the_database_say_503_and_static_files_still_load(
    client_without_database,
):
    assert client_without_database.get("/").status_code == 503
    assert client_without_database.get("/observations").status_code == 503
    assert client_without_database.get("/static/css/app.css").status_code == 200
