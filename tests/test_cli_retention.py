"""`safetywalk retention [--dry-run]` prints a count per kind; the dry run changes nothing.
The app runs the same pass by itself every retention_interval_seconds."""

from __future__ import annotations

import time
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app import clock
from app.main import create_app
from app.models import AuditEntry
from app.services import retention
from tests.conftest import make_settings


def old_entry(session: Session, days: int) -> None:
    at = clock.now() - timedelta(days=days)
    session.add(AuditEntry(at=at, actor="cli", subject_kind="unit", action="unit.create"))
    session.commit()


def test_the_command_prints_counts_per_kind_and_a_dry_run_changes_nothing(
    database_url, tmp_path, monkeypatch, capsys, session
):
    from app import cli
    from app.config import get_settings

    monkeypatch.setenv("SAFETYWALK_DATABASE_URL", database_url)
    monkeypatch.setenv("SAFETYWALK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SAFETYWALK_RETENTION_AUDIT_DAYS", "10")
    get_settings.cache_clear()
    old_entry(session, 11)
    old_entry(session, 9)
    try:
        assert cli.main(["retention", "--dry-run"]) == 0
        out = capsys.readouterr().out
        assert out.splitlines()[: len(retention.KINDS)] == [
            f"{kind}: {1 if kind == 'audit_entries' else 0}" for kind in retention.KINDS
        ]
        assert "would forget 1 in all" in out
        assert len(session.exec(select(AuditEntry)).all()) == 2

        assert cli.main(["retention"]) == 0
        assert "forgot 1 in all" in capsys.readouterr().out
        session.expire_all()
        assert len(session.exec(select(AuditEntry)).all()) == 1
    finally:
        get_settings.cache_clear()


def test_the_app_runs_retention_by_itself(database_url, tmp_path, session):
    old_entry(session, 800)
    app = create_app(make_settings(database_url, tmp_path, retention_interval_seconds=3600))
    try:
        with TestClient(app):
            deadline = time.monotonic() + 10
            while session.exec(select(AuditEntry)).all() and time.monotonic() < deadline:
                time.sleep(0.05)
                session.expire_all()
                session.rollback()
            assert session.exec(select(AuditEntry)).all() == []
    finally:
        app.state.engine.dispose()
