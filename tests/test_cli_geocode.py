"""`safetywalk geocode [--loop] [--limit N]`, as an operator runs it next to the app, against a
local Nominatim-format server (tests/geocoder.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from sqlmodel import Session

from app.models import Observation
from tests import geocoder
from tests.conftest import free_port
from tests.factories import insert_observation

BIN = Path(sys.executable).parent / "safetywalk"
CENTRUM = (65.82531, 21.68801)


def environment(database_url: str, tmp_path: Path, geocoder_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "SAFETYWALK_DATABASE_URL": database_url,
        "SAFETYWALK_DATA_DIR": str(tmp_path / "data"),
        "SAFETYWALK_GEOCODER_URL": geocoder_url,
        "SAFETYWALK_GEOCODER_MIN_INTERVAL_SECONDS": "0",
        "SAFETYWALK_GEOCODER_TIMEOUT_SECONDS": "1",
    }


def safetywalk(database_url: str, tmp_path: Path, geocoder_url: str, *args: str):  # type: ignore[no-untyped-def]
    env = environment(database_url, tmp_path, geocoder_url)
    return subprocess.run(
        [str(BIN), "geocode", *args], env=env, capture_output=True, text=True, timeout=60
    )


def address_of(session: Session, obs: Observation) -> str | None:
    session.expire_all()
    found = session.get(Observation, obs.id)
    assert found is not None
    return found.address


def spots(session: Session, n: int) -> list[Observation]:
    return [
        insert_observation(session, lat=CENTRUM[0] + i * 0.001, lon=CENTRUM[1]) for i in range(n)
    ]


def test_one_pass_finds_the_addresses(database_url, session, tmp_path):
    [obs] = spots(session, 1)
    with geocoder.serve() as server:
        done = safetywalk(database_url, tmp_path, server.url)
    assert done.returncode == 0, done.stderr
    assert "addresses found 1 (0 from the cache), none there 0, waiting 0" in done.stdout
    assert address_of(session, obs) == "Storgatan 12, Boden"
    assert server.count == 1


def test_limit_takes_that_many_newest_first(database_url, session, tmp_path):
    made = spots(session, 3)
    with geocoder.serve() as server:
        done = safetywalk(database_url, tmp_path, server.url, "--limit", "2")
    assert done.returncode == 0, done.stderr
    assert "addresses found 2" in done.stdout and "waiting 1" in done.stdout
    assert server.count == 2
    assert [address_of(session, obs) is not None for obs in made] == [False, True, True]


def test_a_bad_limit_is_a_usage_error(database_url, tmp_path):
    done = safetywalk(database_url, tmp_path, "http://127.0.0.1:9", "--limit", "0")
    assert done.returncode == 2 and "must be 1 or more" in done.stderr


def test_without_a_geocoder_url_it_says_so_and_asks_no_one(database_url, session, tmp_path):
    [obs] = spots(session, 1)
    with geocoder.serve() as server:
        done = safetywalk(database_url, tmp_path, "")
    assert done.returncode == 0
    assert "SAFETYWALK_GEOCODER_URL" in done.stderr
    assert server.count == 0 and address_of(session, obs) is None


def test_a_server_that_is_down_is_reported_and_the_reports_wait(database_url, session, tmp_path):
    [obs] = spots(session, 1)
    done = safetywalk(database_url, tmp_path, f"http://127.0.0.1:{free_port()}")
    assert done.returncode == 1
    assert "the geocoder gave no answer" in done.stderr
    assert address_of(session, obs) is None


def test_loop_keeps_finding_addresses_until_stopped(database_url, session, tmp_path):
    first = spots(session, 1)[0]
    env = environment(database_url, tmp_path, "")
    with geocoder.serve() as server:
        env["SAFETYWALK_GEOCODER_URL"] = server.url
        process = subprocess.Popen(
            [str(BIN), "geocode", "--loop"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            deadline = time.monotonic() + 30
            while address_of(session, first) is None and time.monotonic() < deadline:
                time.sleep(0.2)
            assert address_of(session, first) == "Storgatan 12, Boden"
            assert process.poll() is None  # still running, waiting for the next pass
        finally:
            process.terminate()
            process.wait(timeout=10)
