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

import math
import re
import secrets
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import BinaryIO

from babel.numbers import format_decimal
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app import clock
from app.i18n import current_language
from app.i18n import gettext as _
from app.models import (
    Category,
    CategoryKind,
    EventKind,
    Observation,
    ObservationEvent,
    Photo,
    PhotoKind,
    PositionSource,
    Status,
    Unit,
    Zone,
)
from app.services import categories, daylight, lifecycle, photos, routing, text_input, walks, zones

EMAIL_RE = re.compile(r"^[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"']+$")
WALK_CODE_RE = re.compile(r"^[A-Za-z0-9-]{3,32}$")
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
# An observation kept offline may be sent days later; older claims are not believed.
OBSERVED_AT_MAX_AGE = timedelta(days=30)


class InvalidSubmission(Exception):
    """What is wrong, field by field, in words for the resident."""

    def __init__(self, errors: dict[str, str], status_code: int = 422) -> None:
        super().__init__(errors)
        self.errors = errors
        self.status_code = status_code


@dataclass(frozen=True)
class Submission:
    client_id: uuid.UUID
    category: Category
    lat: float | None
    lon: float | None
    accuracy_m: float | None
    position_source: PositionSource
    description: str
    unsafe_level: int | None
    dark: bool | None
    contact_email: str | None
    walk_code: str | None
    factors: str
    observed_at: datetime


@dataclass(frozen=True)
class CaptureResult:
    observation: Observation
    created: bool
    # The form named a walk that is closed: stored all the same, without the walk.
    walk_closed: bool = False


def photo_message(reason: str, *, max_mb: float, max_mp: int) -> str:
    messages = {
        "empty": _("The photo is empty. Take it again or choose another one."),
        "too_big": _(
            "The photo is larger than %(mb)s MB. Choose a smaller one.",
            mb=format_decimal(max_mb, locale=current_language()),
        ),
        "too_many_pixels": _(
            "The photo has more than %(mp)s megapixels. Choose a smaller one.", mp=max_mp
        ),
        "not_an_image": _("That file is not a photo we can read. Use JPEG, PNG, WebP or HEIC."),
        "damaged": _("The photo is damaged or incomplete. Take it again or choose another one."),
    }
    return messages.get(reason, messages["damaged"])


def validate(
    raw: Mapping[str, str | None],
    *,
    session: Session,
    description_max: int,
    has_photos: bool = False,
    now: datetime | None = None,
) -> Submission:
    """Parse the submitted fields, or raise InvalidSubmission with a message for each bad one."""
    now = now or clock.now()
    errors: dict[str, str] = {}

    def text(name: str) -> str:
        # Control characters (NUL breaks PostgreSQL) are never meant: drop them, keep newlines.
        return text_input.clean(raw.get(name) or "")

    client_id: uuid.UUID | None = None
    try:
        client_id = uuid.UUID(text("client_id"))
    except ValueError:
        errors["client_id"] = _("The form is missing its id. Reload the page and try again.")

    category = categories.by_slug(session=session, slug=text("category") or "-")
    if category is None:
        errors["category"] = _("Choose what kind of place this is.")

    lat = _number(text("lat"))
    lon = _number(text("lon"))
    if (text("lat") or text("lon")) and (
        lat is None or lon is None or not (-90 <= lat <= 90) or not (-180 <= lon <= 180)
    ):
        errors["position"] = _("The position is not valid. Tap the map where the place is.")
        lat = lon = None

    elif lat is None and not has_photos:
        # With a photo, its EXIF position may still serve; that is checked once it is read.
        errors["position"] = _("Where is it? Use your position or tap the map to place the pin.")

    accuracy = _number(text("accuracy_m"))
    if text("accuracy_m") and (accuracy is None or not 0 <= accuracy <= 1_000_000):
        accuracy = None  # a nonsense accuracy is dropped, not held against the resident
    source_raw = text("position_source")
    if source_raw in (PositionSource.gps, PositionSource.map):
        source = PositionSource(source_raw)
    else:
        source = PositionSource.gps if accuracy is not None else PositionSource.map
    if source == PositionSource.map:
        accuracy = None  # a hand-placed pin has no measured accuracy

    description = text("description")
    if len(description) > description_max:
        errors["description"] = _(
            "The text is too long: at most %(n)s characters.", n=description_max
        )

    unsafe_level: int | None = None
    if text("unsafe_level"):
        try:
            unsafe_level = int(text("unsafe_level"))
        except ValueError:
            unsafe_level = 0
        if not 1 <= unsafe_level <= 5:
            errors["unsafe_level"] = _("Choose how unsafe it feels, from 1 to 5.")
            unsafe_level = None

    dark = {
        "dark": True,
        "1": True,
        "true": True,
        "daylight": False,
        "0": False,
        "false": False,
    }.get(text("dark").lower())
    if text("dark") and dark is None:
        errors["dark"] = _("Choose dark or daylight.")

    email = text("contact_email") or None
    if email and (len(email) > 320 or not EMAIL_RE.match(email)):
        errors["contact_email"] = _("That e-mail address does not look right.")

    walk_code = text("walk_code").upper() or None
    if walk_code and not WALK_CODE_RE.match(walk_code):
        errors["walk_code"] = _("That walk code is not valid.")

    observed_at = now
    if text("observed_at"):
        try:
            observed_at = datetime.fromisoformat(text("observed_at").replace("Z", "+00:00"))
            if observed_at.tzinfo is None:
                raise ValueError
            observed_at = min(observed_at.astimezone(UTC), now)
            if observed_at < now - OBSERVED_AT_MAX_AGE:
                observed_at = now
        except (ValueError, OverflowError):  # not a date, or a year at the edge of time
            observed_at = now

    if errors:
        raise InvalidSubmission(errors)
    assert client_id is not None and category is not None
    return Submission(
        client_id=client_id,
        category=category,
        lat=lat,
        lon=lon,
        accuracy_m=accuracy,
        position_source=source,
        description=description,
        unsafe_level=unsafe_level if category.kind == CategoryKind.problem else None,
        dark=dark,
        contact_email=email,
        walk_code=walk_code,
        factors=walks.parse_factors(text("factors").split(","))
        if category.kind == CategoryKind.problem
        else "",
        observed_at=observed_at,
    )


def _number(value: str) -> float | None:
    try:
        number = float(value.replace(",", "."))
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def by_client_id(*, session: Session, client_id: uuid.UUID) -> Observation | None:
    return session.exec(select(Observation).where(Observation.client_id == client_id)).first()


def public(*, session: Session, observation_id: int) -> Observation | None:
    """An observation by its public number; private categories are never public."""
    obs = session.get(Observation, observation_id)
    if obs is None or session.get(Category, obs.category_id).private:  # type: ignore[union-attr]
        return None
    return obs


def by_token(*, session: Session, token: str) -> Observation | None:
    if not TOKEN_RE.match(token):
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
    media_dir: Path,
    limits: photos.PhotoLimits,
    max_photos: int,
    description_max: int,
) -> CaptureResult:
    """Store one observation from a submission, once, whatever is retried."""
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
    submission = validate(
        raw, session=session, description_max=description_max, has_photos=bool(uploads)
    )

    if len(uploads) > max_photos:
        raise InvalidSubmission({"photo": _("At most %(n)s photos per observation.", n=max_photos)})
    stored: list[photos.StoredPhoto] = []
    for upload in uploads:
        try:
            stored.append(photos.ingest(upload, media_dir=media_dir, limits=limits))
        except photos.PhotoRejected as exc:
            message = photo_message(
                exc.reason,
                max_mb=round(limits.max_bytes / (1024 * 1024), 1),
                max_mp=limits.max_pixels // 1_000_000,
            )
            raise InvalidSubmission({"photo": message}, status_code=exc.status_code) from exc

    lat, lon, source, accuracy = (
        submission.lat,
        submission.lon,
        submission.position_source,
        submission.accuracy_m,
    )
    if lat is None or lon is None:
        from_photo = next((p.exif_position for p in stored if p.exif_position), None)
        if from_photo is None:
            raise InvalidSubmission(
                {"position": _("Where is it? Use your position or tap the map to place the pin.")}
            )
        (lat, lon), source, accuracy = from_photo, PositionSource.photo, None

    walk, walk_closed = walks.walk_for_observation(session=session, code=submission.walk_code)
    zone = zones.place(session=session, lat=lat, lon=lon)
    routed = routing.route(session=session, category=submission.category, zone=zone)
    dark = submission.dark
    if dark is None:
        dark = daylight.is_dark(lat=lat, lon=lon, at=submission.observed_at)

    observation = Observation(
        client_id=submission.client_id,
        token=secrets.token_urlsafe(16),
        category_id=submission.category.id,  # type: ignore[arg-type]
        zone_id=zone.id if zone else None,
        unit_id=routed.unit_id,
        routing_reason=routed.reason,
        lat=lat,
        lon=lon,
        accuracy_m=accuracy,
        position_source=source,
        description=submission.description,
        unsafe_level=submission.unsafe_level,
        dark=dark,
        contact_email=submission.contact_email,
        walk_code=submission.walk_code,
        walk_id=walk.id if walk else None,
        factors=submission.factors,
        language=current_language(),
        observed_at=submission.observed_at,
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
            )
            for i, p in enumerate(stored)
        ]
        session.add_all(photo_rows)
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
        winner = by_client_id(session=session, client_id=submission.client_id)
        if winner is None:
            raise
        return CaptureResult(winner, created=False)
    session.refresh(observation)
    return CaptureResult(observation, created=True, walk_closed=walk_closed)


