"""Capturing an observation: the one door for the form, the API and (later) offline sync.

The pipeline reads in order: check the fields -> a replay of a known `client_id` returns the
first observation -> clean and store the photos -> settle the position (the browser's, else
the photo's EXIF) -> place it in its zone -> route it to a unit -> insert it with its photos
and its first history line in one transaction.

A retried submission is stored once: `client_id` is unique in the database, so when two posts
with the same id race, one insert wins and the other finds the winner and returns it. Photo
files are written (content-addressed, atomically) before the row is committed, so a row never
points at a missing file; a lost race leaves at worst a file that is already there.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.i18n import current_language
from app.i18n import gettext as _
from app.models import (
    Category,
    EventKind,
    Observation,
    Photo,
    PhotoKind,
    PhotoReview,
    PositionSource,
    Status,
    Zone,
)
from app.services import (
    daylight,
    lifecycle,
    photo_public,
    photos,
    routing,
    submission,
    walks,
    zones,
)
from app.services.media_store import MediaStore


@dataclass(frozen=True)
class CaptureResult:
    observation: Observation
    created: bool
    # The form named a walk that is closed: stored all the same, without the walk.
    walk_closed: bool = False


def by_client_id(*, session: Session, client_id: uuid.UUID) -> Observation | None:
    return session.exec(select(Observation).where(Observation.client_id == client_id)).first()


def public(*, session: Session, observation_id: int) -> Observation | None:
    """An observation by its public number; private categories are never public."""
    obs = session.get(Observation, observation_id)
    if obs is None or session.get(Category, obs.category_id).private:  # type: ignore[union-attr]
        return None
    return obs


def by_token(*, session: Session, token: str) -> Observation | None:
    if not submission.TOKEN_RE.match(token):
        return None
    return session.exec(select(Observation).where(Observation.token == token)).first()


def by_reference(*, session: Session, reference: str) -> Observation | None:
    """An observation named by staff: its number ("#123" or "123") or its tracking token."""
    reference = reference.strip().lstrip("#")
    if not reference:
        return None
    if reference.isascii() and reference.isdigit() and len(reference) < 10:
        return session.get(Observation, int(reference))
    return by_token(session=session, token=reference)


def photos_of(*, session: Session, observation: Observation) -> Sequence[Photo]:
    return session.exec(
        select(Photo)
        .where(Photo.observation_id == observation.id)
        .order_by(col(Photo.kind), col(Photo.position))
    ).all()


def capture(
    *,
    session: Session,
    raw: Mapping[str, str | None],
    uploads: Sequence[bytes | BinaryIO],
    store: MediaStore,
    limits: photos.PhotoLimits,
    max_photos: int,
    description_max: int,
    api_client_id: int | None = None,
    photo_review: PhotoReview = PhotoReview.pending,
) -> CaptureResult:
    """Store one observation from a submission, once, whatever is retried. `api_client_id`:
    the Open311 client system that posted it, stored in the same transaction. `photo_review`:
    whether the public may see the photos yet (photo_moderation.initial_review)."""
    # A replay returns the first observation even if its fields would no longer pass (a
    # category retired, a limit lowered while the report waited on a phone).
    try:
        replayed = by_client_id(session=session, client_id=uuid.UUID(str(raw.get("client_id"))))
    except ValueError:
        replayed = None
    if replayed is not None:
        closed = (
            bool(replayed.walk_code and replayed.walk_id is None)
            and (walks.walk_for_observation(session=session, code=replayed.walk_code)[1])
        )
        return CaptureResult(replayed, created=False, walk_closed=closed)
    fields = submission.validate(
        raw, session=session, description_max=description_max, has_photos=bool(uploads)
    )

    if len(uploads) > max_photos:
        raise submission.InvalidSubmission(
            {"photo": _("At most %(n)s photos per observation.", n=max_photos)}
        )
    stored: list[photos.StoredPhoto] = []
    for upload in uploads:
        try:
            stored.append(photos.ingest(upload, store=store, limits=limits))
        except photos.PhotoRejected as exc:
            message = submission.photo_message(
                exc.reason,
                max_mb=round(limits.max_bytes / (1024 * 1024), 1),
                max_mp=limits.max_pixels // 1_000_000,
            )
            raise submission.InvalidSubmission(
                {"photo": message}, status_code=exc.status_code
            ) from exc

    lat, lon, source, accuracy = (
        fields.lat,
        fields.lon,
        fields.position_source,
        fields.accuracy_m,
    )
    if lat is None or lon is None:
        from_photo = next((p.exif_position for p in stored if p.exif_position), None)
        if from_photo is None:
            raise submission.InvalidSubmission(
                {"position": _("Where is it? Use your position or tap the map to place the pin.")}
            )
        (lat, lon), source, accuracy = from_photo, PositionSource.photo, None

    walk, walk_closed = walks.walk_for_observation(session=session, code=fields.walk_code)
    # It lies in every zone that covers it; routing and the queue use the innermost district
    # or part of town.
    found = zones.place(session=session, lat=lat, lon=lon)
    zone = zones.innermost(found)
    routed = routing.route(session=session, category=fields.category, zone=zone)
    dark = fields.dark
    if dark is None:
        dark = daylight.is_dark(lat=lat, lon=lon, at=fields.observed_at)

    observation = Observation(
        client_id=fields.client_id,
        token=secrets.token_urlsafe(16),
        category_id=fields.category.id,  # type: ignore[arg-type]
        zone_id=zone.id if zone else None,
        unit_id=routed.unit_id,
        routing_reason=routed.reason,
        lat=lat,
        lon=lon,
        accuracy_m=accuracy,
        position_source=source,
        description=fields.description,
        unsafe_level=fields.unsafe_level,
        dark=dark,
        contact_email=fields.contact_email,
        walk_code=fields.walk_code,
        walk_id=walk.id if walk else None,
        factors=fields.factors,
        language=current_language(),
        observed_at=fields.observed_at,
        api_client_id=api_client_id,
    )
    session.add(observation)
    try:
        session.flush()
        photo_rows = [
            Photo(
                observation_id=observation.id,
                sha256=p.sha256,
                width=p.width,  # type: ignore[arg-type]
                height=p.height,
                position=i,
                kind=PhotoKind.report,
                review=photo_review,
            )
            for i, p in enumerate(stored)
        ]
        session.add_all(photo_rows)
        zones.link(session=session, observation_id=observation.id, found=found)  # type: ignore[arg-type]
        lifecycle.record(
            session=session,
            obs=observation,
            kind=EventKind.status,
            actor=lifecycle.RESIDENT,
            public=True,
            moved_from=None,
            at=observation.created_at,
        )
        session.commit()
    except IntegrityError:
        # Another request with the same client_id won the race: return its observation.
        session.rollback()
        winner = by_client_id(session=session, client_id=fields.client_id)
        if winner is None:
            raise
        return CaptureResult(winner, created=False)
    session.refresh(observation)
    return CaptureResult(observation, created=True, walk_closed=walk_closed)


@dataclass(frozen=True)
class ListedObservation:
    id: int
    status: Status
    category: Category
    zone_name: str | None
    created_at: datetime
    thumb_url: str | None
    description: str


def recent(*, session: Session, limit: int = 50, offset: int = 0) -> list[ListedObservation]:
    """The newest observations for the public list, in three queries whatever the count."""
    rows = session.exec(
        select(Observation, Category, Zone)
        .join(Category, col(Category.id) == Observation.category_id)
        .outerjoin(Zone, col(Zone.id) == Observation.zone_id)
        .where(col(Category.private).is_(False))
        .order_by(col(Observation.created_at).desc(), col(Observation.id).desc())
        .limit(limit)
        .offset(offset)
    ).all()
    ids = [obs.id for obs, _c, _z in rows]
    first_photo: dict[int, str] = {}
    if ids:
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
                first_photo.setdefault(photo.observation_id, shown.thumb_url)
    return [
        ListedObservation(
            id=obs.id,  # type: ignore[arg-type]
            status=obs.status,
            category=cat,
            zone_name=zone.name if zone else None,
            created_at=obs.created_at,
            thumb_url=first_photo.get(obs.id),  # type: ignore[arg-type]
            description=obs.description,
        )
        for obs, cat, zone in rows
    ]
