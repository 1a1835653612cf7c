"""The search index is right whoever wrote the reports: the demo load, and reports stored
before search existed (the migration indexes them)."""

from __future__ import annotations

import uuid
from pathlib import Path

from alembic import command
from sqlalchemy import insert, inspect
from sqlmodel import Session, select

from app.cli import alembic_config, migrate
from app.config import Settings
from app.db import make_engine
from app.models import Category, EventKind, Observation, ObservationEvent, PositionSource, Status
from app.services import demo, fulltext, photos
from app.services.media_store import open_store
from tests.test_migrations import empty_database  # noqa: F401  (a fixture)

BEFORE_SEARCH = "84209ca24588"  # the revision before the search index's


def found(session: Session, words: str) -> set[int]:
    return set(session.exec(select(Observation.id).where(fulltext.clause(words))).all())


def test_the_demo_reports_are_found(session: Session, settings: Settings, tmp_path: Path) -> None:
    assert demo.load_observations(
        session=session, store=open_store(settings), limits=photos.limits(settings)
    )
    # "Två lampor är trasiga i gångtunneln under järnvägen."
    hits = found(session, "trasig lampa gångtunnel järnvägen")
    assert len(hits) == 1
    obs = session.get(Observation, hits.pop())
    assert obs is not None and "gångtunneln" in obs.description


def test_reports_stored_before_search_existed_are_found_after_the_upgrade(
    empty_database: str,  # noqa: F811
) -> None:
    command.upgrade(alembic_config(empty_database), BEFORE_SEARCH)
    engine = make_engine(empty_database)
    with Session(engine) as session:
        category = Category(slug="litter", name_sv="Nedskräpning", name_en="Litter")
        session.add(category)
        session.flush()
        report = Observation(
            client_id=uuid.uuid4(),
            token=uuid.uuid4().hex,
            category_id=category.id,  # type: ignore[arg-type]
            lat=65.82,
            lon=21.69,
            position_source=PositionSource.map,
            dark=False,
            description="Trasiga lampor vid skolan.",
            address="Storgatan 3, Boden",
        )
        # Only the columns that table had then: later migrations add more to the model.
        then = {
            column["name"] for column in inspect(session.connection()).get_columns("observation")
        }
        values = {k: v for k, v in report.model_dump().items() if k in then and v is not None}
        obs_id = session.execute(insert(Observation).values(**values)).inserted_primary_key[0]  # type: ignore[index]
        session.add(
            ObservationEvent(
                observation_id=obs_id,
                kind=EventKind.note,
                to_status=Status.new,
                internal_note="Elskåpet är uppbrutet.",
            )
        )
        session.commit()
    engine.dispose()
    migrate(empty_database)
    engine = make_engine(empty_database)
    with Session(engine) as session:
        assert found(session, "lampan skolan") == {obs_id}
        assert found(session, "storgatan") == {obs_id}
        assert found(session, "elskåp uppbrutna") == {obs_id}
        assert found(session, "nedskräpning") == {obs_id}
        assert found(session, "cykel") == set()
    engine.dispose()
