"""The demo's two years of history: deterministic, moved through the life cycle, and with the
recurring spots and good places a planner should find."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session, func, select

from app import clock
from app.models import Observation, ObservationEvent, Status, Zone
from app.services import area, demo, history, photos, recurring
from app.services.planning_filters import Filters


def test_the_demo_history_is_a_town_worth_looking_at(session: Session, settings) -> None:  # type: ignore[no-untyped-def]
    limits = photos.limits(settings)
    with clock.frozen(datetime(2026, 11, 30, 12, tzinfo=UTC)):
        made = demo.load_history(
            session=session, media_dir=settings.media_path, limits=limits, size=120
        )
        again = demo.load_history(
            session=session, media_dir=settings.media_path, limits=limits, size=120
        )
    assert (made, again) == (120, 0)  # stored once

    rows = session.exec(select(Observation)).all()
    oldest = min(o.created_at for o in rows)
    assert oldest < datetime(2025, 3, 1, tzinfo=UTC)  # about two years back
    assert all(o.zone_id is not None for o in rows)  # every report lies in a district
    fixed = [o for o in rows if o.status in (Status.fixed, Status.verified)]
    assert len(fixed) > 30 and all(o.fixed_at and o.fixed_at > o.created_at for o in fixed)
    # Each move left its history row (the first row is capture's).
    events = session.exec(select(func.count()).select_from(ObservationEvent)).one()
    assert events > len(rows) + len(fixed)
    assert {o.dark for o in rows} == {True, False}

    centrum = session.exec(select(Zone).where(Zone.slug == "centrum")).one()
    scope = area.of_zone(centrum)
    spots = recurring.spots(session=session, scope=scope, filters=Filters())
    assert spots and spots[0].months >= 3
    found = history.summary(session=session, scope=scope, filters=Filters(), lang="sv")
    assert found.good_places > 0 and found.median_days_to_fix is not None
    assert len(found.unsafety_by_year) >= 2
