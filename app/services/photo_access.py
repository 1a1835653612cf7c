"""Who may be served which photo file: the one rule the media route asks.

Staff who may see the observation (services/visibility) get its originals and blurred copies.
Anyone else (the public, and staff such as planners or walk leaders who do not work on that
observation) gets a file only as `photo_public` shows it: a photo whose review is `public`, of
an observation whose category is not private, and then only the blurred copy when there is
one: the original of a blurred photo is never public. A thumbnail follows its photo (same hash).

Files are content-addressed, so one file may belong to several rows: it is served when any row
allows it. One query, on the indexed sha256 / public_sha256 columns.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, or_
from sqlmodel import Session, col, select

from app.models import Category, Observation, Photo, StaffUser
from app.services import photo_public, visibility


def _public_file(sha256: str) -> ColumnElement[bool]:
    """The rows whose public face is this file, of a category the public may see."""
    return and_(
        photo_public.clause(),
        col(Category.private).is_(False),
        or_(
            col(Photo.public_sha256) == sha256,
            and_(col(Photo.public_sha256).is_(None), col(Photo.sha256) == sha256),
        ),
    )


def may_serve(session: Session, *, sha256: str, viewer: StaffUser | None) -> bool:
    """True when the file with this content hash (photo or its thumbnail) may go to `viewer`
    (None: a member of the public)."""
    allowed = _public_file(sha256)
    if viewer is not None:
        staff_file = or_(col(Photo.sha256) == sha256, col(Photo.public_sha256) == sha256)
        allowed = or_(and_(visibility.clause(viewer), staff_file), allowed)
    found = session.exec(
        select(Photo.id)
        .join(Observation, col(Observation.id) == Photo.observation_id)
        .join(Category, col(Category.id) == Observation.category_id)
        .where(allowed)
        .limit(1)
    ).first()
    return found is not None
