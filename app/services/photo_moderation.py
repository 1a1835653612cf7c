"""Staff look at residents' photos before the public sees them: approve, hide, or blur a region.

With the setting photo_moderation = "review" (the default) a resident's new photo (the capture
form, a walk participant's, an Open311 client's) is `pending`: only staff who may see the
observation see it. Staff's own photos (after a fix) are public at once. A member of staff who
may work on the observation approves it (public), hides it (staff only), or blurs a region
(faces, number plates): the blurred copy is a new content-addressed file, written through the
media store before the row names it, and from then on it is what the public sees (blurring
publishes it; the original stays for staff). Each decision is a line in the history (staff
only). `photo_public` says what the public sees; `photo_access` serves the files.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from io import BytesIO

from PIL import Image, ImageFilter
from sqlalchemy import ColumnElement
from sqlmodel import Session, col, select

from app import clock
from app.config import Settings
from app.i18n import gettext as _
from app.models import EventKind, Observation, Photo, PhotoReview, StaffUser
from app.services import lifecycle, media_store, photos, visibility

# The smallest region staff may blur, as a fraction of the side: below it a drag was a tap.
MIN_REGION = 0.01


class ModerationRefused(Exception):
    """Why this decision cannot be made, in words for staff."""

    def __init__(self, message: str, status_code: int = 409) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code


@dataclass(frozen=True)
class Region:
    """A rectangle on the photo in fractions of its width and height (0..1), from its top left."""

    x: float
    y: float
    w: float
    h: float

    @classmethod
    def checked(cls, x: float, y: float, w: float, h: float) -> Region:
        """The region clipped to the photo; ModerationRefused when nothing of it is left."""
        values = (x, y, w, h)
        if any(v != v or v in (float("inf"), float("-inf")) for v in values):  # NaN or infinite
            raise ModerationRefused(_("The region to blur is not a rectangle on the photo."), 422)
        left, top = max(0.0, x), max(0.0, y)
        right, bottom = min(1.0, x + w), min(1.0, y + h)
        if right - left < MIN_REGION or bottom - top < MIN_REGION:
            raise ModerationRefused(_("The region to blur is not a rectangle on the photo."), 422)
        return cls(left, top, right - left, bottom - top)


def initial_review(settings: Settings) -> PhotoReview:
    """The review a resident's new photo starts with."""
    return PhotoReview.pending if settings.photo_moderation == "review" else PhotoReview.public


def waiting_clause() -> ColumnElement[bool]:
    """Observations with a photo waiting for moderation (the queue's filter), for a query over
    Observation."""
    return col(Observation.id).in_(
        select(Photo.observation_id).where(col(Photo.review) == PhotoReview.pending)
    )


def photo_of(*, session: Session, obs: Observation, photo_id: int) -> Photo:
    """One of this observation's photos; ModerationRefused (404) for any other."""
    photo = session.get(Photo, photo_id)
    if photo is None or photo.observation_id != obs.id:
        raise ModerationRefused(_("This report has no such photo."), 404)
    return photo


def approve(*, session: Session, obs: Observation, photo: Photo, actor: StaffUser) -> None:
    """The public may see the photo (its blurred copy, when there is one)."""
    note = _("Photo %(n)s shown to the public.", n=photo.position + 1)
    _decide(session, obs, photo, actor, PhotoReview.public, note)


def hide(*, session: Session, obs: Observation, photo: Photo, actor: StaffUser) -> None:
    """Only staff see the photo from now on."""
    note = _("Photo %(n)s hidden from the public.", n=photo.position + 1)
    _decide(session, obs, photo, actor, PhotoReview.hidden, note)


