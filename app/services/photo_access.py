"""Who may be served which photo file: the one rule the media route asks.

Stub of the foundation commit: any file that a photo row names is served to anyone (as the
old /media folder did). The moderation work replaces it with the real rule: staff who may see
the observation get the original; the public gets only a photo whose review is `public`, of a
category that is not private, and then its blurred copy when it has one.
"""

from __future__ import annotations

from sqlalchemy import or_
from sqlmodel import Session, col, select

from app.models import Photo, StaffUser


def may_serve(session: Session, *, sha256: str, viewer: StaffUser | None) -> bool:
    """True when the file with this content hash (photo or its thumbnail) may go to `viewer`
    (None: a member of the public)."""
    found = session.exec(
        select(Photo.id)
        .where(or_(col(Photo.sha256) == sha256, col(Photo.public_sha256) == sha256))
        .limit(1)
    ).first()
    return found is not None
