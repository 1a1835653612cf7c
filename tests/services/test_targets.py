"""Targets judged met, not met or no data; a change against a baseline year; the period's
local boundaries."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import Session

from app import clock
from app.config import Settings
from app.models import Target, TargetDirection
from app.services import indicators, targets
from app.services.indicators import Period
from tests.factories import insert_observation

LAT, LON = 65.8253, 21.6880


def at(year: int, month: int, day: int = 10) -> datetime:
    return datetime(year, month, day, 12, tzinfo=UTC)


def test_period_bounds_follow_the_local_calendar() -> None:
    year = Period.parse("2026")
    assert year.start == datetime(2025, 12, 31, 23, tzinfo=UTC)
    assert year.end == datetime(2026, 12, 31, 23, tzinfo=UTC)
    summer = Period.parse("2026-Q3")
    assert summer.start == datetime(2026, 6, 30, 22, tzinfo=UTC)  # summer time
    assert summer.end == datetime(2026, 9, 30, 22, tzinfo=UTC)
    assert summer.previous_year().key == "2025-Q3"
    for bad in ("26", "2026-Q5", "2026Q1", "year", "0999"):
        with pytest.raises(ValueError):
            Period.parse(bad)


def test_a_report_on_new_years_eve_in_utc_counts_in_the_local_new_year(
    session: Session, settings: Settings
) -> None:
    insert_observation(
        session, lat=LAT, lon=LON, created_at=datetime(2025, 12, 31, 23, 30, tzinfo=UTC)
    )
    figures = {
        year: indicators.compute(session=session, settings=settings, period=Period(year))
        for year in (2025, 2026)
    }
    assert figures[2025]["reports"].value == 0
    assert figures[2026]["reports"].value == 1


def _target(session: Session, **fields: object) -> Target:
    target = Target(**fields)  # type: ignore[arg-type]
    session.add(target)
    session.commit()
    return target


def test_targets_are_met_not_met_or_without_data(session: Session, settings: Settings) -> None:
    for month in (1, 2, 3):
        insert_observation(
            session, lat=LAT, lon=LON, created_at=at(2025, month), category="vandalism"
        )
    insert_observation(session, lat=LAT, lon=LON, created_at=at(2026, 1), category="vandalism")
    insert_observation(session, lat=LAT, lon=LON, created_at=at(2026, 2), category="graffiti")
    down_ten = _target(
        session,
        indicator="damage_reports",
        year=2026,
        direction=TargetDirection.at_most,
        value=-10,
        baseline_year=2025,
    )
    at_most_one = _target(
        session, indicator="damage_reports", year=2026, direction=TargetDirection.at_most, value=1
    )
    no_data = _target(
        session, indicator="felt_unsafety", year=2026, direction=TargetDirection.at_most, value=3
    )
    with clock.frozen(at(2027, 2)):
        judged = {
            a.target.id: a for a in targets.evaluate(session=session, settings=settings, year=2026)
        }
    # 3 in 2025, 2 in 2026: down a third.
    assert judged[down_ten.id].actual == pytest.approx(-100 / 3)
    assert judged[down_ten.id].outcome == "met"
    assert judged[at_most_one.id].actual == 2
    assert judged[at_most_one.id].outcome == "not_met"
    assert judged[no_data.id].outcome == "no_data"
    assert judged[down_ten.id].final
    assert dict(judged[at_most_one.id].trend)[2025] == 3
    assert min(dict(judged[down_ten.id].trend)) == 2022


def test_an_unended_year_is_judged_so_far(session: Session, settings: Settings) -> None:
    target = _target(
        session, indicator="reports", year=2026, direction=TargetDirection.at_least, value=0
    )
    with clock.frozen(at(2026, 6)):
        assessment = targets.assess(session=session, settings=settings, target=target)
    assert assessment.outcome == "met"
    assert not assessment.final


def test_evaluate_with_a_scope_takes_only_that_scopes_targets(
    session: Session, settings: Settings
) -> None:
    from sqlmodel import select

    from app.models import Category

    vandalism = session.exec(select(Category).where(Category.slug == "vandalism")).one()
    everywhere = _target(
        session, indicator="reports", year=2026, direction=TargetDirection.at_least, value=1
    )
    narrowed = _target(
        session,
        indicator="reports",
        year=2026,
        category_id=vandalism.id,
        direction=TargetDirection.at_least,
        value=1,
    )
    whole = targets.evaluate(
        session=session, settings=settings, year=2026, where=indicators.Where()
    )
    scoped = targets.evaluate(
        session=session,
        settings=settings,
        year=2026,
        where=indicators.Where(category_id=vandalism.id),
    )
    every = targets.evaluate(session=session, settings=settings, year=2026)
    assert [a.target.id for a in whole] == [everywhere.id]
    assert [a.target.id for a in scoped] == [narrowed.id]
    assert {a.target.id for a in every} == {everywhere.id, narrowed.id}
