"""Named queue filters, one list per member of staff.

A saved filter is a name and the queue's query string, normalised by the web layer (the
queue's own filter rules parse it, `page` and unknown keys are dropped) before it gets here.
Each person sees, opens and deletes only their own: a filter of someone else's is "not found",
never "forbidden", so its number tells nothing. Names are unique per person, and a person keeps
at most `LIMIT` of them.
"""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from app import clock
from app.i18n import gettext as _
from app.models import SavedFilter, StaffUser

LIMIT = 30  # per person: a list to pick from, not an archive
NAME_MAX = 80  # SavedFilter.name


class Refused(ValueError):
    """The filter cannot be saved; `message` says why in the visitor's language. `conflict`:
    the name is taken or the list is full (the request was fine, the state is not)."""

    def __init__(self, message: str, *, conflict: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.conflict = conflict


def mine(*, session: Session, user: StaffUser) -> list[SavedFilter]:
    """This person's saved filters, by name."""
    return list(
        session.exec(
            select(SavedFilter)
            .where(SavedFilter.user_id == user.id)
            .order_by(func.lower(SavedFilter.name), col(SavedFilter.id))
        ).all()
    )


def get(*, session: Session, user: StaffUser, filter_id: int) -> SavedFilter | None:
    """The saved filter with this number if it is this person's, else None."""
    found = session.get(SavedFilter, filter_id)
    return found if found is not None and found.user_id == user.id else None


def save(*, session: Session, user: StaffUser, name: str, query: str) -> SavedFilter:
    """Keep `query` under `name` for this person; `Refused` when the name is empty, too long
    or taken, or the person already has `LIMIT` filters."""
    name = " ".join(name.split())
    if not name:
        raise Refused(_("Give the filter a name."))
    if len(name) > NAME_MAX:
        raise Refused(_("The name is too long: at most %(n)s characters.", n=NAME_MAX))
    taken = session.exec(
        select(func.count())
        .select_from(SavedFilter)
        .where(SavedFilter.user_id == user.id, func.lower(SavedFilter.name) == name.lower())
    ).one()
    if taken:
        raise Refused(_("You already have a filter called “%(name)s”.", name=name), conflict=True)
    kept = session.exec(
        select(func.count()).select_from(SavedFilter).where(SavedFilter.user_id == user.id)
    ).one()
    if kept >= LIMIT:
        raise Refused(
            _("You can keep at most %(n)s filters. Delete one you no longer use.", n=LIMIT),
            conflict=True,
        )
    saved = SavedFilter(user_id=user.id, name=name, query=query, created_at=clock.now())  # type: ignore[arg-type]
    session.add(saved)
    try:
        session.commit()
    except IntegrityError as exc:  # the same name saved twice at once (two tabs)
        session.rollback()
        message = _("You already have a filter called “%(name)s”.", name=name)
        raise Refused(message, conflict=True) from exc
    session.refresh(saved)
    return saved


def delete(*, session: Session, user: StaffUser, filter_id: int) -> bool:
    """Delete this person's filter; False when they have none with this number."""
    found = get(session=session, user=user, filter_id=filter_id)
    if found is None:
        return False
    session.delete(found)
    session.commit()
    return True
