"""The agreement's follow-up through the web: a coordinator writes an agreement, its focus
areas and measures and opens the annex as a page, a PDF (text read back) and a DOCX (read back);
who may read and who may write; bad input answered with its message, never a 500."""

from __future__ import annotations

from io import BytesIO

import pytest
from docx import Document
from pypdf import PdfReader
from sqlmodel import select

from app.models import Agreement, FocusArea, Measure, MeasureLink, Unit, Zone
from tests.factories import count, csrf_token, login_as
from tests.services.test_measures import agreement_form, measure_form, walk

HTMX = {"HX-Request": "true"}
LIST = "/follow-up/agreements"


def centrum(session) -> Zone:  # type: ignore[no-untyped-def]
    return session.exec(select(Zone).where(Zone.slug == "centrum")).one()


@pytest.fixture
def coordinator(client, session):  # type: ignore[no-untyped-def]
    return login_as(client, session, "coordinator")


@pytest.fixture
def token(client, coordinator) -> str:  # type: ignore[no-untyped-def]
    return csrf_token(client, LIST)


def post(client, url: str, token: str, items, **kw):  # type: ignore[no-untyped-def]
    """Post the form's fields (a field may repeat: each ticked box) with the CSRF token."""
    data: dict[str, list[str]] = {"csrf_token": [token]}
    for name, value in items:
        data.setdefault(name, []).append(value)
    return client.post(url, data=data, follow_redirects=False, **kw)


@pytest.fixture
def written(client, session, token):  # type: ignore[no-untyped-def]
    """An agreement with one focus area and one measure covering the district Centrum."""
    answer = post(client, LIST, token, agreement_form())
    assert answer.status_code == 303
    agreement_id = int(answer.headers["location"].rsplit("/", 1)[1])
    answer = post(
        client,
        f"{LIST}/{agreement_id}/focus-areas",
        token,
        [("title", "Trygghet i offentlig miljö"), ("description", "Platser som oroar")],
    )
    assert answer.status_code == 303
    area_id = session.exec(select(FocusArea.id)).one()
    lighting = session.exec(select(Unit).where(Unit.slug == "street-lighting")).one()
    items = [*measure_form(unit_id=str(lighting.id)), ("zone", str(centrum(session).id))]
    answer = post(client, f"/follow-up/measures/new?focus_area={area_id}", token, items)
    assert answer.status_code == 303, answer.text
    measure_id = int(answer.headers["location"].rsplit("/", 1)[1])
    return {"agreement": agreement_id, "area": area_id, "measure": measure_id}


def test_a_coordinator_writes_an_agreement_a_focus_area_and_a_measure(client, session, written):
    page = client.get(f"{LIST}/{written['agreement']}")
    assert page.status_code == 200
    assert "Samverkan för ökad trygghet i Boden" in page.text
    assert "Polisen, lokalpolisområde Boden" in page.text
    assert "Trygghet i offentlig miljö" in page.text
    assert f'href="/follow-up/measures/{written["measure"]}"' in page.text
    assert "Anna Berg, trygghetssamordnare" in page.text

    measure = client.get(f"/follow-up/measures/{written['measure']}")
    assert measure.status_code == 200
    assert "Purpose/method" in measure.text
    assert "Metod: trygghetsvandring." in measure.text
    # What it covers, with the way to the district's planning history.
    assert 'href="/planning/zones/centrum"' in measure.text
    assert 'name="title"' in measure.text  # the coordinator's edit form

    listing = client.get(LIST)
    assert "1 focus area" in listing.text and "1 measure" in listing.text


def test_a_coordinator_opens_the_zone_walk_and_plan_case_a_measure_covers(
    client, session, written, token
):
    the_walk = walk(session)
    url = f"/follow-up/measures/{written['measure']}"
    items = [*measure_form(), ("zone", str(centrum(session).id)), ("walk", str(the_walk.id))]
    assert post(client, url, token, items).status_code == 303
    page = client.get(url).text
    for href in ("/planning/zones/centrum", f"/walks/{the_walk.id}"):
        assert f'href="{href}"' in page
        assert client.get(href).status_code == 200, href


def test_the_measure_form_saves_with_htmx_and_gives_its_part_of_the_page_back(
    client, session, written, token
):
    url = f"/follow-up/measures/{written['measure']}"
    items = measure_form(result="Två vandringar; 14 av 20 brister åtgärdade.")
    answer = post(client, url, token, items, headers=HTMX)
    assert answer.status_code == 200
    assert answer.text.lstrip().startswith('<section class="panel wide measure-page" id="measure"')
    assert "<html" not in answer.text
    assert "Saved." in answer.text and "14 av 20 brister" in answer.text
    # Unticked: the link to Centrum is gone.
    assert count(session, MeasureLink) == 0
    refused = post(client, url, token, measure_form(ends_on="2020-01-01"), headers=HTMX)
    assert refused.status_code == 422
    assert "The end cannot come before the start." in refused.text
    plain = post(client, url, token, measure_form(title="Ny titel"))
    assert plain.status_code == 303 and plain.headers["location"] == url


