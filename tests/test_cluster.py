"""Several app servers on one PostgreSQL, started as `make cluster` starts them (scripts/cluster):
two `safetywalk serve --reuse-port` processes sharing one port, an outbox worker, and the photo
store (moto's S3 server when SAFETYWALK_TEST_MEDIA=s3, else one shared folder). 200 phones
upload at once, with lost answers and retries and the same report sent to both processes at
the same instant: nothing is lost, nothing is stored twice, and every photo and status page is
there through either process."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx2 as httpx  # starlette's test client ships httpx2; plain httpx is not installed
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlmodel import Session, col, select

from app.db import make_engine
from app.models import Observation, Photo
from app.services.media_store import photo_key
from tests.conftest import ENGINE
from tests.factories import jpeg_bytes, observation_fields

pytestmark = pytest.mark.skipif(
    ENGINE != "postgresql", reason="several app servers share PostgreSQL, not an SQLite file"
)

ROOT = Path(__file__).resolve().parent.parent
UPLOADS = 200
PHONES = 12  # uploads in flight at once
JSON = {"Accept": "application/json", "Accept-Language": "en"}
START_TIMEOUT = 240.0  # the cluster imports the app in four processes on a shared machine


@dataclass(frozen=True)
class Cluster:
    url: str  # the port the app servers share
    servers: tuple[str, ...]  # each app server alone
    names: tuple[str, ...]  # their names in front of their lines in the log
    log: Path  # everything the processes printed


@pytest.fixture(scope="module")
def cluster(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """One cluster for this module's tests (starting one takes a while)."""
    tmp_path = tmp_path_factory.mktemp("cluster")
    state_file = tmp_path / "cluster.json"
    log_path = tmp_path / "cluster.log"
    env = {
        **os.environ,
        "SAFETYWALK_DATABASE_URL": database_url,
        # Public at once, as in the rest of the suite: here the photos are what is counted.
        "SAFETYWALK_PHOTO_MODERATION": "immediate",
        "SAFETYWALK_TILE_URL": "",
    }
    media = "s3" if os.environ.get("SAFETYWALK_TEST_MEDIA") == "s3" else "local"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                str(ROOT / "scripts" / "cluster"),
                "--port",
                "0",
                "--demo",
                "none",
                "--media",
                media,
                "--state",
                str(state_file),
            ],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not state_file.exists():
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail("the cluster did not start:\n" + log_path.read_text()[-4000:])
            time.sleep(0.2)
        state = json.loads(state_file.read_text())
        servers = state["servers"]
        yield Cluster(
            state["url"],
            tuple(s["url"] for s in servers),
            tuple(s["name"] for s in servers),
            log_path,
        )
    finally:
        process.send_signal(signal.SIGTERM)  # it stops what it started
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    assert process.returncode == 0, log_path.read_text()[-4000:]


@dataclass(frozen=True)
class Answer:
    client_id: str
    status: int
    token: str


_local = threading.local()
_opened: list[httpx.Client] = []
_opened_lock = threading.Lock()


def client(url: str) -> httpx.Client:
    """This thread's client for `url`. A new connection for every request: a kept-alive one
    may be closed by the server (idle for 5 s on a busy machine) just as a request goes out."""
    clients: dict[str, httpx.Client] = _local.__dict__.setdefault("clients", {})
    if url not in clients:
        fresh = httpx.Limits(max_keepalive_connections=0)
        clients[url] = httpx.Client(base_url=url, timeout=60, limits=fresh)
        with _opened_lock:
            _opened.append(clients[url])
    return clients[url]


@pytest.fixture
def phones() -> Iterator[None]:
    """The phones' connections, closed after the test."""
    yield
    with _opened_lock:
        for each in _opened:
            each.close()
        _opened.clear()


def post(url: str, fields: dict[str, str], photo: bytes, *, read_timeout: float = 60) -> Answer:
    """One POST /observations as a phone sends it, over real HTTP."""
    answer = client(url).post(
        "/observations",
        data=fields,
        files=[("photo", ("IMG_0001.jpg", photo, "image/jpeg"))],
        headers=JSON,
        timeout=httpx.Timeout(60, read=read_timeout),
    )
    assert answer.status_code in (200, 201), answer.text
    return Answer(fields["client_id"], answer.status_code, answer.json()["token"])


def post_until_answered(url: str, fields: dict[str, str], photo: bytes) -> Answer:
    """The phone's retry: send again, with the same client id, until an answer comes."""
    for _ in range(5):
        try:
            return post(url, fields, photo)
        except httpx.TransportError:
            time.sleep(0.1)
    return post(url, fields, photo)


