"""What the follow-up page shows, as chosen in its query string: a period (a year or a
quarter), a zone (a district or a part of town), a category, and the indicator its charts show.
The selection goes back into the query string with only what differs from the default (this
year, the whole municipality, reports), so a narrowed view is a short link to share.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlmodel import Session, select

from app.i18n import gettext as _
from app.models import Category, Zone
from app.services import follow_up_input, indicators
from app.services.indicators import Period, Where

DEFAULT_CHART = "reports"
FIRST_YEAR, LAST_YEAR = follow_up_input.FIRST_YEAR, follow_up_input.LAST_YEAR


class InvalidSelection(ValueError):
    """A query value that cannot be used, with the field it came in."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Selection:
    period: Period
    zone: Zone | None
    category: Category | None
    chart: str  # the indicator the charts show
    default_year: int  # the period when none is asked for: this year

    @property
    def where(self) -> Where:
        return Where(
            zone_id=self.zone.id if self.zone else None,
            category_id=self.category.id if self.category else None,
        )

    def pairs(self) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        if self.period.key != str(self.default_year):
            out.append(("period", self.period.key))
        if self.zone is not None:
            out.append(("zone", self.zone.slug))
        if self.category is not None:
            out.append(("category", self.category.slug))
        if self.chart != DEFAULT_CHART:
            out.append(("chart", self.chart))
        return out

    @property
    def narrowed(self) -> bool:
        return self.zone is not None or self.category is not None


def _one(params: Mapping[str, object], name: str) -> str:
    getlist = getattr(params, "getlist", None)
    values = list(getlist(name)) if getlist is not None else [params.get(name)]
    values = [str(v).strip() for v in values if v is not None and str(v).strip()]
    if len(values) > 1:
        raise InvalidSelection(name, _("Give one value."))
    return values[0] if values else ""


def parse(*, session: Session, params: Mapping[str, object]) -> Selection:
    """The selection in a query string; InvalidSelection names a value that cannot be used
    (an unknown zone or category, a period that is not "2026" or "2026-Q3")."""
    year_now = follow_up_input.this_year()
    period_text = _one(params, "period")
    try:
        period = Period.parse(period_text) if period_text else Period(year_now, None)
    except ValueError as exc:
        raise InvalidSelection(
            "period", _("Give the period as a year (2026) or a quarter (2026-Q3).")
        ) from exc
    if not FIRST_YEAR <= period.year <= LAST_YEAR:
        raise InvalidSelection(
            "period",
            _("Give a year between %(first)s and %(last)s.", first=FIRST_YEAR, last=LAST_YEAR),
        )
    zone = None
    if slug := _one(params, "zone"):
        zone = follow_up_input.zone(session=session, slug=slug)
        if zone is None:
            raise InvalidSelection("zone", _("No district or part of town has this name."))
    category = None
    if slug := _one(params, "category"):
        category = session.exec(select(Category).where(Category.slug == slug)).first()
        if category is None:
            raise InvalidSelection("category", _("Unknown category."))
    chart = _one(params, "chart") or DEFAULT_CHART
    if chart not in indicators.INDICATORS or chart in indicators.EXTERNAL:
        raise InvalidSelection("chart", _("Unknown indicator."))
    return Selection(
        period=period, zone=zone, category=category, chart=chart, default_year=year_now
    )
