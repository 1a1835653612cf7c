"""Which photos of an observation the public sees, and at which address: the one choice every
public page, export, PDF and the Open311 API makes through here.

A photo is public once its review is `public` (staff approved it, or it is staff's own, or the
setting photo_moderation is `immediate`); the public then sees its blurred copy when staff made
one, never the original. Public views get a `PublicPhoto`, which carries no address of the
original, so a template cannot show it by mistake. The media route asks `photo_access`, which
says the same in SQL.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import ColumnElement
from sqlmodel import col

from app.models import Photo, PhotoKind, PhotoReview


@dataclass(frozen=True)
class PublicPhoto:
    """A photo as the public sees it (the blurred copy's file when there is one)."""

    sha256: str
    url: str
    thumb_url: str
    width: int
    height: int
    kind: PhotoKind = PhotoKind.report

    def width_within(self, max_px: int) -> int:
        """The width scaled to fit max_px on the long side (as its thumbnail is)."""
        scale = min(1.0, max_px / max(self.width, self.height))
        return max(1, round(self.width * scale))


def photo_url(sha256: str, *, thumb: bool = False) -> str:
    """The media route's address of a stored file (or its thumbnail)."""
    return f"/media/{'thumbs' if thumb else 'photos'}/{sha256[:2]}/{sha256}.jpg"


def is_public(photo: Photo) -> bool:
    return photo.review == PhotoReview.public


def clause() -> ColumnElement[bool]:
    """`is_public` in SQL, for a query over Photo."""
    return col(Photo.review) == PhotoReview.public


def shown(photo: Photo) -> PublicPhoto | None:
    """What the public sees of `photo`: None unless it is public; the blurred copy if any."""
    if not is_public(photo):
        return None
    sha = photo.public_sha256 or photo.sha256
    return PublicPhoto(
        sha256=sha,
        url=photo_url(sha),
        thumb_url=photo_url(sha, thumb=True),
        width=photo.width,
        height=photo.height,
        kind=photo.kind,
    )


def public_photos(photos: Iterable[Photo], kind: PhotoKind | None = None) -> list[PublicPhoto]:
    """The public ones of `photos` (of one kind if given), in their order."""
    found = []
    for photo in photos:
        if kind is not None and photo.kind != kind:
            continue
        public = shown(photo)
        if public is not None:
            found.append(public)
    return found