def phone(i: int, cluster: Cluster) -> list[Answer]:
    """Upload number i, in one of four ways: plainly; with the answer lost (the phone gives up
    waiting) and sent again; to both app servers at the very same instant; or sent again after
    it was stored (a retry whose first answer did arrive late)."""
    fields = observation_fields(description=f"Cluster upload {i}")
    photo = jpeg_bytes(64 + i, 48, quality=80)  # small, and each one different
    first, second = cluster.servers[i % 2], cluster.servers[(i + 1) % 2]
    way = i % 4
    if way == 0:
        return [post_until_answered(cluster.url, fields, photo)]
    if way == 1:
        try:
            lost = [post(cluster.url, fields, photo, read_timeout=0.005)]
        except httpx.TransportError:
            lost = []  # the server goes on with it; the phone does not hear how it went
        return [*lost, post_until_answered(cluster.url, fields, photo)]
    if way == 2:
        together = threading.Barrier(2, timeout=30)
        answers: list[Answer] = []

        def send(url: str) -> None:
            together.wait()
            answers.append(post_until_answered(url, fields, photo))

        other = threading.Thread(target=send, args=(second,))
        other.start()
        send(first)
        other.join(90)
        assert len(answers) == 2, "the racing upload got no answer"
        return answers
    return [post_until_answered(first, fields, photo), post_until_answered(second, fields, photo)]


def test_two_app_servers_lose_nothing_and_store_nothing_twice(cluster, database_url, phones):
    with ThreadPoolExecutor(PHONES) as pool:
        answers = [
            a for batch in pool.map(phone, range(UPLOADS), [cluster] * UPLOADS) for a in batch
        ]

    by_upload: dict[str, list[Answer]] = defaultdict(list)
    for answer in answers:
        by_upload[answer.client_id].append(answer)
    assert len(by_upload) == UPLOADS
    for seen in by_upload.values():
        # Every answer for one upload names the same report, and at most one says "created"
        # (a lost first answer may have been the one).
        assert len({a.token for a in seen}) == 1, seen
        assert [a.status for a in seen].count(201) <= 1, seen

    engine = make_engine(database_url)
    with Session(engine) as session:
        stored = session.exec(
            select(Observation).where(col(Observation.description).startswith("Cluster upload "))
        ).all()
        photos = session.exec(
            select(Photo).where(col(Photo.observation_id).in_([o.id for o in stored]))
        ).all()
    engine.dispose()
    # 0 lost, 0 duplicated: one report per upload, each with the token its phone was given.
    assert len(stored) == UPLOADS
    assert len({o.description for o in stored}) == UPLOADS
    assert {str(o.client_id): o.token for o in stored} == {
        client_id: seen[0].token for client_id, seen in by_upload.items()
    }
    assert Counter(p.observation_id for p in photos) == {o.id: 1 for o in stored}
    assert len({p.sha256 for p in photos}) == UPLOADS

    # Every photo from the shared port and from each app server alone, and there also its
    # thumbnail: whichever process stored it, every process serves it.
    tokens = {o.id: o.token for o in stored}

    def readable(photo: Photo) -> None:
        for url in (cluster.url, *cluster.servers):
            full = client(url).get(f"/media/{photo_key(photo.sha256)}")
            assert full.status_code == 200, (url, photo.sha256)
            assert hashlib.sha256(full.content).hexdigest() == photo.sha256
        for url in cluster.servers:
            thumb = client(url).get(f"/media/{photo_key(photo.sha256, thumb=True)}")
            assert thumb.status_code == 200 and thumb.content[:2] == b"\xff\xd8", url
        # The status page too, from one process or the other (half each).
        url = cluster.servers[(photo.id or 0) % 2]
        page = client(url).get(f"/observations/{tokens[photo.observation_id]}")
        assert page.status_code == 200 and photo.sha256 in page.text, url

    with ThreadPoolExecutor(PHONES) as pool:
        list(pool.map(readable, photos))


def test_the_shared_port_is_served_by_both_processes(cluster):
    """The kernel spreads the shared port's connections over both app servers (SO_REUSEPORT):
    of 20 fresh connections, each process gets some (all to one: a chance of 1 in 500,000).
    Each process counts its own requests; its own port's /metrics tells them apart."""
    before = [health_checks_answered(server) for server in cluster.servers]
    fresh = httpx.Limits(max_keepalive_connections=0)  # a new connection for every request
    with httpx.Client(base_url=cluster.url, timeout=30, limits=fresh) as each_anew:
        for _ in range(20):
            assert each_anew.get("/healthz").status_code == 200
    served = [
        health_checks_answered(server) - seen
        for server, seen in zip(cluster.servers, before, strict=True)
    ]
    assert sum(served) == 20
    assert all(count > 0 for count in served), served


def health_checks_answered(server: str) -> float:
    """`GET /healthz` requests this app server has answered, from its own /metrics."""
    text = httpx.get(f"{server}/metrics", timeout=30).text
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "http_requests_total"
        and sample.labels.get("handler") == "/healthz"
        and sample.labels.get("method") == "GET"
    )
