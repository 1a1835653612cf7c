"""The agreement's indicators: what the follow-up page, the council's report and the quarterly
page count, per year or quarter, for the whole municipality, a zone or a category.

Each indicator carries a written definition that says exactly what is counted
(`indicator_text`); the SQL that counts it (`indicator_sql`) must say the same. Periods follow
the local calendar (Europe/Stockholm): a report made at 23:30 UTC on 31 December belongs to the
next year. Every figure is an SQL aggregate, so a million observations are counted where they
lie: a year's figures are about ten queries (bench/README.md has their times).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Literal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlmodel import Session, col

from app import clock
from app.config import Settings
from app.i18n import gettext as _
from app.models import ExternalFigure
from app.services import indicator_sql as sql
from app.services import indicator_text as text

LOCAL = ZoneInfo("Europe/Stockholm")
_PERIOD = re.compile(r"^(\d{4})(?:-Q([1-4]))?$")

Unit = Literal["count", "share", "days", "points"]
Better = Literal["up", "down"] | None


@dataclass(frozen=True)
class Period:
    """A calendar year, or one quarter of it, in local time."""

    year: int
    quarter: int | None = None

    @classmethod
    def parse(cls, text: str) -> Period:
        """`2026` or `2026-Q3`; ValueError otherwise."""
        found = _PERIOD.match(text.strip())
        if not found or not 1900 <= int(found.group(1)) <= 2999:
            raise ValueError(f"not a year or a quarter: {text!r}")
        return cls(int(found.group(1)), int(found.group(2)) if found.group(2) else None)

    @property
    def key(self) -> str:
        return f"{self.year}" if self.quarter is None else f"{self.year}-Q{self.quarter}"

    @property
    def start(self) -> datetime:
        month = 1 if self.quarter is None else 3 * (self.quarter - 1) + 1
        return datetime(self.year, month, 1, tzinfo=LOCAL).astimezone(UTC)

    @property
    def end(self) -> datetime:
        """Exclusive: the first moment after the period."""
        if self.quarter is None or self.quarter == 4:
            return datetime(self.year + 1, 1, 1, tzinfo=LOCAL).astimezone(UTC)
        return datetime(self.year, 3 * self.quarter + 1, 1, tzinfo=LOCAL).astimezone(UTC)

    def previous_year(self) -> Period:
        return Period(self.year - 1, self.quarter)

    def label(self) -> str:
        if self.quarter is None:
            return str(self.year)
        return _("Quarter %(quarter)s %(year)s", quarter=self.quarter, year=self.year)


@dataclass(frozen=True)
class Where:
    """The scope: the whole municipality, a zone (what lies in it), a category, or both."""

    zone_id: int | None = None
    category_id: int | None = None


@dataclass(frozen=True)
class Indicator:
    key: str
    unit: Unit
    better: Better
    external: bool
    _label: Callable[[], str]
    _definition: Callable[[], str]

    def label(self) -> str:
        return self._label()

    def definition(self) -> str:
        return self._definition()


@dataclass(frozen=True)
class Figure:
    key: str
    value: float | None  # None: no data
    numerator: int | None = None
    denominator: int | None = None


def _indicator(key: str, unit: Unit, better: Better, *, external: bool = False) -> Indicator:
    return Indicator(
        key, unit, better, external, partial(text.label, key), partial(text.definition, key)
    )


# In the order the pages show them; labels and definitions are read in the visitor's language.
_ALL = [
    _indicator("reports", "count", None),
    _indicator("reports_on_walks", "count", None),
    _indicator("reports_own", "count", None),
    _indicator("good_places", "count", None),
    _indicator("damage_reports", "count", "down"),
    _indicator("damage_share", "share", "down"),
    _indicator("share_fixed", "share", "up"),
    _indicator("median_days_to_fix", "days", "down"),
    _indicator("p90_days_to_fix", "days", "down"),
    _indicator("share_fixed_by_due", "share", "up"),
    _indicator("share_fixed_within", "share", "up"),
    _indicator("open_at_end", "count", "down"),
    _indicator("overdue_at_end", "count", "down"),
    _indicator("recurring_spots", "count", "down"),
    _indicator("felt_unsafety", "points", "down"),
    _indicator("felt_unsafety_change", "points", "down"),
    _indicator("share_dark", "share", None),
    _indicator("walks_held", "count", "up"),
    _indicator("walk_participants", "count", "up"),
    _indicator("follow_up_walks", "count", "up"),
    _indicator("follow_up_share_fixed", "share", "up"),
    _indicator("police_reported_crimes", "count", "down", external=True),
    _indicator("scb_safety_index", "points", "up", external=True),
    _indicator("school_drug_survey", "share", "down", external=True),
]
INDICATORS: dict[str, Indicator] = {i.key: i for i in _ALL}
EXTERNAL: tuple[str, ...] = tuple(i.key for i in _ALL if i.external)
# Walks are planned for a zone, not a category: with a category chosen these have no value.
WALK_KEYS = ("walks_held", "walk_participants", "follow_up_walks", "follow_up_share_fixed")


def _share(key: str, part: int, whole: int) -> Figure:
    return Figure(key, (part / whole) if whole else None, part, whole)


def _scope(where: Where | None) -> sql.Scope:
    where = where or Where()
    return sql.Scope(zone_id=where.zone_id, category_id=where.category_id)


# The figures read from one pass over the period's reports; the others each cost a query.
_FROM_REPORTS = frozenset(
    {
        "reports",
        "reports_on_walks",
        "reports_own",
        "good_places",
        "damage_reports",
        "damage_share",
        "share_fixed",
        "share_fixed_by_due",
        "share_fixed_within",
        "felt_unsafety",
        "felt_unsafety_change",
        "share_dark",
    }
)


def compute(
    *,
    session: Session,
    settings: Settings,
    period: Period,
    where: Where | None = None,
    keys: frozenset[str] | None = None,
) -> dict[str, Figure]:
    """Every indicator of ours (not the external ones) for the period and scope; with `keys`,
    only those (a chart of one indicator per category asks for one, not twenty)."""
    wanted = frozenset(k for k, i in INDICATORS.items() if not i.external) if keys is None else keys
    before = (0.0, 0)
    if "felt_unsafety_change" in wanted:
        earlier = period.previous_year()
        before = sql.felt_unsafety(
            session=session, start=earlier.start, end=earlier.end, scope=_scope(where)
        )
    found = _figures(
        session=session,
        settings=settings,
        period=period,
        where=where or Where(),
        before=before,
        wanted=wanted,
    )
    return {key: figure for key, figure in found.items() if key in wanted}


def _figures(
    *,
    session: Session,
    settings: Settings,
    period: Period,
    where: Where,
    before: tuple[float, int],
    wanted: frozenset[str],
) -> dict[str, Figure]:
    """The wanted figures (and those that come with them from the same query), given the
    felt unsafety's (sum, answers) of a year before."""
    scope, start, end = _scope(where), period.start, period.end
    found: list[Figure] = []
    if wanted & _FROM_REPORTS:
        r = sql.reports(
            session=session,
            settings=settings,
            start=start,
            end=end,
            scope=scope,
            within_days=settings.due_days_normal,
            now=clock.now(),
        )
        felt = r.unsafe_sum / r.unsafe_answers if r.unsafe_answers else None
        felt_before = before[0] / before[1] if before[1] else None
        own = r.problems - r.on_walks
        found += [
            Figure("reports", r.problems),
            Figure("reports_on_walks", r.on_walks, r.on_walks, r.problems),
            Figure("reports_own", own, own, r.problems),
            Figure("good_places", r.good_places),
            Figure("damage_reports", r.damage),
            _share("damage_share", r.damage, r.problems),
            _share("share_fixed", r.fixed, r.fixable),
            _share("share_fixed_by_due", r.fixed_by_due, r.due_judged),
            _share("share_fixed_within", r.fixed_within, r.within_judged),
            Figure("felt_unsafety", felt, None, r.unsafe_answers),
            Figure(
                "felt_unsafety_change",
                felt - felt_before if felt is not None and felt_before is not None else None,
            ),
            _share("share_dark", r.dark, r.problems),
        ]
    if wanted & {"median_days_to_fix", "p90_days_to_fix"}:
        days = sql.days_to_fix(session=session, start=start, end=end, scope=scope)
        fixed = sum(n for _, n in days)
        found += [
            Figure("median_days_to_fix", sql.percentile(days, 0.5), None, fixed),
            Figure("p90_days_to_fix", sql.percentile(days, 0.9), None, fixed),
        ]
    if wanted & {"open_at_end", "overdue_at_end"}:
        # A period not yet over is read as it stands now (its end lies ahead).
        at = min(end, clock.now())
        open_, overdue = sql.open_at(session=session, settings=settings, at=at, scope=scope)
        found += [Figure("open_at_end", open_), Figure("overdue_at_end", overdue, overdue, open_)]
    if "recurring_spots" in wanted:
        spots = sql.recurring_spots(
            session=session, settings=settings, start=start, end=end, scope=scope
        )
        found.append(Figure("recurring_spots", spots))
    if wanted & set(WALK_KEYS):
        if where.category_id is not None:
            found += [Figure(key, None) for key in WALK_KEYS]
        else:
            w = sql.walks(session=session, start=start, end=end, zone_id=where.zone_id)
            found += [
                Figure("walks_held", w.held),
                Figure("walk_participants", w.participants),
                Figure("follow_up_walks", w.follow_ups, w.follow_ups, w.held),
                _share("follow_up_share_fixed", w.items_fixed, w.items_followed_up),
            ]
    return {f.key: f for f in found}


