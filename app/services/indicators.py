"""The agreement's indicators: what the follow-up page, the council's report and the quarterly
page count, per year or quarter, for the whole municipality, a zone or a category.

Each indicator carries a written definition that says exactly what is counted; the code below
must say the same. Periods follow the local calendar (Europe/Stockholm): a report made at
23:30 UTC on 31 December belongs to the next year. Every figure is an SQL aggregate, so a
million observations are counted where they lie.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, func, select
from sqlmodel import Session, col

from app.config import Settings
from app.i18n import gettext as _
from app.models import Category, CategoryKind, ExternalFigure, Observation, Status
from app.services import area

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


def _indicator(
    key: str,
    unit: Unit,
    better: Better,
    label: Callable[[], str],
    definition: Callable[[], str],
    *,
    external: bool = False,
) -> Indicator:
    return Indicator(key, unit, better, external, label, definition)


# In the order the pages show them; labels and definitions are read in the visitor's language.
_ALL = [
    _indicator(
        "reports",
        "count",
        None,
        lambda: _("Reports of problems"),
        lambda: _(
            "Reports of problems made in the period, by residents on their own or on walks. "
            "A report merged into another one (the same problem reported twice) is not "
            "counted again. Good places are counted apart."
        ),
    ),
    _indicator(
        "reports_on_walks",
        "count",
        None,
        lambda: _("Reports made on safety walks"),
        lambda: _("Of the reports of problems, those made during a safety walk."),
    ),
    _indicator(
        "reports_own",
        "count",
        None,
        lambda: _("Reports made on one's own"),
        lambda: _("Of the reports of problems, those made outside safety walks."),
    ),
    _indicator(
        "good_places",
        "count",
        None,
        lambda: _("Good places"),
        lambda: _("Places reported as good and worth keeping, in the period."),
    ),
    _indicator(
        "damage_reports",
        "count",
        "down",
        lambda: _("Damage to municipal property"),
        lambda: _(
            "Reports of problems in the categories marked as damage to municipal property "
            "(such as vandalism and graffiti), made in the period."
        ),
    ),
    _indicator(
        "damage_share",
        "share",
        "down",
        lambda: _("Share of reports that are damage"),
        lambda: _("Damage to municipal property as a share of all reports of problems."),
    ),
    _indicator(
        "share_fixed",
        "share",
        "up",
        lambda: _("Share fixed"),
        lambda: _(
            "Of the period's reports that could be fixed (not merged, not handed to another "
            "owner), the share that is fixed now. A reopened report is not fixed."
        ),
    ),
    _indicator(
        "median_days_to_fix",
        "days",
        "down",
        lambda: _("Median days to fix"),
        lambda: _(
            "For the problems fixed in the period, the middle value of the whole days from "
            "the report to the fix."
        ),
    ),
    _indicator(
        "p90_days_to_fix",
        "days",
        "down",
        lambda: _("Days to fix, 90th percentile"),
        lambda: _(
            "For the problems fixed in the period, nine in ten were fixed within this many "
            "whole days of the report."
        ),
    ),
    _indicator(
        "share_fixed_by_due",
        "share",
        "up",
        lambda: _("Share fixed by the due date"),
        lambda: _(
            "Of the period's reports that could be fixed, the share fixed no later than its "
            "due date (set by its priority)."
        ),
    ),
    _indicator(
        "share_fixed_within",
        "share",
        "up",
        lambda: _("Share fixed within a number of days"),
        lambda: _(
            "Of the period's reports that could be fixed, the share fixed within the "
            "target's number of days of the report."
        ),
    ),
    _indicator(
        "open_at_end",
        "count",
        "down",
        lambda: _("Open at the end of the period"),
        lambda: _("Problems reported before the period's end and still open at its end."),
    ),
    _indicator(
        "overdue_at_end",
        "count",
        "down",
        lambda: _("Overdue at the end of the period"),
        lambda: _("Of the problems open at the period's end, those past their due date."),
    ),
    _indicator(
        "recurring_spots",
        "count",
        "down",
        lambda: _("Recurring spots"),
        lambda: _(
            "Places where problems were reported in at least two different months of the "
            "period, within 25 metres of each other."
        ),
    ),
    _indicator(
        "felt_unsafety",
        "points",
        "down",
        lambda: _("Felt unsafety"),
        lambda: _(
            "The average of how unsafe the place felt (1 to 5) in the period's reports of "
            "problems that say so."
        ),
    ),
    _indicator(
        "felt_unsafety_change",
        "points",
        "down",
        lambda: _("Change in felt unsafety"),
        lambda: _("Felt unsafety in the period minus the same period a year earlier."),
    ),
    _indicator(
        "share_dark",
        "share",
        None,
        lambda: _("Share reported in the dark"),
        lambda: _("Of the period's reports of problems, the share made after dark."),
    ),
    _indicator(
        "walks_held",
        "count",
        "up",
        lambda: _("Safety walks held"),
        lambda: _("Safety walks that started in the period and were held."),
    ),
    _indicator(
        "walk_participants",
        "count",
        "up",
        lambda: _("Walk participants"),
        lambda: _("Phones that joined the walks held in the period, each counted once a walk."),
    ),
    _indicator(
        "follow_up_walks",
        "count",
        "up",
        lambda: _("Follow-up walks"),
        lambda: _("Of the walks held in the period, those that followed up an earlier walk."),
    ),
    _indicator(
        "follow_up_share_fixed",
        "share",
        "up",
        lambda: _("Earlier walks' problems fixed"),
        lambda: _(
            "Of the earlier walks' problems checked on the period's follow-up walks, the "
            "share found fixed."
        ),
    ),
    _indicator(
        "police_reported_crimes",
        "count",
        "down",
        lambda: _("Police-reported crimes"),
        lambda: _("Crimes reported to the police in the year, as entered with their source."),
        external=True,
    ),
    _indicator(
        "scb_safety_index",
        "points",
        "up",
        lambda: _("Safety index (SCB citizen survey)"),
        lambda: _("The SCB citizen survey's safety index for the year, as entered."),
        external=True,
    ),
    _indicator(
        "school_drug_survey",
        "share",
        "down",
        lambda: _("School drug survey"),
        lambda: _("The school survey's share of pupils who have used drugs, as entered."),
        external=True,
    ),
]
INDICATORS: dict[str, Indicator] = {i.key: i for i in _ALL}
EXTERNAL: tuple[str, ...] = tuple(i.key for i in _ALL if i.external)


def observations_in(period: Period, where: Where) -> ColumnElement[bool]:
    """The observations made in the period and scope, as SQL over Observation."""
    clauses = [
        col(Observation.created_at) >= period.start,
        col(Observation.created_at) < period.end,
    ]
    if where.zone_id is not None:
        clauses.append(area.zone_clause(where.zone_id))
    if where.category_id is not None:
        clauses.append(Observation.category_id == where.category_id)
    return and_(*clauses)


def _problem_counts(*, session: Session, period: Period, where: Where) -> dict[str, Figure]:
    """The report counts of the period in one pass."""
    problem = Category.kind == CategoryKind.problem
    counted = and_(problem, Observation.status != Status.duplicate)
    row = session.exec(
        select(
            func.count().filter(counted),
            func.count().filter(counted, col(Observation.walk_id).is_not(None)),
            func.count().filter(Category.kind == CategoryKind.good),
            func.count().filter(counted, col(Category.damage).is_(True)),
            func.count().filter(counted, col(Observation.dark).is_(True)),
        )
        .select_from(Observation)
        .join(Category, col(Category.id) == Observation.category_id)
        .where(observations_in(period, where))
    ).one()
    reports, on_walks, good, damage, dark = (int(n) for n in row)
    return {
        "reports": Figure("reports", reports),
        "reports_on_walks": Figure("reports_on_walks", on_walks, on_walks, reports),
        "reports_own": Figure("reports_own", reports - on_walks, reports - on_walks, reports),
        "good_places": Figure("good_places", good),
        "damage_reports": Figure("damage_reports", damage),
        "damage_share": _share("damage_share", damage, reports),
        "share_dark": _share("share_dark", dark, reports),
    }


def _share(key: str, part: int, whole: int) -> Figure:
    return Figure(key, (part / whole) if whole else None, part, whole)


def _felt(*, session: Session, period: Period, where: Where) -> tuple[float | None, int]:
    row = session.exec(
        select(func.avg(Observation.unsafe_level), func.count(Observation.unsafe_level))
        .select_from(Observation)
        .join(Category, col(Category.id) == Observation.category_id)
        .where(
            observations_in(period, where),
            Category.kind == CategoryKind.problem,
            Observation.status != Status.duplicate,
        )
    ).one()
    return (float(row[0]) if row[0] is not None else None), int(row[1])


def compute(
    *, session: Session, settings: Settings, period: Period, where: Where | None = None
) -> dict[str, Figure]:
    """Every indicator of ours (not the external ones) for the period and scope."""
    where = where or Where()
    figures = {key: Figure(key, None) for key, i in INDICATORS.items() if not i.external}
    figures.update(_problem_counts(session=session, period=period, where=where))
    felt, answers = _felt(session=session, period=period, where=where)
    before, _answers_before = _felt(session=session, period=period.previous_year(), where=where)
    figures["felt_unsafety"] = Figure("felt_unsafety", felt, None, answers)
    figures["felt_unsafety_change"] = Figure(
        "felt_unsafety_change", (felt - before) if felt is not None and before is not None else None
    )
    return figures


def share_fixed_within(
    *, session: Session, period: Period, where: Where | None = None, days: int
) -> Figure:
    """Of the period's fixable reports, the share fixed within `days` of the report."""
    return Figure("share_fixed_within", None)


def series(
    *, session: Session, settings: Settings, years: list[int], where: Where | None = None
) -> dict[int, dict[str, Figure]]:
    """`compute` for each year."""
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
