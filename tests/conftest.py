"""Test fixtures: a real database (SQLite file, or PostgreSQL when SAFETYWALK_TEST_ENGINE is
`postgresql`), migrated from empty by Alembic once per run, with Boden's demo data; a fresh app
per test; observations and accounts wiped after each test, and the reference data (zones,
units, categories, routing rules) put back as the demo load left it. Photos go to a folder of
each test's own, or with SAFETYWALK_TEST_MEDIA=s3 to a local S3 server (tests/s3server.py)."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel

from app.cli import migrate
from app.config import Settings
from app.db import make_engine
from app.main import create_app
from app.services import demo
from app.services.media_store import MediaStore, open_store
from tests import s3server

ENGINE = os.environ.get("SAFETYWALK_TEST_ENGINE", "sqlite")
# Rows that tests make; the reference data (zones, units, categories) stays for the whole run.
TEST_TABLES = (
    "audit_entry",
    "api_post",
    "handoff",
    "saved_filter",
    "canned_reply",
    "outside_owner_category",
    "geocode_cache",
    "council_report",
    "external_figure",
    "target",
    "measure_link",
    "measure",
    "focus_area",
    "agreement",
    "outbox_mail",
    "support",
    "observation_event",
    "photo",
    "walk_check",
    "plan_follower",
    "safety_basis",
    "plan_checklist_line",
    "plan_case",
    "observation_zone",  # before observation and zone: it points at both
    "zone_placement",
    "observation",
    "outside_owner",
    "api_client",  # after observation, which points at it
    "walk_participant",
    "walk",
    "planning_area",
    "staff_session",
    "login_throttle",
    "staff_user",
)
# The reference data, in the order rows depend on each other. Tests may change it (the admin
# pages do); after each test it is put back as the demo load left it, when it differs.
REFERENCE_TABLES = ("zone", "unit", "category", "routing_rule")
_reference: dict[str, dict[str, list[dict[str, object]]]] = {}


def pytest_report_header(config: pytest.Config) -> str:
    return f"database engine: {ENGINE}, photos: {s3server.MEDIA}"


def pytest_configure(config: pytest.Config) -> None:
    if s3server.MEDIA not in ("local", "s3"):
        pytest.exit(f"unknown SAFETYWALK_TEST_MEDIA {s3server.MEDIA!r} (local or s3)", 2)


def pytest_sessionfinish(session: pytest.Session) -> None:
    if (server := s3server.running()) is not None:
        server.stop()


def _reset_postgres(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """An empty database brought to head by the migrations, then given the demo data."""
    if ENGINE == "postgresql":
        url = os.environ.get("SAFETYWALK_TEST_DATABASE_URL", "")
        if not url:
            pytest.exit("SAFETYWALK_TEST_ENGINE=postgresql needs SAFETYWALK_TEST_DATABASE_URL", 2)
        _reset_postgres(url)
    elif ENGINE == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    else:
        pytest.exit(f"unknown SAFETYWALK_TEST_ENGINE {ENGINE!r}", 2)
    migrate(url)
    engine = make_engine(url)
    with Session(engine) as session:
        demo.load(session=session)
    _reference[url] = _reference_rows(engine)
    engine.dispose()
    return url


def _reference_rows(engine: Engine) -> dict[str, list[dict[str, object]]]:
    tables = SQLModel.metadata.tables
    with engine.connect() as conn:
        return {
            name: [
                dict(row._mapping)
                for row in conn.execute(tables[name].select().order_by(tables[name].c.id))
            ]
            for name in REFERENCE_TABLES
        }


def restore_reference_data(url: str) -> None:
    """Put units, categories, zones and rules back as they were after the demo load."""
    engine = make_engine(url)
    saved = _reference[url]
    if _reference_rows(engine) != saved:
        tables = SQLModel.metadata.tables
        with engine.begin() as conn:
            for name in reversed(REFERENCE_TABLES):
                conn.execute(tables[name].delete())
            for name in REFERENCE_TABLES:
                if saved[name]:
                    conn.execute(tables[name].insert(), saved[name])
    engine.dispose()


def make_settings(database_url: str, root: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "database_url": database_url,
        "data_dir": root / "data",
        "media_dir": root / "media",
        "secret_key": "test-secret-key-that-is-long-enough-000000",
        "tile_url": "",  # no tile server is reachable here
        "default_language": "en",
        "outbox_interval_seconds": 0,  # tests run the outbox themselves
        "retention_interval_seconds": 0,  # and retention (a pass at start would skew tests)
        # The tests written before moderation expect a resident's photo on the public pages at
        # once; the moderation tests (tests/services/test_photo_moderation.py …) set "review".
        "photo_moderation": "immediate",
    }
    if s3server.MEDIA == "s3":
        values.update(s3server.shared().settings(root))
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return make_settings(database_url, tmp_path)


@pytest.fixture
def media(settings: Settings) -> MediaStore:
    """The test's photo store (its own folder, or its own prefix in the S3 server's bucket)."""
    return open_store(settings)


@pytest.fixture
def app(settings: Settings) -> Iterator[FastAPI]:
    application = create_app(settings)
    yield application
    application.state.engine.dispose()


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, headers={"Accept-Language": "en"}) as test_client:
        yield test_client


@pytest.fixture
def engine(app: FastAPI) -> Engine:
    return app.state.engine


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine) as db:
        yield db


def wipe(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        for table in TEST_TABLES:
            conn.execute(text(f"DELETE FROM {table}"))
        conn.execute(text("UPDATE unit SET digest_last_observation_id = 0, digest_sent_at = NULL"))
    engine.dispose()


@pytest.fixture(autouse=True)
def _english_outside_requests() -> None:
    """Services called directly (not through a request) speak English in the tests."""
    from app import i18n

    i18n.set_language("en")


@pytest.fixture(autouse=True)
def _running_clock() -> Iterator[None]:
    """A test that stops the clock (`clock.set_to`) never leaves it stopped for the next one."""
    yield
    from app import clock

    clock.set_to(None)


@pytest.fixture
def stopped_clock() -> Iterator[datetime]:
    """The app's clock stopped at a fixed winter evening in Boden (Tue 1 Dec 2026, 17:00 local)."""
    from app import clock

    at = datetime(2026, 12, 1, 16, 0, tzinfo=UTC)
    clock.set_to(at)
    yield at
    clock.set_to(None)


@pytest.fixture(scope="session")
def s3_server() -> s3server.S3Server:
    """The local S3 server, for tests of object storage whatever SAFETYWALK_TEST_MEDIA says."""
    return s3server.shared()


@pytest.fixture(autouse=True)
def _empty_bucket() -> Iterator[None]:
    """Photos go with the rows that name them: the bucket is emptied after each test."""
    yield
    if (server := s3server.running()) is not None:
        server.empty()


@pytest.fixture(autouse=True)
def _clean_database(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "database_url" in request.fixturenames:
        url = request.getfixturevalue("database_url")
        wipe(url)
        restore_reference_data(url)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LiveServer:
    """The app served by a real uvicorn on loopback, in a thread."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("live server did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="session")
def live_server(
    database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    app = create_app(make_settings(database_url, tmp_path_factory.mktemp("live")))
    server = LiveServer(app).start()
    yield server
    server.stop()
    app.state.engine.dispose()
