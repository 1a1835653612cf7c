"""How agreements and measures are shown: a measure with its focus area, agreement, unit and
what it covers (`MeasureView`), an agreement with its focus areas in order (`AgreementView`),
read in a few queries whatever the number of measures. The agreement's page, the annex and the
council's report all read these."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.i18n import gettext as _
from app.models import Agreement, FocusArea, Measure, Unit
from app.services import measure_links

# The measure's texts under the annex's headings, in the annex's order.
TEXT_FIELDS = ("purpose", "approach", "timetable", "partners", "expected_effect")


@dataclass(frozen=True)
class MeasureView:
    """A measure with its context and what it covers, ready for a page, the annex or the
    council's report."""

    measure: Measure
    focus_area: FocusArea
    agreement: Agreement
    unit_name: str
    links: list[measure_links.Linked]

    @property
    def texts(self) -> list[tuple[str, str]]:
        """The annex's headings with the measure's text under each, in the annex's order."""
        return [(heading_label(name), getattr(self.measure, name)) for name in TEXT_FIELDS]


@dataclass(frozen=True)
class AreaView:
    focus_area: FocusArea
    measures: list[MeasureView]


@dataclass(frozen=True)
class AgreementView:
    agreement: Agreement
    areas: list[AreaView]

    @property
    def measure_count(self) -> int:
        return sum(len(a.measures) for a in self.areas)


def heading_label(name: str) -> str:
    """The annex's heading for a measure's field, in the reader's language."""
    labels = {
        "purpose": _("Purpose/method"),
        "approach": _("Approach"),
        "timetable": _("Timetable"),
        "partners": _("Partners"),
        "expected_effect": _("Expected effect / method of follow-up"),
        "responsible": _("Responsible"),
        "unit_id": _("Responsible unit"),
        "result": _("Result"),
    }
    return labels.get(name, name)


def views(
    *, session: Session, rows: Sequence[tuple[Measure, FocusArea, Agreement]], lang: str
) -> list[MeasureView]:
    links = measure_links.of_measures(
        session=session, measure_ids=[m.id or 0 for m, _a, _g in rows], lang=lang
    )
    unit_ids = {m.unit_id for m, _a, _g in rows if m.unit_id}
    units = {
        u.id: u.name(lang)
        for u in (session.exec(select(Unit).where(col(Unit.id).in_(unit_ids))) if unit_ids else [])
    }
    return [
        MeasureView(m, a, g, units.get(m.unit_id, "") if m.unit_id else "", links[m.id or 0])
        for m, a, g in rows
    ]


def ordered(query):  # type: ignore[no-untyped-def]
    """In the agreements' order, each one's focus areas in order, measures oldest first."""
    return query.order_by(
        col(Agreement.first_year),
        col(Agreement.id),
        col(FocusArea.position),
        col(FocusArea.id),
        col(Measure.id),
    )


def joined():  # type: ignore[no-untyped-def]
    """Measures with their focus area and agreement."""
    return (
        select(Measure, FocusArea, Agreement)
        .join(FocusArea, col(Measure.focus_area_id) == col(FocusArea.id))
        .join(Agreement, col(FocusArea.agreement_id) == col(Agreement.id))
    )


def focus_areas(*, session: Session, agreement: Agreement) -> list[FocusArea]:
    """The agreement's focus areas in the order it lists them."""
    return list(
        session.exec(
            select(FocusArea)
            .where(FocusArea.agreement_id == agreement.id)
            .order_by(col(FocusArea.position), col(FocusArea.id))
        )
    )


def agreement_view(*, session: Session, agreement: Agreement, lang: str) -> AgreementView:
    """The agreement with its focus areas in order, each with its measures (oldest first)."""
    rows = session.exec(ordered(joined().where(Agreement.id == agreement.id))).all()
    shown = views(session=session, rows=rows, lang=lang)
    return AgreementView(
        agreement,
        [
            AreaView(area, [v for v in shown if v.focus_area.id == area.id])
            for area in focus_areas(session=session, agreement=agreement)
        ],
    )


def measure_view(*, session: Session, measure: Measure, lang: str) -> MeasureView:
    row = session.exec(joined().where(Measure.id == measure.id)).one()
    return views(session=session, rows=[row], lang=lang)[0]