def test_focus_areas_move_with_htmx(client, session, written, token):
    agreement = written["agreement"]
    post(client, f"{LIST}/{agreement}/focus-areas", token, [("title", "Kommunikation")])
    second = session.exec(select(FocusArea).where(FocusArea.title == "Kommunikation")).one()
    answer = post(
        client,
        f"/follow-up/focus-areas/{second.id}/move",
        token,
        [("direction", "up")],
        headers=HTMX,
    )
    assert answer.status_code == 200
    assert answer.text.lstrip().startswith('<div id="focus-areas"')
    assert answer.text.index("Kommunikation") < answer.text.index("Trygghet i offentlig miljö")
    wrong = post(client, f"/follow-up/focus-areas/{second.id}/move", token, [("direction", "x")])
    assert wrong.status_code == 422 and "up or down" in wrong.text


@pytest.mark.parametrize(
    ("url", "items", "message"),
    [
        (LIST, agreement_form(first_year="2027", last_year="2026"), "cannot come before"),
        (LIST, agreement_form(first_year="abc"), "A year between 2000 and 2100"),
        (LIST, agreement_form(title=""), "Give the agreement&#39;s title."),
        (LIST, agreement_form(parties="Kommunen\x07"), "not allowed"),
    ],
)
def test_a_wrong_agreement_gets_its_message_and_nothing_is_saved(
    client, session, token, url, items, message
):
    answer = post(client, url, token, items)
    assert answer.status_code == 422
    assert message in answer.text
    assert 'aria-invalid="true"' in answer.text
    assert count(session, Agreement) == 0


def test_bad_input_is_a_4xx_with_its_message_never_a_500(client, session, written, token):
    measure_url = f"/follow-up/measures/{written['measure']}"
    cases = [
        # NUL in a one-line field: the app's input rule refuses it before any service.
        (measure_url, measure_form(title="Titel\x00"), "title"),
        # NUL in a text under a heading: the measure's form refuses it.
        (measure_url, measure_form(purpose="Syfte\x00"), "not allowed"),
        (measure_url, measure_form(starts_on="2026-13-01"), "year-month-day"),
        (measure_url, [*measure_form(), ("zone", "999999")], "no row has the number 999999"),
        (measure_url, [*measure_form(), ("walk", "x")], "is not one of the choices"),
        (measure_url, measure_form(unit_id="999999"), "Choose one of the units."),
        (f"{LIST}/{written['agreement']}", agreement_form(last_year="2050"), "at most 10 years"),
        (f"{LIST}/{written['agreement']}/focus-areas", [("title", "")], "focus area&#39;s title"),
        (f"/follow-up/focus-areas/{written['area']}", [("title", "\x00")], "title"),
        (
            f"/follow-up/focus-areas/{written['area']}",
            [("title", "A"), ("description", "\x01")],
            "not allowed",
        ),
        (
            f"/follow-up/measures/new?focus_area={written['area']}",
            [("title", "")],
            "Give the measure&#39;s title.",
        ),
        ("/follow-up/measures/new?focus_area=abc", measure_form(), ""),
    ]
    for url, items, message in cases:
        answer = post(client, url, token, items)
        assert answer.status_code == 422, (url, items, answer.status_code)
        assert message in answer.text, (url, message)
    assert count(session, Measure) == 1
    assert session.get(Measure, written["measure"]).purpose.startswith("Ta reda på")


@pytest.mark.parametrize(
    "url",
    [
        f"{LIST}/999999",
        f"{LIST}/999999/annex",
        f"{LIST}/999999/annex.pdf",
        f"{LIST}/999999/annex.docx",
        "/follow-up/measures/999999",
        "/follow-up/measures/new?focus_area=999999",
        f"{LIST}/99999999999999999999",
    ],
)
def test_unknown_ids_are_404(client, coordinator, url):
    answer = client.get(url)
    assert answer.status_code in (404, 422) if "9999999999" in url else answer.status_code == 404


def test_unknown_ids_in_posts_are_404(client, token):
    for url in (
        f"{LIST}/999999",
        f"{LIST}/999999/focus-areas",
        "/follow-up/focus-areas/999999",
        "/follow-up/focus-areas/999999/move",
        "/follow-up/measures/999999",
    ):
        assert post(client, url, token, [("title", "x")]).status_code == 404, url


