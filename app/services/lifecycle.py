"""The life cycle of an observation: the only code that changes a status.

    new -> triaged -> scheduled -> in_progress -> fixed -> verified
                 \\-> fixed (a quick fix)           fixed/verified -> reopened -> triaged ...
    side exits from the open states: duplicate (merged into another), not_ours (handed to
    another owner, with who), wont_fix (with a reason); a triager can take a side exit back.

`TRANSITIONS` says which moves exist and which roles may make them; admins may make any. A
member of staff moves only what they may see (`visibility`: a unit's staff, what is routed to
their unit). `transition` checks the move, changes the status, and writes the history line
(who, when, from, to, why) in the same transaction: every accepted move leaves an audit
record, a refused one changes nothing.

`record` is the one writer of history rows: capture's first line, status moves, priority,
assignment, re-routing, support and merges all go through it, so each row says the same things
the same way. `set_priority` is the one code that changes a priority.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from app import clock
from app.i18n import gettext as _
from app.models import (
    OPEN_STATES,
    EventKind,
    Observation,
    ObservationEvent,
    Priority,
    Role,
    StaffUser,
    Status,
)
from app.services import notifications, text_input, visibility

T = Role.triager
W = Role.unit_worker

# (from, to) -> the roles that may make the move (admins may make every move).
TRANSITIONS: dict[tuple[Status, Status], frozenset[Role]] = {
    (Status.new, Status.triaged): frozenset({T}),
    (Status.reopened, Status.triaged): frozenset({T}),
    (Status.triaged, Status.scheduled): frozenset({T, W}),
    (Status.reopened, Status.scheduled): frozenset({T, W}),
    (Status.triaged, Status.in_progress): frozenset({T, W}),
    (Status.scheduled, Status.in_progress): frozenset({T, W}),
    (Status.reopened, Status.in_progress): frozenset({T, W}),
    (Status.triaged, Status.fixed): frozenset({T, W}),
    (Status.scheduled, Status.fixed): frozenset({T, W}),
    (Status.in_progress, Status.fixed): frozenset({T, W}),
    (Status.fixed, Status.verified): frozenset({T}),
    (Status.fixed, Status.reopened): frozenset({T}),
    (Status.verified, Status.reopened): frozenset({T}),
    # Side exits, and taking them back when they were a mistake.
    **{
        (s, Status.duplicate): frozenset({T}) for s in (Status.new, Status.triaged, Status.reopened)
    },
    **{(s, Status.not_ours): frozenset({T}) for s in OPEN_STATES},
    **{(s, Status.wont_fix): frozenset({T}) for s in OPEN_STATES},
    **{
        (s, Status.triaged): frozenset({T})
        for s in (Status.duplicate, Status.not_ours, Status.wont_fix)
    },
}


class TransitionRefused(Exception):
    """A move that is not allowed, with the reason in words for the person who tried."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Actor:
    """Who makes a move: a member of staff, or the resident / the system / an outside owner
    answering through their link (`label`)."""

    label: str
    user: StaffUser | None = None
    outside_owner: bool = False

    @classmethod
    def staff(cls, user: StaffUser) -> Actor:
        return cls(label=user.name, user=user)

    @classmethod
    def owner(cls, name: str) -> Actor:
        return cls(label=name, outside_owner=True)


RESIDENT = Actor(label="resident")
SYSTEM = Actor(label="system")


def allowed_moves(obs: Observation, actor: Actor) -> list[Status]:
    """The statuses this actor may move this observation to, in life-cycle order."""
    return [to for to in Status if _refusal(obs, to, actor) is None]


def _refusal(obs: Observation, to: Status, actor: Actor) -> str | None:
    roles = TRANSITIONS.get((obs.status, to))
    if roles is None:
        return _("An observation cannot go from this status to that one.")
    user = actor.user
    if user is None:
        # Residents and the system only ever reopen a fixed item ("it is not fixed").
        if actor.outside_owner:
            # Their one move: "not ours either" gives a report handed to them back to triage.
            if obs.status == Status.not_ours and to == Status.triaged:
                return None
            return _("Only staff can make this change.")
        if to == Status.reopened and obs.status in (Status.fixed, Status.verified):
            return None
        return _("Only staff can make this change.")
    if user.role == Role.admin:
        return None
    if user.role not in roles:
        return _("Your role may not make this change.")
    if not visibility.can_see(user, obs):
        return _("This observation belongs to another unit.")
    return None


