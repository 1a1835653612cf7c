"""The coordinator's list of targets: a year's targets, each said in words with its scope and
its assessment now (met, not met, no data)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from app.config import Settings
from app.models import Category, Target, Zone
from app.services import figure_text, follow_up_input, indicators, targets


@dataclass(frozen=True)
class Listed:
    target: Target
    label: str
    definition: str
    scope: str
    text: str
    actual: str
    outcome: str
    outcome_label: str


@dataclass(frozen=True)
class Listing:
    year: int
    years: list[int]  # every year with targets, and this one; newest first
    rows: list[Listed]


def build(*, session: Session, settings: Settings, year: int | None) -> Listing:
    """The targets of `year` (default: this year), in the indicators' order, assessed."""
    this_year = follow_up_input.this_year()
    year = year or this_year
    stored = session.exec(select(Target.year).distinct()).all()
    years = sorted({*stored, this_year, year}, reverse=True)
    zones = {z.id: z.name for z in session.exec(select(Zone)).all()}
    categories = {c.id: c for c in session.exec(select(Category)).all()}
    order = {key: n for n, key in enumerate(indicators.INDICATORS)}
    # evaluate() judges every target of the year, computing each scope's figures once.
    assessed = targets.evaluate(session=session, settings=settings, year=year)
    rows = []
    for assessment in sorted(
        assessed, key=lambda a: (order.get(a.target.indicator, len(order)), a.target.id or 0)
    ):
        target = assessment.target
        indicator = indicators.INDICATORS.get(target.indicator)
        rows.append(
            Listed(
                target=target,
                label=indicator.label() if indicator else target.indicator,
                definition=indicator.definition() if indicator else "",
                scope=figure_text.scope_text(
                    zones.get(target.zone_id) if target.zone_id else None,
                    categories.get(target.category_id) if target.category_id else None,
                ),
                text=figure_text.target_text(target),
                actual=figure_text.actual_text(target, assessment.actual),
                outcome=assessment.outcome,
                outcome_label=figure_text.outcome_label(assessment.outcome),
            )
        )
    return Listing(year=year, years=years, rows=rows)
