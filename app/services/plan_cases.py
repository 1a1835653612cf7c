"""Plan cases: a detailed plan (detaljplan) that planners follow through its stages.

A planner registers the plan (name, diary number, stage, area drawn or uploaded); the area is
kept with `area.save`, so that the plan's whole history is the area view `/planning/area/{key}`.
Planners own plan cases (every planner may work on every case: plans change hands; admins
pass). Triagers and unit staff read them; walk leaders read and follow only the cases whose
planner lets them. Who may do what is decided here, once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import defer
from sqlmodel import Session, col, func, select

from app import clock
from app.i18n import gettext as _
from app.models import PlanCase, PlanFollower, PlanStage, Role, SafetyBasis, StaffUser
from app.services import area, geometry, plan_area, text_input

NAME_MAX = 200
DIARY_MAX = 64
# Who reads planning (histories, exports, plan cases): unit staff fix things, so not they.
# Walk leaders read a plan case only when its planner shares it (`may_read`). Coordinators
# read them all: a measure of the agreement links to the zones and plan cases it covers.
PLANNING_ROLES = (Role.planner, Role.triager, Role.walk_leader, Role.coordinator)
READERS = frozenset({Role.admin, Role.planner, Role.triager, Role.coordinator})
# A diary number: letters, digits, spaces and - / . : (e.g. "PLAN 2026-123", "KS 2026/45").
DIARY_PATTERN = re.compile(r"[0-9A-ZÅÄÖ][0-9A-ZÅÄÖ /.:\-]*")


class InvalidPlanCase(Exception):
    """What is wrong with a plan case's form, field by field."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors


@dataclass(frozen=True)
class Listed:
    """The plan cases a person sees on the start page: their own (made or followed) first."""

    mine: list[PlanCase]
    others: list[PlanCase]


def may_edit(user: StaffUser) -> bool:
    return user.role in (Role.planner, Role.admin)


def may_read(user: StaffUser, case: PlanCase) -> bool:
    if user.role in READERS:
        return True
    return user.role == Role.walk_leader and case.walk_leaders_may_follow


def may_follow(user: StaffUser, case: PlanCase) -> bool:
    return may_read(user, case)


def stage_of(value: str) -> PlanStage | None:
    return PlanStage(value) if value in PlanStage.__members__ else None


def _one_line(raw: Mapping[str, str], name: str, limit: int, errors: dict[str, str]) -> str:
    """A one-line field by the input rule: control characters refused, not removed."""
    value = raw.get(name) or ""
    refused = text_input.problem(name, value)
    if refused is not None:
        errors[name] = refused.message
        return ""
    value = " ".join(value.split())
    if len(value) > limit:
        errors[name] = _("Too long: at most %(n)s characters.", n=limit)
    return value[:limit]


def _fields(raw: Mapping[str, str]) -> tuple[str, str, PlanStage, dict[str, str]]:
    errors: dict[str, str] = {}
    name = _one_line(raw, "name", NAME_MAX, errors)
    if not name and "name" not in errors:
        errors["name"] = _("Give the plan's name.")
    diary = _one_line(raw, "diary_number", DIARY_MAX, errors).upper()
    if not diary and "diary_number" not in errors:
        errors["diary_number"] = _("Give the diary number, e.g. PLAN 2026-123.")
    elif diary and not DIARY_PATTERN.fullmatch(diary):
        errors["diary_number"] = _(
            "A diary number holds letters, digits, spaces and - / . : only, e.g. PLAN 2026-123."
        )
    stage = stage_of(raw.get("stage") or PlanStage.planning_start.value)
    if stage is None:
        errors["stage"] = _("Choose one of the stages.")
    return name, diary, stage or PlanStage.planning_start, errors


def by_diary_number(*, session: Session, diary_number: str) -> PlanCase | None:
    return session.exec(
        select(PlanCase).where(col(PlanCase.diary_number) == diary_number.upper())
    ).first()


