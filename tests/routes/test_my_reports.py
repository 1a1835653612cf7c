"""The resident keeps the tracking link: a plain form post goes to the status page, which keeps
the number and the link; "My reports" asks POST /observations/statuses for what each link's
own page shows, and nothing for a token it does not know."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlmodel import select

from app.models import Observation, Status
from app.services import lifecycle, public
from tests.factories import JSON, make_staff, observation_fields, post_observation

FIELDS = {"token", "number", "status", "status_label", "updated"}


def stored(session, answer) -> Observation:  # type: ignore[no-untyped-def]
    return session.exec(select(Observation).where(Observation.token == answer["token"])).one()


def test_a_plain_form_post_goes_to_the_status_page_which_keeps_the_link(client, session):
    fields = observation_fields()
    answer = client.post("/observations", data=fields, follow_redirects=False)
    assert answer.status_code == 303
    obs = session.exec(select(Observation)).one()
    assert answer.headers["location"] == f"/observations/{obs.token}?sent=1"

    page = client.get(answer.headers["location"])
    assert "Thank you! Your report is stored." in page.text
    assert "Your report number" in page.text and f"#{obs.id}" in page.text
    assert f'value="http://testserver/observations/{obs.token}"' in page.text
    assert "data-my-report-new" in page.text  # my-reports.js adds it to the phone's list
    assert "Keep this link" in page.text

    # A replay of the same form: the same report, said to be stored already.
    again = client.post("/observations", data=fields, follow_redirects=False)
    assert again.headers["location"] == f"/observations/{obs.token}?sent=again"
    assert "This report was already stored." in client.get(again.headers["location"]).text
    assert session.exec(select(Observation)).all() == [obs]


def test_the_status_page_alone_says_it_is_your_report_but_thanks_no_one(client, session):
    token = post_observation(client, headers=JSON).json()["token"]
    obs = stored(session, {"token": token})
    page = client.get(f"/observations/{token}").text
    assert "Your report number" in page and f"#{obs.id}" in page
    assert f"/observations/{token}" in page and "Share the link" in page
    assert "Thank you" not in page and "data-my-report-new" not in page  # a shared link: not "mine"
    # An unknown ?sent= is ignored; the public page by number never shows the link.
    assert "Thank you" not in client.get(f"/observations/{token}?sent=yes").text
    public_page = client.get(f"/reports/{obs.id}").text
    assert token not in public_page and "Share the link" not in public_page


def test_the_json_answer_is_unchanged(client):
    answer = post_observation(client, headers=JSON)
    assert answer.status_code == 201
    assert answer.headers["Location"] == answer.json()["url"]
    assert answer.json()["result"] == "stored"


def statuses(client, *tokens, headers=None):  # type: ignore[no-untyped-def]
    return client.post("/observations/statuses", data={"tokens": list(tokens)}, headers=headers)


def test_statuses_answer_what_the_tracking_page_shows_for_known_tokens_only(client, session):
    first = post_observation(client, headers=JSON).json()["token"]
    second = post_observation(client, headers=JSON, category="vegetation").json()["token"]
    obs = stored(session, {"token": second})
    actor = lifecycle.Actor.staff(make_staff(session, "triager"))
    lifecycle.transition(session=session, obs=obs, to=Status.triaged, actor=actor)

    unknown = "x" * 32
    answer = statuses(client, second, unknown, first, second, headers={"Accept-Language": "sv"})
    assert answer.status_code == 200
    reports = answer.json()["reports"]
    assert [r["token"] for r in reports] == [second, first]  # asked order, once, unknown left out
    assert all(set(r) == FIELDS for r in reports)
    assert reports[0]["number"] == obs.id and reports[0]["status"] == "triaged"
    assert reports[0]["status_label"] == "Granskas"  # in the visitor's language
    last_public = public.public_history(session=session, obs=obs)[-1].at
    updated = datetime.fromisoformat(reports[0]["updated"])
    assert updated.tzinfo is not None and updated == last_public  # an instant, with its offset
    assert answer.headers["Cache-Control"] == "no-store"


def test_no_token_or_only_unknown_ones_get_an_empty_list(client):
    assert statuses(client).json() == {"reports": []}
    assert statuses(client, "y" * 40, "short", "not a token!", "../../etc").json() == {
        "reports": []
    }


def test_more_than_fifty_tokens_are_refused_not_cut_short(client):
    token = post_observation(client, headers=JSON).json()["token"]
    assert len(statuses(client, token, *["z" * 20] * 49).json()["reports"]) == 1
    answer = statuses(client, token, *["z" * 20] * 50)
    assert answer.status_code == 422 and "At most 50" in answer.json()["error"]


@pytest.mark.parametrize(
    ("body", "headers", "status"),
    [
        ('{"tokens": ["abc"]}', {"Content-Type": "application/json"}, 415),
        ("tokens=a", {"Content-Type": "text/plain"}, 415),
        (
            "tokens=ab%00cdefghijklmnopqrstuv",
            {"Content-Type": "application/x-www-form-urlencoded"},
            422,
        ),
    ],
)
def test_malformed_bodies_get_a_clear_4xx(client, body, headers, status):
    answer = client.post("/observations/statuses", content=body.encode(), headers=headers)
    assert answer.status_code == status, answer.text


def test_a_file_where_a_token_belongs_is_refused(client):
    answer = client.post(
        "/observations/statuses", files=[("tokens", ("t.txt", b"abc", "text/plain"))]
    )
    assert answer.status_code == 422


def test_a_very_long_token_is_refused_and_an_undecodable_one_unknown(client):
    assert statuses(client, "a" * 5000).status_code == 422  # the app's one input rule
    answer = client.post(
        "/observations/statuses",
        content=b"tokens=%FF%FE",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert answer.json() == {"reports": []}


def test_a_walk_report_gets_its_tracking_link_in_the_address_too(client, session, app):  # type: ignore[no-untyped-def]
    from tests.factories import login_as
    from tests.routes.test_walks import join, move, participant, plan_walk

    login_as(client, session, "walk_leader")
    walk = plan_walk(client, session)
    move(client, walk, "start")
    phone = participant(app)
    join(phone, walk)
    answer = post_observation(phone, walk_code=walk.join_code, headers={"HX-Request": "true"})
    obs = session.exec(select(Observation)).one()
    assert answer.headers["HX-Retarget"] == "#walk-area"
    assert answer.headers["HX-Push-Url"] == f"/observations/{obs.token}"
    assert "data-my-report-new" in answer.text and "Log another place on the walk" in answer.text
    # Without JavaScript: the status page, with the way back to the walk.
    fields = observation_fields(walk_code=walk.join_code)
    plain = phone.post("/observations", data=fields, follow_redirects=False)
    assert plain.status_code == 303
    assert f'href="/w/{walk.join_code}"' in phone.get(plain.headers["location"]).text
