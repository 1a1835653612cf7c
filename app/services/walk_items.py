"""A walk's items: its observations with what the leader, the protocol and the participants see.

The leader and the protocol get `WalkItem` (status, unit, priority, due date); participants get
`ParticipantItem`, a separate shape that has no tracking token, priority or due date, so the
public page cannot show them by accident.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from app.config import Settings
from app.models import (
    Category,
    CategoryKind,
    Observation,
    Photo,
    PhotoKind,
    Priority,
    Status,
    Unit,
    Walk,
    Zone,
)
from app.services import deadlines, photo_public, queue
from app.services.factors import FACTORS
from app.services.photo_public import PublicPhoto

FIXED_STATES = frozenset({Status.fixed, Status.verified})


@dataclass(frozen=True)
class WalkItem:
    """One observation of a walk, as the leader and the protocol show it."""

    id: int
    token: str
    status: Status
    category: Category
    kind: CategoryKind
    unit_name: str | None
    priority: Priority
    due_at: datetime | None
    lat: float
    lon: float
    description: str
    unsafe_level: int | None
    dark: bool
    factors: list[str]
    felt_by: int  # the reporter and everyone who co-signed
    created_at: datetime
    # As the public sees them (photo_public): walk leaders, the protocol and participants are
    # not the staff who moderate, and the protocol is published.
    photos: list[PublicPhoto]
    after_photos: list[PublicPhoto]
    address: str | None = None  # the street address, once the geocoder has found it
    # The district or part of town it lies in, as the queue's district column says it
    # (`queue.joined`: the observation's innermost zone); None outside every district.
    district: str | None = None

    @property
    def fixed(self) -> bool:
        return self.status in FIXED_STATES


@dataclass(frozen=True)
class ParticipantItem:
    """An item as the walk's participants see it to co-sign: what and how many, nothing more."""

    id: int
    category_name: str
    icon: str
    description: str
    felt_by: int
    thumb_url: str | None
    # Where it is (as on the walk's map and the report's public page), for the distance from
    # the participant's phone; the reasons given, to recognise the place.
    lat: float
    lon: float
    factors: tuple[str, ...]


def items(
    *, session: Session, walk_id: int, settings: Settings, lang: str, limit: int = 2000
) -> list[WalkItem]:
    """The walk's observations with what the protocol needs, in three queries."""
    rows = session.exec(
        queue.joined(select(Observation, Category, Unit, Zone.name).select_from(Observation))
        .where(Observation.walk_id == walk_id)
        .order_by(col(Observation.created_at), col(Observation.id))
        .limit(limit)
    ).all()
    ids = [obs.id for obs, *_ in rows]
    by_obs: dict[int, list[Photo]] = {}
    if ids:
        for photo in session.exec(
            select(Photo)
            .where(col(Photo.observation_id).in_(ids), photo_public.clause())
            .order_by(col(Photo.kind), col(Photo.position))
        ).all():
            by_obs.setdefault(photo.observation_id, []).append(photo)
    found = []
    for obs, category, unit, district in rows:
        # A private category's photos are never public (photo_access): none to show.
        photos = [] if category.private else by_obs.get(obs.id, [])  # type: ignore[arg-type]
        problem = category.kind == CategoryKind.problem
        found.append(
            WalkItem(
                id=obs.id,  # type: ignore[arg-type]
                token=obs.token,
                status=obs.status,
                category=category,
                kind=category.kind,
                unit_name=unit.name(lang) if unit else None,
                priority=obs.priority,
                due_at=deadlines.due_at(obs, settings) if problem else None,
                lat=obs.lat,
                lon=obs.lon,
                description=obs.description,
                unsafe_level=obs.unsafe_level,
                dark=obs.dark,
                factors=[f for f in obs.factors.split(",") if f],
                felt_by=1 + obs.supporters,
                created_at=obs.created_at,
                photos=photo_public.public_photos(photos, PhotoKind.report),
                after_photos=photo_public.public_photos(photos, PhotoKind.after),
                address=obs.address or None,
                district=district,
            )
        )
    return found


def items_for_participants(
    *, session: Session, walk: Walk, settings: Settings, lang: str
) -> list[ParticipantItem]:
    """What participants see to co-sign, newest first: problems, never a private category."""
    found = items(session=session, walk_id=walk.id, settings=settings, lang=lang)  # type: ignore[arg-type]
    return [
        ParticipantItem(
            id=i.id,
            category_name=i.category.name(lang),
            icon=i.category.icon,
            description=i.description,
            felt_by=i.felt_by,
            thumb_url=i.photos[0].thumb_url if i.photos else None,
            lat=round(i.lat, 6),
            lon=round(i.lon, 6),
            factors=tuple(i.factors),
        )
        for i in reversed(found)
        if i.kind == CategoryKind.problem and not i.category.private
    ]


@dataclass(frozen=True)
class Summary:
    """How unsafe the area felt, from the walk's problem observations."""

    observations: int
    to_fix: int
    to_keep: int
    rated: int
    mean_unsafe: float | None
    by_level: dict[int, int]  # 1..5 -> how many
    in_dark: int
    factors: list[tuple[str, int]]  # most named first


def summarise(found: Sequence[WalkItem]) -> Summary:
    problems = [i for i in found if i.kind == CategoryKind.problem]
    levels = [i.unsafe_level for i in problems if i.unsafe_level]
    counted = Counter(f for i in problems for f in i.factors)
    return Summary(
        observations=len(found),
        to_fix=len(problems),
        to_keep=len(found) - len(problems),
        rated=len(levels),
        mean_unsafe=round(statistics.fmean(levels), 1) if levels else None,
        by_level={level: levels.count(level) for level in range(1, 6)},
        in_dark=sum(1 for i in problems if i.dark),
        factors=[(f, counted[f]) for f in sorted(FACTORS, key=lambda f: -counted[f]) if counted[f]],
    )
