"""The `safetywalk` command as an operator uses it on a fresh machine."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

BIN = Path(sys.executable).parent / "safetywalk"


def run(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SAFETYWALK_DATA_DIR": str(data_dir)}
    env.pop("SAFETYWALK_DATABASE_URL", None)
    return subprocess.run([str(BIN), *args], env=env, capture_output=True, text=True, timeout=120)


def test_migrate_and_load_demo_on_a_fresh_data_dir(tmp_path):
    data = tmp_path / "data"
    migrated = run("migrate", data_dir=data)
    assert migrated.returncode == 0, migrated.stderr
    assert (data / "safetywalk.db").exists()
    first = run("load-demo", "--if-empty", data_dir=data)
    assert first.returncode == 0, first.stderr
    assert "8 zones" in first.stdout and "12 categories" in first.stdout
    assert "10 observations" in first.stdout
    second = run("load-demo", "--if-empty", data_dir=data)
    assert "already there" in second.stdout
    again = run("load-demo", data_dir=data)
    assert "0 observations" in again.stdout  # sample reports are stored once
    # Boden's residents wrote them in Swedish, so their notes and mails are in Swedish.
    import sqlite3

    with sqlite3.connect(data / "safetywalk.db") as db:
        languages = dict(db.execute("SELECT language, count(*) FROM observation GROUP BY 1"))
    assert set(languages) == {"sv"}, languages


def test_every_demo_report_lies_in_a_district(session, tmp_path):
    import json

    from app.services import demo, zones

    for row in json.loads((demo.DEMO_DIR / "observations.json").read_text()):
        assert zones.place(session=session, lat=row["lat"], lon=row["lon"]) != [], row


def test_help_lists_the_commands(tmp_path):
    out = run("--help", data_dir=tmp_path).stdout
    for command in ("serve", "migrate", "load-demo"):
        assert command in out


def test_an_unknown_command_fails_with_usage(tmp_path):
    result = run("frobnicate", data_dir=tmp_path)
    assert result.returncode == 2 and "usage" in result.stderr
