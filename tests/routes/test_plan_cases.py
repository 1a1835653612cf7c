"""Plan cases through the web: a planner registers a plan (drawn or uploaded area), marks its
checklist line by line, freezes the safety basis and reads its page and PDF; who may do what;
and what a planner never sees."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from io import BytesIO

import pytest
from PIL import Image
from pypdf import PdfReader
from shapely.geometry import shape
from sqlmodel import select

from app.models import ObservationEvent, PlanCase, PlanChecklistLine, Status
from app.services import map_image
from tests.factories import csrf_token, insert_observation, login_as, make_staff
from tests.services.test_plan_cases import INSIDE, RING, drawn, sweref_file

HTMX = {"HX-Request": "true"}


def at(year: int, month: int) -> datetime:
    return datetime(year, month, 10, 12, tzinfo=UTC)


def register(client, token: str, **more):  # type: ignore[no-untyped-def]
    files = more.pop("files", None)
    data = {
        "csrf_token": token,
        "name": "Kvarteret Lärkan",
        "diary_number": "PLAN 2026-123",
        "stage": "consultation",
        "area": drawn(),
    } | more
    return client.post("/planning/plans/new", data=data, files=files, follow_redirects=False)


@pytest.fixture
def planner(client, session):  # type: ignore[no-untyped-def]
    return login_as(client, session, "planner")


@pytest.fixture
def token(client, planner) -> str:  # type: ignore[no-untyped-def]
    return csrf_token(client, "/planning")


@pytest.fixture
def reports(session):  # type: ignore[no-untyped-def]
    """A recurring spot (November, March), an open problem with personal data around it, a
    report in a private category, a fixed one and a good place, all inside the plan area."""
    lat, lon = INSIDE
    spot = insert_observation(session, lat=lat, lon=lon, created_at=at(2025, 11))
    insert_observation(session, lat=lat + 0.0001, lon=lon, created_at=at(2026, 3))
    problem = insert_observation(
        session,
        lat=65.8245,
        lon=21.6920,
        category="litter",
        created_at=at(2026, 5),
        contact_email="resident@example.se",
        description="Overfull bins by the bus stop.",
    )
    session.add(
        ObservationEvent(
            observation_id=problem.id,
            to_status=Status.new,
            note="",
            internal_note="Secret staff remark 4711",
        )
    )
    private = insert_observation(
        session,
        lat=65.8255,
        lon=21.6870,
        category="drug-dealing",
        description="Private matter 9876",
        contact_email="someone@example.se",
    )
    insert_observation(
        session, lat=65.8258, lon=21.6900, status=Status.fixed, created_at=at(2026, 1)
    )
    insert_observation(session, lat=65.8260, lon=21.6860, category="good-place")
    session.commit()
    return {"spot": spot, "problem": problem, "private": private}


def case_of(session) -> PlanCase:  # type: ignore[no-untyped-def]
    session.expire_all()
    return session.exec(select(PlanCase)).one()


def test_a_planner_registers_a_drawn_plan_and_opens_it(client, session, token, reports):
    answer = register(client, token)
    assert answer.status_code == 303
    case = case_of(session)
    assert answer.headers["location"] == f"/planning/plans/{case.id}"

    page = client.get(answer.headers["location"])
    assert page.status_code == 200
    assert "Kvarteret Lärkan" in page.text and "PLAN 2026-123" in page.text
    assert "Consultation (samråd)" in page.text
    assert f'href="/planning/area/{case.area_key}"' in page.text
    # Key figures: 6 reports, 5 problems (the private one counted), 4 open, 1 good place.
    assert "<dt>Reports</dt><dd>6</dd>" in page.text
    assert "<dt>Problems</dt><dd>5</dd>" in page.text
    assert "<dt>Still open</dt><dd>4</dd>" in page.text
    assert "<dt>Good places</dt><dd>1</dd>" in page.text
    # The checklist: the recurring spot and the open problem outside it.
    assert page.text.count('class="checklist-line') == 2
    assert "Safety checklist (2)" in page.text

    start = client.get("/planning")
    assert f'href="/planning/plans/{case.id}"' in start.text
    assert 'href="/planning/zones/centrum"' in start.text
    assert 'href="/planning/area"' in start.text


def test_the_case_shows_its_areas_history_and_narrows_it_in_place(client, session, token, reports):
    register(client, token)
    case = case_of(session)
    page = client.get(f"/planning/plans/{case.id}").text
    # The history partial sends its filters to the case itself, and its map reads the case's.
    assert f'hx-get="/planning/plans/{case.id}"' in page
    assert f"/planning/plans/{case.id}/points.geojson" in page
    assert "Recurring spots" in page and 'data-spot="1"' in page

    narrowed = client.get(f"/planning/plans/{case.id}?from=2026-01-01", headers=HTMX)
    assert narrowed.status_code == 200
    assert narrowed.headers["HX-Push-Url"] == f"/planning/plans/{case.id}?from=2026-01-01"
    assert "checklist-line" not in narrowed.text  # the history alone
    # From 2026 on the spot's November report drops out: no recurring spot is left.
    assert 'data-spot="1"' not in narrowed.text
    assert "No place was reported in more than one month." in narrowed.text

    points = client.get(f"/planning/plans/{case.id}/points.geojson").json()
    assert len(points["features"]) == 5  # six inside, the private one never on a map
    assert "resident@example.se" not in json.dumps(points)
    assert client.get(f"/planning/plans/{case.id}?from=2026-13-01").status_code == 422
    # A narrowed page still lists the whole area's checklist (the spot and the problem).
    whole_page = client.get(f"/planning/plans/{case.id}?from=2026-01-01").text
    assert whole_page.count('class="checklist-line') == 2
    assert "Safety checklist (2)" in whole_page

    # The history's export links are the plan area's, with the filters of the view.
    assert f'href="/planning/plans/{case.id}/export.csv"' in page
    exported = client.get(f"/planning/plans/{case.id}/export.csv?from=2026-01-01")
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text.lstrip("\ufeff"))))
    # 2026: the spot's March report, the fixed one, the problem and the good place (today).
    assert len(rows) == 4
    assert "resident@example.se" not in exported.text and "Private matter" not in exported.text
    collection = client.get(f"/planning/plans/{case.id}/export.geojson").json()
    assert len(collection["features"]) == 5


def test_a_walk_leader_cannot_export_a_case_the_planner_does_not_share(
    client, session, token, reports
):
    register(client, token)
    case = case_of(session)
    login_as(client, session, "walk_leader")
    assert client.get(f"/planning/plans/{case.id}/export.csv").status_code == 403
    assert client.get(f"/planning/plans/{case.id}/export.geojson").status_code == 403


def test_a_plan_area_uploaded_in_sweref_99_tm(client, session, token):
    answer = register(
        client,
        token,
        area="",
        crs="EPSG:3006",
        files={"area_file": ("plan.geojson", sweref_file(crs_member=False), "application/json")},
    )
    assert answer.status_code == 303, answer.text
    outline = json.loads(case_of(session).area)["coordinates"][0]
    assert outline[0] == pytest.approx(list(RING[0]), abs=1e-6)


@pytest.mark.parametrize(
    ("more", "reason"),
    [
        ({"area": ""}, "Draw the plan area on the map"),
        ({"area": json.dumps({"type": "Point", "coordinates": [21.6, 65.8]})}, "not Point"),
        ({"area": drawn([(x - 12, y) for x, y in RING])}, "outside Sweden"),
        (
            {"area": "", "files": {"area_file": ("plan.geojson", b"\xff\xfe junk", "text/plain")}},
            "not GeoJSON",
        ),
        ({"diary_number": "<b>"}, "letters, digits"),
    ],
)
def test_bad_input_is_a_422_naming_the_reason(client, session, token, more, reason):
    answer = register(client, token, **more)
    assert answer.status_code == 422
    assert reason in answer.text
    assert session.exec(select(PlanCase)).first() is None


@pytest.mark.parametrize("name", ["Lärkan\x00", "Lärkan\x07", "Lärkan\nnewline"])
def test_control_characters_in_the_name_are_a_422(client, session, token, name):
    answer = register(client, token, name=name)
    assert answer.status_code == 422
    assert "name" in answer.text
    assert session.exec(select(PlanCase)).first() is None


def test_a_diary_number_twice_is_a_422(client, token):
    assert register(client, token).status_code == 303
    again = register(client, token, diary_number="plan 2026-123")
    assert again.status_code == 422 and "already registered" in again.text


def test_without_the_csrf_token_nothing_is_registered(client, session, token):
    answer = register(client, "not-the-token")
    assert answer.status_code == 403
    assert session.exec(select(PlanCase)).first() is None


def lines_of(session, case):  # type: ignore[no-untyped-def]
    session.expire_all()
    return session.exec(
        select(PlanChecklistLine)
        .where(PlanChecklistLine.plan_case_id == case.id)
        .order_by(PlanChecklistLine.id)
    ).all()


def test_marking_two_lines_through_htmx(client, session, token, reports):
    register(client, token)
    case = case_of(session)
    client.get(f"/planning/plans/{case.id}")  # the page brings the checklist up to date
    spot, problem = lines_of(session, case)

    first = client.post(
        f"/planning/plans/{case.id}/checklist/{spot.id}",
        data={"decision": "addressed", "note": "Belysning längs gångvägen"},
        headers={**HTMX, "X-CSRF-Token": token},
    )
    second = client.post(
        f"/planning/plans/{case.id}/checklist/{problem.id}",
        data={"decision": "outside_plan", "note": "Fler papperskorgar"},
        headers={**HTMX, "X-CSRF-Token": token},
    )

    assert first.status_code == second.status_code == 200
    assert first.text.lstrip().startswith(f'<li class="checklist-line" id="line-{spot.id}"')
    assert "<html" not in first.text and "Saved." in first.text
    assert 'value="addressed" checked' in first.text
    assert 'value="outside_plan" checked' in second.text
    # The page's count of undecided lines follows each save.
    assert '<span id="undecided-count" hx-swap-oob="true">1 line is not decided yet.</span>' in (
        first.text
    )
    assert '<span id="undecided-count" hx-swap-oob="true"></span>' in second.text
    spot, problem = lines_of(session, case)
    assert (spot.decision, spot.note) == ("addressed", "Belysning längs gångvägen")
    assert (problem.decision, problem.note) == ("outside_plan", "Fler papperskorgar")

    bad = client.post(
        f"/planning/plans/{case.id}/checklist/{spot.id}",
        data={"decision": "maybe"},
        headers={**HTMX, "X-CSRF-Token": token},
    )
    assert bad.status_code == 422 and "Choose one of the decisions" in bad.text
    # Without htmx: back to the page, at the line.
    plain = client.post(
        f"/planning/plans/{case.id}/checklist/{spot.id}",
        data={"decision": "not_relevant", "csrf_token": token},
        follow_redirects=False,
    )
    assert plain.status_code == 303 and plain.headers["location"].endswith(f"#line-{spot.id}")


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)


def test_a_frozen_basis_stays_as_it_was(client, session, token, reports):
    register(client, token)
    case = case_of(session)
    client.get(f"/planning/plans/{case.id}")
    spot, problem = lines_of(session, case)
    headers = {**HTMX, "X-CSRF-Token": token}
    client.post(
        f"/planning/plans/{case.id}/checklist/{spot.id}",
        data={"decision": "addressed", "note": "Belysning"},
        headers=headers,
    )
    client.post(
        f"/planning/plans/{case.id}/checklist/{problem.id}",
        data={"decision": "not_relevant"},
        headers=headers,
    )

    frozen = client.post(
        f"/planning/plans/{case.id}/bases", data={"csrf_token": token}, follow_redirects=False
    )
    assert frozen.status_code == 303
    url = frozen.headers["location"]
    page_before = client.get(url).text
    pdf_before = client.get(url + ".pdf")
    assert pdf_before.status_code == 200
    assert pdf_before.headers["content-type"] == "application/pdf"
    text_before = pdf_text(pdf_before.content)

    # Afterwards: a new report at the spot, a decision changed, the stage moved on.
    insert_observation(session, lat=INSIDE[0], lon=INSIDE[1], created_at=at(2026, 8))
    client.post(
        f"/planning/plans/{case.id}/checklist/{spot.id}",
        data={"decision": "outside_plan", "note": "Ändrat"},
        headers=headers,
    )
    client.post(f"/planning/plans/{case.id}/stage", data={"stage": "review", "csrf_token": token})

    page_after = client.get(url).text
    text_after = pdf_text(client.get(url + ".pdf").content)
    assert text_after == text_before
    assert page_after.replace(token, "") == page_before.replace(token, "")

    flat = " ".join(text_before.split())
    assert "PLAN 2026-123" in flat and "Kvarteret Lärkan" in flat
    assert "Consultation (samråd)" in flat
    assert "Reports: 6" in flat and "Problems: 5" in flat and "Still open: 4" in flat
    assert "Recurring spots (1)" in flat
    assert "Addressed in the plan" in flat and "Belysning" in flat and "Not relevant" in flat
    assert "Ändrat" not in flat and "To handle outside the plan" not in flat
    assert "Drug dealing (private: count only)" in flat

    # The map: served as PNG for the page, embedded in the PDF.
    png = client.get(url + "/map.png")
    assert png.headers["content-type"] == "image/png"
    image = Image.open(BytesIO(png.content)).convert("RGB")
    assert image.size == (1200, 900)
    frame = map_image.frame_for(shape(json.loads(case.area)))
    x, y = frame.pixel(reports["problem"].lon, reports["problem"].lat)
    assert image.getpixel((round(x), round(y))) == map_image.COLOURS["open"]
    assert f'src="{url}/map.png"' in page_before
    images = [img for page in PdfReader(BytesIO(pdf_before.content)).pages for img in page.images]
    assert images and {img.image.size for img in images} == {(1200, 900)}

    listed = client.get(f"/planning/plans/{case.id}").text
    assert f'href="{url}.pdf"' in listed


def test_a_planner_never_sees_personal_data(client, session, token, reports):
    register(client, token)
    case = case_of(session)
    page = client.get(f"/planning/plans/{case.id}").text
    url = client.post(
        f"/planning/plans/{case.id}/bases", data={"csrf_token": token}, follow_redirects=False
    ).headers["location"]
    basis = client.get(url).text
    text = pdf_text(client.get(url + ".pdf").content)
    secrets = [
        "resident@example.se",
        "someone@example.se",
        "Secret staff remark 4711",
        "Private matter 9876",
        *(obs.token for obs in reports.values()),
    ]
    for shown in (page, basis, text):
        for secret in secrets:
            assert secret not in shown
    assert "Overfull bins" in page  # a resident's description of the place is not personal


@pytest.mark.parametrize(
    ("role", "reads", "edits"),
    [
        ("planner", True, True),
        ("admin", True, True),
        ("triager", True, False),
        ("unit_worker", False, False),
        ("walk_leader", False, False),
    ],
)
def test_roles(client, session, role, reads, edits):
    author = make_staff(session, "planner")
    case = PlanCase(
        name="Lärkan", diary_number="PLAN 1", area=drawn(), area_key="", created_by_id=author.id
    )
    from app.services import area, geometry

    case.area_key = area.save(session=session, geometry=geometry.loads(drawn()))
    session.add(case)
    session.commit()
    insert_observation(session, lat=INSIDE[0], lon=INSIDE[1])  # one checklist line
    login_as(client, session, role, unit="parks" if role == "unit_worker" else None)
    token = csrf_token(client)

    page = client.get(f"/planning/plans/{case.id}")
    assert page.status_code == (200 if reads else 403)
    assert client.get("/planning").status_code == (403 if role == "unit_worker" else 200)
    new = client.get("/planning/plans/new")
    assert new.status_code == (200 if edits else 403)
    stage = client.post(
        f"/planning/plans/{case.id}/stage",
        data={"stage": "review", "csrf_token": token},
        follow_redirects=False,
    )
    assert stage.status_code == (303 if edits else 403)
    if reads:
        assert ("Freeze the basis for this stage" in page.text) == edits
        assert ('name="decision"' in page.text) == edits


def test_walk_leaders_read_and_follow_only_what_the_planner_shares(client, session):
    planner = make_staff(session, "planner")
    from app.services import plan_cases

    shared = plan_cases.register(
        session=session,
        raw={
            "name": "Delad",
            "diary_number": "PLAN 2",
            "area": drawn(),
            "walk_leaders_may_follow": "1",
        },
        upload=None,
        user=planner,
    )
    hidden = plan_cases.register(
        session=session,
        raw={"name": "Dold", "diary_number": "PLAN 3", "area": drawn()},
        upload=None,
        user=planner,
    )
    login_as(client, session, "walk_leader")
    token = csrf_token(client)
    start = client.get("/planning").text
    assert "Delad" in start and "Dold" not in start
    assert client.get(f"/planning/plans/{hidden.id}").status_code == 403
    page = client.get(f"/planning/plans/{shared.id}")
    assert page.status_code == 200
    assert f'href="/walks/new?area={shared.area_key}"' in page.text
    followed = client.post(f"/planning/plans/{shared.id}/follow", data={"csrf_token": token})
    assert followed.status_code == 200 and "Stop following" in followed.text
    refused = client.post(
        f"/planning/plans/{hidden.id}/follow", data={"csrf_token": token}, follow_redirects=False
    )
    assert refused.status_code == 403

    # The walk form starts from the plan's area.
    form = client.get(f"/walks/new?area={shared.area_key}")
    assert form.status_code == 200
    value = form.text.split('name="area" value="')[1].split('"')[0]
    assert json.loads(value.replace("&#34;", '"'))["coordinates"][0][0] == list(RING[0])


@pytest.mark.parametrize(
    "path",
    [
        "/planning/plans/999999",
        "/planning/plans/999999/basis/1",
        "/planning/plans/999999/basis/1.pdf",
        "/planning/plans/{id}/basis/999999",
        "/planning/plans/{id}/basis/999999.pdf",
        "/planning/plans/{id}/basis/999999/map.png",
    ],
)
def test_unknown_ids_are_404(client, session, token, path):
    register(client, token)
    case = case_of(session)
    assert client.get(path.replace("{id}", str(case.id))).status_code == 404


def test_an_unknown_checklist_line_is_404(client, session, token):
    register(client, token)
    case = case_of(session)
    answer = client.post(
        f"/planning/plans/{case.id}/checklist/999999",
        data={"decision": "addressed"},
        headers={**HTMX, "X-CSRF-Token": token},
    )
    assert answer.status_code == 404