def test_anonymous_visitors_are_sent_to_login(client):
    for url in (LIST, f"{LIST}/1", f"{LIST}/1/annex.docx", "/follow-up/measures/1"):
        answer = client.get(url, follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"].startswith("/login?next=")


@pytest.mark.parametrize("role", ["unit_worker", "walk_leader"])
def test_unit_staff_and_walk_leaders_may_not_read(client, session, role):
    login_as(client, session, role, unit="street-lighting")
    for url in (LIST, f"{LIST}/1", f"{LIST}/1/annex", "/follow-up/measures/1"):
        assert client.get(url).status_code == 403, url


@pytest.mark.parametrize("role", ["planner", "triager"])
def test_planners_and_triagers_read_but_may_not_write(client, session, written, role):
    client.cookies.clear()
    login_as(client, session, role)
    token = csrf_token(client, LIST)
    page = client.get(f"{LIST}/{written['agreement']}")
    assert page.status_code == 200 and "Trygghet i offentlig miljö" in page.text
    assert "Add a focus area" not in page.text and "Edit the agreement" not in page.text
    measure = client.get(f"/follow-up/measures/{written['measure']}")
    assert measure.status_code == 200 and 'name="title"' not in measure.text
    assert client.get(f"{LIST}/{written['agreement']}/annex.docx").status_code == 200
    for url, items in (
        (LIST, agreement_form()),
        (f"{LIST}/{written['agreement']}/focus-areas", [("title", "X")]),
        (f"/follow-up/measures/{written['measure']}", measure_form(title="Changed")),
        (f"/follow-up/measures/new?focus_area={written['area']}", measure_form()),
    ):
        assert post(client, url, token, items).status_code == 403, url
    assert client.get(f"/follow-up/measures/new?focus_area={written['area']}").status_code == 403
    assert session.get(Measure, written["measure"]).title == "Trygghetsvandringar i Centrum"


def test_an_admin_does_what_a_coordinator_does(client, session):
    login_as(client, session, "admin")
    token = csrf_token(client, LIST)
    assert post(client, LIST, token, agreement_form()).status_code == 303


def test_a_post_without_the_csrf_token_is_refused(client, session, written):
    answer = client.post(LIST, data=dict(agreement_form()), follow_redirects=False)
    assert answer.status_code == 403 and "This form has expired" in answer.text
    forged = client.post(
        f"/follow-up/measures/{written['measure']}",
        data=dict(measure_form(title="Forged")) | {"csrf_token": "forged"},
    )
    assert forged.status_code == 403
    assert count(session, Agreement) == 1


# The annex


def test_the_annex_page_shows_each_measure_under_the_headings(client, written):
    page = client.get(f"{LIST}/{written['agreement']}/annex")
    assert page.status_code == 200
    for text in (
        "Annex: the measures of “Samverkan för ökad trygghet i Boden”",
        "Purpose/method",
        "Approach",
        "Timetable",
        "Partners",
        "Expected effect / method of follow-up",
        "Anna Berg, trygghetssamordnare",
        "Två vandringar om året med boende.",
        "2026-03-01 \u2013 2027-10-31",
    ):
        assert text in page.text, text


def test_the_annex_pdf_reads_back_with_the_measure_and_its_responsible(client, written):
    answer = client.get(f"{LIST}/{written['agreement']}/annex.pdf")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/pdf"
    assert f"annex-2026-2027-{written['agreement']}.pdf" in answer.headers["content-disposition"]
    text = "\n".join(page.extract_text() for page in PdfReader(BytesIO(answer.content)).pages)
    flat = " ".join(text.split())
    for expected in (
        "Trygghet i offentlig miljö",
        "Trygghetsvandringar i Centrum",
        "Purpose/method",
        "Expected effect / method of follow-up",
        "Anna Berg, trygghetssamordnare",
        "Två vandringar om året med boende.",
    ):
        assert expected in flat, expected


def test_the_annex_docx_reads_back_in_swedish_for_a_swedish_visitor(client, written):
    client.cookies.set("lang", "sv")
    answer = client.get(f"{LIST}/{written['agreement']}/annex.docx")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert "attachment" in answer.headers["content-disposition"]
    document = Document(BytesIO(answer.content))
    paragraphs = [(p.style.name, p.text) for p in document.paragraphs]
    assert ("Heading 1", "Trygghet i offentlig miljö") in paragraphs
    assert ("Heading 2", "Trygghetsvandringar i Centrum") in paragraphs
    assert ("Heading 3", "Syfte/metod") in paragraphs
    assert ("Heading 3", "Förväntad effekt / metod för uppföljning") in paragraphs
    assert ("Normal", "Ansvarig: Anna Berg, trygghetssamordnare") in paragraphs
    assert ("Normal", "Två vandringar om året med boende.") in paragraphs
    page = client.get(f"{LIST}/{written['agreement']}/annex").text
    for heading in ("Syfte/metod", "Tillvägagångssätt", "Tidsplan", "Samverkanspartners"):
        assert f"<h4>{heading}</h4>" in page
