"""The yearly report to the crime-prevention council (Brå), issued frozen.

The agreement asks that results be reported to the council once a year, at its first spring
meeting. `build` reads everything the report shows for a period of whole years, now: every
indicator with its previous year and its definition, the targets and their outcome, the chart
data, the districts that improved and worsened, each measure active in the period with its
result and the figures for what it covers, the walks held and the external figures beside ours.
It returns plain JSON-able data, in the language asked for (labels and definitions are written
out, not looked up later).

`issue` stores that data as a CouncilReport. Its page, PDF and CSV are drawn from the stored
content only, never recomputed, so that what the council saw can be shown again whatever is
reported, fixed or entered afterwards. `preview` builds the same data without storing it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from app import clock, i18n
from app.config import Settings
from app.i18n import gettext as _
from app.models import CouncilReport, StaffUser
from app.services import council_report_measures as work
from app.services import council_report_parts as parts
from app.services import indicators

VERSION = 1
EARLIEST_YEAR = 2000
LATEST_YEAR = 2100
MAX_YEARS = 5  # an agreement runs for a year or two; five is plenty and bounds the work
TITLE_MAX = 200


class InvalidReport(ValueError):
    """A period or title that cannot make a report: the message says why (shown with 422)."""


@dataclass(frozen=True)
class Report:
    """An issued report as its page, PDF and CSV read it: the row's values and the content."""

    id: int
    title: str
    first_year: int
    last_year: int
    language: str
    issued_at: datetime
    issued_by: str
    data: dict[str, Any]


def check_period(*, first_year: int, last_year: int) -> None:
    """Raise InvalidReport unless the years make a period the report can cover."""
    for year in (first_year, last_year):
        if not EARLIEST_YEAR <= year <= LATEST_YEAR:
            raise InvalidReport(
                _("A year must lie between %(a)s and %(b)s.", a=EARLIEST_YEAR, b=LATEST_YEAR)
            )
    if last_year < first_year:
        raise InvalidReport(_("The last year cannot come before the first."))
    if last_year - first_year + 1 > MAX_YEARS:
        raise InvalidReport(_("A report covers at most %(n)s years.", n=MAX_YEARS))


def default_title(*, first_year: int, last_year: int) -> str:
    years = str(first_year) if first_year == last_year else f"{first_year}\u2013{last_year}"
    return _("Follow-up of the cooperation agreement %(years)s", years=years)


def _clean_title(title: str, *, first_year: int, last_year: int) -> str:
    cleaned = " ".join(title.split())
    if len(cleaned) > TITLE_MAX:
        raise InvalidReport(_("The title may be at most %(n)s characters.", n=TITLE_MAX))
    return cleaned or default_title(first_year=first_year, last_year=last_year)


def build(
    *,
    session: Session,
    settings: Settings,
    first_year: int,
    last_year: int,
    lang: str,
    title: str = "",
) -> dict[str, Any]:
    """Everything the report shows for first_year..last_year, read now, in `lang`."""
    check_period(first_year=first_year, last_year=last_year)
    with i18n.using(lang):
        title = _clean_title(title, first_year=first_year, last_year=last_year)
        years = list(range(first_year, last_year + 1))
        shown_years = [first_year - 1, *years]  # the year before, for "against the year before"
        series = indicators.series(
            session=session, settings=settings, years=shown_years, where=indicators.Where()
        )
        assessed = parts.targets_of(session=session, settings=settings, years=years)
        listed = parts.indicator_rows(series=series, years=years, assessed=assessed)
        zones = parts.zones_compared(session=session, settings=settings, years=shown_years)
        external = parts.external_beside(session=session, years=shown_years)
        return {
            "version": VERSION,
            "title": title,
            "first_year": first_year,
            "last_year": last_year,
            "years": years,
            "language": i18n.current_language(),
            "made_at": clock.now().isoformat(),
            "indicators": listed,
            "targets": [t for row in listed for t in row["targets"]],
            "charts": parts.charts_data(
                session=session, settings=settings, series=series, zones=zones, year=last_year
            ),
            "zones": zones,
            "zones_rule": parts.zones_rule(),
            "measures": work.measures_in_period(
                session=session, settings=settings, first_year=first_year, last_year=last_year
            ),
            "walks": work.walks_in_period(
                session=session, first_year=first_year, last_year=last_year
            ),
            "external": external,
        }


def preview(
    *, session: Session, settings: Settings, first_year: int, last_year: int, lang: str, title: str
) -> Report:
    """The report as it would be issued now, not stored."""
    data = build(
        session=session,
        settings=settings,
        first_year=first_year,
        last_year=last_year,
        lang=lang,
        title=title,
    )
    return Report(
        id=0,
        title=data["title"],
        first_year=first_year,
        last_year=last_year,
        language=data["language"],
        issued_at=clock.now(),
        issued_by="",
        data=data,
    )


def _dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def issue(
    *,
    session: Session,
    settings: Settings,
    first_year: int,
    last_year: int,
    lang: str,
    title: str,
    actor: StaffUser,
) -> CouncilReport:
    """Build the report now and store it, frozen."""
    data = build(
        session=session,
        settings=settings,
        first_year=first_year,
        last_year=last_year,
        lang=lang,
        title=title,
    )
    data["issued_by"] = actor.name
    report = CouncilReport(
        title=data["title"],
        first_year=first_year,
        last_year=last_year,
        language=data["language"],
        content=_dumps(data),
        issued_at=clock.now(),
        issued_by_id=actor.id,
    )
    session.add(report)
    session.commit()
    session.refresh(report)
    return report


def by_id(*, session: Session, report_id: int) -> CouncilReport | None:
    return session.get(CouncilReport, report_id)


def listed(*, session: Session) -> list[CouncilReport]:
    """The issued reports, newest first."""
    query = select(CouncilReport).order_by(
        col(CouncilReport.issued_at).desc(), col(CouncilReport.id).desc()
    )
    return list(session.exec(query))


def view(report: CouncilReport) -> Report:
    """The issued report as its page, PDF and CSV read it: only from what was stored."""
    data = json.loads(report.content)
    return Report(
        id=report.id,  # type: ignore[arg-type]
        title=report.title,
        first_year=report.first_year,
        last_year=report.last_year,
        language=report.language,
        issued_at=report.issued_at,
        issued_by=data.get("issued_by", ""),
        data=data,
    )
