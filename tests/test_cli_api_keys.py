"""`safetywalk api-key create|list|revoke`, as an operator runs it on the server: `create`
through the installed command, the rest through `app.cli.main` in this process (a process
start costs seconds here), against the same database."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import select

from app.models import ApiClient
from app.services import open311_keys
from app.services.open311_format import Open311Error

BIN = Path(sys.executable).parent / "safetywalk"


def api_key(database_url: str, tmp_path: Path, *args: str):  # type: ignore[no-untyped-def]
    env = {
        **os.environ,
        "SAFETYWALK_DATABASE_URL": database_url,
        "SAFETYWALK_DATA_DIR": str(tmp_path / "data"),
        "SAFETYWALK_OPEN311_POSTS_PER_HOUR": "90",
    }
    return subprocess.run(
        [str(BIN), "api-key", *args], env=env, capture_output=True, text=True, timeout=60
    )


@pytest.fixture
def run(database_url, tmp_path, monkeypatch, capsys):  # type: ignore[no-untyped-def]
    """run("list") -> (exit code, stdout, stderr), as the command would give them."""
    from app import cli
    from app.config import get_settings

    monkeypatch.setenv("SAFETYWALK_DATABASE_URL", database_url)
    monkeypatch.setenv("SAFETYWALK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SAFETYWALK_OPEN311_POSTS_PER_HOUR", "90")
    get_settings.cache_clear()

    def call(*args: str) -> tuple[int, str, str]:
        try:
            code = cli.main(["api-key", *args])
        except SystemExit as exc:  # argparse's refusals
            code = int(exc.code or 0)
        out = capsys.readouterr()
        return code, out.out, out.err

    yield call
    get_settings.cache_clear()


def test_create_prints_the_key_once_list_shows_it_and_revoke_stops_it(
    database_url, session, tmp_path, run
):
    made = api_key(
        database_url,
        tmp_path,
        "create",
        "--name",
        "FixMyStreet",
        "--contact",
        "ops@mysociety.example",
        "--posts-per-hour",
        "30",
    )
    assert made.returncode == 0, made.stderr
    [key] = re.findall(r"sw311_[A-Za-z0-9_-]{40,}", made.stdout)
    assert "shown once" in made.stdout
    client = session.exec(select(ApiClient)).one()
    assert (client.name, client.contact, client.posts_per_hour) == (
        "FixMyStreet",
        "ops@mysociety.example",
        30,
    )
    assert open311_keys.authenticate(session=session, key=key).id == client.id
    other, _ = open311_keys.create(session=session, name="Civic app")

    code, out, _err = run("list")
    assert code == 0 and key not in out
    assert out.splitlines()[0].startswith("id\tname\tkey")
    assert f"{client.id}\tFixMyStreet\t{client.key_hint}…\tops@mysociety.example\t30\t" in out
    assert "Civic app" in out and "90 (setting)" in out and "\tactive" in out

    code, out, _err = run("revoke", "fixmystreet")
    assert code == 0 and out.startswith("revoked: ")
    session.expire_all()
    with pytest.raises(Open311Error):
        open311_keys.authenticate(session=session, key=key)
    code, out, _err = run("revoke", str(client.id))
    assert code == 0 and "already revoked" in out
    assert run("revoke", str(other.id))[0] == 0
    session.expire_all()
    assert session.get(ApiClient, other.id).revoked_at is not None
    assert run("list")[1].count("\trevoked 20") == 2


def test_refusals_exit_1_with_the_reason(session, run):
    open311_keys.create(session=session, name="Civic app")
    code, out, err = run("create", "--name", "CIVIC app")
    assert code == 1 and "exists already" in err and "sw311_" not in out
    code, out, err = run("create", "--name", "x", "--contact", "nobody")
    assert code == 1 and "contact: Write a valid e-mail address." in err
    code, out, err = run("create", "--name", "tab\there")
    assert code == 1 and "not allowed" in err
    code, out, err = run("create", "--name", "y", "--posts-per-hour", "0")
    assert code == 2 and "must be 1 or more" in err
    code, out, err = run("revoke", "nobody")
    assert code == 1 and "no client system 'nobody'" in err
    assert len(session.exec(select(ApiClient)).all()) == 1
