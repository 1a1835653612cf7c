"""Routing: which unit owns an observation, and why.

The most specific rule wins: (category, zone), then the category's default unit, then
(any category, zone), then the catch-all rule. The reason is stored with the observation so
that triage can see why it landed where it did; a triager can re-route, and that is logged.
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
)
from app.services import text_input

# Why an observation went where it did; stored as the code, shown in words in triage.
RULE = "rule"  # category x zone
CATEGORY_DEFAULT = "category_default"
ZONE_RULE = "zone_rule"  # any category in the zone
CATCH_ALL = "catch_all"
NO_RULE = "no_rule"
KEEP = "keep"  # a good place is kept, not fixed: nobody owns a fix
BY_HAND = "by_hand"


@dataclass(frozen=True)
class Routing:
    unit_id: int | None
    reason: str


def route(*, session: Session, category: Category, zone: Zone | None) -> Routing:
    """The unit that owns an observation of `category` in `zone`, with the reason."""
    if category.kind == CategoryKind.good:
        return Routing(None, KEEP)
    zone_id = zone.id if zone else None
    rules = session.exec(
        select(RoutingRule).where(
            or_(
                col(RoutingRule.category_id) == category.id, col(RoutingRule.category_id).is_(None)
            ),
            or_(col(RoutingRule.zone_id) == zone_id, col(RoutingRule.zone_id).is_(None)),
        )
    ).all()
    by_key = {(r.category_id, r.zone_id): r.unit_id for r in rules}
    if zone_id is not None and (category.id, zone_id) in by_key:
        return Routing(by_key[(category.id, zone_id)], RULE)
    if category.default_unit_id is not None:
        return Routing(category.default_unit_id, CATEGORY_DEFAULT)
    if (category.id, None) in by_key:
        return Routing(by_key[(category.id, None)], CATEGORY_DEFAULT)
    if zone_id is not None and (None, zone_id) in by_key:
        return Routing(by_key[(None, zone_id)], ZONE_RULE)
    if (None, None) in by_key:
        return Routing(by_key[(None, None)], CATCH_ALL)
    return Routing(None, NO_RULE)


def reroute(
    *,
    session: Session,
    obs: Observation,
    unit: Unit,
    actor_id: int | None,
    actor: str,
    note: str = "",
) -> ObservationEvent:
    """Hand an observation to another unit by hand; the history keeps from and to."""
    note = text_input.clean(note)
    before = session.get(Unit, obs.unit_id) if obs.unit_id else None
    obs.unit_id = unit.id
    obs.routing_reason = BY_HAND
    # The old unit's field worker no longer owns it; the new unit assigns its own.
    assignee = session.get(StaffUser, obs.assignee_id) if obs.assignee_id else None
    if assignee is not None and assignee.role == Role.unit_worker and assignee.unit_id != unit.id:
        obs.assignee_id = None
        note = f"{note} (-{assignee.name})".strip()
    event = ObservationEvent(
        observation_id=obs.id,  # type: ignore[arg-type]
        kind=EventKind.route,
        actor=actor,
        actor_id=actor_id,
        from_status=obs.status,
        to_status=obs.status,
        public=False,
        internal_note=f"{before.slug if before else '-'} -> {unit.slug}. {note}".strip(),
    )
    session.add(obs)
    session.add(event)
    session.commit()
    session.refresh(obs)
    return event