def register(
    *,
    session: Session,
    raw: Mapping[str, str],
    upload: bytes | None,
    user: StaffUser,
) -> PlanCase:
    """A new plan case from its form (the area drawn, or a file in WGS 84 or SWEREF 99 TM),
    or InvalidPlanCase naming each field that is wrong."""
    name, diary, stage, errors = _fields(raw)
    shape = None
    try:
        shape = plan_area.read(
            drawn=raw.get("area") or "",
            upload=upload,
            crs=raw.get("crs") or plan_area.WGS84,
        )
    except geometry.InvalidGeometry as exc:
        errors["area"] = exc.message
    if (
        diary
        and "diary_number" not in errors
        and by_diary_number(session=session, diary_number=diary)
    ):
        errors["diary_number"] = _("A plan with diary number %(n)s is already registered.", n=diary)
    if errors or shape is None:
        raise InvalidPlanCase(errors)
    key = area.save(session=session, geometry=shape, name=name)
    case = PlanCase(
        name=name,
        diary_number=diary,
        stage=stage,
        area=geometry.dumps(shape),
        area_key=key,
        created_by_id=user.id,
        walk_leaders_may_follow=raw.get("walk_leaders_may_follow") in ("1", "on", "true"),
    )
    session.add(case)
    try:
        session.commit()
    except IntegrityError as exc:  # the same diary number registered at the same moment
        session.rollback()
        raise InvalidPlanCase(
            {"diary_number": _("A plan with diary number %(n)s is already registered.", n=diary)}
        ) from exc
    session.refresh(case)
    return case


def by_id(*, session: Session, plan_id: int) -> PlanCase | None:
    return session.get(PlanCase, plan_id)


def scope_of(*, session: Session, case: PlanCase) -> area.Scope:
    """Where the plan's views look: its kept area."""
    found = area.by_key(session=session, key=case.area_key)
    if found is not None:
        return found
    return area.of_polygon(geometry.loads(case.area), label=case.name)


def change_stage(*, session: Session, case: PlanCase, stage: str) -> PlanCase:
    """Move the plan to another stage (any stage: a plan may go back to consultation)."""
    found = stage_of(stage)
    if found is None:
        raise InvalidPlanCase({"stage": _("Choose one of the stages.")})
    case.stage = found
    case.updated_at = clock.now()
    session.add(case)
    session.commit()
    session.refresh(case)
    return case


def change_walk_leaders(*, session: Session, case: PlanCase, allowed: bool) -> PlanCase:
    """Let walk leaders read and follow the case, or not (their following ends with it)."""
    case.walk_leaders_may_follow = allowed
    case.updated_at = clock.now()
    session.add(case)
    if not allowed:
        leaders = select(StaffUser.id).where(col(StaffUser.role) == Role.walk_leader)
        for follower in session.exec(
            select(PlanFollower).where(
                PlanFollower.plan_case_id == case.id, col(PlanFollower.user_id).in_(leaders)
            )
        ):
            session.delete(follower)
    session.commit()
    session.refresh(case)
    return case


def listed(*, session: Session, user: StaffUser) -> Listed:
    """The cases `user` may read, newest first: theirs (made or followed) and the others."""
    cases = [
        c
        for c in session.exec(
            select(PlanCase).order_by(col(PlanCase.updated_at).desc(), col(PlanCase.id).desc())
        )
        if may_read(user, c)
    ]
    followed = set(
        session.exec(select(PlanFollower.plan_case_id).where(PlanFollower.user_id == user.id))
    )
    mine = [c for c in cases if c.created_by_id == user.id or c.id in followed]
    return Listed(mine=mine, others=[c for c in cases if c not in mine])


# Followers


def is_following(*, session: Session, case: PlanCase, user: StaffUser) -> bool:
    return (
        session.exec(
            select(PlanFollower.id).where(
                PlanFollower.plan_case_id == case.id, PlanFollower.user_id == user.id
            )
        ).first()
        is not None
    )


def follow(*, session: Session, case: PlanCase, user: StaffUser) -> None:
    """`user` follows the case (once, however often asked)."""
    if not may_follow(user, case):
        raise PermissionError("may not follow this plan case")
    if is_following(session=session, case=case, user=user):
        return
    session.add(PlanFollower(plan_case_id=case.id, user_id=user.id))  # type: ignore[arg-type]
    try:
        session.commit()
    except IntegrityError:  # followed twice at once: once is what was asked
        session.rollback()


def unfollow(*, session: Session, case: PlanCase, user: StaffUser) -> None:
    for row in session.exec(
        select(PlanFollower).where(
            PlanFollower.plan_case_id == case.id, PlanFollower.user_id == user.id
        )
    ):
        session.delete(row)
    session.commit()


def follower_count(*, session: Session, case: PlanCase) -> int:
    return int(
        session.exec(
            select(func.count())
            .select_from(PlanFollower)
            .where(PlanFollower.plan_case_id == case.id)
        ).one()
    )


def bases(*, session: Session, case: PlanCase) -> list[SafetyBasis]:
    """The case's frozen safety bases, newest first (without loading their maps)."""
    return list(
        session.exec(
            select(SafetyBasis)
            .options(defer(SafetyBasis.map_png))  # type: ignore[arg-type]
            .where(SafetyBasis.plan_case_id == case.id)
            .order_by(col(SafetyBasis.made_at).desc(), col(SafetyBasis.id).desc())
        )
    )
