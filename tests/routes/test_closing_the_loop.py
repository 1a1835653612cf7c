"""Closing the loop: the reporter is asked whether it is really fixed; "no" reopens it."""

from __future__ import annotations

from sqlmodel import select

from app.models import Observation, OutboxMail, Status
from app.services import lifecycle
from tests.factories import JSON, make_staff, post_observation


def fixed_report(client, session, **fields) -> Observation:  # type: ignore[no-untyped-def]
    token = post_observation(client, headers=JSON, **fields).json()["token"]
    obs = session.exec(select(Observation).where(Observation.token == token)).one()
    actor = lifecycle.Actor.staff(make_staff(session, "triager"))
    lifecycle.transition(session=session, obs=obs, to=Status.triaged, actor=actor)
    lifecycle.transition(
        session=session, obs=obs, to=Status.fixed, actor=actor, note="New lamp fitted."
    )
    return obs


def test_the_fixed_mail_asks_is_it_really_fixed_with_a_link(client, session):
    obs = fixed_report(client, session, contact_email="resident@example.org")
    mail = session.exec(select(OutboxMail).order_by(OutboxMail.id.desc())).first()
    assert "Is it really fixed?" in mail.body
    assert f"/observations/{obs.token}/fixed" in mail.body


def test_no_reopens_it_with_the_reporters_words_and_the_unit_sees_it(client, session):
    obs = fixed_report(client, session)
    page = client.get(f"/observations/{obs.token}/fixed")
    assert page.status_code == 200 and "Does it look fixed to you?" in page.text
    answer = client.post(
        f"/observations/{obs.token}/fixed", data={"answer": "no", "note": "Still pitch dark."}
    )
    assert answer.status_code == 200 and "open again" in answer.text
    session.refresh(obs)
    assert obs.status == Status.reopened
    from tests.factories import login_as

    login_as(client, session, "unit_worker", unit="street-lighting")
    queue = client.get("/triage").text
    assert f"#{obs.id} " in queue and "Reopened" in queue
    assert "Still pitch dark." in client.get(f"/triage/{obs.id}").text


def test_yes_keeps_it_fixed_and_a_second_answer_is_refused_politely(client, session):
    obs = fixed_report(client, session)
    assert (
        client.post(f"/observations/{obs.token}/fixed", data={"answer": "yes"}).status_code == 200
    )
    session.refresh(obs)
    assert obs.status == Status.fixed
    client.post(f"/observations/{obs.token}/fixed", data={"answer": "no"})
    again = client.post(f"/observations/{obs.token}/fixed", data={"answer": "no"})
    assert again.status_code == 409 and "not marked as fixed" in again.text


def test_only_the_tracking_link_opens_the_question(client, session):
    obs = fixed_report(client, session)
    assert client.get(f"/observations/{obs.id}/fixed").status_code == 404
    assert (
        client.post(f"/observations/{obs.token}/fixed", data={"answer": "maybe"}).status_code == 422
    )
