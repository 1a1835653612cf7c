"""Changes made on the command line are in the audit log too, with "cli" as their author:
create-user, api-key create and revoke, import of units and zones (through `app.cli.main` in
this process, against the test database)."""

from __future__ import annotations

import io
import json

import pytest
from sqlmodel import col, select

from app.models import AuditEntry
from app.services import audit
from tests.zonedata import WEST, box, collection, feature


@pytest.fixture
def run(database_url, tmp_path, monkeypatch, capsys):  # type: ignore[no-untyped-def]
    from app import cli
    from app.config import get_settings

    monkeypatch.setenv("SAFETYWALK_DATABASE_URL", database_url)
    monkeypatch.setenv("SAFETYWALK_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()

    def call(*args: str, stdin: str = "") -> int:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        code = cli.main(list(args))
        capsys.readouterr()
        return code

    yield call
    get_settings.cache_clear()


def test_command_line_changes_are_logged_by_cli(run, session, tmp_path):
    password = "a long enough password"
    assert (
        run(
            "create-user",
            "--email",
            "ops@boden.example",
            "--role",
            "admin",
            "--password-stdin",
            stdin=password + "\n",
        )
        == 0
    )
    assert run("api-key", "create", "--name", "Civic app") == 0
    assert run("api-key", "revoke", "Civic app") == 0
    units = tmp_path / "units.csv"
    units.write_text(
        "slug,name_sv,name_en,department_sv,department_en,email\ncli-lamps,Lampor,Lamps,,,\n",
        encoding="utf-8",
    )
    assert run("import", "units", str(units)) == 0
    zones = tmp_path / "zones.geojson"
    zones.write_bytes(collection(feature(box(WEST), "cli-west", "Väst")))
    assert run("import", "zones", str(zones)) == 0
    entries = session.exec(select(AuditEntry).order_by(col(AuditEntry.id))).all()
    assert [e.action for e in entries] == [
        "account.create",
        "api_key.create",
        "api_key.revoke",
        "unit.create",
        "zone.create",
    ]
    assert {(e.actor, e.actor_id) for e in entries} == {(audit.CLI, None)}
    assert json.loads(entries[0].changes)["email"] == [None, "ops@boden.example"]
    assert password not in " ".join(e.changes for e in entries)
