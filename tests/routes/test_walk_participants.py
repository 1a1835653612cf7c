"""Participants are counted once per device and walk, and only once the device's cookie has
come back: cookie-less GETs, HEADs, link previews and browsers that refuse cookies never count.
What participants are shown of the walk's items carries no token, priority or due date."""

from __future__ import annotations

import dataclasses

from fastapi.testclient import TestClient
from sqlmodel import select

from app.models import Observation, Priority, Unit, WalkParticipant
from app.services import walk_items
from tests.factories import JSON, count, post_observation
from tests.routes.test_walks import join, leader, move, participant, plan_walk  # noqa: F401

PREVIEWS = (
    "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
    "Twitterbot/1.0",
    "WhatsApp/2.23.20.0",
    "TelegramBot (like TwitterBot)",
    "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
    "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
)


def test_fifty_cookieless_gets_and_heads_add_no_participant(client, session, app, leader):  # noqa: F811
    walk = plan_walk(client, session)
    move(client, walk, "start")
    join(participant(app), walk)
    url = f"/w/{walk.join_code}"
    script = participant(app)
    for _ in range(50):
        script.cookies.clear()  # a script that drops the cookie it is given
        page = script.get(url)
        assert page.status_code == 200 and "sw_device" in page.headers["set-cookie"]
    for _ in range(20):
        script.cookies.clear()
        assert script.head(url).status_code == 200
    # A browser that refuses cookies also runs the page's report-back: still without a cookie.
    for _ in range(5):
        script.cookies.clear()
        assert script.post(f"{url}/joined", headers={"HX-Request": "true"}).status_code == 200
    assert count(session, WalkParticipant) == 1


def test_one_device_counts_once_however_often_it_comes_back(client, session, app, leader):  # noqa: F811
    walk = plan_walk(client, session)
    move(client, walk, "start")
    phone = participant(app)
    first = phone.get(f"/w/{walk.join_code}")
    # The first visit only sets the cookie; the page's banner reports back with it.
    assert count(session, WalkParticipant) == 0
    assert f'hx-post="/w/{walk.join_code}/joined"' in first.text
    line = phone.post(f"/w/{walk.join_code}/joined", headers={"HX-Request": "true"})
    assert "1 participant has joined" in line.text
    assert "hx-post" not in line.text  # the answer does not report back again
    for _ in range(5):
        phone.get(f"/w/{walk.join_code}")
        phone.head(f"/w/{walk.join_code}")
        phone.post(f"/w/{walk.join_code}/joined")
    assert count(session, WalkParticipant) == 1
    join(participant(app), walk)
    assert count(session, WalkParticipant) == 2


def test_a_head_request_never_counts_even_with_the_cookie(client, session, app, leader):  # noqa: F811
    walk = plan_walk(client, session)
    phone = participant(app)
    phone.get(f"/w/{walk.join_code}")  # the cookie is set
    assert phone.cookies.get("sw_device")
    for _ in range(3):
        assert phone.head(f"/w/{walk.join_code}").status_code == 200
    assert count(session, WalkParticipant) == 0


def test_a_phone_without_javascript_counts_on_its_second_visit(client, session, app, leader):  # noqa: F811
    walk = plan_walk(client, session)
    phone = participant(app)
    phone.get(f"/w/{walk.join_code}")
    assert count(session, WalkParticipant) == 0
    phone.get(f"/w/{walk.join_code}")
    assert count(session, WalkParticipant) == 1


def test_link_previews_never_count_even_with_a_cookie(client, session, app, leader):  # noqa: F811
    walk = plan_walk(client, session)
    for agent in PREVIEWS:
        bot = TestClient(app, headers={"User-Agent": agent})
        bot.get(f"/w/{walk.join_code}")
        bot.get(f"/w/{walk.join_code}")
        bot.head(f"/w/{walk.join_code}")
        bot.post(f"/w/{walk.join_code}/joined")
        assert bot.cookies.get("sw_device")
    assert count(session, WalkParticipant) == 0


def test_a_closed_walk_takes_no_new_participants(client, session, app, leader):  # noqa: F811
    walk = plan_walk(client, session)
    move(client, walk, "start")
    phone = participant(app)
    phone.get(f"/w/{walk.join_code}")
    move(client, walk, "close")
    phone.post(f"/w/{walk.join_code}/joined")
    assert phone.get(f"/w/{walk.join_code}").status_code == 410
    assert count(session, WalkParticipant) == 0


def test_participants_items_carry_no_token_priority_or_due_date(
    client,
    session,
    app,
    settings,
    leader,  # noqa: F811
):
    hidden = {"token", "priority", "due_at", "unit_name", "status", "category"}
    assert hidden.isdisjoint(f.name for f in dataclasses.fields(walk_items.ParticipantItem))

    walk = plan_walk(client, session)
    move(client, walk, "start")
    phone = participant(app)
    join(phone, walk)
    stored = post_observation(phone, walk_code=walk.join_code, headers=JSON).json()
    obs = session.exec(select(Observation)).one()
    obs.priority = Priority.high
    session.add(obs)
    session.commit()
    unit = session.get(Unit, obs.unit_id) if obs.unit_id else None

    # The service hands the template the view, not the leader's WalkItem.
    shown = walk_items.items_for_participants(
        session=session, walk=walk, settings=settings, lang="en"
    )
    assert [type(i) for i in shown] == [walk_items.ParticipantItem]
    page = phone.get(f"/w/{walk.join_code}/items")
    assert page.status_code == 200 and "1 of 1 felt unsafe here" in page.text
    assert stored["token"] not in page.text
    if unit is not None:
        assert unit.name_en not in page.text