def share_fixed_within(
    *, session: Session, period: Period, where: Where | None = None, days: int
) -> Figure:
    """Of the period's fixable reports, the share fixed within `days` of the report."""
    fixed, fixable = sql.fixed_within(
        session=session,
        start=period.start,
        end=period.end,
        scope=_scope(where),
        days=days,
        now=clock.now(),
    )
    return _share("share_fixed_within", fixed, fixable)


def series(
    *, session: Session, settings: Settings, years: list[int], where: Where | None = None
) -> dict[int, dict[str, Figure]]:
    """`compute` for each year (about ten queries a year)."""
    return {
        year: compute(session=session, settings=settings, period=Period(year), where=where)
        for year in years
    }


def external(*, session: Session, year: int, where: Where | None = None) -> dict[str, Figure]:
    """The entered external figures of the year for the scope's zone (or the municipality)."""
    where = where or Where()
    rows = session.exec(
        select(ExternalFigure).where(
            ExternalFigure.year == year,
            col(ExternalFigure.zone_id).is_(None)
            if where.zone_id is None
            else ExternalFigure.zone_id == where.zone_id,
        )
    ).scalars()
    found = {row.indicator: Figure(row.indicator, row.value) for row in rows}
    return {key: found.get(key, Figure(key, None)) for key in EXTERNAL}
