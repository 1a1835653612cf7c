"""What the follow-up's forms, files and filters read alike: a year, a number as people type
it (a decimal comma, spaces between thousands), and a zone by its short name (a district or a
part of town: plan areas are counted elsewhere)."""

from __future__ import annotations

import math

from sqlmodel import Session, col, select

from app import clock
from app.i18n import gettext as _
from app.models import Zone, ZoneKind
from app.services import indicators

FIRST_YEAR, LAST_YEAR = 2000, 2100
ZONE_KINDS = (ZoneKind.district, ZoneKind.part_of_town)


def this_year() -> int:
    """The year it is now in Boden: what the pages and forms start from."""
    return clock.now().astimezone(indicators.LOCAL).year


def year(text: str) -> int | None:
    """A year written as four digits between FIRST_YEAR and LAST_YEAR, else None."""
    text = text.strip()
    if not (text.isdigit() and len(text) == 4):
        return None
    found = int(text)
    return found if FIRST_YEAR <= found <= LAST_YEAR else None


def year_message() -> str:
    return _(
        "Give the year as four digits between %(first)s and %(last)s.",
        first=FIRST_YEAR,
        last=LAST_YEAR,
    )


def number(text: str) -> float | None:
    """A number as people type it: "12.5", "12,5", "1 234", "-3"; None when it is none."""
    cleaned = text.strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    if cleaned.count(",") == 1 and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    try:
        value = float(cleaned)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def zone(*, session: Session, slug: str) -> Zone | None:
    """The district or part of town with this short name (None for a plan area too)."""
    found = session.exec(select(Zone).where(Zone.slug == slug)).first()
    return found if found is not None and found.kind in ZONE_KINDS else None


def zones(*, session: Session) -> list[Zone]:
    """The districts and parts of town, by name: what figures and targets may be for."""
    return list(
        session.exec(select(Zone).where(col(Zone.kind).in_(ZONE_KINDS)).order_by(col(Zone.name)))
    )
