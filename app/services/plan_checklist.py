"""A plan's safety checklist: every recurring spot and every open problem in the plan area
becomes a line that the planner marks "addressed in the plan", "not relevant" or "to handle
outside the plan", with a note.

`sync` reads the area afresh and makes the lines agree with it: a new spot or problem gets a
line, a line that is still there keeps its decision (a spot is known by its oldest report, a
problem by its id), and a line whose subject has gone (fixed, or no longer recurring) is kept
with its decision and marked as no longer in the area, so that a decision is never lost.
Private categories never become lines (planners see them only as counts).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app import clock
from app.i18n import gettext as _
from app.models import (
    OPEN_STATES,
    Category,
    CategoryKind,
    Observation,
    PlanCase,
    PlanChecklistLine,
    PlanDecision,
    StaffUser,
)
from app.services import plan_cases, recurring, text_input
from app.services.area import Scope
from app.services.planning_filters import Filters

NOTE_MAX = 2000
DESCRIPTION_MAX = 300
SPOT = "spot"
PROBLEM = "problem"


class InvalidMark(ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Subject:
    """What a line is about, as the area has it now."""

    key: str
    kind: str
    lat: float
    lon: float
    count: int
    months: int
    first_on: object
    last_on: object
    categories: str
    status: str = ""
    description: str = ""
    observation_id: int | None = None


def subjects(
    *, session: Session, scope: Scope, spots: list[recurring.RecurringSpot] | None = None
) -> list[Subject]:
    """The area's recurring spots (most reported first), then its open problems (oldest
    first) that are not part of a spot: the spot's line speaks for its reports. `spots`, when
    the caller has them already (unfiltered, the default distance), are not counted again."""
    if spots is None:
        spots = recurring.spots(session=session, scope=scope, filters=Filters())
    in_spots = {i for spot in spots for i in spot.observation_ids}
    found = [
        Subject(
            key=spot.key,
            kind=SPOT,
            lat=spot.lat,
            lon=spot.lon,
            count=spot.count,
            months=spot.months,
            first_on=spot.first,
            last_on=spot.last,
            categories=",".join(spot.categories)[:400],
        )
        for spot in spots
    ]
    rows = session.exec(
        select(Observation, Category.slug)
        .join(Category, Category.id == Observation.category_id)  # type: ignore[arg-type]
        .where(
            scope.clause(),
            col(Observation.status).in_(sorted(OPEN_STATES)),
            col(Category.kind) == CategoryKind.problem,
            ~col(Category.private),
        )
        .order_by(col(Observation.created_at), col(Observation.id))
    ).all()
    for obs, slug in rows:
        if obs.id in in_spots:
            continue
        day = obs.created_at.date()
        found.append(
            Subject(
                key=f"obs-{obs.id}",
                kind=PROBLEM,
                lat=obs.lat,
                lon=obs.lon,
                count=1,
                months=1,
                first_on=day,
                last_on=day,
                categories=slug,
                status=str(obs.status),
                description=" ".join(obs.description.split())[:DESCRIPTION_MAX],
                observation_id=obs.id,
            )
        )
    return found


def lines(*, session: Session, case: PlanCase) -> list[PlanChecklistLine]:
    """The lines as stored: those in the area first (spots, then problems), then the gone."""
    found = session.exec(
        select(PlanChecklistLine)
        .where(PlanChecklistLine.plan_case_id == case.id)
        .order_by(col(PlanChecklistLine.id))
    ).all()
    return sorted(found, key=lambda line: (not line.in_area, line.kind != SPOT, line.id))


def sync(
    *,
    session: Session,
    case: PlanCase,
    spots: list[recurring.RecurringSpot] | None = None,
) -> list[PlanChecklistLine]:
    """Make the lines agree with the area as it is now (decisions kept); the lines after."""
    try:
        return _sync(session=session, case=case, spots=spots)
    except IntegrityError:  # someone else synced the same new line at the same moment
        session.rollback()
        return _sync(session=session, case=case, spots=spots)


def _sync(
    *, session: Session, case: PlanCase, spots: list[recurring.RecurringSpot] | None
) -> list[PlanChecklistLine]:
    scope = plan_cases.scope_of(session=session, case=case)
    now = clock.now()
    current = {s.key: s for s in subjects(session=session, scope=scope, spots=spots)}
    stored = {
        line.subject_key: line
        for line in session.exec(
            select(PlanChecklistLine).where(PlanChecklistLine.plan_case_id == case.id)
        )
    }
    for key, subject in current.items():
        line = stored.get(key) or PlanChecklistLine(
            plan_case_id=case.id,  # type: ignore[arg-type]
            subject_key=key,
            kind=subject.kind,
            lat=subject.lat,
            lon=subject.lon,
        )
        line.lat, line.lon = subject.lat, subject.lon
        line.count, line.months = subject.count, subject.months
        line.first_on, line.last_on = subject.first_on, subject.last_on  # type: ignore[assignment]
        line.categories, line.status = subject.categories, subject.status
        line.description, line.observation_id = subject.description, subject.observation_id
        line.in_area = True
        line.synced_at = now
        session.add(line)
    for key, line in stored.items():
        if key not in current and line.in_area:
            line.in_area = False
            if line.observation_id is not None:
                obs = session.get(Observation, line.observation_id)
                line.status = str(obs.status) if obs else line.status
            session.add(line)
    session.commit()
    return lines(session=session, case=case)


def line_of(*, session: Session, case: PlanCase, line_id: int) -> PlanChecklistLine | None:
    line = session.get(PlanChecklistLine, line_id)
    return line if line is not None and line.plan_case_id == case.id else None


def mark(
    *,
    session: Session,
    line: PlanChecklistLine,
    decision: str,
    note: str,
    actor: StaffUser,
) -> PlanChecklistLine:
    """Record what the plan does about one line ("" leaves it undecided), with a note."""
    if decision and decision not in PlanDecision.__members__:
        raise InvalidMark(_("Choose one of the decisions."))
    cleaned = text_input.clean(note)
    if len(cleaned) > NOTE_MAX:
        raise InvalidMark(_("The note is too long: at most %(n)s characters.", n=NOTE_MAX))
    line.decision = PlanDecision(decision) if decision else None
    line.note = cleaned
    line.decided_by_id = actor.id
    line.decided_at = clock.now()
    session.add(line)
    session.commit()
    session.refresh(line)
    return line


def undecided(*, session: Session, case: PlanCase) -> int:
    """The lines still in the area that nobody has decided on yet."""
    return session.exec(
        select(func.count())
        .select_from(PlanChecklistLine)
        .where(
            PlanChecklistLine.plan_case_id == case.id,
            col(PlanChecklistLine.in_area).is_(True),
            col(PlanChecklistLine.decision).is_(None),
        )
    ).one()


def category_names(*, session: Session, lang: str) -> dict[str, str]:
    """Category names by slug, in `lang`, for the lines (which keep slugs)."""
    return {
        c.slug: (c.name_sv if lang == "sv" else c.name_en) for c in session.exec(select(Category))
    }
