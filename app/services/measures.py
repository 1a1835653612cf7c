"""The agreement between the municipality and the police, its focus areas and its measures.

An agreement covers a period of years (first and last) and names its parties; it is worked in
focus areas (huvudområden), kept in the order the agreement lists them; each focus area holds
measures (insatser). A measure is written under the headings the agreement asks its annex for
(purpose/method, approach, timetable, partners, expected effect / method of follow-up), names a
responsible person and optionally a responsible unit, may have a start and an end, covers
categories, zones, plan cases and walks (`measure_links`), and later gets its result for the
council. Coordinators (and admins) write all of it; planners and triagers read it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, func, select

from app import clock
from app.i18n import current_language
from app.i18n import gettext as _
from app.models import Agreement, FocusArea, Measure, MeasureLinkKind, Role, StaffUser, Unit
from app.services import measure_form, measure_links, measure_views
from app.services.measure_form import TITLE_MAX, Invalid

# Who writes the follow-up (deps.require_coordinator guards the routes; this decides what a
# page offers). Planners and triagers read it: deps.require_follow_up_reader.
EDITORS = frozenset({Role.admin, Role.coordinator})
PARTY_MAX = 200
PARTIES_MAX = 12
FormItems = Sequence[tuple[str, str]]


def may_edit(user: StaffUser) -> bool:
    return user.role in EDITORS


def _single(items: FormItems) -> dict[str, str]:
    """Each field's first value (a repeated field is a link list, read elsewhere)."""
    found: dict[str, str] = {}
    for name, value in items:
        found.setdefault(name, value)
    return found


# Agreements


def _agreement_fields(raw: dict[str, str]) -> tuple[str, int, int, str]:
    errors: dict[str, str] = {}
    title = measure_form.one_line(raw, "title", TITLE_MAX, errors)
    if not title and "title" not in errors:
        errors["title"] = _("Give the agreement's title.")
    first, last = measure_form.years(raw, errors)
    parties = measure_form.lines(
        raw,
        "parties",
        errors,
        each=PARTY_MAX,
        most=PARTIES_MAX,
        total=measure_form.column_limit(Agreement, "parties"),
    )
    if not parties and "parties" not in errors:
        errors["parties"] = _(
            "Name the parties, one a line (e.g. the municipality and the police)."
        )
    if errors:
        raise Invalid(errors)
    return title, first, last, "\n".join(parties)


def create_agreement(*, session: Session, items: FormItems) -> Agreement:
    """A new agreement from its form, or Invalid naming each field that is wrong."""
    title, first, last, parties = _agreement_fields(_single(items))
    agreement = Agreement(title=title, first_year=first, last_year=last, parties=parties)
    session.add(agreement)
    session.commit()
    session.refresh(agreement)
    return agreement


def update_agreement(*, session: Session, agreement: Agreement, items: FormItems) -> Agreement:
    title, first, last, parties = _agreement_fields(_single(items))
    agreement.title, agreement.first_year, agreement.last_year = title, first, last
    agreement.parties = parties
    session.add(agreement)
    session.commit()
    session.refresh(agreement)
    return agreement


def agreement_by_id(*, session: Session, agreement_id: int) -> Agreement | None:
    return session.get(Agreement, agreement_id)


@dataclass(frozen=True)
class AgreementRow:
    agreement: Agreement
    focus_areas: int
    measures: int


def agreements(*, session: Session) -> list[AgreementRow]:
    """Every agreement, the newest period first, with how much it holds."""
    areas = dict(
        session.exec(
            select(FocusArea.agreement_id, func.count()).group_by(col(FocusArea.agreement_id))
        ).all()
    )
    measures = dict(
        session.exec(
            select(FocusArea.agreement_id, func.count())
            .join(Measure, col(Measure.focus_area_id) == col(FocusArea.id))
            .group_by(col(FocusArea.agreement_id))
        ).all()
    )
    rows = session.exec(
        select(Agreement).order_by(col(Agreement.first_year).desc(), col(Agreement.id).desc())
    )
    return [AgreementRow(a, areas.get(a.id, 0), measures.get(a.id, 0)) for a in rows]


