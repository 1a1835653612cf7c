"""The public quarterly "what we did": what residents reported, what was fixed, the walks held
and coming, for one quarter; as a page and as a short text for the municipality's web and
newsletter (the agreement communicates the work four times a year, also to the public).

Everything here is for anyone to read, so it is built as shapes that hold nothing else (as in
`public`): counts by category and by district, the before/after photos of fixes whose unit
chose to publish them (`Observation.photos_published`), and walks by title, date and district.
No description, e-mail, name or token is read at all; private categories are left out before
anything is counted (not even their number shows); a place is never finer than its district
(a part of town or a plan area counts for the district it lies in; no coordinates).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.i18n import current_language
from app.i18n import gettext as _
from app.models import (
    Category,
    CategoryKind,
    Observation,
    ObservationZone,
    Photo,
    PhotoKind,
    Status,
    Walk,
    WalkParticipant,
    WalkStatus,
    Zone,
    ZoneKind,
)
from app.services import photo_public
from app.services.indicators import LOCAL as STOCKHOLM
from app.services.indicators import Period
from app.services.photo_public import PublicPhoto

# Fixed as far as the public is told: fixed, or fixed and checked.
FIXED = (Status.fixed, Status.verified)
# A merged report is the same problem as the one it was merged into: counted once.
NOT_COUNTED = (Status.duplicate,)
# The page shows this many fixes with photos (the newest first), and this many quarters back.
PHOTOS_SHOWN = 12
QUARTERS_LISTED = 12
# No quarterly page before this year (nor a path that asks for year 9999).
FIRST_YEAR = 2000


@dataclass(frozen=True)
class Count:
    label: str
    count: int


@dataclass(frozen=True)
class FixShown:
    """A fix the owning unit chose to show: its kind, district, date and photos only."""

    category: str
    district: str | None
    fixed_at: datetime
    before: Sequence[PublicPhoto]
    after: Sequence[PublicPhoto]


@dataclass(frozen=True)
class PublicWalk:
    title: str
    starts_at: datetime
    district: str | None
    participants: int | None  # held walks only


@dataclass(frozen=True)
class Quarterly:
    period: Period
    label: str  # its months and year
    reported: int  # reports of problems (as the indicator "reports", private ones left out)
    good_places: int
    reported_by_category: Sequence[Count]
    reported_by_district: Sequence[Count]
    reported_on_walks: int
    fixed: int
    fixed_by_category: Sequence[Count]
    fixes_shown: Sequence[FixShown]
    walks_held: Sequence[PublicWalk]
    walks_coming: Sequence[PublicWalk]


# Which quarters
def latest_complete(*, now: datetime) -> Period:
    """The last quarter that has ended (in Swedish time)."""
    current = _quarter_of(now)
    if current.quarter == 1:
        return Period(current.year - 1, 4)
    return Period(current.year, current.quarter - 1)  # type: ignore[operator]


def _quarter_of(at: datetime) -> Period:
    local = at.astimezone(STOCKHOLM)
    return Period(local.year, (local.month - 1) // 3 + 1)


def by_key(*, key: str, now: datetime) -> Period | None:
    """The quarter a path names ("2026-Q3"), when it has ended; None otherwise (a year alone,
    a quarter still running or to come, or nonsense)."""
    try:
        period = Period.parse(key)
    except (ValueError, OverflowError):
        return None
    if period.quarter is None or not FIRST_YEAR <= period.year <= now.year:
        return None
    return period if period.end <= now else None


def listed(*, session: Session, now: datetime) -> list[Period]:
    """The quarters to link to, newest first: from the first report on, at most a few years."""
    first = session.exec(select(func.min(Observation.created_at))).one()
    latest = latest_complete(now=now)
    found = [latest]
    while len(found) < QUARTERS_LISTED:
        previous = _before(found[-1])
        if first is None or previous.end <= first:
            break
        found.append(previous)
    return found


def _before(period: Period) -> Period:
    if period.quarter == 1:
        return Period(period.year - 1, 4)
    return Period(period.year, period.quarter - 1)  # type: ignore[operator]


@dataclass(frozen=True)
class QuarterLink:
    key: str
    label: str


@dataclass(frozen=True)
class Page:
    report: Quarterly
    quarters: Sequence[QuarterLink]  # to link to, newest first


def page(*, session: Session, period: Period, now: datetime) -> Page:
    """The public page of a quarter: its figures and the other quarters."""
    return Page(
        report=build(session=session, period=period, now=now),
        quarters=[QuarterLink(p.key, label(p)) for p in listed(session=session, now=now)],
    )


def label(period: Period) -> str:
    """The quarter by its months and year, as the public reads it (an en dash between)."""
    months = {
        1: _("January–March %(year)s"),  # noqa: RUF001
        2: _("April–June %(year)s"),  # noqa: RUF001
        3: _("July–September %(year)s"),  # noqa: RUF001
        4: _("October–December %(year)s"),  # noqa: RUF001
    }
    return months[period.quarter or 1] % {"year": period.year}


# The quarter's figures


def build(*, session: Session, period: Period, now: datetime) -> Quarterly:
    """The quarter as the public sees it, in the current language."""
    lang = current_language()
    public = _public_categories(session)
    districts = _districts(session)
    problems = {i: c for i, c in public.items() if c.kind == CategoryKind.problem}
    reported = _reported(session, period, public)
    fixed = _fixed(session, period, public)
    return Quarterly(
        period=period,
        label=label(period),
        reported=sum(n for category_id, n in reported if category_id in problems),
        good_places=sum(n for category_id, n in reported if category_id not in problems),
        reported_by_category=_by_category(reported, problems, lang),
        reported_by_district=_by_district(session, period, problems, districts),
        reported_on_walks=_reported_on_walks(session, period, problems),
        fixed=sum(n for _id, n in fixed),
        fixed_by_category=_by_category(fixed, public, lang),
        fixes_shown=_fixes_shown(session, period, public, districts, lang),
        walks_held=_walks_held(session, period, districts),
        walks_coming=_walks_coming(session, now, districts),
    )


def _public_categories(session: Session) -> dict[int, Category]:
    rows = session.exec(
        select(Category).where(col(Category.private).is_(False)).order_by(col(Category.position))
    ).all()
    return {c.id: c for c in rows}  # type: ignore[misc]


def _districts(session: Session) -> dict[int, Zone]:
    """Every zone, so that a part of town can be traced to the district it lies in."""
    return {z.id: z for z in session.exec(select(Zone)).all()}  # type: ignore[misc]


def district_of(zone_id: int | None, zones: dict[int, Zone]) -> Zone | None:
    """The district a zone is or lies in (through its parents); None outside the districts."""
    seen: set[int] = set()
    while zone_id is not None and zone_id not in seen:
        seen.add(zone_id)
        zone = zones.get(zone_id)
        if zone is None:
            return None
        if zone.kind == ZoneKind.district:
            return zone
        zone_id = zone.parent_id
    return None


def _in_quarter(column, period: Period):  # type: ignore[no-untyped-def]
    return (col(column) >= period.start) & (col(column) < period.end)


def _reported(
    session: Session, period: Period, public: dict[int, Category]
) -> list[tuple[int, int]]:
    return list(
        session.exec(
            select(Observation.category_id, func.count())
            .where(
                _in_quarter(Observation.created_at, period),
                col(Observation.category_id).in_(public),
                col(Observation.status).not_in(NOT_COUNTED),
            )
            .group_by(col(Observation.category_id))
        ).all()
    )


def _fixed(session: Session, period: Period, public: dict[int, Category]) -> list[tuple[int, int]]:
    return list(
        session.exec(
            select(Observation.category_id, func.count())
            .where(
                _in_quarter(Observation.fixed_at, period),
                col(Observation.status).in_(FIXED),
                col(Observation.category_id).in_(public),
            )
            .group_by(col(Observation.category_id))
        ).all()
    )


def _by_category(
    rows: list[tuple[int, int]], public: dict[int, Category], lang: str
) -> list[Count]:
    counts = dict(rows)
    found = [
        Count(category.name(lang), counts[category_id])
        for category_id, category in public.items()
        if counts.get(category_id)
    ]
    return sorted(found, key=lambda c: -c.count)  # the most first; ties in the admin's order


def _by_district(
    session: Session, period: Period, public: dict[int, Category], zones: dict[int, Zone]
) -> list[Count]:
    """Reports per district (each report once, in the district that covers it)."""
    in_district = (
        select(ObservationZone.observation_id, ObservationZone.zone_id)
        .join(Zone, col(Zone.id) == col(ObservationZone.zone_id))
        .where(Zone.kind == ZoneKind.district)
        .subquery()
    )
    rows = session.exec(
        select(in_district.c.zone_id, func.count(func.distinct(Observation.id)))
        .select_from(Observation)
        .outerjoin(in_district, in_district.c.observation_id == Observation.id)
        .where(
            _in_quarter(Observation.created_at, period),
            col(Observation.category_id).in_(public),
            col(Observation.status).not_in(NOT_COUNTED),
        )
        .group_by(in_district.c.zone_id)
    ).all()
    named = sorted(
        ((zones[zone_id].name, n) for zone_id, n in rows if zone_id in zones),
        key=lambda row: (-row[1], row[0]),
    )
    outside = sum(n for zone_id, n in rows if zone_id not in zones)
    counts = [Count(name, n) for name, n in named]
    if outside:
        counts.append(Count(_("Outside the districts"), outside))
    return counts


def _reported_on_walks(session: Session, period: Period, public: dict[int, Category]) -> int:
    return session.exec(
        select(func.count())
        .select_from(Observation)
        .where(
            _in_quarter(Observation.created_at, period),
            col(Observation.category_id).in_(public),
            col(Observation.status).not_in(NOT_COUNTED),
            col(Observation.walk_id).is_not(None),
        )
    ).one()


def _fixes_shown(
    session: Session,
    period: Period,
    public: dict[int, Category],
    zones: dict[int, Zone],
    lang: str,
) -> list[FixShown]:
    """The quarter's fixes whose unit chose to publish the photos, newest first (those with an
    "after" photo only: a before photo alone shows no fix)."""
    has_after = select(Photo.observation_id).where(
        Photo.kind == PhotoKind.after, photo_public.clause()
    )
    rows = session.exec(
        select(Observation.id, Observation.category_id, Observation.zone_id, Observation.fixed_at)
        .where(
            _in_quarter(Observation.fixed_at, period),
            col(Observation.status).in_(FIXED),
            col(Observation.category_id).in_(public),
            col(Observation.photos_published).is_(True),
            col(Observation.id).in_(has_after),
        )
        .order_by(col(Observation.fixed_at).desc(), col(Observation.id).desc())
        .limit(PHOTOS_SHOWN)
    ).all()
    photos: dict[int, list[Photo]] = {}
    for photo in session.exec(
        select(Photo)
        .where(col(Photo.observation_id).in_([row[0] for row in rows]), photo_public.clause())
        .order_by(col(Photo.position), col(Photo.id))
    ).all():
        photos.setdefault(photo.observation_id, []).append(photo)
    shown = []
    for obs_id, category_id, zone_id, fixed_at in rows:
        district = district_of(zone_id, zones)
        mine = photos.get(obs_id, [])
        shown.append(
            FixShown(
                category=public[category_id].name(lang),
                district=district.name if district else None,
                fixed_at=fixed_at,  # type: ignore[arg-type]
                before=photo_public.public_photos(mine, PhotoKind.report),
                after=photo_public.public_photos(mine, PhotoKind.after),
            )
        )
    return shown


def _walks_held(session: Session, period: Period, zones: dict[int, Zone]) -> list[PublicWalk]:
    participants = (
        select(func.count())
        .where(WalkParticipant.walk_id == Walk.id)
        .correlate(Walk)
        .scalar_subquery()
    )
    rows = session.exec(
        select(Walk.title, Walk.starts_at, Walk.zone_id, participants)
        .where(_in_quarter(Walk.starts_at, period), col(Walk.status) != WalkStatus.planned)
        .order_by(col(Walk.starts_at))
    ).all()
    return [_walk(title, at, zone_id, n, zones) for title, at, zone_id, n in rows]


def _walks_coming(session: Session, now: datetime, zones: dict[int, Zone]) -> list[PublicWalk]:
    rows = session.exec(
        select(Walk.title, Walk.starts_at, Walk.zone_id)
        .where(Walk.status == WalkStatus.planned, col(Walk.starts_at) >= now)
        .order_by(col(Walk.starts_at))
        .limit(10)
    ).all()
    return [_walk(title, at, zone_id, None, zones) for title, at, zone_id in rows]


def _walk(
    title: str, at: datetime, zone_id: int | None, n: int | None, zones: dict[int, Zone]
) -> PublicWalk:
    district = district_of(zone_id, zones)
    return PublicWalk(title, at, district.name if district else None, n)
