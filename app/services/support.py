"""\"Me too\": before a resident reports, open reports of the same kind nearby are offered;
backing one adds a supporter instead of a second report, and a walk's participants co-sign
an item the same way. Enough supporters raise a report's priority, since many people feel it.

Only an open, public problem report may be backed: never a private category (its page is not
public either), never a good place (it is kept, not fixed), never a closed report. A number
that may not be backed gets the same answer as a number that does not exist, so the answer
tells nothing about private reports. Each device backs a report once; a device and an address
may back only so many reports an hour (settings `supports_per_*_per_hour`), counted in the
database so that every worker process sees the same count.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app import clock
from app.config import Settings
from app.i18n import gettext as _
from app.models import (
    OPEN_STATES,
    Category,
    CategoryKind,
    EventKind,
    Observation,
    Photo,
    PhotoKind,
    Priority,
    Support,
)
from app.services import categories, duplicates, lifecycle, photo_public

LIMIT_WINDOW = timedelta(hours=1)


class SupportRefused(Exception):
    """Not counted; `message` for the resident, `status_code` for the answer."""

    def __init__(self, message: str, status_code: int = 409) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code


def _not_supportable() -> SupportRefused:
    # One answer for "no such report" and "not one you may back": no oracle for private ones.
    return SupportRefused(
        _("There is no open report with this number to back. Please make a new report instead."),
        status_code=404,
    )


def supportable(obs: Observation, category: Category) -> bool:
    """The rule: open, public, and a problem (not a good place)."""
    return (
        obs.status in OPEN_STATES and category.kind == CategoryKind.problem and not category.private
    )


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
    """Open reports of this kind nearby that a resident may back (none for private kinds or
    good places)."""
    category = categories.by_slug(session=session, slug=category_slug)
    if category is None or category.private or category.kind != CategoryKind.problem:
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
        .where(
            col(Photo.observation_id).in_(ids),
            Photo.kind == PhotoKind.report,
            photo_public.clause(),
        )
        .order_by(col(Photo.position))
    ).all():
        shown = photo_public.shown(photo)
        if shown is not None:
            thumbs.setdefault(photo.observation_id, shown.thumb_url)
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


@dataclass(frozen=True)
class Backing:
    observation: Observation
    counted: bool  # False: this device had backed it already
    device: uuid.UUID  # the id it was counted under (for the device cookie)


def back(
    *,
    session: Session,
    observation_id: int,
    device: uuid.UUID | str,
    address: str,
    unsafe_level: str | None,
    settings: Settings,
    walk_id: int | None = None,
) -> Backing:
    """Count `device` as a supporter of an open, public problem report (on walk `walk_id`
    when given: a participant's co-signing). The same device again changes nothing. Raises
    SupportRefused: 404 for a report that does not exist or may not be backed (the same
    answer), 429 past the hourly limit of the device or the address."""
    return _back(
        session=session,
        observation_id=observation_id,
        device=device,
        address_key=address_key(address, settings.secret_key) if address else "",
        unsafe_level=unsafe_level,
        high_priority_at=settings.supporters_for_high_priority,
        per_device=settings.supports_per_device_per_hour,
        per_address=settings.supports_per_address_per_hour,
        walk_id=walk_id,
    )


def address_key(address: str, secret: str) -> str:
    """A keyed hash of a client address: equal for equal addresses, and the address itself
    is never stored."""
    return hmac.new(secret.encode(), address.encode(), hashlib.sha256).hexdigest()[:32]


def _back(
    *,
    session: Session,
    observation_id: int,
    device: uuid.UUID | str,
    address_key: str,
    unsafe_level: str | None,
    high_priority_at: int,
    per_device: int | None,
    per_address: int | None,
    walk_id: int | None = None,
) -> Backing:
    try:
        device = device if isinstance(device, uuid.UUID) else uuid.UUID(device)
    except ValueError as exc:
        raise SupportRefused(
            _("The form is missing its id. Reload the page and try again.")
        ) from exc
    obs = session.get(Observation, observation_id)
    category = session.get(Category, obs.category_id) if obs else None
    if (
        obs is None
        or category is None
        or not supportable(obs, category)
        or (walk_id is not None and obs.walk_id != walk_id)
    ):
        raise _not_supportable()
    if session.exec(
        select(Support.id).where(Support.observation_id == obs.id, Support.device_id == device)
    ).first():
        return Backing(obs, counted=False, device=device)
    since = clock.now() - LIMIT_WINDOW
    by_device = Support.device_id == device
    if per_device is not None and _given_since(session, by_device, since) >= per_device:
        raise _too_many()
    by_address = Support.address_key == address_key
    if (
        per_address is not None
        and address_key
        and _given_since(session, by_address, since) >= per_address
    ):
        raise _too_many()
    level = (
        int(unsafe_level)
        if unsafe_level and unsafe_level.isascii() and unsafe_level.isdigit()
        else None
    )
    session.add(
        Support(
            observation_id=obs.id,  # type: ignore[arg-type]
            device_id=device,
            address_key=address_key,
            unsafe_level=level if level and 1 <= level <= 5 else None,
        )
    )
    try:
        session.flush()
    except IntegrityError:  # the same device, racing itself
        session.rollback()
        return Backing(obs, counted=False, device=device)
    obs.supporters += 1
    session.add(obs)
    lifecycle.record(session=session, obs=obs, kind=EventKind.support, actor=lifecycle.RESIDENT)
    if obs.supporters >= high_priority_at and obs.priority in (Priority.low, Priority.normal):
        lifecycle.set_priority(
            session=session,
            obs=obs,
            priority=Priority.high,
            actor=lifecycle.SYSTEM,
            reason=f"{obs.supporters} supporters",
            commit=False,
        )
    session.commit()
    session.refresh(obs)
    return Backing(obs, counted=True, device=device)


def _given_since(session: Session, which: ColumnElement[bool], since: datetime) -> int:
    """How many supports matching `which` were given since then."""
    return session.exec(
        select(func.count()).select_from(Support).where(which, col(Support.created_at) >= since)
    ).one()


def _too_many() -> SupportRefused:
    return SupportRefused(
        _("You have backed many reports in a short time. Please wait a while and try again."),
        status_code=429,
    )
