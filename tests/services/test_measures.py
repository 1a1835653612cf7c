"""Agreements, focus areas and measures as a coordinator writes them: what is kept, what is
refused and why, what a measure covers, which measures are active in a year, and the annex as
an editable document read back with python-docx."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from io import BytesIO

import pytest
from docx import Document
from sqlmodel import Session, select

from app import i18n
from app.models import Category, FocusArea, MeasureLink, MeasureLinkKind, Unit, Walk, Zone
from app.services import annex, measure_views, measures, plan_cases
from app.services.measure_form import Invalid
from tests.factories import count, make_staff
from tests.services.test_plan_cases import drawn


def agreement_form(**over: str) -> list[tuple[str, str]]:
    fields = {
        "title": "Samverkan för ökad trygghet i Boden",
        "first_year": "2026",
        "last_year": "2027",
        "parties": "Bodens kommun\r\nPolisen, lokalpolisområde Boden\n\n",
    } | over
    return list(fields.items())


def measure_form(**over: str) -> list[tuple[str, str]]:
    fields = {
        "title": "Trygghetsvandringar i Centrum",
        "purpose": "Ta reda på vad som upplevs otryggt.\nMetod: trygghetsvandring.",
        "approach": "Två vandringar om året med boende.",
        "timetable": "Mars och oktober",
        "partners": "Tekniska förvaltningen, Polisen",
        "expected_effect": "Fler känner sig trygga (SCB:s medborgarundersökning).",
        "responsible": "Anna Berg, trygghetssamordnare",
        "starts_on": "2026-03-01",
        "ends_on": "2027-10-31",
    } | over
    return list(fields.items())


def walk(session: Session, *, title: str = "Kvällsvandring Centrum") -> Walk:
    """A walk in the demo district Centrum, led by a new walk leader."""
    leader = make_staff(session, "walk_leader")
    found = Walk(
        title=title,
        zone_id=zone(session, "centrum").id,
        starts_at=datetime(2026, 10, 6, 17, 0, tzinfo=UTC),
        leader_id=leader.id,  # type: ignore[arg-type]
        join_code=uuid.uuid4().hex[:8].upper(),
    )
    session.add(found)
    session.commit()
    session.refresh(found)
    return found


def zone(session: Session, slug: str) -> Zone:
    return session.exec(select(Zone).where(Zone.slug == slug)).one()


def category(session: Session, slug: str) -> Category:
    return session.exec(select(Category).where(Category.slug == slug)).one()


def unit(session: Session, slug: str) -> Unit:
    return session.exec(select(Unit).where(Unit.slug == slug)).one()


@pytest.fixture
def agreement(session: Session):  # type: ignore[no-untyped-def]
    return measures.create_agreement(session=session, items=agreement_form())


@pytest.fixture
def area(session: Session, agreement) -> FocusArea:  # type: ignore[no-untyped-def]
    return measures.add_focus_area(
        session=session, agreement=agreement, items=[("title", "Trygghet i offentlig miljö")]
    )


def refused(call, **kwargs) -> dict[str, str]:  # type: ignore[no-untyped-def]
    with pytest.raises(Invalid) as caught:
        call(**kwargs)
    return caught.value.errors


# Agreements


def test_an_agreement_keeps_its_title_period_and_parties_one_a_line(session, agreement):
    assert (agreement.title, agreement.first_year, agreement.last_year) == (
        "Samverkan för ökad trygghet i Boden",
        2026,
        2027,
    )
    assert agreement.party_list() == ["Bodens kommun", "Polisen, lokalpolisområde Boden"]
    assert [row.agreement.id for row in measures.agreements(session=session)] == [agreement.id]


@pytest.mark.parametrize(
    ("over", "field", "message"),
    [
        ({"title": "  "}, "title", "Give the agreement's title."),
        ({"title": "x" * 201}, "title", "Too long"),
        ({"title": "Boden\x00"}, "title", "not allowed"),
        ({"first_year": "2027", "last_year": "2026"}, "last_year", "cannot come before"),
        ({"first_year": "20026"}, "first_year", "A year between 2000 and 2100"),
        (
            {"first_year": "\uff12\uff10\uff12\uff16"},
            "first_year",
            "A year between",
        ),  # full-width digits
        ({"last_year": ""}, "last_year", "Give the year"),
        ({"first_year": "2026", "last_year": "2040"}, "last_year", "at most 10 years"),
        ({"parties": "\n \n"}, "parties", "Name the parties"),
        ({"parties": "Kommunen\x07\nPolisen"}, "parties", "not allowed"),
        ({"parties": "\n".join(f"Part {i}" for i in range(13))}, "parties", "at most 12"),
        ({"parties": "P" * 201}, "parties", "at most 200 characters a line"),
        ({"parties": "\n".join("P" * 180 for _ in range(12))}, "parties", "at most 2000"),
    ],
)
def test_a_wrong_agreement_is_refused_naming_the_field(session, over, field, message):
    errors = refused(measures.create_agreement, session=session, items=agreement_form(**over))
    assert message in errors[field]
    assert count(session, measures.Agreement) == 0


def test_an_agreement_is_edited_and_a_refused_edit_changes_nothing(session, agreement):
    measures.update_agreement(
        session=session, agreement=agreement, items=agreement_form(last_year="2028")
    )
    assert agreement.last_year == 2028
    refused(
        measures.update_agreement,
        session=session,
        agreement=agreement,
        items=agreement_form(last_year="2020"),
    )
    session.expire_all()
    assert measures.agreement_by_id(session=session, agreement_id=agreement.id).last_year == 2028


# Focus areas


def test_focus_areas_keep_their_order_and_move_up_and_down(session, agreement):
    titles = ["Förebyggande arbete ungdomar", "Trygghet offentlig miljö", "Kommunikation"]
    areas = [
        measures.add_focus_area(session=session, agreement=agreement, items=[("title", t)])
        for t in titles
    ]
    assert [a.position for a in areas] == [0, 1, 2]
    measures.move_focus_area(session=session, area=areas[2], direction="up")
    shown = measures.focus_areas(session=session, agreement=agreement)
    assert [a.title for a in shown] == [titles[0], titles[2], titles[1]]
    measures.move_focus_area(session=session, area=areas[0], direction="up")  # already first
    measures.move_focus_area(session=session, area=areas[0], direction="down")
    shown = measures.focus_areas(session=session, agreement=agreement)
    assert [a.title for a in shown] == [titles[2], titles[0], titles[1]]
    assert [a.position for a in shown] == [0, 1, 2]
    errors = refused(measures.move_focus_area, session=session, area=areas[0], direction="left")
    assert "up or down" in errors["direction"]


def test_a_focus_area_is_edited_and_needs_a_title(session, area):
    measures.update_focus_area(
        session=session,
        area=area,
        items=[("title", "Trygghetsskapande åtgärder"), ("description", "Platser\r\nsom oroar")],
    )
    assert (area.title, area.description) == ("Trygghetsskapande åtgärder", "Platser\nsom oroar")
    errors = refused(measures.update_focus_area, session=session, area=area, items=[("title", "")])
    assert errors["title"] == "Give the focus area's title."
    errors = refused(
        measures.update_focus_area,
        session=session,
        area=area,
        items=[("title", "Ok"), ("description", "nul\x00")],
    )
    assert "not allowed" in errors["description"]


# Measures


def test_a_measure_keeps_the_annex_headings_its_responsible_and_what_it_covers(session, area):
    lighting = unit(session, "street-lighting")
    the_walk = walk(session)
    case = plan_cases.register(
        session=session,
        raw={"name": "Kvarteret Lärkan", "diary_number": "PLAN 2026-7", "area": drawn()},
        upload=None,
        user=make_staff(session, "planner"),
    )
    items = [
        *measure_form(unit_id=str(lighting.id)),
        ("zone", str(zone(session, "centrum").id)),
        ("category", str(category(session, "dark-spot").id)),
        ("walk", str(the_walk.id)),
        ("plan_case", str(case.id)),
        ("zone", str(zone(session, "centrum").id)),  # ticked twice: once is what was meant
    ]
    measure = measures.create_measure(session=session, area=area, items=items)
    assert measure.focus_area_id == area.id
    assert measure.purpose == "Ta reda på vad som upplevs otryggt.\nMetod: trygghetsvandring."
    assert (measure.starts_on, measure.ends_on) == (date(2026, 3, 1), date(2027, 10, 31))
    assert measure.responsible == "Anna Berg, trygghetssamordnare"
    assert measure.unit_id == lighting.id
    assert count(session, MeasureLink) == 4

    view = measure_views.measure_view(session=session, measure=measure, lang="en")
    assert view.unit_name == lighting.name("en")
    shown = {(link.kind, link.label, link.href) for link in view.links}
    assert shown == {
        (MeasureLinkKind.category, category(session, "dark-spot").name_en, None),
        (MeasureLinkKind.zone, zone(session, "centrum").name, "/planning/zones/centrum"),
        (MeasureLinkKind.plan_case, "Kvarteret Lärkan", f"/planning/plans/{case.id}"),
        (MeasureLinkKind.walk, "Kvällsvandring Centrum", f"/walks/{the_walk.id}"),
    }
    assert [heading for heading, _text in view.texts] == [
        "Purpose/method",
        "Approach",
        "Timetable",
        "Partners",
        "Expected effect / method of follow-up",
    ]


@pytest.mark.parametrize(
    ("over", "field", "message"),
    [
        ({"title": ""}, "title", "Give the measure's title."),
        ({"responsible": " "}, "responsible", "Name the person responsible"),
        ({"responsible": "Anna\tBerg"}, "responsible", "not allowed"),
        ({"starts_on": "2026-05-01", "ends_on": "2026-04-30"}, "ends_on", "cannot come before"),
        ({"starts_on": "2026-02-30"}, "starts_on", "year-month-day"),
        ({"ends_on": "1.5.2026"}, "ends_on", "year-month-day"),
        ({"ends_on": "9999-01-01"}, "ends_on", "year-month-day"),
        ({"purpose": "Syfte\x00"}, "purpose", "not allowed"),
        ({"approach": "Steg\x1b[31m"}, "approach", "not allowed"),
        ({"timetable": "x" * 2001}, "timetable", "at most 2000 characters"),
        ({"purpose": "x" * 4001}, "purpose", "at most 4000 characters"),
        ({"unit_id": "999999"}, "unit_id", "Choose one of the units."),
        ({"unit_id": "lighting"}, "unit_id", "Choose one of the units."),
    ],
)
def test_a_wrong_measure_is_refused_naming_the_field(session, area, over, field, message):
    errors = refused(
        measures.create_measure, session=session, area=area, items=measure_form(**over)
    )
    assert message in errors[field]
    assert count(session, measures.Measure) == 0


@pytest.mark.parametrize(
    ("kind", "value", "message"),
    [
        ("zone", "999999", "Districts and areas: no row has the number 999999."),
        ("walk", "424242", "Safety walks: no row has the number 424242."),
        ("plan_case", "7", "Plan cases: no row has the number 7."),
        ("category", "0", "is not one of the choices"),
        ("category", "-1", "is not one of the choices"),
        ("zone", "centrum", "is not one of the choices"),
        ("walk", "99999999999999999999", "is not one of the choices"),
    ],
)
def test_a_link_to_nothing_is_refused(session, area, kind, value, message):
    errors = refused(
        measures.create_measure, session=session, area=area, items=[*measure_form(), (kind, value)]
    )
    assert message in errors["links"]
    assert count(session, MeasureLink) == 0


def test_editing_a_measure_replaces_what_it_covers_and_may_move_it_within_the_agreement(
    session, agreement, area
):
    centrum, lighting = zone(session, "centrum"), category(session, "dark-spot")
    measure = measures.create_measure(
        session=session, area=area, items=[*measure_form(), ("zone", str(centrum.id))]
    )
    other = measures.add_focus_area(
        session=session, agreement=agreement, items=[("title", "Kommunikation")]
    )
    items = [
        *measure_form(result="Två vandringar hölls; 14 av 20 brister åtgärdade."),
        ("category", str(lighting.id)),
        ("focus_area_id", str(other.id)),
    ]
    measures.update_measure(session=session, measure=measure, items=items)
    links = session.exec(select(MeasureLink).where(MeasureLink.measure_id == measure.id)).all()
    assert [(link.kind, link.target_id) for link in links] == [
        (MeasureLinkKind.category, lighting.id)
    ]
    assert measure.focus_area_id == other.id
    assert measure.result.startswith("Två vandringar hölls")

    elsewhere = measures.create_agreement(session=session, items=agreement_form(title="Annan"))
    foreign = measures.add_focus_area(session=session, agreement=elsewhere, items=[("title", "X")])
    errors = refused(
        measures.update_measure,
        session=session,
        measure=measure,
        items=[*measure_form(), ("focus_area_id", str(foreign.id))],
    )
    assert "the agreement's focus areas" in errors["focus_area_id"]
    session.expire_all()
    assert measures.measure_by_id(session=session, measure_id=measure.id).focus_area_id == other.id


def test_a_link_whose_row_is_gone_is_left_out_of_the_view(session, area):
    the_walk = walk(session)
    measure = measures.create_measure(
        session=session, area=area, items=[*measure_form(), ("walk", str(the_walk.id))]
    )
    session.delete(the_walk)
    session.commit()
    assert measure_views.measure_view(session=session, measure=measure, lang="en").links == []


def test_the_agreement_view_lists_focus_areas_in_order_with_their_measures(session, agreement):
    first = measures.add_focus_area(session=session, agreement=agreement, items=[("title", "A")])
    second = measures.add_focus_area(session=session, agreement=agreement, items=[("title", "B")])
    measures.create_measure(session=session, area=second, items=measure_form(title="B1"))
    measures.create_measure(session=session, area=first, items=measure_form(title="A1"))
    measures.create_measure(session=session, area=second, items=measure_form(title="B2"))
    measures.move_focus_area(session=session, area=second, direction="up")
    view = measure_views.agreement_view(session=session, agreement=agreement, lang="en")
    assert [(a.focus_area.title, [m.measure.title for m in a.measures]) for a in view.areas] == [
        ("B", ["B1", "B2"]),
        ("A", ["A1"]),
    ]
    assert view.measure_count == 3
    counted = measures.agreements(session=session)[0]
    assert (counted.focus_areas, counted.measures) == (2, 3)


def test_the_measures_active_in_a_year_are_those_under_way_some_time_in_it(session, area):
    def make(title: str, starts: str = "", ends: str = ""):  # type: ignore[no-untyped-def]
        return measures.create_measure(
            session=session,
            area=area,
            items=measure_form(title=title, starts_on=starts, ends_on=ends),
        )

    make("All of 2026", "2026-01-01", "2026-12-31")
    make("Ends on New Year's Day 2027", "2026-06-01", "2027-01-01")
    make("Spring 2027", "2027-03-01", "2027-05-31")
    make("The agreement's period (no dates)")
    make("Open end from 2027", "2027-12-31")
    make("Ended 2025", "2025-01-01", "2025-12-31")

    def titles(first: int, last: int) -> list[str]:
        found = measures.active_in(session=session, first_year=first, last_year=last)
        return [v.measure.title for v in found]

    assert titles(2026, 2026) == [
        "All of 2026",
        "Ends on New Year's Day 2027",
        "The agreement's period (no dates)",
    ]
    assert titles(2027, 2027) == [
        "Ends on New Year's Day 2027",
        "Spring 2027",
        "The agreement's period (no dates)",
        "Open end from 2027",
    ]
    assert titles(2028, 2028) == []  # no end: it lasts to the agreement's last year
    assert titles(2025, 2025) == ["Ended 2025"]
    assert titles(2024, 2024) == []
    assert len(titles(2025, 2027)) == 6


# The annex as an editable document


def _docx(found: annex.Annex) -> Document:
    return Document(BytesIO(annex.docx_bytes(found)))


def test_the_annex_docx_has_the_focus_areas_as_headings_and_each_measure_in_its_section(
    session, agreement, area
):
    measures.create_measure(
        session=session,
        area=area,
        items=[
            *measure_form(unit_id=str(unit(session, "street-lighting").id)),
            ("zone", str(zone(session, "centrum").id)),
        ],
    )
    measures.create_measure(
        session=session, area=area, items=measure_form(title="Belysning i gångtunneln", purpose="")
    )
    measures.add_focus_area(
        session=session, agreement=agreement, items=[("title", "Kommunikation")]
    )
    view = measure_views.agreement_view(session=session, agreement=agreement, lang="en")
    document = _docx(annex.annex(view=view))
    headings = [
        (p.style.name, p.text)
        for p in document.paragraphs
        if p.style.name.startswith(("Heading", "Title"))
    ]
    assert headings[0] == ("Title", "Annex: the measures of “Samverkan för ökad trygghet i Boden”")
    assert ("Heading 1", "Trygghet i offentlig miljö") in headings
    assert ("Heading 1", "Kommunikation") in headings
    assert ("Heading 2", "Trygghetsvandringar i Centrum") in headings
    assert ("Heading 2", "Belysning i gångtunneln") in headings
    assert [text for style, text in headings if style == "Heading 3"][:6] == [
        "Purpose/method",
        "Approach",
        "Timetable",
        "Partners",
        "Expected effect / method of follow-up",
        "Covers",
    ]
    texts = [p.text for p in document.paragraphs]
    assert "Responsible: Anna Berg, trygghetssamordnare" in texts
    assert "Metod: trygghetsvandring." in texts  # one paragraph a line
    assert "Not written yet." in texts  # the second measure has no purpose
    assert "Parties: Bodens kommun, Polisen, lokalpolisområde Boden" in texts
    assert "Period: 2026\u20132027" in texts
    assert f"Districts and areas: {zone(session, 'centrum').name}" in texts
    assert "No measures yet." in texts  # the empty focus area Kommunikation
    # The cover, then one section (page) for each measure.
    assert len(document.sections) == 3
    assert document.core_properties.title.startswith("Annex: the measures of")


def test_the_annex_docx_speaks_swedish_to_a_swedish_reader(session, agreement, area):
    measures.create_measure(session=session, area=area, items=measure_form())
    with i18n.using("sv"):
        view = measure_views.agreement_view(session=session, agreement=agreement, lang="sv")
        document = _docx(annex.annex(view=view))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 3"]
    assert headings == [
        "Syfte/metod",
        "Tillvägagångssätt",
        "Tidsplan",
        "Samverkanspartners",
        "Förväntad effekt / metod för uppföljning",
    ]
    assert "Ansvarig: Anna Berg, trygghetssamordnare" in [p.text for p in document.paragraphs]
    assert document.core_properties.language == "sv-SE"
