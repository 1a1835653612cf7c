"""Assignment: giving an open observation to one member of staff to work on.

Only someone who may work on an observation (`visibility`) may give it, or be given it: the
triage desk gives anything to anyone who works on it; a unit's staff keep it within the unit.
The history keeps who gave it to whom, and the new assignee hears by e-mail.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, col, select

from app.i18n import gettext as _
from app.models import OPEN_STATES, EventKind, Observation, ObservationEvent, Role, StaffUser
from app.services import lifecycle, notifications, visibility

WORKING_ROLES = visibility.WORKING_ROLES


class AssignmentRefused(Exception):
    """The assignment cannot be made; `message` says why, in the user's language."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def staff(*, session: Session) -> Sequence[StaffUser]:
    """Everyone who can be given work, by name (one query for a whole queue page)."""
    return session.exec(
        select(StaffUser)
        .where(col(StaffUser.active).is_(True), col(StaffUser.role).in_(WORKING_ROLES))
        .order_by(StaffUser.name, col(StaffUser.id))
    ).all()


def staff_member(*, session: Session, user_id: int) -> StaffUser | None:
    return session.get(StaffUser, user_id)


def can_work_on(person: StaffUser, obs: Observation) -> bool:
    """Triagers work on anything; a unit's staff on what their unit owns (the one rule)."""
    return visibility.can_see(person, obs)


def assignable(obs: Observation, actor: StaffUser, people: Sequence[StaffUser]) -> list[StaffUser]:
    """Whom `actor` may give `obs` to: nobody once it is closed; a unit worker keeps it
    within the unit."""
    if obs.status not in OPEN_STATES or not can_work_on(actor, obs):
        return []
    return [
        p
        for p in people
        if can_work_on(p, obs) and (actor.role != Role.unit_worker or p.role == Role.unit_worker)
    ]


def assign(
    *,
    session: Session,
    obs: Observation,
    assignee: StaffUser | None,
    actor: StaffUser,
    commit: bool = True,
) -> ObservationEvent | None:
    """Give an open observation to one person (None: to nobody); the history keeps who gave it
    to whom, and the new assignee hears by e-mail. Nothing changes, nothing is written, when it
    is already theirs. Raises AssignmentRefused. With commit=False the caller commits."""
    if obs.status not in OPEN_STATES:
        raise AssignmentRefused(_("Only open observations can be assigned."))
    if not can_work_on(actor, obs):
        raise AssignmentRefused(_("You do not work on this observation."))
    if assignee is not None and assignee not in assignable(obs, actor, [assignee]):
        raise AssignmentRefused(
            _("%(name)s does not work for the unit that owns this observation.", name=assignee.name)
        )
    before = session.get(StaffUser, obs.assignee_id) if obs.assignee_id else None
    if (before.id if before else None) == (assignee.id if assignee else None):
        return None
    obs.assignee_id = assignee.id if assignee else None
    session.add(obs)
    event = lifecycle.record(
        session=session,
        obs=obs,
        kind=EventKind.assign,
        actor=lifecycle.Actor.staff(actor),
        internal_note=f"{_name(before)} \u2192 {_name(assignee)}".strip(),
    )
    if assignee is not None and assignee.id != actor.id:
        notifications.assigned(session=session, obs=obs, assignee=assignee, by=actor)
    if commit:
        session.commit()
        session.refresh(obs)
    return event


def _name(person: StaffUser | None) -> str:
    return person.name if person else ""
