"""The follow-up page as a plain view: every indicator of ours for the chosen period, zone and
category, beside the same period a year earlier, with its written definition and its targets
judged met, not met or no data; the external figures beside ours; and three charts of a chosen
indicator (per year, by category, by district), each with its table.

The selection (`follow_up_selection`) comes from the query string and goes back into it, so a
narrowed view is a link; the htmx filter form pushes the same URL.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

from sqlmodel import Session, col, select

from app.config import Settings
from app.i18n import current_language
from app.i18n import gettext as _
from app.models import Category, CategoryKind, Role, StaffUser, Zone, ZoneKind
from app.services import (
    charts,
    external_figures,
    figure_text,
    follow_up_input,
    indicators,
    targets,
)
from app.services.charts import Chart
from app.services.follow_up_selection import Selection
from app.services.indicators import Figure, Indicator, Period, Where

BASE_PATH = "/follow-up"
TREND_YEARS = 5  # the trend chart and the period list: the year and the four before it
# The one indicator that counts good places: its chart by category shows theirs, every other
# indicator counts problems and shows the problem categories.
GOOD_PLACES = "good_places"
# Who manages targets, external figures, measures and reports (the others only read).
MANAGING_ROLES = frozenset({Role.coordinator, Role.admin})


def may_manage(user: StaffUser) -> bool:
    return user.role in MANAGING_ROLES


@dataclass(frozen=True)
class TargetLine:
    text: str  # "at least 80 %"
    scope: str  # "the whole municipality", "Centrum", "Centrum, Dark spot"
    year: int
    actual: str  # what the indicator reached, said as the target is
    outcome: str  # met, not_met, no_data
    outcome_label: str
    note: str
    final: bool  # the target's year is over: "reached", not "so far"


@dataclass(frozen=True)
class Row:
    """One indicator on the page."""

    key: str
    label: str
    definition: str
    unit: str
    value: str
    previous: str
    change: str  # against a year earlier, in words; "" without both figures
    targets: list[TargetLine]


@dataclass(frozen=True)
class ExternalRow:
    key: str
    label: str
    definition: str
    value: str
    year: int
    place: str  # the zone's name, or "the whole municipality"
    source: str  # "" when there is no figure yet (only a target)
    targets: list[TargetLine]


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    chosen: bool


@dataclass(frozen=True)
class View:
    selection: Selection
    rows: list[Row]
    externals: list[ExternalRow]
    charts: list[Chart]
    period_options: list[tuple[str, list[Option]]]  # per year: the year and its quarters
    zone_options: list[Option]
    category_options: list[Option]
    chart_options: list[Option]
    can_manage: bool
    base_path: str = BASE_PATH

    @property
    def query(self) -> str:
        return urlencode(self.selection.pairs())

    @property
    def page_url(self) -> str:
        return f"{self.base_path}?{self.query}" if self.query else self.base_path

    @property
    def scope_label(self) -> str:
        return scope_label(self.selection.zone, self.selection.category)


def scope_label(zone: Zone | None, category: Category | None) -> str:
    """Where figures are counted, in words: "Centrum, Dark spot", "the whole municipality"."""
    return figure_text.scope_text(zone.name if zone else None, category)


def build(*, session: Session, settings: Settings, selection: Selection, can_manage: bool) -> View:
    """Everything the follow-up page shows for `selection`."""
    period, where = selection.period, selection.where
    years = list(range(period.year - TREND_YEARS + 1, period.year + 1))
    per_year = indicators.series(session=session, settings=settings, years=years, where=where)
    if period.quarter is None:  # the year and the one before are in the trend already
        now, before = per_year[period.year], per_year[period.year - 1]
    else:
        now = indicators.compute(session=session, settings=settings, period=period, where=where)
        before = indicators.compute(
            session=session, settings=settings, period=period.previous_year(), where=where
        )
    zones = follow_up_input.zones(session=session)
    categories = _categories(session)
    zone_names: dict[int | None, str] = {z.id: z.name for z in zones}
    by_id: dict[int | None, Category] = {c.id: c for c in categories}
    assessed: dict[str, list[TargetLine]] = {}
    # The targets of exactly this scope: a target for Centrum is not judged on the municipality.
    for assessment in targets.evaluate(
        session=session, settings=settings, year=period.year, where=where
    ):
        line = _target_line(assessment, zone_names, by_id)
        assessed.setdefault(assessment.target.indicator, []).append(line)
    rows = [
        _row(indicator, now.get(key), before.get(key), assessed.get(key, []))
        for key, indicator in indicators.INDICATORS.items()
        if not indicator.external and key in now
    ]
    lang = current_language()
    chosen_zone = selection.zone.id if selection.zone else None
    chosen_category = selection.category.id if selection.category else None
    return View(
        selection=selection,
        rows=rows,
        externals=_externals(session, selection, assessed),
        charts=_charts(session, settings, selection, per_year, zones, categories),
        period_options=_period_options(selection),
        zone_options=[Option(z.slug, z.name, z.id == chosen_zone) for z in zones],
        category_options=[
            Option(c.slug, c.name(lang), c.id == chosen_category)
            for c in categories
            if c.active or c.id == chosen_category
        ],
        chart_options=[
            Option(key, ind.label(), key == selection.chart)
            for key, ind in indicators.INDICATORS.items()
            if not ind.external
        ],
        can_manage=can_manage,
    )


def _row(
    indicator: Indicator, now: Figure | None, before: Figure | None, lines: list[TargetLine]
) -> Row:
    value = now.value if now is not None else None
    previous = before.value if before is not None else None
    return Row(
        key=indicator.key,
        label=indicator.label(),
        definition=indicator.definition(),
        unit=indicator.unit,
        value=figure_text.value_text(indicator.unit, value),
        previous=figure_text.value_text(indicator.unit, previous),
        change=_change(indicator, value, previous),
        targets=lines,
    )


def _change(indicator: Indicator, value: float | None, previous: float | None) -> str:
    """ "Up 12 (better)", "Down 3 percentage points (worse)", "Unchanged"; "" without both."""
    if value is None or previous is None:
        return ""
    difference = value - previous
    if indicator.unit == "share":
        amount = _("%(n)s percentage points", n=figure_text.number(abs(difference) * 100, 0))
        unchanged = round(difference * 100) == 0
    else:
        amount = figure_text.number(abs(difference), 1)
        unchanged = round(difference, 1) == 0
    if unchanged:
        return _("Unchanged")
    if difference > 0:
        text = _("Up %(amount)s", amount=amount)
    else:
        text = _("Down %(amount)s", amount=amount)
    if indicator.better is None:
        return text
    if (difference > 0) == (indicator.better == "up"):
        return _("%(change)s (better)", change=text)
    return _("%(change)s (worse)", change=text)


def _target_line(
    assessment: targets.Assessment,
    zones: Mapping[int | None, str],
    categories: Mapping[int | None, Category],
) -> TargetLine:
    target = assessment.target
    return TargetLine(
        text=figure_text.target_text(target),
        scope=figure_text.scope_text(zones.get(target.zone_id), categories.get(target.category_id)),
        year=target.year,
        actual=figure_text.actual_text(target, assessment.actual),
        outcome=assessment.outcome,
        outcome_label=figure_text.outcome_label(assessment.outcome),
        note=target.note or "",
        final=assessment.final,
    )


def _externals(
    session: Session, selection: Selection, assessed: Mapping[str, list[TargetLine]]
) -> list[ExternalRow]:
    """The year's external figures for the zone (or the municipality's where the zone has
    none), and any external indicator that has a target without a figure yet."""
    zone_id = selection.zone.id if selection.zone else None
    found = {
        row.figure.indicator: row
        for row in external_figures.beside(
            session=session, year=selection.period.year, zone_id=zone_id
        )
    }
    rows = []
    for key in indicators.EXTERNAL:
        row, indicator = found.get(key), indicators.INDICATORS[key]
        if row is None and not assessed.get(key):
            continue
        rows.append(
            ExternalRow(
                key=key,
                label=indicator.label(),
                definition=indicator.definition(),
                value=figure_text.value_text(indicator.unit, row.figure.value if row else None),
                year=selection.period.year,
                place=(row.zone_name if row else None) or _("the whole municipality"),
                source=row.figure.source if row else "",
                targets=assessed.get(key, []),
            )
        )
    return rows


def _categories(session: Session) -> list[Category]:
    return list(
        session.exec(select(Category).order_by(col(Category.position), col(Category.id))).all()
    )


def _period_options(selection: Selection) -> list[tuple[str, list[Option]]]:
    """The last few years and their quarters, newest first, and the chosen period always."""
    chosen = selection.period.key
    first = selection.default_year - TREND_YEARS + 1
    years = {*range(first, selection.default_year + 1), selection.period.year}
    groups = []
    for year in sorted(years, reverse=True):
        whole = Period(year)
        options = [Option(whole.key, _("%(year)s, whole year", year=year), whole.key == chosen)]
        for quarter in range(1, 5):
            part = Period(year, quarter)
            options.append(Option(part.key, part.label(), part.key == chosen))
        groups.append((str(year), options))
    return groups


def _charts(
    session: Session,
    settings: Settings,
    selection: Selection,
    per_year: Mapping[int, Mapping[str, Figure]],
    zones: list[Zone],
    categories: list[Category],
) -> list[Chart]:
    """The chosen indicator per year (the trend), by category (in the chosen zone) and by
    district (in the chosen category). One compute per bar, of that one indicator only (all of
    them per bar would be twenty times the work): five years, a dozen categories, the districts."""
    key, period = selection.chart, selection.period
    indicator = indicators.INDICATORS[key]
    zone_id = selection.zone.id if selection.zone else None
    category_id = selection.category.id if selection.category else None

    def value(where: Where) -> float | None:
        figures = indicators.compute(
            session=session, settings=settings, period=period, where=where, keys=frozenset({key})
        )
        return _value(figures, key)

    lang = current_language()
    trend = charts.bars(
        title=_(
            "%(indicator)s per year, %(scope)s",
            indicator=indicator.label(),
            scope=scope_label(selection.zone, selection.category),
        ),
        rows=[(str(year), _value(figures, key)) for year, figures in sorted(per_year.items())],
        unit=indicator.unit,
        row_heading=_("Year"),
        value_heading=indicator.label(),
    )
    by_category = charts.bars(
        title=_(
            "%(indicator)s by category, %(period)s, %(scope)s",
            indicator=indicator.label(),
            period=period.label(),
            scope=scope_label(selection.zone, None),
        ),
        rows=[
            (c.name(lang), value(Where(zone_id=zone_id, category_id=c.id)))
            for c in categories
            if c.active and (c.kind == CategoryKind.good) == (key == GOOD_PLACES)
        ],
        unit=indicator.unit,
        row_heading=_("Category"),
        value_heading=indicator.label(),
    )
    by_district = charts.bars(
        title=_(
            "%(indicator)s by district, %(period)s, %(scope)s",
            indicator=indicator.label(),
            period=period.label(),
            scope=scope_label(None, selection.category),
        ),
        rows=[
            (z.name, value(Where(zone_id=z.id, category_id=category_id)))
            for z in zones
            if z.kind == ZoneKind.district
        ],
        unit=indicator.unit,
        row_heading=_("District"),
        value_heading=indicator.label(),
    )
    return [trend, by_category, by_district]


def _value(figures: Mapping[str, Figure], key: str) -> float | None:
    found = figures.get(key)
    return found.value if found is not None else None
