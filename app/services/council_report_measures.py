"""The yearly report's account of the work: each measure active in the period with its result
and the figures for what it covers, and the walks held.

A measure is active in the period when its start and end overlap it; a missing date is taken
from its agreement's years (a measure without dates runs for the whole agreement).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.config import Settings
from app.i18n import current_language
from app.i18n import gettext as _
from app.models import (
    Agreement,
    Category,
    FocusArea,
    Measure,
    MeasureLink,
    MeasureLinkKind,
    Observation,
    PlanCase,
    Unit,
    Walk,
    WalkParticipant,
    WalkStatus,
    Zone,
)
from app.services import indicators
from app.services.council_report_parts import figure, scope_label

STOCKHOLM = ZoneInfo("Europe/Stockholm")
# The figures shown for what a measure covers (each linked category and zone).
MEASURE_KEYS = ("reports", "share_fixed", "median_days_to_fix", "felt_unsafety")


def local_date(at: datetime) -> str:
    """The day in Sweden (a walk at 00:30 on 1 January is held in the new year)."""
    return at.astimezone(STOCKHOLM).date().isoformat()


def _runs(measure: Measure, agreement: Agreement) -> tuple[date, date]:
    starts = measure.starts_on or date(agreement.first_year, 1, 1)
    ends = measure.ends_on or date(agreement.last_year, 12, 31)
    return starts, ends


def _linked(session: Session, ids: list[int]) -> dict[int, dict[str, list[int]]]:
    links: dict[int, dict[str, list[int]]] = {
        i: {k.value: [] for k in MeasureLinkKind} for i in ids
    }
    rows = session.exec(
        select(MeasureLink)
        .where(col(MeasureLink.measure_id).in_(ids))
        .order_by(col(MeasureLink.kind), col(MeasureLink.target_id))
    ).all()
    for link in rows:
        links[link.measure_id][MeasureLinkKind(link.kind).value].append(link.target_id)
    return links


def _figures(
    *, session: Session, settings: Settings, years: list[int], where: indicators.Where
) -> list[dict[str, Any]]:
    series = indicators.series(session=session, settings=settings, years=years, where=where)
    return [
        {
            "key": key,
            "label": indicators.INDICATORS[key].label(),
            "unit": indicators.INDICATORS[key].unit,
            "years": [{"year": y, **figure(series.get(y, {}).get(key))} for y in years],
        }
        for key in MEASURE_KEYS
    ]


def measures_in_period(
    *, session: Session, settings: Settings, first_year: int, last_year: int
) -> list[dict[str, Any]]:
    """Every measure active in the period, by agreement and focus area, with its result, what
    it covers and that coverage's figures for each year and the year before."""
    lang = current_language()
    rows = session.exec(
        select(Measure, FocusArea, Agreement)
        .join(FocusArea, col(FocusArea.id) == Measure.focus_area_id)
        .join(Agreement, col(Agreement.id) == FocusArea.agreement_id)
        .order_by(col(Agreement.first_year), col(FocusArea.position), col(Measure.id))
    ).all()
    period_start, period_end = date(first_year, 1, 1), date(last_year, 12, 31)
    active = []
    for measure, area, agreement in rows:
        starts, ends = _runs(measure, agreement)
        if starts <= period_end and ends >= period_start:
            active.append((measure, area, agreement))
    if not active:
        return []
    links = _linked(session, [m.id for m, _a, _g in active])  # type: ignore[misc]
    wanted = {k.value: {i for v in links.values() for i in v[k.value]} for k in MeasureLinkKind}
    cats = {
        c.id: c
        for c in session.exec(select(Category).where(col(Category.id).in_(wanted["category"])))
    }
    zones = {z.id: z for z in session.exec(select(Zone).where(col(Zone.id).in_(wanted["zone"])))}
    walks = {w.id: w for w in session.exec(select(Walk).where(col(Walk.id).in_(wanted["walk"])))}
    plans = {
        p.id: p
        for p in session.exec(select(PlanCase).where(col(PlanCase.id).in_(wanted["plan_case"])))
    }
    units = {u.id: u for u in session.exec(select(Unit))}
    years = [first_year - 1, *range(first_year, last_year + 1)]
    listed = []
    for measure, area, agreement in active:
        linked = links[measure.id]  # type: ignore[index]
        covered = [
            (scope_label(zone=None, category=cats[i], lang=lang), indicators.Where(category_id=i))
            for i in linked["category"]
            if i in cats
        ] + [
            (scope_label(zone=zones[i], category=None, lang=lang), indicators.Where(zone_id=i))
            for i in linked["zone"]
            if i in zones
        ]
        unit = units.get(measure.unit_id) if measure.unit_id is not None else None
        starts, ends = _runs(measure, agreement)
        listed.append(
            {
                "id": measure.id,
                "title": measure.title,
                "agreement": agreement.title,
                "focus_area": area.title,
                "purpose": measure.purpose,
                "expected_effect": measure.expected_effect,
                "responsible": measure.responsible,
                "unit": unit.name(lang) if unit else None,
                "partners": measure.partners,
                "starts_on": measure.starts_on.isoformat() if measure.starts_on else None,
                "ends_on": measure.ends_on.isoformat() if measure.ends_on else None,
                "runs": [starts.isoformat(), ends.isoformat()],  # a missing date: the agreement's
                "result": measure.result,
                "categories": [cats[i].name(lang) for i in linked["category"] if i in cats],
                "zones": [zones[i].name for i in linked["zone"] if i in zones],
                "walks": [
                    {"title": walks[i].title, "date": local_date(walks[i].starts_at)}
                    for i in linked["walk"]
                    if i in walks
                ],
                "plan_cases": [plans[i].name for i in linked["plan_case"] if i in plans],
                "figures": [
                    {
                        "scope": label,
                        "rows": _figures(session=session, settings=settings, years=years, where=w),
                    }
                    for label, w in covered
                ],
            }
        )
    return listed


def walks_in_period(*, session: Session, first_year: int, last_year: int) -> list[dict[str, Any]]:
    """The walks held in the period (started; a walk still only planned was not held), oldest
    first, with their participants and reports counted."""
    start = indicators.Period(year=first_year, quarter=None).start
    end = indicators.Period(year=last_year, quarter=None).end
    held = session.exec(
        select(Walk)
        .where(
            col(Walk.starts_at) >= start,
            col(Walk.starts_at) < end,
            Walk.status != WalkStatus.planned,
        )
        .order_by(col(Walk.starts_at), col(Walk.id))
    ).all()
    ids = [w.id for w in held]
    participants = dict(
        session.exec(
            select(WalkParticipant.walk_id, func.count())
            .where(col(WalkParticipant.walk_id).in_(ids))
            .group_by(WalkParticipant.walk_id)
        ).all()
    )
    reports = dict(
        session.exec(
            select(Observation.walk_id, func.count())
            .where(col(Observation.walk_id).in_(ids))
            .group_by(Observation.walk_id)
        ).all()
    )
    zone_names = dict(session.exec(select(Zone.id, Zone.name)).all())
    return [
        {
            "id": w.id,
            "title": w.title,
            "date": local_date(w.starts_at),
            "zone": zone_names.get(w.zone_id) if w.zone_id is not None else None,
            "participants": participants.get(w.id, 0),
            "reports": reports.get(w.id, 0),
            "follow_up": w.follow_up_of_id is not None,
            "kind": _("Follow-up walk") if w.follow_up_of_id is not None else _("Walk"),
        }
        for w in held
    ]
