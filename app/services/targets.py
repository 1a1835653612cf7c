"""Targets: a goal for one indicator in one year and scope, judged met, not met or no data.

A target with a baseline year is a change in percent against that year ("vandalism down 10 %
against 2025" is at most -10); otherwise the indicator's own value is compared. A target for a
year that has not ended yet is judged on the figures so far (`final` is False).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlmodel import Session, col, select

from app import clock
from app.config import Settings
from app.models import Target, TargetDirection
from app.services import indicators
from app.services.indicators import Figure, Period, Where

Outcome = Literal["met", "not_met", "no_data"]
TREND_YEARS = 5


@dataclass(frozen=True)
class Assessment:
    target: Target
    actual: float | None  # the indicator's value, or the change in percent with a baseline
    outcome: Outcome
    trend: list[tuple[int, float | None]]  # the indicator per year, oldest first
    final: bool  # the target's year is over


class _Figures:
    """The indicator values asked for while judging, each year and scope computed once."""

    def __init__(self, session: Session, settings: Settings) -> None:
        self.session, self.settings = session, settings
        self.seen: dict[tuple[int, Where], dict[str, Figure]] = {}

    def value(self, target: Target, year: int) -> float | None:
        where = Where(zone_id=target.zone_id, category_id=target.category_id)
        if target.indicator == "share_fixed_within":
            return indicators.share_fixed_within(
                session=self.session,
                period=Period(year),
                where=where,
                days=target.within_days or 0,
            ).value
        indicator = indicators.INDICATORS.get(target.indicator)
        if indicator is None:
            return None
        if indicator.external:
            return indicators.external(session=self.session, year=year, where=where)[
                target.indicator
            ].value
        if (year, where) not in self.seen:
            self.seen[(year, where)] = indicators.compute(
                session=self.session, settings=self.settings, period=Period(year), where=where
            )
        return self.seen[(year, where)][target.indicator].value


def _actual(figures: _Figures, target: Target) -> float | None:
    value = figures.value(target, target.year)
    if target.baseline_year is None or value is None:
        return value
    base = figures.value(target, target.baseline_year)
    if not base:  # no data, or zero: a change in percent means nothing
        return None
    return (value - base) / abs(base) * 100.0


def _outcome(target: Target, actual: float | None) -> Outcome:
    if actual is None:
        return "no_data"
    if target.direction == TargetDirection.at_least:
        return "met" if actual >= target.value else "not_met"
    return "met" if actual <= target.value else "not_met"


def _assess(figures: _Figures, target: Target) -> Assessment:
    actual = _actual(figures, target)
    first = target.year - TREND_YEARS + 1
    if target.baseline_year is not None:
        first = min(first, target.baseline_year)
    return Assessment(
        target=target,
        actual=actual,
        outcome=_outcome(target, actual),
        trend=[(year, figures.value(target, year)) for year in range(first, target.year + 1)],
        final=clock.now() >= Period(target.year).end,
    )


def assess(*, session: Session, settings: Settings, target: Target) -> Assessment:
    return _assess(_Figures(session, settings), target)


def evaluate(
    *, session: Session, settings: Settings, year: int, where: Where | None = None
) -> list[Assessment]:
    """Every target of the year, or only those of exactly this scope when one is given."""
    query = select(Target).where(Target.year == year)
    if where is not None:
        query = query.where(
            col(Target.zone_id).is_(None)
            if where.zone_id is None
            else Target.zone_id == where.zone_id,
            col(Target.category_id).is_(None)
            if where.category_id is None
            else Target.category_id == where.category_id,
        )
    figures = _Figures(session, settings)
    targets = session.exec(query.order_by(Target.indicator, col(Target.id))).all()
    return [_assess(figures, target) for target in targets]