# Focus areas


def _focus_fields(raw: dict[str, str]) -> tuple[str, str]:
    errors: dict[str, str] = {}
    title = measure_form.one_line(raw, "title", TITLE_MAX, errors)
    if not title and "title" not in errors:
        errors["title"] = _("Give the focus area's title.")
    limit = measure_form.column_limit(FocusArea, "description")
    description = measure_form.text(raw, "description", errors, limit=limit)
    if errors:
        raise Invalid(errors)
    return title, description


def focus_areas(*, session: Session, agreement: Agreement) -> list[FocusArea]:
    return measure_views.focus_areas(session=session, agreement=agreement)


def add_focus_area(*, session: Session, agreement: Agreement, items: FormItems) -> FocusArea:
    """A focus area at the end of the agreement's list."""
    title, description = _focus_fields(_single(items))
    last = session.exec(
        select(func.max(FocusArea.position)).where(FocusArea.agreement_id == agreement.id)
    ).one()
    area = FocusArea(
        agreement_id=agreement.id,  # type: ignore[arg-type]
        title=title,
        description=description,
        position=(last if last is not None else -1) + 1,
    )
    session.add(area)
    session.commit()
    session.refresh(area)
    return area


def update_focus_area(*, session: Session, area: FocusArea, items: FormItems) -> FocusArea:
    area.title, area.description = _focus_fields(_single(items))
    session.add(area)
    session.commit()
    session.refresh(area)
    return area


def move_focus_area(*, session: Session, area: FocusArea, direction: str) -> None:
    """One place up or down in the agreement's list (positions renumbered 0, 1, 2 ...)."""
    if direction not in ("up", "down"):
        raise Invalid({"direction": _("Move a focus area up or down.")})
    agreement = session.get(Agreement, area.agreement_id)
    assert agreement is not None  # a focus area's agreement is a foreign key
    ordered = focus_areas(session=session, agreement=agreement)
    at = next(i for i, a in enumerate(ordered) if a.id == area.id)
    to = at - 1 if direction == "up" else at + 1
    if 0 <= to < len(ordered):
        ordered[at], ordered[to] = ordered[to], ordered[at]
    for position, each in enumerate(ordered):
        each.position = position
        session.add(each)
    session.commit()


def focus_area_by_id(*, session: Session, focus_area_id: int) -> FocusArea | None:
    return session.get(FocusArea, focus_area_id)


# Measures


def _measure_fields(
    *, session: Session, items: FormItems, agreement_id: int
) -> tuple[dict[str, object], dict[MeasureLinkKind, set[int]]]:
    raw = _single(items)
    errors: dict[str, str] = {}
    values: dict[str, object] = {}
    values["title"] = measure_form.one_line(raw, "title", TITLE_MAX, errors)
    if not values["title"] and "title" not in errors:
        errors["title"] = _("Give the measure's title.")
    for name in (*measure_views.TEXT_FIELDS, "result"):
        limit = measure_form.column_limit(Measure, name)
        values[name] = measure_form.text(raw, name, errors, limit=limit)
    values["responsible"] = measure_form.one_line(raw, "responsible", TITLE_MAX, errors)
    if not values["responsible"] and "responsible" not in errors:
        errors["responsible"] = _("Name the person responsible for the measure.")
    values["starts_on"], values["ends_on"] = measure_form.period(raw, errors)
    values["unit_id"] = None
    if (raw.get("unit_id") or "").strip():
        unit_id = measure_form.number(raw, "unit_id")
        if unit_id is None or session.get(Unit, unit_id) is None:
            errors["unit_id"] = _("Choose one of the units.")
        values["unit_id"] = unit_id
    if "focus_area_id" in raw:  # moved to another focus area of the same agreement
        area_id = measure_form.number(raw, "focus_area_id")
        area = session.get(FocusArea, area_id) if area_id else None
        if area is None or area.agreement_id != agreement_id:
            errors["focus_area_id"] = _("Choose one of the agreement's focus areas.")
        else:
            values["focus_area_id"] = area.id
    links = measure_links.picked(items, errors)
    if "links" not in errors:
        measure_links.check_known(session=session, links=links, errors=errors)
    if errors:
        raise Invalid(errors)
    return values, links


