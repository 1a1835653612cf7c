"""The filters of a planner's view (dates, category, status, dark, source), read from a query
string and written back to one, so that a narrowed view is a link that can be shared.

Dates are the days the reports came in (`created_at`, in the municipality's time zone is not
needed: a day is a UTC day, which in Sweden differs by an hour or two at midnight only).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlencode

from sqlalchemy import ColumnElement, and_, select, true

from app.i18n import gettext as _
from app.models import CLOSED_STATES, OPEN_STATES, Category, Observation, Status

SOURCES = ("walk", "own")  # found on a safety walk, or reported on one's own
DARK = ("dark", "daylight")
STATUS_GROUPS = {"open": OPEN_STATES, "closed": CLOSED_STATES}
MAX_VALUES = 50  # of one repeated parameter


class InvalidFilter(ValueError):
    """A filter value that cannot be used, with the field it came in."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Filters:
    date_from: date | None = None
    date_to: date | None = None  # inclusive
    categories: tuple[str, ...] = ()  # slugs; empty: all
    statuses: tuple[str, ...] = ()  # Status values or "open"/"closed"; empty: all
    dark: str | None = None  # "dark", "daylight" or None
    source: str | None = None  # "walk", "own" or None

    @classmethod
    def parse(cls, params: Mapping[str, object]) -> Filters:
        """From a query string (a Starlette QueryParams or a plain dict of str or lists)."""
        date_from = _date(params, "from")
        date_to = _date(params, "to")
        if date_from and date_to and date_from > date_to:
            raise InvalidFilter("to", _("The end date comes before the start date."))
        categories = _values(params, "category")
        for slug in categories:
            if not slug.replace("-", "").replace("_", "").isalnum() or len(slug) > 64:
                raise InvalidFilter("category", _("Unknown category."))
        statuses = _values(params, "status")
        known = {s.value for s in Status} | set(STATUS_GROUPS)
        for status in statuses:
            if status not in known:
                raise InvalidFilter("status", _("Unknown status."))
        dark = _one(params, "dark")
        if dark is not None and dark not in DARK:
            raise InvalidFilter("dark", _("Choose dark or daylight."))
        source = _one(params, "source")
        if source is not None and source not in SOURCES:
            raise InvalidFilter("source", _("Choose a walk or on one's own."))
        return cls(
            date_from=date_from,
            date_to=date_to,
            categories=tuple(dict.fromkeys(categories)),
            statuses=tuple(dict.fromkeys(statuses)),
            dark=dark,
            source=source,
        )

    @property
    def active(self) -> bool:
        return any(
            (self.date_from, self.date_to, self.categories, self.statuses, self.dark, self.source)
        )

    def status_set(self) -> frozenset[Status]:
        wanted: set[Status] = set()
        by_value = {s.value: s for s in Status}  # `"open" in Status` warns (an error) on 3.11
        for value in self.statuses:
            group = STATUS_GROUPS.get(value)
            wanted |= group if group is not None else {by_value[value]}
        return frozenset(wanted)

    def clause(self) -> ColumnElement[bool]:
        """The filters as a SQL clause over Observation (categories by slug via a subquery)."""
        clauses: list[ColumnElement[bool]] = []
        if self.date_from:
            clauses.append(Observation.created_at >= _start_of(self.date_from))  # type: ignore[arg-type]
        if self.date_to:
            clauses.append(Observation.created_at < _start_of(self.date_to + timedelta(days=1)))  # type: ignore[arg-type]
        if self.categories:
            clauses.append(
                Observation.category_id.in_(  # type: ignore[attr-defined]
                    select(Category.id).where(Category.slug.in_(self.categories))  # type: ignore[attr-defined]
                )
            )
        if self.statuses:
            clauses.append(Observation.status.in_(sorted(self.status_set())))  # type: ignore[attr-defined]
        if self.dark == "dark":
            clauses.append(Observation.dark.is_(True))  # type: ignore[attr-defined]
        elif self.dark == "daylight":
            clauses.append(Observation.dark.is_(False))  # type: ignore[attr-defined]
        if self.source == "walk":
            clauses.append(Observation.walk_id.is_not(None))  # type: ignore[union-attr]
        elif self.source == "own":
            clauses.append(Observation.walk_id.is_(None))  # type: ignore[union-attr]
        return and_(true(), *clauses)

    def pairs(self) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        if self.date_from:
            out.append(("from", self.date_from.isoformat()))
        if self.date_to:
            out.append(("to", self.date_to.isoformat()))
        out += [("category", c) for c in self.categories]
        out += [("status", s) for s in self.statuses]
        if self.dark:
            out.append(("dark", self.dark))
        if self.source:
            out.append(("source", self.source))
        return out

    def query(self, **more: str) -> str:
        """The query string (without "?") that gives these filters back; `more` is appended."""
        return urlencode(self.pairs() + [(k, v) for k, v in more.items() if v])


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _values(params: Mapping[str, object], name: str) -> list[str]:
    getlist = getattr(params, "getlist", None)
    if getlist is not None:
        raw = list(getlist(name))
    else:
        value = params.get(name)
        raw = list(value) if isinstance(value, list | tuple) else ([] if value is None else [value])
    values = [str(v).strip() for v in raw if str(v).strip()]
    if len(values) > MAX_VALUES:
        raise InvalidFilter(name, _("Too many values."))
    return values


def _one(params: Mapping[str, object], name: str) -> str | None:
    values = _values(params, name)
    if len(values) > 1:
        raise InvalidFilter(name, _("Give one value."))
    return values[0] if values else None


def _date(params: Mapping[str, object], name: str) -> date | None:
    value = _one(params, name)
    if value is None:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError as exc:
        raise InvalidFilter(name, _("Give a date as YYYY-MM-DD.")) from exc
    if not 2000 <= day.year <= 2100:
        raise InvalidFilter(name, _("Give a date between 2000 and 2100."))
    return day
