"""\"Me too\": before a resident reports, open reports of the same kind nearby are offered;
backing one adds a supporter (counted once per device) instead of a second report. Enough
supporters raise a report's priority, since many people feel it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.i18n import gettext as _
from app.models import (
    OPEN_STATES,
    Category,
    EventKind,
    Observation,
    ObservationEvent,
    Photo,
    PhotoKind,
    Priority,
    Support,
)
from app.services import categories, duplicates


class SupportRefused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Offer:
    """A nearby open report, as a resident may see it."""

    id: int
    category: Category
    description: str
    distance_m: float
    supporters: int
    thumb_url: str | None


def offers(
    *, session: Session, category_slug: str, lat: float, lon: float, radius_m: float
) -> list[Offer]:
    category = categories.by_slug(session=session, slug=category_slug)
    if category is None or category.private:  # private reports are never shown to residents
        return []
    near = duplicates.nearby(
        session=session,
        lat=lat,
        lon=lon,
        category_id=category.id,  # type: ignore[arg-type]
        radius_m=radius_m,
        limit=5,
    )
    ids = [n.observation.id for n in near]
    thumbs: dict[int, str] = {}
    for photo in session.exec(
        select(Photo)
        .where(col(Photo.observation_id).in_(ids), Photo.kind == PhotoKind.report)
        .order_by(col(Photo.position))
    ).all():
        thumbs.setdefault(photo.observation_id, photo.thumb_url)
    return [
        Offer(
            id=n.observation.id,  # type: ignore[arg-type]
            category=category,
            description=n.observation.description,
            distance_m=n.distance_m,
            supporters=n.observation.supporters,
            thumb_url=thumbs.get(n.observation.id),  # type: ignore[arg-type]
        )
        for n in near
    ]


def add(
    *,
    session: Session,
    observation_id: int,
    client_id: str,
    unsafe_level: str | None,
    high_priority_at: int,
) -> tuple[Observation, bool]:
    """Back an open report; the same device backing it again changes nothing."""
    try:
        device = uuid.UUID(client_id)
    except ValueError as exc:
        raise SupportRefused(
            _("The form is missing its id. Reload the page and try again.")
        ) from exc
    obs = session.get(Observation, observation_id)
    if obs is None:
        raise SupportRefused(_("That report does not exist."))
    if session.exec(select(Support).where(Support.client_id == device)).first():
        return obs, False
    if obs.status not in OPEN_STATES:
        raise SupportRefused(_("That report is closed. Please make a new report instead."))
    level = (
        int(unsafe_level)
        if unsafe_level and unsafe_level.isascii() and unsafe_level.isdigit()
        else None
    )
    session.add(
        Support(
            observation_id=obs.id,
            client_id=device,  # type: ignore[arg-type]
            unsafe_level=level if level and 1 <= level <= 5 else None,
        )
    )
    try:
        session.flush()
    except IntegrityError:  # the same device, racing itself
        session.rollback()
        return obs, False
    obs.supporters += 1
    session.add(
        ObservationEvent(
            observation_id=obs.id,
            kind=EventKind.support,
            actor="resident",  # type: ignore[arg-type]
            from_status=obs.status,
            to_status=obs.status,
            public=False,
        )
    )
    if obs.supporters >= high_priority_at and obs.priority in (Priority.low, Priority.normal):
        session.add(
            ObservationEvent(
                observation_id=obs.id,
                kind=EventKind.priority,
                actor="system",  # type: ignore[arg-type]
                from_status=obs.status,
                to_status=obs.status,
                public=False,
                internal_note=f"{obs.priority} -> {Priority.high} ({obs.supporters} supporters)",
            )
        )
        obs.priority = Priority.high
    session.add(obs)
    session.commit()
    session.refresh(obs)
    return obs, True
