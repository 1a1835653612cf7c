"""`safetywalk create-user`, as an administrator runs it on the server."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

BIN = Path(sys.executable).parent / "safetywalk"


def create_user(database_url: str, *args: str, password: str):  # type: ignore[no-untyped-def]
    env = {**os.environ, "SAFETYWALK_DATABASE_URL": database_url}
    return subprocess.run(
        [str(BIN), "create-user", "--password-stdin", *args],
        input=password + "\n",
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_create_user_then_log_in_with_it(database_url, client):
    made = create_user(
        database_url,
        "--email",
        "lamps@boden.example",
        "--role",
        "unit_worker",
        "--unit",
        "street-lighting",
        "--name",
        "Lamp crew",
        password="a long enough secret",
    )
    assert made.returncode == 0, made.stderr
    assert "created unit_worker lamps@boden.example" in made.stdout
    from tests.factories import log_in

    assert log_in(client, "lamps@boden.example", "a long enough secret").status_code == 303


def test_create_user_refuses_short_passwords_unknown_units_and_twins(database_url):
    short = create_user(
        database_url, "--email", "a@boden.example", "--role", "planner", password="short"
    )
    assert short.returncode == 1 and "at least 12" in short.stderr
    unit = create_user(
        database_url,
        "--email",
        "b@boden.example",
        "--role",
        "unit_worker",
        "--unit",
        "no-such-unit",
        password="a long enough secret",
    )
    assert unit.returncode == 1 and "no unit" in unit.stderr
    first = create_user(
        database_url,
        "--email",
        "c@boden.example",
        "--role",
        "planner",
        password="a long enough secret",
    )
    twin = create_user(
        database_url,
        "--email",
        "C@boden.example",
        "--role",
        "planner",
        password="a long enough secret",
    )
    assert first.returncode == 0 and twin.returncode == 1 and "already" in twin.stderr
