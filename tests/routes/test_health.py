"""/healthz (alive), /readyz (database, media store, migrations at head) and /metrics
(Prometheus, for the monitoring network only), read as an operator's tools read them."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text
from sqlmodel import func, select

from app import clock
from app.db import MIGRATIONS_DIR, migration_heads
from app.main import create_app
from app.models import Observation, OutboxMail
from tests.conftest import make_settings
from tests.factories import jpeg_bytes, post_observation

JSON = {"Accept": "application/json"}
PROMETHEUS = ("127.0.0.1", 40000)  # a scraper on the same machine (in metrics_networks)
OUTSIDER = ("203.0.113.9", 40000)  # a client on the internet


def client_at(app, address: tuple[str, int]) -> TestClient:  # type: ignore[no-untyped-def]
    return TestClient(app, client=address, headers={"Accept-Language": "en"})


@pytest.fixture
def prometheus(app):  # type: ignore[no-untyped-def]
    with client_at(app, PROMETHEUS) as scraper:
        yield scraper


def scrape(scraper: TestClient) -> dict[str, list[tuple[dict[str, str], float]]]:
    """Every sample of /metrics by name, parsed with prometheus-client's own parser."""
    answer = scraper.get("/metrics")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain; version=")
    samples: dict[str, list[tuple[dict[str, str], float]]] = {}
    for family in text_string_to_metric_families(answer.text):
        for sample in family.samples:
            samples.setdefault(sample.name, []).append((sample.labels, sample.value))
    return samples


def value(samples, name: str, **labels: str) -> float:  # type: ignore[no-untyped-def]
    found = [
        v for sample_labels, v in samples.get(name, []) if labels.items() <= sample_labels.items()
    ]
    return sum(found)


def test_healthz_says_alive_without_asking_anything(client):
    answer = client.get("/healthz")
    assert answer.status_code == 200 and answer.json() == {"status": "ok"}


def test_readyz_is_ready_with_database_media_and_migrations_at_head(client):
    answer = client.get("/readyz")
    assert answer.status_code == 200
    assert answer.json() == {
        "status": "ready",
        "checks": {"database": "ok", "migrations": "ok", "media": "ok"},
    }
    assert answer.headers["cache-control"] == "no-store"


def test_the_migration_head_is_the_script_directorys():
    assert migration_heads() == frozenset(ScriptDirectory(str(MIGRATIONS_DIR)).get_heads())
    assert len(migration_heads()) == 1


@pytest.fixture
def database_one_revision_behind(engine):  # type: ignore[no-untyped-def]
    """The database as it is when new code starts before `safetywalk migrate` has run."""
    (head,) = migration_heads()
    previous = ScriptDirectory(str(MIGRATIONS_DIR)).get_revision(head).down_revision
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": previous})
    yield previous
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": head})


def test_readyz_says_503_when_the_database_is_behind_the_code(app, database_one_revision_behind):
    with client_at(app, PROMETHEUS) as operator:
        answer = operator.get("/readyz")
    assert answer.status_code == 503
    assert answer.headers["retry-after"] == "30"
    checks = answer.json()["checks"]
    assert checks["database"] == "ok" and checks["media"] == "ok"
    assert database_one_revision_behind in checks["migrations"]
    assert "safetywalk migrate" in checks["migrations"]


@pytest.fixture
def app_without_its_photo_folder(database_url, tmp_path):  # type: ignore[no-untyped-def]
    """The local folder store, its folder replaced by a file after start (a lost mount)."""
    settings = make_settings(database_url, tmp_path, media_url="")
    app = create_app(settings)
    shutil.rmtree(settings.media_path, ignore_errors=True)  # made on first write, if at all
    settings.media_path.write_text("a file where the photo folder should be")
    yield app
    app.state.engine.dispose()


def test_readyz_says_503_when_the_media_store_cannot_be_written(app_without_its_photo_folder):
    with client_at(app_without_its_photo_folder, PROMETHEUS) as operator:
        answer = operator.get("/readyz")
    assert answer.status_code == 503
    checks = answer.json()["checks"]
    assert checks["database"] == "ok" and checks["migrations"] == "ok"
    assert checks["media"].startswith("unavailable") and "media" in checks["media"]


def test_readyz_tells_an_outsider_what_failed_but_not_why(app_without_its_photo_folder):
    with client_at(app_without_its_photo_folder, OUTSIDER) as outsider:
        answer = outsider.get("/readyz")
    assert answer.status_code == 503
    assert answer.json()["checks"] == {"database": "ok", "migrations": "ok", "media": "failed"}
    assert "/" not in answer.text  # no path


def test_readyz_says_503_when_the_database_is_down_and_healthz_stays_alive(tmp_path: Path):
    from tests.routes.test_database_down import unreachable_database

    app = create_app(make_settings(unreachable_database(tmp_path), tmp_path))
    with client_at(app, PROMETHEUS) as operator:
        assert operator.get("/healthz").status_code == 200
        answer = operator.get("/readyz")
        samples = scrape(operator)
    app.state.engine.dispose()
    assert answer.status_code == 503
    checks = answer.json()["checks"]
    assert checks["database"].startswith("unavailable") and checks["media"] == "ok"
    assert "safetywalk_test" not in answer.text  # no URL, no credentials
    # The scrape still answers, saying the database did not.
    assert value(samples, "safetywalk_database_up") == 0
    assert "safetywalk_outbox_waiting" not in samples


