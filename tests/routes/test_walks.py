"""Safety walks over HTTP: plan, join by code and by QR link, capture on the walk, co-sign,
the live page, close, and the closed walk that still stores what it is sent."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from app.models import Observation, Support, Walk, WalkParticipant, WalkStatus
from tests.factories import (
    CENTRUM,
    JSON,
    count,
    csrf_token,
    jpeg_bytes,
    login_as,
    post_observation,
    sent_anew,
)

TOMORROW = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()


def walk_form(token: str, **overrides: str) -> dict[str, str]:
    fields = {
        "csrf_token": token,
        "title": "Evening walk in Centrum",
        "date": TOMORROW,
        "time": "19:00",
        "zone": "centrum",
        "meeting_point": "The library's entrance",
        "organisations": "Boden municipality\nPolice\nBodens Energi",
        "description": "",
    }
    fields.update(overrides)
    return fields


def plan_walk(client: TestClient, session, **overrides: str) -> Walk:  # type: ignore[no-untyped-def]
    answer = client.post(
        "/walks/new", data=walk_form(csrf_token(client), **overrides), follow_redirects=False
    )
    assert answer.status_code == 303, answer.text
    walk_id = int(answer.headers["location"].rsplit("/", 1)[1])
    session.expire_all()
    return session.get(Walk, walk_id)


@pytest.fixture
def leader(client, session):  # type: ignore[no-untyped-def]
    return login_as(client, session, "walk_leader")


def move(client: TestClient, walk: Walk, action: str):  # type: ignore[no-untyped-def]
    return client.post(
        f"/walks/{walk.id}/{action}",
        data={"csrf_token": csrf_token(client)},
        follow_redirects=False,
    )


def participant(app) -> TestClient:  # type: ignore[no-untyped-def]
    """A second phone: its own cookies, no account."""
    return TestClient(app, headers={"Accept-Language": "en"})


def join(phone: TestClient, walk: Walk) -> None:
    """A phone opens the walk's page, and the page's banner reports back with the cookie the
    phone was just given, as a browser that keeps cookies does."""
    assert phone.get(f"/w/{walk.join_code}").status_code == 200
    assert phone.post(f"/w/{walk.join_code}/joined", headers={"HX-Request": "true"}).is_success


def test_a_leader_plans_a_walk_and_the_public_list_shows_it(client, session, leader):
    walk = plan_walk(client, session)
    assert walk.status == WalkStatus.planned
    assert walk.leader_id == leader.id
    assert re.fullmatch(r"[A-Z2-9]{6}", walk.join_code)
    assert walk.organisation_list == ["Boden municipality", "Police", "Bodens Energi"]
    # 19:00 in Stockholm is stored as UTC.
    assert walk.starts_at.astimezone(UTC).hour in (17, 18)

    public = client.get("/walks")
    assert public.status_code == 200
    assert "Evening walk in Centrum" in public.text
    assert "The library&#39;s entrance" in public.text
    # The code is given out on the spot, not published.
    assert walk.join_code not in public.text


def test_a_walk_form_with_mistakes_says_what_is_wrong(client, session, leader):
    answer = client.post(
        "/walks/new",
        data=walk_form(
            csrf_token(client), title="", date="not-a-date", zone="atlantis", route='{"type":"x"}'
        ),
    )
    assert answer.status_code == 422
    assert "Give the walk a title." in answer.text
    assert "Give the date and time the walk starts." in answer.text
    assert "Choose a district from the list." in answer.text
    assert "The drawn route is not a valid line." in answer.text
    assert count(session, Walk) == 0


def test_a_walk_can_have_a_drawn_area_and_route_instead_of_a_district(client, session, leader):
    area = (
        '{"type":"Polygon","coordinates":[[[21.68,65.82],[21.70,65.82],[21.70,65.83],'
        "[21.68,65.83],[21.68,65.82]]]}"
    )
    route = '{"type":"LineString","coordinates":[[21.68,65.82],[21.69,65.825]]}'
    walk = plan_walk(client, session, zone="", area=area, route=route)
    assert walk.zone_id is None
    assert '"Polygon"' in walk.area and '"LineString"' in walk.route


def test_the_life_cycle_planned_active_closed_and_who_may_move_it(client, session, app, leader):
    walk = plan_walk(client, session)
    assert move(client, walk, "close").status_code == 409  # not started yet

    # Another walk leader may look but not run someone else's walk.
    other = participant(app)
    login_as(other, session, "walk_leader")
    assert move(other, walk, "start").status_code == 403

    assert move(client, walk, "start").status_code == 303
    session.refresh(walk)
    assert walk.status == WalkStatus.active and walk.started_at is not None
    assert move(client, walk, "start").status_code == 409  # already under way

    closed = move(client, walk, "close")
    assert closed.status_code == 303 and closed.headers["location"] == f"/walks/{walk.id}/protocol"
    session.refresh(walk)
    assert walk.status == WalkStatus.closed and walk.closed_at is not None
    refused = move(client, walk, "start")
    assert refused.status_code == 409
    assert "Only a planned walk can be started." in refused.text


def test_an_admin_may_stand_in_for_the_leader(client, session, app, leader):
    walk = plan_walk(client, session)
    admin = participant(app)
    login_as(admin, session, "admin")
    assert move(admin, walk, "start").status_code == 303


def test_joining_by_code_counts_each_phone_once_and_ties_the_capture_page(
    client, session, app, leader
):
    walk = plan_walk(client, session)
    phone = participant(app)
    typed = phone.get("/walks/join", params={"code": f" {walk.join_code.lower()} "})
    assert typed.status_code == 200  # followed the redirect to /w/CODE
    assert str(typed.url).endswith(f"/w/{walk.join_code}")
    assert f'name="walk_code" value="{walk.join_code}"' in typed.text
    assert "Why does it feel unsafe here?" in typed.text
    phone.get(f"/w/{walk.join_code}")  # opening it again is the same participant
    join(participant(app), walk)  # a second phone
    assert count(session, WalkParticipant) == 2


def test_an_unknown_code_gets_a_clear_answer(client):
    answer = client.get("/walks/join", params={"code": "NOPE99"})
    assert answer.status_code == 404
    assert "No walk has the code NOPE99" in answer.text
    assert client.get("/walks/join", params={"code": ""}).status_code == 422
    assert client.get("/w/ZZZZZZ").status_code == 404


def test_the_qr_code_opens_the_walks_capture_page(client, session, leader):
    walk = plan_walk(client, session)
    svg = client.get(f"/walks/{walk.id}/qr.svg")
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    root = ET.fromstring(svg.text)
    assert root.tag.endswith("svg")
    assert root.find(".//{http://www.w3.org/2000/svg}path") is not None
    # The leader's page prints the same link the QR code carries.
    page = client.get(f"/walks/{walk.id}")
    assert f"/w/{walk.join_code}" in page.text


def test_observations_made_through_the_walk_carry_it_with_their_factors(
    client, session, app, leader
):
    walk = plan_walk(client, session)
    move(client, walk, "start")
    phone = participant(app)
    join(phone, walk)
    answer = phone.post(
        "/observations",
        data={
            **{k: v for k, v in _fields(walk).items() if k != "factors"},
            "factors": ["lighting", "sightlines", "made-up"],
        },
        files=[("photo", ("lamp.jpg", jpeg_bytes(gps=CENTRUM), "image/jpeg"))],
    )
    assert sent_anew(answer)
    assert "Log another place on the walk" in answer.text
    obs = session.exec(select(Observation)).one()
    assert obs.walk_id == walk.id
    assert obs.factors == "lighting,sightlines"

    live = client.get(f"/walks/{walk.id}")
    assert "Dark spot" in live.text or "dark" in live.text.lower()
    assert "Poor lighting" in live.text
    assert re.search(r"<strong data-participants>1</strong>", live.text)
    assert re.search(r"<strong data-observations>1</strong>", live.text)
    # The poll asks for the block only.
    block = client.get(f"/walks/{walk.id}", headers={"HX-Request": "true"})
    assert block.text.lstrip().startswith('<div id="live-inner"')


def _fields(walk: Walk) -> dict[str, str]:
    from tests.factories import observation_fields

    return observation_fields(walk_code=walk.join_code)


def test_a_closed_walk_takes_no_observations_but_nothing_is_lost(client, session, app, leader):
    walk = plan_walk(client, session)
    move(client, walk, "start")
    move(client, walk, "close")
    phone = participant(app)
    assert phone.get(f"/w/{walk.join_code}").status_code == 410
    answer = post_observation(phone, walk_code=walk.join_code, headers=JSON)
    assert answer.status_code == 201
    assert answer.json()["walk"] == "closed"
    obs = session.exec(select(Observation)).one()
    assert obs.walk_id is None and obs.walk_code == walk.join_code
    page = post_observation(phone, walk_code=walk.join_code)
    assert (
        page.history[0].status_code == 303 and "walk=closed" in page.history[0].headers["location"]
    )
    assert "stored as an ordinary report" in page.text


def test_participants_co_sign_instead_of_logging_again(client, session, app, leader):
    walk = plan_walk(client, session)
    move(client, walk, "start")
    first, second, third = participant(app), participant(app), participant(app)
    for phone in (first, second, third):
        join(phone, walk)
    post_observation(first, walk_code=walk.join_code)
    obs = session.exec(select(Observation)).one()

    items = second.get(f"/w/{walk.join_code}/items")
    assert "1 of 3 felt unsafe here" in items.text
    url = f"/w/{walk.join_code}/cosign/{obs.id}"
    assert second.post(url, data={}).status_code == 200
    again = second.post(url, data={})  # a second tap counts once
    assert again.status_code == 200
    answer = third.post(url, data={}, headers={"HX-Request": "true"})
    assert "3 of 3 felt unsafe here" in answer.text
    session.refresh(obs)
    assert obs.supporters == 2 and count(session, Support) == 2

    # An item of another walk, or none, is refused clearly.
    assert second.post(f"/w/{walk.join_code}/cosign/999999").status_code == 404
    move(client, walk, "close")
    closed = second.post(url)
    assert closed.status_code == 409 and "The walk is closed." in closed.text


def test_private_items_are_not_offered_to_participants(client, session, app, leader):
    walk = plan_walk(client, session)
    move(client, walk, "start")
    phone = participant(app)
    join(phone, walk)
    post_observation(phone, walk_code=walk.join_code, category="drug-dealing")
    items = phone.get(f"/w/{walk.join_code}/items")
    assert "Drug" not in items.text and "Nothing logged on this walk yet." in items.text
    # The leader sees it (staff), without a public link.
    live = client.get(f"/walks/{walk.id}")
    assert re.search(r"<strong data-observations>1</strong>", live.text)


def test_editing_a_walk_and_refusing_to_edit_a_closed_one(client, session, leader):
    walk = plan_walk(client, session)
    form = client.get(f"/walks/{walk.id}/edit")
    assert 'value="Evening walk in Centrum"' in form.text
    answer = client.post(
        f"/walks/{walk.id}/edit",
        data=walk_form(csrf_token(client), title="Walk in Centrum, moved"),
        follow_redirects=False,
    )
    assert answer.status_code == 303
    session.refresh(walk)
    assert walk.title == "Walk in Centrum, moved"
    move(client, walk, "start")
    move(client, walk, "close")
    refused = client.post(f"/walks/{walk.id}/edit", data=walk_form(csrf_token(client)))
    assert refused.status_code == 409
    assert "its protocol no longer changes" in refused.text


def test_unknown_walks_are_404(client, session, leader):
    assert client.get("/walks/999999").status_code == 404
    assert client.get("/walks/999999/protocol").status_code == 404
    assert move(client, Walk(id=999999), "start").status_code == 404


def test_other_staff_may_follow_a_walk_but_not_plan_one(client, session, app, leader):
    walk = plan_walk(client, session)
    planner = participant(app)
    login_as(planner, session, "planner")
    assert planner.get(f"/walks/{walk.id}").status_code == 200
    assert planner.get("/walks/manage").status_code == 200
    assert planner.get("/walks/new").status_code == 403


def test_a_co_sign_from_a_phone_that_never_opened_the_walk_is_refused(client, session, app, leader):
    """Without the walk's cookie every post would count as a new person (and a form on another
    site could post here: it carries no SameSite cookie)."""
    walk = plan_walk(client, session)
    move(client, walk, "start")
    reporter = participant(app)
    join(reporter, walk)
    post_observation(reporter, walk_code=walk.join_code)
    obs = session.exec(select(Observation)).one()
    stranger = participant(app)
    for _ in range(3):
        refused = stranger.post(f"/w/{walk.join_code}/cosign/{obs.id}")
        assert refused.status_code == 403
        assert "Open the walk&#39;s page on this phone first" in refused.text
    session.refresh(obs)
    assert obs.supporters == 0


def test_only_problems_shown_to_participants_can_be_co_signed(client, session, app, leader):
    walk = plan_walk(client, session)
    move(client, walk, "start")
    phone = participant(app)
    join(phone, walk)
    post_observation(phone, walk_code=walk.join_code, category="good-place", unsafe_level=None)
    post_observation(phone, walk_code=walk.join_code, category="drug-dealing")
    good, private = session.exec(select(Observation).order_by(Observation.id)).all()
    assert phone.post(f"/w/{walk.join_code}/cosign/{good.id}").status_code == 409
    assert phone.post(f"/w/{walk.join_code}/cosign/{private.id}").status_code == 404
    assert count(session, Support) == 0


@pytest.mark.parametrize(
    "overrides",
    [
        {"date": "0001-01-01", "time": "00:00"},
        {"date": "9999-12-31", "time": "23:59"},
        {"follow_up_of": "\u00b2"},
        {"area": "[" * 100_000},
        {
            "route": '{"type":"LineString","coordinates":['
            + "[21.6,65.8]," * 20_000
            + "[21.7,65.9]]}"
        },
        {"area": '{"type":"MultiPolygon","coordinates":[]}'},
    ],
    ids=["year 1", "year 9999", "superscript digit", "nested json", "huge route", "multipolygon"],
)
def test_odd_walk_forms_get_a_clear_answer_not_a_500(client, session, leader, overrides):
    answer = client.post("/walks/new", data=walk_form(csrf_token(client), **overrides))
    assert answer.status_code == 422
    assert "The walk is not saved yet" in answer.text
    assert count(session, Walk) == 0


def test_odd_numbers_elsewhere_get_a_clear_answer(client, session, app, leader):
    assert client.get("/walks/new", params={"follow_up_of": "\u00b2"}).status_code == 200
    walk = plan_walk(client, session)
    move(client, walk, "start")
    phone = participant(app)
    join(phone, walk)
    post_observation(phone, walk_code=walk.join_code)
    obs = session.exec(select(Observation)).one()
    answer = phone.post(f"/w/{walk.join_code}/cosign/{obs.id}", data={"unsafe_level": "\u00b2"})
    assert answer.status_code == 200  # counted; the odd rating is dropped
    assert session.exec(select(Support)).one().unsafe_level is None


def test_a_planned_walk_already_takes_observations(client, session, app, leader):
    """Participants who arrive before the leader starts are not turned away."""
    walk = plan_walk(client, session)
    answer = post_observation(participant(app), walk_code=walk.join_code, headers=JSON)
    assert answer.json()["walk"] == "joined"
    assert session.exec(select(Observation)).one().walk_id == walk.id


def test_a_resent_report_to_a_closed_walk_still_says_why(client, session, app, leader):
    walk = plan_walk(client, session)
    move(client, walk, "start")
    move(client, walk, "close")
    phone = participant(app)
    fields = _fields(walk)
    first = phone.post("/observations", data=fields, headers=JSON)
    again = phone.post("/observations", data=fields, headers=JSON)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["walk"] == "closed"
