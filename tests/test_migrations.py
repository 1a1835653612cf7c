"""Migrations build the whole schema from empty, match the models, and go down and up again."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, make_url, text

from app.cli import alembic_config, migrate
from app.db import make_engine
from app.models import SQLModel
from app.services import fulltext
from tests.conftest import ENGINE


def test_history_is_linear():
    scripts = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert len(scripts.get_heads()) == 1
    assert all(len(rev._all_down_revisions) <= 1 for rev in scripts.walk_revisions())


def test_migrated_schema_matches_the_models(database_url):
    engine = make_engine(database_url)
    with engine.connect() as conn:
        # The search index (an FTS5 table on SQLite, a tsvector table on PostgreSQL) is made by
        # its migration and is not a model: left out, as migrations/env.py leaves it out.
        context = MigrationContext.configure(
            conn, opts={"include_object": fulltext.is_schema_object}
        )
        diff = compare_metadata(context, SQLModel.metadata)
    engine.dispose()
    assert diff == []


@pytest.fixture
def empty_database(database_url, tmp_path) -> Iterator[str]:
    """A second, empty database on the same engine."""
    if ENGINE == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    name = f"safetywalk_mig_{uuid.uuid4().hex[:8]}"
    admin = make_engine(database_url).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(database_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_upgrade_from_empty_then_down_to_nothing_and_up_again(empty_database):
    from alembic import command

    migrate(empty_database)
    engine = make_engine(empty_database)
    assert {"observation", "photo", "zone", "category", "unit"} <= set(
        inspect(engine).get_table_names()
    )
    engine.dispose()
    command.downgrade(alembic_config(empty_database), "base")
    engine = make_engine(empty_database)
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    engine.dispose()
    migrate(empty_database)
    engine = make_engine(empty_database)
    assert "observation" in inspect(engine).get_table_names()
    engine.dispose()


def test_reports_stored_before_triage_existed_survive_the_upgrade(empty_database):
    from alembic import command

    command.upgrade(alembic_config(empty_database), "9d7012c8b0bb")  # the first schema
    engine = make_engine(empty_database)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO category (slug, name_sv, name_en, icon, kind, position, active) "
                "VALUES ('dark-spot', 'Mörkt', 'Dark', 'lamp', 'problem', 0, TRUE)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO observation (client_id, token, status, category_id, lat, lon, "
                "position_source, description, dark, created_at) VALUES "
                "('5d1f8a0e-0000-4000-8000-000000000001', 'tok-aaaaaaaaaaaaaaaa', 'new', "
                "(SELECT id FROM category), 65.8, 21.7, 'gps', '', TRUE, '2026-01-02 03:04:05')"
            )
        )
    engine.dispose()
    migrate(empty_database)
    engine = make_engine(empty_database)
    with engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT priority, supporters, routing_reason, status_changed_at = created_at "
                "FROM observation"
            )
        ).one()
    engine.dispose()
    assert tuple(row) == ("normal", 0, "", True)


def test_zones_and_placed_reports_survive_the_zones_as_gis_upgrade(empty_database):
    """Existing zones become districts with their area; each observation already placed in a
    zone gets its observation_zone row, so nothing needs re-placing after the upgrade."""
    from alembic import command

    scripts = ScriptDirectory.from_config(alembic_config(empty_database))
    before = scripts.get_revision("7a3c9e51f2d4").down_revision  # whatever it is chained to
    command.upgrade(alembic_config(empty_database), before)
    engine = make_engine(empty_database)
    square = (
        '{"type":"Polygon","coordinates":[[[21.6,65.77],[21.62,65.77],[21.62,65.78],'
        "[21.6,65.78],[21.6,65.77]]]}"
    )
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO zone (slug, name, geometry, min_lat, max_lat, min_lon, max_lon) "
                "VALUES ('west', 'Väst', :g, 65.77, 65.78, 21.6, 21.62)"
            ),
            {"g": square},
        )
        conn.execute(
            text(
                "INSERT INTO category (slug, name_sv, name_en, icon, kind, position, active, "
                "private) VALUES ('dark-spot', 'Mörkt', 'Dark', 'lamp', 'problem', 0, TRUE, FALSE)"
            )
        )
        for i, zone in enumerate(("(SELECT id FROM zone)", "NULL")):
            conn.execute(
                text(
                    "INSERT INTO observation (client_id, token, status, category_id, zone_id, "
                    "lat, lon, position_source, description, dark, created_at, priority, "
                    "supporters, routing_reason, status_changed_at, reminded_due_soon, "
                    "reminded_overdue, factors, language, observed_at) VALUES "
                    f"('5d1f8a0e-0000-4000-8000-00000000000{i}', 'tok-{i}', 'new', "
                    f"(SELECT id FROM category), {zone}, 65.775, 21.61, 'gps', '', TRUE, "
                    "'2026-01-02 03:04:05', 'normal', 0, '', '2026-01-02 03:04:05', FALSE, "
                    "FALSE, '', 'sv', '2026-01-02 03:04:05')"
                )
            )
    engine.dispose()
    migrate(empty_database)
    engine = make_engine(empty_database)
    with engine.connect() as conn:
        zone = conn.execute(text("SELECT id, kind, parent_id, area_m2 FROM zone")).one()
        links = conn.execute(text("SELECT zone_id, observation_id FROM observation_zone")).all()
        placed = conn.execute(text("SELECT id FROM observation WHERE zone_id IS NOT NULL")).one()
    engine.dispose()
    assert (zone.kind, zone.parent_id) == ("district", None)
    assert 1_000_000 < zone.area_m2 < 1_050_000
    assert [tuple(link) for link in links] == [(zone.id, placed.id)]
