"""What the public may see of an observation, as shapes that hold nothing else.

A status page used to get whole history rows, and only its template kept the actor and the
internal note off the page: one careless `{{ event.internal_note }}` would have published them.
Here the public pages get shapes built field by field: `PublicEvent(at, status, note)` for each
history line marked public (its public note only), `PublicObservation` for the page, and
`Backed` for the "me too" answer, `Receipt` for the thank-you after a capture. What is not in
these classes cannot reach a public template.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from app.i18n import current_language
from app.models import (
    Category,
    Observation,
    ObservationEvent,
    PhotoKind,
    PhotoReview,
    PositionSource,
    Status,
    Unit,
    Zone,
)
from app.services import observations, photo_public
from app.services.photo_public import PublicPhoto


@dataclass(frozen=True)
class PublicEvent:
    """One line of the public history: when, the status it moved to, the note for the public."""

    at: datetime
    status: Status
    note: str


@dataclass(frozen=True)
class PublicObservation:
    """An observation's status page: public fields and the public history, nothing else
    (no contact, no assignee, no internal note, no actor, no token)."""

    id: int
    status: Status
    category: Category
    zone_name: str | None
    unit_name: str | None
    lat: float
    lon: float
    accuracy_m: float | None
    position_source: PositionSource
    description: str
    unsafe_level: int | None
    dark: bool
    created_at: datetime
    photos: Sequence[PublicPhoto]  # the resident's, those the public may see
    after_photos: Sequence[PublicPhoto]  # the unit's, of the fix
    history: Sequence[PublicEvent]
    joined_id: int | None = None  # merged: the public report it joined
    photos_waiting: int = 0  # the resident's photos staff have not looked at yet


@dataclass(frozen=True)
class Backed:
    """The answer to a "me too": which report, and how many back it now."""

    id: int
    supporters: int


def public_history(*, session: Session, obs: Observation) -> list[PublicEvent]:
    """The history lines marked public, oldest first, with their public note only."""
    rows = session.exec(
        select(ObservationEvent.at, ObservationEvent.to_status, ObservationEvent.note)
        .where(ObservationEvent.observation_id == obs.id, col(ObservationEvent.public).is_(True))
        .order_by(col(ObservationEvent.at), col(ObservationEvent.id))
    ).all()
    return [PublicEvent(at=at, status=Status(status), note=note) for at, status, note in rows]


def observation(*, session: Session, obs: Observation) -> PublicObservation:
    """The status page's shape of an observation."""
    zone = session.get(Zone, obs.zone_id) if obs.zone_id else None
    unit = session.get(Unit, obs.unit_id) if obs.unit_id else None
    category = session.get(Category, obs.category_id)
    # A private category's photos are never served outside staff (photo_access): its
    # tracking page names none.
    photos = (
        []
        if category is None or category.private
        else observations.photos_of(session=session, observation=obs)
    )
    return PublicObservation(
        id=obs.id,  # type: ignore[arg-type]
        status=obs.status,
        category=category,  # type: ignore[arg-type]
        zone_name=zone.name if zone else None,
        unit_name=unit.name(current_language()) if unit else None,
        lat=obs.lat,
        lon=obs.lon,
        accuracy_m=obs.accuracy_m,
        position_source=obs.position_source,
        description=obs.description,
        unsafe_level=obs.unsafe_level,
        dark=obs.dark,
        created_at=obs.created_at,
        photos=photo_public.public_photos(photos, PhotoKind.report),
        after_photos=photo_public.public_photos(photos, PhotoKind.after),
        history=public_history(session=session, obs=obs),
        joined_id=_joined(session, obs),
        photos_waiting=sum(p.review == PhotoReview.pending for p in photos),
    )


@dataclass(frozen=True)
class Receipt:
    """The thank-you right after a capture: the report's number, kind and place. Only what that
    answer shows, so a capture reads two rows more, not the status page's six queries."""

    id: int
    category: Category
    zone_name: str | None
    position_source: PositionSource
    created_at: datetime


def receipt(*, session: Session, obs: Observation) -> Receipt:
    """The thank-you's shape of a report just stored (or a replay of one)."""
    zone = session.get(Zone, obs.zone_id) if obs.zone_id else None
    return Receipt(
        id=obs.id,  # type: ignore[arg-type]
        category=session.get(Category, obs.category_id),  # type: ignore[arg-type]
        zone_name=zone.name if zone else None,
        position_source=obs.position_source,
        created_at=obs.created_at,
    )


def _joined(session: Session, obs: Observation) -> int | None:
    """The report a merged one joined, when that one has a public page."""
    if obs.status != Status.duplicate or obs.duplicate_of_id is None:
        return None
    survivor = observations.public(session=session, observation_id=obs.duplicate_of_id)
    return survivor.id if survivor else None


def backed(obs: Observation) -> Backed:
    """The "me too" answer's shape of the report that was backed."""
    return Backed(id=obs.id, supporters=obs.supporters)  # type: ignore[arg-type]
