"""A phone on a bad connection sends the same report twice, sometimes at the very same moment:
against a real server, it is stored once and both answers point to the same tracking link."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator

import httpx2 as httpx  # starlette's test client ships httpx2; plain httpx is not installed
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from app.db import make_engine
from app.models import Observation, Photo
from tests.factories import jpeg_bytes, observation_fields

JSON = {"Accept": "application/json", "Accept-Language": "en"}
ROUNDS = 5


@pytest.fixture
def db(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def rows_for(engine: Engine, client_id: str) -> tuple[int, int]:
    """(observations, photos) stored for one client_id."""
    with Session(engine) as session:
        observations = session.exec(
            select(Observation).where(Observation.client_id == uuid.UUID(client_id))
        ).all()
        photos = (
            session.exec(
                select(func.count())
                .select_from(Photo)
                .where(Photo.observation_id.in_([o.id for o in observations]))  # type: ignore[union-attr]
            ).one()
            if observations
            else 0
        )
        return len(observations), photos


def send(client: httpx.Client, fields: dict[str, str], photo: bytes) -> httpx.Response:
    return client.post(
        "/observations",
        data=fields,
        files=[("photo", ("IMG_0001.jpg", photo, "image/jpeg"))],
        headers=JSON,
    )


def send_together(base_url: str, fields: dict[str, str], photo: bytes) -> list[httpx.Response]:
    """Two phones (two connections) send the same report as the same instant."""
    start = threading.Barrier(2, timeout=30)
    answers: list[httpx.Response] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def phone() -> None:
        try:
            with httpx.Client(base_url=base_url, timeout=60) as client:
                assert client.get("/healthz").status_code == 200  # connected before the start
                start.wait()
                answer = send(client, fields, photo)
            with lock:
                answers.append(answer)
        except BaseException as exc:  # reported below, not lost in the thread
            errors.append(exc)

    threads = [threading.Thread(target=phone) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    assert errors == []
    assert len(answers) == 2
    return answers


def test_the_same_report_sent_twice_at_once_is_stored_once(live_server, db):
    photo = jpeg_bytes(1600, 1200, orientation=6)
    for round_ in range(ROUNDS):
        fields = observation_fields(description=f"Round {round_}: the lamp is out.")
        client_id = fields["client_id"]

        answers = send_together(live_server.url, fields, photo)

        assert rows_for(db, client_id) == (1, 1), f"round {round_}"
        bodies = [a.json() for a in answers]
        assert len({b["token"] for b in bodies}) == 1, bodies
        assert len({b["url"] for b in bodies}) == 1
        results = sorted((a.status_code, b["result"]) for a, b in zip(answers, bodies, strict=True))
        assert results == [(200, "already_stored"), (201, "stored")], f"round {round_}"


def test_ten_retries_one_after_the_other_are_stored_once(live_server, db):
    fields = observation_fields()
    photo = jpeg_bytes()
    with httpx.Client(base_url=live_server.url, timeout=60) as client:
        answers = [send(client, fields, photo) for _ in range(10)]

    assert [a.status_code for a in answers] == [201] + [200] * 9
    assert len({a.json()["token"] for a in answers}) == 1
    assert rows_for(db, fields["client_id"]) == (1, 1)
    status_page = httpx.get(answers[-1].json()["url"], headers=JSON)
    assert status_page.status_code == 200
