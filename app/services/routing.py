"""Which unit owns an observation. For now: the category's default unit; the rule table
(category x zone) comes with triage."""

from __future__ import annotations

from sqlmodel import Session

from app.models import Category, Unit, Zone


def route(*, session: Session, category: Category, zone: Zone | None) -> Unit | None:
    if category.default_unit_id is None:
        return None
    return session.get(Unit, category.default_unit_id)
