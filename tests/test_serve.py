"""A real `safetywalk serve` process: its log lines are JSON with request ids and no personal
data, and SIGTERM stops it gracefully (the upload in flight finishes and is stored, new
connections are refused, the background loops end, the process ends cleanly)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx  # what starlette's test client ships
import pytest
from sqlmodel import Session, create_engine, select

from app.models import Observation, Photo
from tests.conftest import free_port
from tests.factories import jpeg_bytes, observation_fields

ROOT = Path(__file__).resolve().parent.parent
RESIDENT = "walker.resident@example.org"
JSON = {"Accept": "application/json"}


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Iterator[tuple[subprocess.Popen, str]]:
    port = free_port()
    env = {
        **os.environ,
        "SAFETYWALK_DATABASE_URL": database_url,
        "SAFETYWALK_DATA_DIR": str(tmp_path / "data"),
        "SAFETYWALK_MEDIA_DIR": str(tmp_path / "media"),
        "SAFETYWALK_MEDIA_URL": "",
        "SAFETYWALK_SECRET_KEY": "test-secret-key-that-is-long-enough-000000",
        "SAFETYWALK_TILE_URL": "",
        "SAFETYWALK_DEFAULT_LANGUAGE": "en",
        "SAFETYWALK_PHOTO_MODERATION": "immediate",
        "SAFETYWALK_LOG_FORMAT": "json",
        "SAFETYWALK_OUTBOX_INTERVAL_SECONDS": "1",  # the loop runs, and must stop cleanly
        "PORT": str(port),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve", "--host", "127.0.0.1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180  # a few seconds, unless the machine is very busy
    while True:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"the server did not start: {process.communicate()[1][-2000:]}")
        time.sleep(0.1)
    yield process, url
    if process.poll() is None:
        process.kill()
        process.communicate()


def slow_upload(url: str, halfway: threading.Event, go_on: threading.Event) -> httpx.Response:
    """POST a report with a photo whose body arrives in two halves, with a pause between."""
    fields = observation_fields(contact_email=RESIDENT)
    whole = httpx.Request(
        "POST",
        f"{url}/observations",
        data=fields,
        files=[("photo", ("p.jpg", jpeg_bytes(), "image/jpeg"))],
    )
    body = whole.read()

    def trickle() -> Iterator[bytes]:
        yield body[: len(body) // 2]
        halfway.set()
        go_on.wait(10)
        time.sleep(0.3)  # the server is shutting down by now
        yield body[len(body) // 2 :]

    headers = {
        "Content-Type": whole.headers["Content-Type"],
        "Content-Length": str(len(body)),
        "X-Request-ID": "slow-upload-000001",
        **JSON,
    }
    return httpx.post(f"{url}/observations", content=trickle(), headers=headers, timeout=30)


def test_sigterm_lets_the_upload_in_flight_finish_and_the_logs_hold_no_personal_data(
    server, database_url
):
    process, url = server
    with httpx.Client(base_url=url, timeout=30) as client:
        first = client.post(
            "/observations", data=observation_fields(contact_email=RESIDENT), headers=JSON
        )
        token = first.json()["token"]
        assert client.get(f"/observations/{token}?email={RESIDENT}").status_code == 200

    halfway, go_on = threading.Event(), threading.Event()
    answers: list[httpx.Response] = []
    upload = threading.Thread(target=lambda: answers.append(slow_upload(url, halfway, go_on)))
    upload.start()
    assert halfway.wait(20)
    time.sleep(0.3)  # the first half has reached the server
    process.send_signal(signal.SIGTERM)
    time.sleep(0.3)
    with pytest.raises(httpx.ConnectError):  # no new connections once shutdown began
        httpx.get(f"{url}/healthz", timeout=2)
    go_on.set()
    upload.join(30)

    (answer,) = answers
    assert answer.status_code == 201, answer.text
    assert answer.headers["x-request-id"] == "slow-upload-000001"
    stdout, stderr = process.communicate(timeout=30)
    # uvicorn ends by the signal it handled, as service managers expect of a clean stop.
    assert process.returncode in (0, -signal.SIGTERM), stderr[-3000:]
    engine = create_engine(database_url)
    with Session(engine) as session:
        stored = session.exec(
            select(Observation).where(Observation.token == answer.json()["token"])
        ).one()
        assert stored.contact_email == RESIDENT  # stored whole, photo and all
        assert len(session.exec(select(Photo).where(Photo.observation_id == stored.id)).all()) == 1
    engine.dispose()

    lines = [json.loads(line) for line in stderr.splitlines() if line.strip()]  # every line JSON
    assert stdout == ""
    access = [line for line in lines if line["logger"] == "safetywalk.access"]
    routes = [(a["method"], a["route"], a["status"]) for a in access]
    assert routes[-3:] == [
        ("POST", "/observations", 201),
        ("GET", "/observations/{token}", 200),
        ("POST", "/observations", 201),
    ]
    assert set(routes[:-3]) == {("GET", "/healthz", 200)}  # the start-up probes
    assert access[-1]["request_id"] == "slow-upload-000001"
    assert len({a["request_id"] for a in access}) == len(access)
    assert all(len(a["client"]) == 12 and "127.0.0.1" not in json.dumps(a) for a in access)
    for text in (RESIDENT, token, "email="):
        assert text not in stderr, text
    messages = [line["message"] for line in lines]
    assert "Shutting down" in messages and "Application shutdown complete." in messages
    assert not [line for line in lines if line["level"] in ("ERROR", "CRITICAL")]
    assert "Traceback" not in stderr