@dataclass(frozen=True)
class ObservationView:
    """What a public page may show of an observation: plain public fields only, so nothing
    personal (the reporter's contact, a unit's address) can reach a template by accident."""

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
    photos: Sequence[Photo]  # the resident's
    after_photos: Sequence[Photo]  # the unit's, of the fix
    history: Sequence[ObservationEvent]


def public_view(*, session: Session, observation: Observation) -> ObservationView:
    zone = session.get(Zone, observation.zone_id) if observation.zone_id else None
    unit = session.get(Unit, observation.unit_id) if observation.unit_id else None
    all_photos = photos_of(session=session, observation=observation)
    history = session.exec(
        select(ObservationEvent)
        .where(ObservationEvent.observation_id == observation.id, ObservationEvent.public)
        .order_by(col(ObservationEvent.at), col(ObservationEvent.id))
    ).all()
    return ObservationView(
        id=observation.id,  # type: ignore[arg-type]
        status=observation.status,
        category=session.get(Category, observation.category_id),  # type: ignore[arg-type]
        zone_name=zone.name if zone else None,
        unit_name=unit.name(current_language()) if unit else None,
        lat=observation.lat,
        lon=observation.lon,
        accuracy_m=observation.accuracy_m,
        position_source=observation.position_source,
        description=observation.description,
        unsafe_level=observation.unsafe_level,
        dark=observation.dark,
        created_at=observation.created_at,
        photos=[p for p in all_photos if p.kind == PhotoKind.report],
        after_photos=[p for p in all_photos if p.kind == PhotoKind.after],
        history=history,
    )


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
            .where(col(Photo.observation_id).in_(ids), Photo.kind == PhotoKind.report)
            .order_by(col(Photo.position))
        ).all():
            first_photo.setdefault(photo.observation_id, photo.thumb_url)
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
