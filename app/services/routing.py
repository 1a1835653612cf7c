"""Routing: which unit owns an observation, and why.

The most specific rule wins: (category, zone), then the category's default unit, then
(any category, zone), then the catch-all rule. Zones nest: a rule on a district covers its
parts of town too, and the innermost zone with a rule wins. The reason is stored with the
observation so that triage can see why it landed where it did; a triager can re-route, and
that is logged. `preview` asks `route` for every category in every district, so the
administrator sees what the rules do before a report tests them.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_
from sqlmodel import Session, col, select

from app.models import (
    Category,
    CategoryKind,
    EventKind,
    Observation,
    ObservationEvent,
    Role,
    RoutingRule,
    StaffUser,
    Unit,
    Zone,
    ZoneKind,
)
from app.services import lifecycle, text_input

# Why an observation went where it did; stored as the code, shown in words in triage.
RULE = "rule"  # category x zone
CATEGORY_DEFAULT = "category_default"
ZONE_RULE = "zone_rule"  # any category in the zone
CATCH_ALL = "catch_all"
NO_RULE = "no_rule"
KEEP = "keep"  # a good place is kept, not fixed: nobody owns a fix
BY_HAND = "by_hand"


OUTSIDE = None  # an observation outside every district


@dataclass(frozen=True)
class Routing:
    unit_id: int | None
    reason: str


def zone_chain(*, session: Session, zone: Zone | None) -> list[int]:
    """The zone's id and its parents' ids, the innermost first (a rule on a district applies
    to its parts of town); a parent cycle in the data ends the walk."""
    chain: list[int] = []
    while zone is not None and zone.id is not None and zone.id not in chain:
        chain.append(zone.id)
        zone = session.get(Zone, zone.parent_id) if zone.parent_id is not None else None
    return chain


def route(*, session: Session, category: Category, zone: Zone | None) -> Routing:
    """The unit that owns an observation of `category` in `zone`, with the reason. A zone rule
    also covers the zones nested in its zone; the innermost zone that has a rule wins."""
    if category.kind == CategoryKind.good:
        return Routing(None, KEEP)
    chain = zone_chain(session=session, zone=zone)
    rules = session.exec(
        select(RoutingRule).where(
            or_(
                col(RoutingRule.category_id) == category.id, col(RoutingRule.category_id).is_(None)
            ),
            or_(col(RoutingRule.zone_id).in_(chain), col(RoutingRule.zone_id).is_(None)),
        )
    ).all()
    by_key = {(r.category_id, r.zone_id): r.unit_id for r in rules}
    in_zone = next((z for z in chain if (category.id, z) in by_key), None)
    if in_zone is not None:
        return Routing(by_key[(category.id, in_zone)], RULE)
    if category.default_unit_id is not None:
        return Routing(category.default_unit_id, CATEGORY_DEFAULT)
    if (category.id, None) in by_key:
        return Routing(by_key[(category.id, None)], CATEGORY_DEFAULT)
    any_category = next((z for z in chain if (None, z) in by_key), None)
    if any_category is not None:
        return Routing(by_key[(None, any_category)], ZONE_RULE)
    if (None, None) in by_key:
        return Routing(by_key[(None, None)], CATCH_ALL)
    return Routing(None, NO_RULE)


@dataclass(frozen=True)
class EffectGroup:
    unit: Unit | None
    reason: str
    zones: list[Zone | None]
    everywhere: bool


@dataclass(frozen=True)
class Effect:
    category: Category
    groups: list[EffectGroup]


def preview(*, session: Session) -> list[Effect]:
    """For each problem category, which unit each district's reports go to now and why (from
    `route` itself), districts with the same answer grouped, the largest group first. Plan
    areas are left out: an observation's zone is never one."""
    all_zones: list[Zone | None] = [
        *session.exec(select(Zone).where(Zone.kind != ZoneKind.plan_area).order_by(Zone.name)),
        OUTSIDE,
    ]
    unit_by_id = {u.id: u for u in session.exec(select(Unit))}
    problems = session.exec(
        select(Category)
        .where(Category.kind == CategoryKind.problem)
        .order_by(Category.position, Category.slug)
    ).all()
    result = []
    for category in problems:
        grouped: dict[tuple[int | None, str], list[Zone | None]] = {}
        for zone in all_zones:
            found = route(session=session, category=category, zone=zone)
            grouped.setdefault((found.unit_id, found.reason), []).append(zone)
        groups = [
            EffectGroup(
                unit=unit_by_id.get(unit_id) if unit_id is not None else None,
                reason=reason,
                zones=in_zones,
                everywhere=len(in_zones) == len(all_zones),
            )
            for (unit_id, reason), in_zones in grouped.items()
        ]
        groups.sort(key=lambda g: -len(g.zones))
        result.append(Effect(category=category, groups=groups))
    return result


def reroute(
    *,
    session: Session,
    obs: Observation,
    unit: Unit,
    actor: lifecycle.Actor,
    note: str = "",
    commit: bool = True,
) -> ObservationEvent:
    """Hand an observation to another unit by hand; the history keeps from and to (with
    commit=False the caller commits, as part of a larger change)."""
    note = text_input.clean(note)
    before = session.get(Unit, obs.unit_id) if obs.unit_id else None
    obs.unit_id = unit.id
    obs.routing_reason = BY_HAND
    # The old unit's field worker no longer owns it; the new unit assigns its own.
    assignee = session.get(StaffUser, obs.assignee_id) if obs.assignee_id else None
    if assignee is not None and assignee.role == Role.unit_worker and assignee.unit_id != unit.id:
        obs.assignee_id = None
        note = f"{note} (-{assignee.name})".strip()
    session.add(obs)
    event = lifecycle.record(
        session=session,
        obs=obs,
        kind=EventKind.route,
        actor=actor,
        internal_note=f"{before.slug if before else '-'} -> {unit.slug}. {note}".strip(),
    )
    if commit:
        session.commit()
        session.refresh(obs)
    return event
