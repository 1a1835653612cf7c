"""The owning unit's choice to show a fix's before/after photos on the public quarterly page.

A resident's photo is published only when staff who may work on the observation (its unit's
staff, the triage desk, admins: `visibility`) say so, and only for a fix that has its "after"
photo, of a category that is not private. The choice is kept in the observation's history
(staff only), and can be taken back.
"""

from __future__ import annotations

from sqlmodel import Session, select

from app.i18n import gettext as _
from app.models import Category, EventKind, Observation, Photo, PhotoKind, StaffUser, Status
from app.services import lifecycle, visibility

FIXED = (Status.fixed, Status.verified)


class PublishRefused(Exception):
    """Why the photos cannot be shown (or hidden) now, in words for staff."""

    def __init__(self, message: str, status_code: int = 409) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code


def may_publish(*, session: Session, obs: Observation) -> bool:
    """Whether the choice exists for this observation: fixed, with an after photo, public."""
    if obs.status not in FIXED:
        return False
    category = session.get(Category, obs.category_id)
    if category is None or category.private:
        return False
    after = session.exec(
        select(Photo.id).where(Photo.observation_id == obs.id, Photo.kind == PhotoKind.after)
    ).first()
    return after is not None


def set_published(*, session: Session, obs: Observation, actor: StaffUser, published: bool) -> None:
    """Show the photos on the quarterly page (or stop showing them); raises PublishRefused."""
    if not visibility.can_see(actor, obs):
        raise PublishRefused(_("Only the unit that owns it may decide this."), status_code=403)
    if published and not may_publish(session=session, obs=obs):
        raise PublishRefused(
            _("Only a fix with a photo after the fix, of a public category, can be shown.")
        )
    if obs.photos_published == published:
        return
    obs.photos_published = published
    session.add(obs)
    lifecycle.record(
        session=session,
        obs=obs,
        kind=EventKind.note,
        actor=lifecycle.Actor.staff(actor),
        internal_note=_("Before/after photos shown on the quarterly page.")
        if published
        else _("Before/after photos no longer shown on the quarterly page."),
    )
    session.commit()
    session.refresh(obs)