def record(
    *,
    session: Session,
    obs: Observation,
    kind: EventKind,
    actor: Actor,
    note: str = "",
    internal_note: str = "",
    public: bool = False,
    moved_from: Status | None = None,
    at: datetime | None = None,
) -> ObservationEvent:
    """Add one history row to the session (the caller commits). A status row says where the
    observation came from (`moved_from`, None for the first row) and where it is now; every
    other row keeps the status it was in. `note` is for residents when `public`;
    `internal_note` is for staff only."""
    event = ObservationEvent(
        observation_id=obs.id,  # type: ignore[arg-type]
        at=at or clock.now(),
        kind=kind,
        actor=actor.label,
        actor_id=actor.user.id if actor.user else None,
        from_status=moved_from if kind == EventKind.status else obs.status,
        to_status=obs.status,
        note=note,
        internal_note=internal_note,
        public=public,
    )
    session.add(event)
    if kind == EventKind.status and obs.status == Status.fixed:
        obs.fixed_at = event.at
        session.add(obs)
    return event


def set_priority(
    *,
    session: Session,
    obs: Observation,
    priority: Priority,
    actor: Actor,
    reason: str = "",
    commit: bool = True,
) -> ObservationEvent | None:
    """Change the priority (and so the due date), with a staff-only history row saying from,
    to and why; nothing is written when it is already that priority."""
    if obs.priority == priority:
        return None
    change = f"{obs.priority} -> {priority}"
    event = record(
        session=session,
        obs=obs,
        kind=EventKind.priority,
        actor=actor,
        internal_note=f"{change} ({reason})" if reason else change,
    )
    obs.priority = priority
    session.add(obs)
    if commit:
        session.commit()
        session.refresh(obs)
    return event


def transition(
    *,
    session: Session,
    obs: Observation,
    to: Status,
    actor: Actor,
    note: str = "",
    internal_note: str = "",
    handed_to: str | None = None,
    duplicate_of: Observation | None = None,
    commit: bool = True,
) -> ObservationEvent:
    """Move `obs` to `to` if `actor` may, and write the history line; else TransitionRefused."""
    refusal = _refusal(obs, to, actor)
    if refusal:
        raise TransitionRefused(refusal)
    note, internal_note = text_input.clean(note), text_input.clean(internal_note)
    if to == Status.wont_fix and not note:
        raise TransitionRefused(_("Say why it will not be fixed: residents see the reason."))
    if to == Status.not_ours:
        if not (handed_to or "").strip():
            raise TransitionRefused(_("Say who it was handed to."))
        obs.handed_to = (handed_to or "").strip()[:200]
    if to == Status.duplicate:
        if duplicate_of is None or duplicate_of.id == obs.id:
            raise TransitionRefused(_("Choose the observation this one duplicates."))
        obs.duplicate_of_id = duplicate_of.id
    elif obs.duplicate_of_id is not None and to == Status.triaged:
        obs.duplicate_of_id = None  # a merge taken back
    now, moved_from = clock.now(), obs.status
    obs.status = to
    obs.status_changed_at = now
    session.add(obs)
    event = record(
        session=session,
        obs=obs,
        kind=EventKind.status,
        actor=actor,
        note=note,
        internal_note=internal_note,
        public=True,
        moved_from=moved_from,
        at=now,
    )
    if to == Status.duplicate and duplicate_of is not None:
        # The survivor carries on: the merged report (and those who backed it) count for it.
        duplicate_of.supporters += 1 + obs.supporters
        session.add(duplicate_of)
        record(
            session=session,
            obs=duplicate_of,
            kind=EventKind.merge,
            actor=actor,
            internal_note=f"#{obs.id}",
            at=now,
        )
    session.flush()
    # In the same transaction: the mail is stored exactly when the move is.
    notifications.status_changed(session=session, obs=obs, event=event)
    if commit:
        session.commit()
        session.refresh(obs)
    return event


def resident_answer(
    *, session: Session, obs: Observation, fixed: bool, note: str = ""
) -> ObservationEvent | None:
    """The reporter's answer to "is it really fixed?": "no" reopens it, with their words, and
    the unit sees it in its queue again; "yes" is kept in the history for the triager."""
    note = text_input.clean(note)[:2000]
    if obs.status not in (Status.fixed, Status.verified):
        raise TransitionRefused(_("This report is not marked as fixed right now."))
    if not fixed:
        return transition(
            session=session,
            obs=obs,
            to=Status.reopened,
            actor=RESIDENT,
            note=note or _("The reporter says it is not fixed."),
        )
    event = record(
        session=session,
        obs=obs,
        kind=EventKind.note,
        actor=RESIDENT,
        internal_note=("The reporter confirms it is fixed. " + note).strip(),
    )
    session.commit()
    return event
