"""The report page's one update form: status, public note (or a canned reply), internal note,
assignee, unit, priority, "handed to", "duplicate of" and the photo after the fix, in one save.

The whole save is one transaction. Each part is checked and applied through the module that
owns its rule (`lifecycle` for status and priority, `routing` for the unit, `assignment` for
the assignee), none of them committing; if any part is refused, the transaction is rolled
back and `UpdateRefused` names the part and says why: nothing is saved, no history line, no
mail. Otherwise each change writes exactly one history line: a status move carries the notes;
without one, the notes make one note line (public when there is a public note, and then the
reporter is mailed as for a move). A field left as the form showed it writes nothing.

A merge (status "duplicate") is made only when confirmed: an unconfirmed one is checked like
the rest, rolled back, and answered with `MergeUnconfirmed`, so the page can show both
reports side by side and ask.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import BinaryIO

from sqlmodel import Session

from app.i18n import gettext as _
from app.models import (
    OPEN_STATES,
    Category,
    EventKind,
    Observation,
    Photo,
    PhotoKind,
    Priority,
    Role,
    StaffUser,
    Status,
    Unit,
    Zone,
)
from app.services import (
    assignment,
    canned_replies,
    lifecycle,
    notifications,
    observations,
    photos,
    routing,
    submission,
    text_input,
    triage,
    visibility,
)
from app.services.media_store import MediaStore

# The statuses a photo "after the fix" belongs to.
FIXED_STATES = frozenset({Status.fixed, Status.verified})
DESK_ROLES = frozenset({Role.triager, Role.admin})


@dataclass(frozen=True)
class UpdateForm:
    """What the form asks for. None (or "") is "leave it as it is"."""

    to: Status | None = None
    note: str = ""  # public: the reporter reads it
    internal_note: str = ""  # staff only
    reply_id: int | None = None  # a canned reply, used when the public note is empty
    assignee: str | None = None  # "none" or a staff id; None when the form had no such field
    unit: str | None = None  # a unit's slug
    priority: Priority | None = None
    handed_to: str = ""
    duplicate_of: str = ""  # a number or a tracking link
    confirmed_merge: bool = False


@dataclass(frozen=True)
class AfterPhoto:
    """The uploaded photo after the fix, and where and how to store it."""

    source: BinaryIO
    store: MediaStore
    limits: photos.PhotoLimits


@dataclass(frozen=True)
class Saved:
    """What the save changed: the kinds of history line it wrote (empty: nothing changed)."""

    lines: tuple[EventKind, ...]


class UpdateRefused(Exception):
    """One part of the form was refused (`field`, with the reason); nothing was saved."""

    def __init__(self, field: str, message: str, status_code: int = 409) -> None:
        super().__init__(message)
        self.field = field
        self.message = message
        self.status_code = status_code


class MergeUnconfirmed(Exception):
    """The form asks for a merge that was not confirmed yet; nothing was saved."""

    def __init__(self, survivor: Observation) -> None:
        super().__init__(f"merge into #{survivor.id}")
        self.survivor = survivor


def save(
    *,
    session: Session,
    obs: Observation,
    actor: StaffUser,
    form: UpdateForm,
    after_photo: AfterPhoto | None = None,
) -> Saved:
    """Apply the whole form in one transaction, or nothing (UpdateRefused, MergeUnconfirmed)."""
    try:
        saved = _apply(session, obs, actor, form, after_photo)
        if form.to == Status.duplicate and not form.confirmed_merge:
            survivor = session.get(Observation, obs.duplicate_of_id)
            raise MergeUnconfirmed(survivor)  # type: ignore[arg-type]
    except lifecycle.TransitionRefused as exc:
        _undo(session, obs)
        raise UpdateRefused("to", exc.message) from exc
    except assignment.AssignmentRefused as exc:
        _undo(session, obs)
        raise UpdateRefused("assignee", exc.message) from exc
    except (UpdateRefused, MergeUnconfirmed):
        _undo(session, obs)
        raise
    session.commit()
    session.refresh(obs)
    return saved


def _undo(session: Session, obs: Observation) -> None:
    session.rollback()
    session.refresh(obs)


def _apply(
    session: Session,
    obs: Observation,
    actor: StaffUser,
    form: UpdateForm,
    after_photo: AfterPhoto | None,
) -> Saved:
    who = lifecycle.Actor.staff(actor)
    note = _public_note(session, obs, form)
    internal_note = text_input.clean(form.internal_note)
    unit = _new_unit(session, obs, actor, form.unit)
    priority = _new_priority(obs, actor, form.priority)
    assignee, reassign = _new_assignee(session, obs, form.assignee)
    survivor = _survivor(session, obs, actor, form)
    if form.handed_to.strip() and form.to != Status.not_ours:
        raise UpdateRefused(
            "handed_to", _("Fill in “handed to” only with the status “handed to another owner”.")
        )
    lines: list[EventKind] = []
    if unit is not None:
        routing.reroute(session=session, obs=obs, unit=unit, actor=who, commit=False)
        lines.append(EventKind.route)
    if priority is not None:
        lifecycle.set_priority(session=session, obs=obs, priority=priority, actor=who, commit=False)
        lines.append(EventKind.priority)
    # A move back into the open states comes before the assignment (only open reports are
    # given to someone); a move out of them after it.
    move_first = form.to is not None and form.to in OPEN_STATES
    if move_first:
        lines.append(_move(session, obs, who, form, note, internal_note, survivor))
    if reassign and assignment.assign(
        session=session, obs=obs, assignee=assignee, actor=actor, commit=False
    ):
        lines.append(EventKind.assign)
    if form.to is not None and not move_first:
        lines.append(_move(session, obs, who, form, note, internal_note, survivor))
    if form.to is None and (note or internal_note):
        event = lifecycle.record(
            session=session,
            obs=obs,
            kind=EventKind.note,
            actor=who,
            note=note,
            internal_note=internal_note,
            public=bool(note),
        )
        lines.append(EventKind.note)
        if note:
            session.flush()
            notifications.status_changed(session=session, obs=obs, event=event)
    if after_photo is not None:
        _add_after_photo(session, obs, after_photo)
    return Saved(lines=tuple(lines))


def _public_note(session: Session, obs: Observation, form: UpdateForm) -> str:
    """The public note as written; when empty, the chosen canned reply in the reporter's
    language (the form's script fills it in the page; this is the same without script)."""
    note = text_input.clean(form.note)
    if form.reply_id is None:
        return note
    reply = canned_replies.usable(
        session=session, reply_id=form.reply_id, category_id=obs.category_id
    )
    if reply is None:
        raise UpdateRefused("reply", _("Choose a reply from the list."))
    return note or reply.body(obs.language)


def _new_unit(
    session: Session, obs: Observation, actor: StaffUser, slug: str | None
) -> Unit | None:
    """The unit to route to, when the form asks for another one."""
    if not slug:
        return None
    current = session.get(Unit, obs.unit_id) if obs.unit_id else None
    if current is not None and current.slug == slug:
        return None
    if actor.role not in DESK_ROLES:
        raise UpdateRefused("unit", _("Only the triage desk can route a report to another unit."))
    unit = triage.unit_by_slug(session=session, slug=slug)
    if unit is None:
        raise UpdateRefused("unit", _("Choose a unit from the list."))
    return unit


def _new_priority(obs: Observation, actor: StaffUser, priority: Priority | None) -> Priority | None:
    if priority is None or priority == obs.priority:
        return None
    if actor.role not in DESK_ROLES:
        raise UpdateRefused("priority", _("Only the triage desk can set the priority."))
    return priority


def _new_assignee(
    session: Session, obs: Observation, value: str | None
) -> tuple[StaffUser | None, bool]:
    """Whom to give it to, and whether that is a change from what the form showed."""
    if value is None:
        return None, False
    wanted = None if value == "none" else int(value)
    if wanted == obs.assignee_id:
        return None, False
    if wanted is None:
        return None, True
    person = assignment.staff_member(session=session, user_id=wanted)
    if person is None or not person.active:
        raise UpdateRefused("assignee", _("Choose a person from the list."))
    return person, True


def _survivor(
    session: Session, obs: Observation, actor: StaffUser, form: UpdateForm
) -> Observation | None:
    """The report named in "duplicate of" (only with the status "merged")."""
    reference = form.duplicate_of.strip()
    if not reference:
        return None
    if form.to != Status.duplicate:
        raise UpdateRefused(
            "duplicate_of",
            _("Fill in “duplicate of” only with the status “merged with another report”."),
        )
    survivor = observations.by_reference(session=session, reference=reference)
    if survivor is None or not visibility.can_see(actor, survivor):
        raise UpdateRefused("duplicate_of", _("No report has this number or tracking link."))
    return survivor


def _move(
    session: Session,
    obs: Observation,
    who: lifecycle.Actor,
    form: UpdateForm,
    note: str,
    internal_note: str,
    survivor: Observation | None,
) -> EventKind:
    lifecycle.transition(
        session=session,
        obs=obs,
        to=form.to,  # type: ignore[arg-type]
        actor=who,
        note=note,
        internal_note=internal_note,
        handed_to=form.handed_to,
        duplicate_of=survivor,
        commit=False,
    )
    return EventKind.status


def _add_after_photo(session: Session, obs: Observation, upload: AfterPhoto) -> None:
    """Store the photo after the fix with the report (it must be fixed by now)."""
    if obs.status not in FIXED_STATES:
        raise UpdateRefused(
            "after_photo", _("Add the photo after the fix when the report is marked fixed.")
        )
    try:
        stored = photos.ingest(upload.source, store=upload.store, limits=upload.limits)
    except photos.PhotoRejected as exc:
        message = submission.photo_message(
            exc.reason,
            max_mb=round(upload.limits.max_bytes / 1048576, 1),
            max_mp=upload.limits.max_pixels // 1_000_000,
        )
        raise UpdateRefused("after_photo", message, exc.status_code) from exc
    taken = [
        p
        for p in observations.photos_of(session=session, observation=obs)
        if p.kind == PhotoKind.after
    ]
    session.add(
        Photo(
            observation_id=obs.id,  # type: ignore[arg-type]
            sha256=stored.sha256,
            width=stored.width,
            height=stored.height,
            position=len(taken),
            kind=PhotoKind.after,
        )
    )


@dataclass(frozen=True)
class MergeSide:
    """One of the two reports on the merge confirmation."""

    obs: Observation
    category: Category
    zone: Zone | None
    photos: Sequence[Photo]


def merge_sides(
    *, session: Session, obs: Observation, actor: StaffUser, into_id: int
) -> tuple[MergeSide, MergeSide]:
    """The report to merge and the one it would join, side by side, when `actor` may merge
    them (UpdateRefused otherwise)."""
    if Status.duplicate not in lifecycle.allowed_moves(obs, lifecycle.Actor.staff(actor)):
        raise UpdateRefused("to", _("This report cannot be merged now."))
    survivor = session.get(Observation, into_id)
    if survivor is None or not visibility.can_see(actor, survivor):
        raise UpdateRefused("duplicate_of", _("No report has this number or tracking link."), 404)
    if survivor.id == obs.id:
        raise UpdateRefused("duplicate_of", _("Choose the observation this one duplicates."))
    return _side(session, obs), _side(session, survivor)


def _side(session: Session, obs: Observation) -> MergeSide:
    return MergeSide(
        obs=obs,
        category=session.get(Category, obs.category_id),  # type: ignore[arg-type]
        zone=session.get(Zone, obs.zone_id) if obs.zone_id else None,
        photos=[
            p
            for p in observations.photos_of(session=session, observation=obs)
            if p.kind == PhotoKind.report
        ],
    )
