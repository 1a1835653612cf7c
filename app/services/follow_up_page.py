"""The follow-up page: the agreement's indicators for a period and scope, each with its
definition, beside the same period a year earlier."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from app import clock
from app.config import Settings
from app.services import charts, indicators
from app.services.indicators import Period


@dataclass(frozen=True)
class Line:
    key: str
    label: str
    definition: str
    value: str
    before: str


@dataclass(frozen=True)
class View:
    period: Period
    lines: list[Line]
    trend: charts.Chart


def build(*, session: Session, settings: Settings, period: Period | None = None) -> View:
    period = period or Period(clock.now().astimezone(indicators.LOCAL).year)
    now = indicators.compute(session=session, settings=settings, period=period)
    before = indicators.compute(session=session, settings=settings, period=period.previous_year())
    lines = [
        Line(
            key=key,
            label=indicator.label(),
            definition=indicator.definition(),
            value=charts.format_value(now[key].value, indicator.unit),
            before=charts.format_value(before[key].value, indicator.unit),
        )
        for key, indicator in indicators.INDICATORS.items()
        if not indicator.external
    ]
    years = list(range(period.year - 4, period.year + 1))
    per_year = indicators.series(session=session, settings=settings, years=years)
    trend = charts.bars(
        title=indicators.INDICATORS["reports"].label(),
        rows=[(str(year), per_year[year]["reports"].value) for year in years],
        unit="count",
    )
    return View(period=period, lines=lines, trend=trend)