def blur(
    *,
    session: Session,
    obs: Observation,
    photo: Photo,
    actor: StaffUser,
    region: Region,
    settings: Settings,
) -> None:
    """Blur `region` of what the public sees of the photo (the blurred copy if there is one
    already, so several faces can be blurred one by one) and show that copy to the public,
    unless someone hid the photo: blurring one face does not undo their reason."""
    _check(obs, actor)
    store = media_store.open_store(settings)
    base = photo.public_sha256 or photo.sha256
    try:
        original = store.get(media_store.photo_key(base))
    except media_store.MediaMissing as exc:
        raise ModerationRefused(
            _("The photo's file is missing; it cannot be blurred."), 409
        ) from exc
    picture_bytes, thumb_bytes = blurred(original, region, thumb_px=settings.thumb_max_px)
    digest = hashlib.sha256(picture_bytes).hexdigest()
    # The files first, then the row: a crash in between leaves an unused file, never a row
    # that names a missing one.
    store.put(media_store.photo_key(digest), picture_bytes)
    store.put(media_store.photo_key(digest, thumb=True), thumb_bytes)
    photo.public_sha256 = digest
    _decide(
        session,
        obs,
        photo,
        actor,
        PhotoReview.hidden if photo.review == PhotoReview.hidden else PhotoReview.public,
        _(
            "A region of photo %(n)s blurred; the public sees the blurred copy.",
            n=photo.position + 1,
        ),
    )


def unblur(*, session: Session, obs: Observation, photo: Photo, actor: StaffUser) -> None:
    """Forget the blurred copy. A public photo goes back to waiting for moderation: the
    original was never approved for the public, and someone must say so before it is shown."""
    _check(obs, actor)
    if photo.public_sha256 is None:
        return
    photo.public_sha256 = None
    note = _("Blurred copy of photo %(n)s removed.", n=photo.position + 1)
    review = PhotoReview.pending if photo.review == PhotoReview.public else photo.review
    _decide(session, obs, photo, actor, review, note)


def blurred(jpeg: bytes, region: Region, *, thumb_px: int) -> tuple[bytes, bytes]:
    """The photo with `region` made unreadable, and its thumbnail, as JPEGs without metadata.

    Pixelated into coarse blocks, then blurred with a radius scaled to the region: a blur
    alone can sometimes be undone enough to read a number plate; the blocks throw the detail
    away first."""
    with Image.open(BytesIO(jpeg)) as img:
        picture = img.convert("RGB")
    width, height = picture.size
    box = (
        int(region.x * width),
        int(region.y * height),
        max(int(region.x * width) + 1, round((region.x + region.w) * width)),
        max(int(region.y * height) + 1, round((region.y + region.h) * height)),
    )
    part = picture.crop(box)
    side = min(part.size)
    block = max(4, side // 6)
    small = part.resize(
        (max(1, part.width // block), max(1, part.height // block)), Image.Resampling.BOX
    )
    part = small.resize(part.size, Image.Resampling.NEAREST)
    part = part.filter(ImageFilter.GaussianBlur(radius=max(2.0, block / 2)))
    picture.paste(part, box[:2])
    thumb = picture.copy()
    thumb.thumbnail((thumb_px, thumb_px), Image.Resampling.LANCZOS)
    return _jpeg(picture, photos.JPEG_QUALITY), _jpeg(thumb, photos.THUMB_QUALITY)


def _jpeg(img: Image.Image, quality: int) -> bytes:
    img.info = {}  # nothing of the source's metadata survives
    out = BytesIO()
    img.save(out, "JPEG", quality=quality, progressive=True)
    return out.getvalue()


def _check(obs: Observation, actor: StaffUser) -> None:
    if not visibility.can_see(actor, obs):
        raise ModerationRefused(_("Only staff who work on this report may do this."), 403)


def _decide(
    session: Session,
    obs: Observation,
    photo: Photo,
    actor: StaffUser,
    review: PhotoReview,
    note: str,
) -> None:
    _check(obs, actor)
    photo.review = review
    photo.reviewed_by_id = actor.id
    photo.reviewed_at = clock.now()
    session.add(photo)
    lifecycle.record(
        session=session,
        obs=obs,
        kind=EventKind.note,
        actor=lifecycle.Actor.staff(actor),
        internal_note=note,
    )
    session.commit()
    session.refresh(photo)
