"""The walks held in an area, as the history page lists them: found by the reports made on
them there, and by the zone they were planned for."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session

from app.models import Walk, WalkStatus
from app.services import area, history
from app.services.planning_filters import Filters
from tests.factories import insert_observation, make_staff


def test_walks_with_reports_in_the_zone_are_listed(session: Session) -> None:
    centrum = area.of_zone_slug(session=session, slug="centrum")
    assert centrum is not None
    leader = make_staff(session, "walk_leader")
    walk = Walk(
        title="Kvällsvandring",
        status=WalkStatus.closed,
        starts_at=datetime(2026, 10, 5, 17, tzinfo=UTC),
        leader_id=leader.id,
        join_code="HISTWALK",
    )
    session.add(walk)
    session.commit()
    for _ in range(2):
        insert_observation(session, lat=65.8253, lon=21.6880, walk_id=walk.id)

    held = history.walks_held(session=session, scope=centrum, filters=Filters())

    assert [(w.id, w.title, w.starts_at, w.status, w.observations) for w in held] == [
        (walk.id, "Kvällsvandring", "2026-10-05", "closed", 2)
    ]
    found = history.summary(session=session, scope=centrum, filters=Filters(), lang="en")
    assert [w.title for w in found.walks] == ["Kvällsvandring"]