def create_measure(*, session: Session, area: FocusArea, items: FormItems) -> Measure:
    """A new measure in `area` from its form, with what it covers; or Invalid."""
    values, links = _measure_fields(session=session, items=items, agreement_id=area.agreement_id)
    values.setdefault("focus_area_id", area.id)
    measure = Measure(**values)  # type: ignore[arg-type]
    session.add(measure)
    session.flush()
    measure_links.replace(session=session, measure_id=measure.id or 0, links=links)
    session.commit()
    session.refresh(measure)
    return measure


def update_measure(*, session: Session, measure: Measure, items: FormItems) -> Measure:
    """The measure as its form now says, links included; or Invalid (nothing changed)."""
    area = session.get(FocusArea, measure.focus_area_id)
    assert area is not None
    values, links = _measure_fields(session=session, items=items, agreement_id=area.agreement_id)
    for name, value in values.items():
        setattr(measure, name, value)
    measure.updated_at = clock.now()
    session.add(measure)
    measure_links.replace(session=session, measure_id=measure.id or 0, links=links)
    session.commit()
    session.refresh(measure)
    return measure


def measure_by_id(*, session: Session, measure_id: int) -> Measure | None:
    return session.get(Measure, measure_id)


def active_in(
    *, session: Session, first_year: int, last_year: int, lang: str | None = None
) -> list[measure_views.MeasureView]:
    """The measures under way at some time in the years `first_year`..`last_year` (for the
    council's report). A measure without a start began with its agreement's first year, one
    without an end lasts to its agreement's last year."""
    since, until = date(first_year, 1, 1), date(last_year, 12, 31)
    query = measure_views.joined().where(
        (col(Measure.starts_on).is_(None)) | (col(Measure.starts_on) <= until),
        (col(Measure.ends_on).is_(None)) | (col(Measure.ends_on) >= since),
    )
    rows = [
        (m, a, g)
        for m, a, g in session.exec(measure_views.ordered(query)).all()
        if (m.starts_on or date(g.first_year, 1, 1)) <= until
        and (m.ends_on or date(g.last_year, 12, 31)) >= since
    ]
    return measure_views.views(session=session, rows=rows, lang=lang or current_language())


# What a measure's form shows


def units(*, session: Session, lang: str) -> list[tuple[int, str]]:
    """The units a measure may name as responsible, by name."""
    return sorted(
        ((u.id or 0, u.name(lang)) for u in session.exec(select(Unit))),
        key=lambda pair: pair[1].casefold(),
    )


def form_values(items: FormItems) -> dict[str, object]:
    """A sent form as its page shows it again: each field's text, and the ticked links."""
    values: dict[str, object] = dict(_single(items))
    errors: dict[str, str] = {}
    picked = measure_links.picked(items, errors)
    values["links"] = {kind.value: ids for kind, ids in picked.items()}
    return values


def values_of(*, session: Session, measure: Measure) -> dict[str, object]:
    """The measure as its form shows it."""
    values: dict[str, object] = {
        name: getattr(measure, name) or ""
        for name in ("title", "responsible", "result", *measure_views.TEXT_FIELDS)
    }
    values["unit_id"] = str(measure.unit_id or "")
    values["focus_area_id"] = str(measure.focus_area_id)
    values["starts_on"] = measure.starts_on.isoformat() if measure.starts_on else ""
    values["ends_on"] = measure.ends_on.isoformat() if measure.ends_on else ""
    linked = measure_links.ids_of(session=session, measure_id=measure.id or 0)
    values["links"] = {kind.value: ids for kind, ids in linked.items()}
    return values