@pytest.mark.parametrize("address", [OUTSIDER, ("testclient", 50000)])
def test_metrics_are_refused_outside_the_monitoring_network(app, address):
    with client_at(app, address) as outsider:
        answer = outsider.get("/metrics")
        assert answer.status_code == 403
        assert "monitoring network" in answer.text
        assert "http_requests_total" not in answer.text


def test_metrics_networks_is_the_setting(database_url, tmp_path):
    app = create_app(make_settings(database_url, tmp_path, metrics_networks="10.20.0.0/16"))
    with client_at(app, ("127.0.0.1", 1)) as local, client_at(app, ("10.20.3.4", 1)) as scraper:
        assert local.get("/metrics").status_code == 403
        assert scraper.get("/metrics").status_code == 200
    app.state.engine.dispose()


def test_requests_are_counted_and_timed_per_route_template(prometheus):
    token = post_observation(prometheus, headers=JSON).json()["token"]
    for _ in range(2):
        assert prometheus.get(f"/observations/{token}").status_code == 200
    prometheus.head("/healthz")
    samples = scrape(prometheus)
    template = "/observations/{token}"
    assert value(samples, "http_requests_total", handler=template, method="GET") == 2
    assert value(samples, "http_requests_total", handler="/observations", method="POST") == 1
    assert value(samples, "http_requests_total", handler="/healthz", method="GET") == 1
    assert value(samples, "http_request_duration_seconds_count", handler=template) == 2
    assert value(samples, "http_request_duration_seconds_sum", handler=template) > 0
    assert token not in prometheus.get("/metrics").text
    assert value(samples, "http_requests_total", handler="/metrics") == 0  # not counted


def test_unknown_paths_are_one_label_and_no_token_becomes_a_label(prometheus):
    token = post_observation(prometheus, headers=JSON).json()["token"]
    prometheus.get(f"/observations/{token}/", follow_redirects=False)  # a redirect to the page
    prometheus.get("/no/such/page/1")
    prometheus.get("/no/such/page/2")
    body = prometheus.get("/metrics").text
    assert token not in body and "/no/such" not in body
    samples = scrape(prometheus)
    assert value(samples, "http_requests_total", handler="none") == 3


def test_photo_ingest_time_is_a_histogram(prometheus):
    before = value(scrape(prometheus), "safetywalk_photo_ingest_seconds_count")
    post_observation(prometheus, photos=[("a.jpg", jpeg_bytes(), "image/jpeg")], headers=JSON)
    samples = scrape(prometheus)
    assert value(samples, "safetywalk_photo_ingest_seconds_count") == before + 1
    assert value(samples, "safetywalk_photo_ingest_seconds_sum") > 0
    infinite = value(samples, "safetywalk_photo_ingest_seconds_bucket", le="+Inf")
    assert infinite == before + 1


def test_outbox_backlog_and_its_oldest_mails_age_come_from_the_database(
    prometheus, session, stopped_clock
):
    assert value(scrape(prometheus), "safetywalk_outbox_waiting") == 0
    assert value(scrape(prometheus), "safetywalk_outbox_oldest_age_seconds") == 0
    hour_ago = stopped_clock - timedelta(hours=1)
    for created_at in (hour_ago, stopped_clock - timedelta(minutes=5)):
        session.add(
            OutboxMail(
                to_address="someone@example.org",
                subject="s",
                body="b",
                kind="t",
                created_at=created_at,
                send_after=created_at,
            )
        )
    session.add(
        OutboxMail(
            to_address="sent@example.org",
            subject="s",
            body="b",
            kind="t",
            created_at=stopped_clock - timedelta(days=3),
            sent_at=hour_ago,
        )
    )
    session.commit()
    samples = scrape(prometheus)
    assert value(samples, "safetywalk_outbox_waiting") == 2  # the sent one is not waiting
    assert value(samples, "safetywalk_outbox_oldest_age_seconds") == 3600
    clock.advance(timedelta(minutes=1))
    assert value(scrape(prometheus), "safetywalk_outbox_oldest_age_seconds") == 3660


def test_observations_by_status_match_the_table(prometheus, session):
    for _ in range(2):
        post_observation(prometheus, headers=JSON)
    samples = scrape(prometheus)
    by_status = dict(
        session.exec(select(Observation.status, func.count()).group_by(Observation.status)).all()  # type: ignore[call-overload]
    )
    assert by_status  # the test has something to compare
    for status in ("new", "triaged", "fixed", "wont_fix"):
        expected = by_status.get(status, 0)
        assert value(samples, "safetywalk_observations", status=status) == expected
    assert value(samples, "safetywalk_database_up") == 1
