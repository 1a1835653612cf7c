"""The triage desk's view of one observation, and its status moves (one, or several at once).

Priority and history rows are `lifecycle`'s; giving work to someone is `assignment`'s."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from app.models import (
    OPEN_STATES,
    Category,
    Observation,
    ObservationEvent,
    Photo,
    PhotoKind,
    StaffUser,
    Status,
    Unit,
    Zone,
)
from app.services import assignment, duplicates, lifecycle, observations, open311_keys, photos


@dataclass(frozen=True)
class StaffView:
    """Everything staff may see of an observation, including the reporter's contact."""

    obs: Observation
    category: Category
    zone: Zone | None
    unit: Unit | None
    photos: Sequence[Photo]  # the resident's
    after_photos: Sequence[Photo]  # taken when it was fixed
    history: Sequence[tuple[ObservationEvent, str]]  # with the actor's display name
    moves: list[Status]
    due_at: datetime
    overdue: bool
    duplicate_of: Observation | None
    possible_duplicates: list[duplicates.Nearby]
    assignee: StaffUser | None
    assignable: list[StaffUser]  # whom the viewer may give it to
    api_client: str | None = None  # the client system that posted it through Open311


def staff_view(
    *,
    session: Session,
    obs: Observation,
    actor: StaffUser,
    due_at: datetime,
    now: datetime,
    duplicate_radius_m: float,
) -> StaffView:
    events = session.exec(
        select(ObservationEvent)
        .where(ObservationEvent.observation_id == obs.id)
        .order_by(col(ObservationEvent.at), col(ObservationEvent.id))
    ).all()
    all_photos = observations.photos_of(session=session, observation=obs)
    return StaffView(
        obs=obs,
        category=session.get(Category, obs.category_id),  # type: ignore[arg-type]
        zone=session.get(Zone, obs.zone_id) if obs.zone_id else None,
        unit=session.get(Unit, obs.unit_id) if obs.unit_id else None,
        photos=[p for p in all_photos if p.kind == PhotoKind.report],
        after_photos=[p for p in all_photos if p.kind == PhotoKind.after],
        history=[(event, event.actor or "") for event in events],
        moves=lifecycle.allowed_moves(obs, lifecycle.Actor.staff(actor)),
        due_at=due_at,
        overdue=obs.status in OPEN_STATES and due_at < now,
        duplicate_of=session.get(Observation, obs.duplicate_of_id) if obs.duplicate_of_id else None,
        possible_duplicates=duplicates.nearby(
            session=session,
            lat=obs.lat,
            lon=obs.lon,
            category_id=obs.category_id,
            radius_m=duplicate_radius_m,
            exclude_id=obs.id,
        )
        if obs.status in OPEN_STATES
        else [],
        assignee=session.get(StaffUser, obs.assignee_id) if obs.assignee_id else None,
        assignable=assignment.assignable(obs, actor, assignment.staff(session=session)),
        api_client=open311_keys.name_of(session=session, client_id=obs.api_client_id),
    )


def units(*, session: Session) -> Sequence[Unit]:
    return session.exec(select(Unit).order_by(Unit.name_en)).all()


def by_id(*, session: Session, observation_id: int) -> Observation | None:
    return session.get(Observation, observation_id)


def unit_by_slug(*, session: Session, slug: str) -> Unit | None:
    return session.exec(select(Unit).where(Unit.slug == slug)).first()


def move(
    *,
    session: Session,
    obs: Observation,
    to: Status,
    actor: StaffUser,
    note: str = "",
    internal_note: str = "",
    handed_to: str = "",
    duplicate_of: Observation | None = None,
    after_photo: photos.StoredPhoto | None = None,
) -> None:
    """A status move from the triage desk, with the "after" photo of a fix in the same
    transaction (raises lifecycle.TransitionRefused)."""
    lifecycle.transition(
        session=session,
        obs=obs,
        to=to,
        actor=lifecycle.Actor.staff(actor),
        note=note,
        internal_note=internal_note,
        handed_to=handed_to,
        duplicate_of=duplicate_of,
        commit=False,
    )
    if after_photo is not None:
        position = len(
            [
                p
                for p in observations.photos_of(session=session, observation=obs)
                if p.kind == PhotoKind.after
            ]
        )
        session.add(
            Photo(
                observation_id=obs.id,
                sha256=after_photo.sha256,  # type: ignore[arg-type]
                width=after_photo.width,
                height=after_photo.height,
                position=position,
                kind=PhotoKind.after,
            )
        )
    session.commit()
    session.refresh(obs)


@dataclass(frozen=True)
class BulkResult:
    moved: list[int]
    refused: dict[int, str]


def bulk_move(*, session: Session, ids: list[int], to: Status, actor: StaffUser) -> BulkResult:
    """The same move for several observations; each is checked on its own (role, unit, state)
    and the refused ones are listed with their reason."""
    moved: list[int] = []
    refused: dict[int, str] = {}
    for obs_id in dict.fromkeys(ids):  # once each, in the order given
        obs = session.get(Observation, obs_id)
        if obs is None:
            continue
        try:
            lifecycle.transition(
                session=session, obs=obs, to=to, actor=lifecycle.Actor.staff(actor)
            )
            moved.append(obs_id)
        except lifecycle.TransitionRefused as exc:
            session.rollback()
            refused[obs_id] = exc.message
    return BulkResult(moved=moved, refused=refused)
