"""The agreement's annex (bilaga), handed in to the crime-prevention council by 1 December:
every measure under the headings the agreement names (purpose/method, approach, timetable,
partners, expected effect / method of follow-up) with its named responsible, grouped under the
focus areas. The printable page and the PDF are one template (`follow_up/_annex_body.html`);
the editable document for the municipality's diary is a DOCX made here with python-docx, one
section (page) per measure. Headings in the reader's language (gettext)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from io import BytesIO

from docx import Document
from docx.enum.section import WD_SECTION
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from app import clock
from app.i18n import current_language
from app.i18n import gettext as _
from app.services import measure_links, measure_views, walk_form
from app.services.measure_views import AgreementView, MeasureView

# The language tag Word and LibreOffice spell-check the document in.
DOC_LANGUAGES = {"sv": "sv-SE", "en": "en-GB"}


@dataclass(frozen=True)
class Annex:
    """What the annex shows, in every format."""

    view: AgreementView
    made_on: date

    @property
    def title(self) -> str:
        return _("Annex: the measures of “%(title)s”", title=self.view.agreement.title)

    @property
    def period(self) -> str:
        a = self.view.agreement
        if a.first_year == a.last_year:
            return str(a.first_year)
        return f"{a.first_year}\u2013{a.last_year}"  # an en dash, as printed


def annex(*, view: AgreementView) -> Annex:
    return Annex(view=view, made_on=clock.now().astimezone(walk_form.LOCAL_TZ).date())


def measure_period(view: MeasureView) -> str:
    """The start and end joined by a dash, an open end left blank; "" when neither is set."""
    m = view.measure
    if m.starts_on is None and m.ends_on is None:
        return ""
    start = m.starts_on.isoformat() if m.starts_on else ""
    end = m.ends_on.isoformat() if m.ends_on else ""
    return f"{start} \u2013 {end}".strip()


def covers(view: MeasureView) -> list[tuple[str, str]]:
    """What the measure covers, by kind: (kind's label, the names joined)."""
    found: dict[str, list[str]] = {}
    for link in view.links:
        found.setdefault(measure_links.kind_label(link.kind), []).append(link.label)
    return [(kind, ", ".join(names)) for kind, names in found.items()]


def file_name(view: AgreementView, ext: str) -> str:
    """annex-2026-2027-3.docx: ASCII only, whatever the agreement's title holds."""
    a = view.agreement
    return f"annex-{a.first_year}-{a.last_year}-{a.id}.{ext}"


# DOCX


def _set_language(document, tag: str) -> None:  # type: ignore[no-untyped-def]
    """Mark the document's text as `tag` (sv-SE) so that the spelling is checked in it."""
    rpr = document.styles["Normal"].element.get_or_add_rPr()
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), tag)
    rpr.append(lang)


def _labelled(document, label: str, value: str) -> None:  # type: ignore[no-untyped-def]
    paragraph = document.add_paragraph()
    paragraph.add_run(f"{label}: ").bold = True
    paragraph.add_run(value)


def _text(document, value: str) -> None:  # type: ignore[no-untyped-def]
    """A text as typed: one paragraph a line; a dash where nothing is written yet."""
    lines = [line for line in value.split("\n") if line.strip()]
    if not lines:
        document.add_paragraph(_("Not written yet."))
    for line in lines:
        document.add_paragraph(line)


def _measure(document, view: MeasureView) -> None:  # type: ignore[no-untyped-def]
    document.add_heading(view.measure.title, level=2)
    _labelled(document, measure_views.heading_label("responsible"), view.measure.responsible)
    if view.unit_name:
        _labelled(document, measure_views.heading_label("unit_id"), view.unit_name)
    if measure_period(view):
        _labelled(document, _("Period"), measure_period(view))
    for heading, value in view.texts:
        document.add_heading(heading, level=3)
        _text(document, value)
    found = covers(view)
    if found:
        document.add_heading(_("Covers"), level=3)
        for kind, names in found:
            _labelled(document, kind, names)


def docx_bytes(found: Annex) -> bytes:
    """The annex as a DOCX document: a cover with the agreement, then each focus area as a
    heading and each measure in a section (page) of its own."""
    document = Document()
    _set_language(document, DOC_LANGUAGES.get(current_language(), "sv-SE"))
    agreement = found.view.agreement
    document.core_properties.title = found.title
    document.core_properties.language = DOC_LANGUAGES.get(current_language(), "sv-SE")
    document.add_heading(found.title, level=0)
    _labelled(document, _("Period"), found.period)
    _labelled(document, _("Parties"), ", ".join(agreement.party_list()))
    document.add_paragraph(
        _(
            "Each measure is described under the headings the agreement names. "
            "To be handed in to the crime-prevention council by 1 December."
        )
    )
    _labelled(document, _("Made"), found.made_on.isoformat())
    for area in found.view.areas:
        if area.measures:
            document.add_section(WD_SECTION.NEW_PAGE)
        document.add_heading(area.focus_area.title, level=1)
        if area.focus_area.description:
            _text(document, area.focus_area.description)
        if not area.measures:
            document.add_paragraph(_("No measures yet."))
        for index, view in enumerate(area.measures):
            if index:
                document.add_section(WD_SECTION.NEW_PAGE)
            _measure(document, view)
    out = BytesIO()
    document.save(out)
    return out.getvalue()
