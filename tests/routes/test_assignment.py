"""Giving an observation to one person: from the queue row and the detail page, within the
roles and units that may work on it, kept in the history, told by e-mail."""

from __future__ import annotations

from sqlmodel import Session, select

from app.models import EventKind, Observation, ObservationEvent, OutboxMail, Status
from tests.factories import JSON, csrf_token, login_as, make_staff, post_observation


def report(client, session: Session, **fields) -> Observation:  # type: ignore[no-untyped-def]
    token = post_observation(client, headers=JSON, **fields).json()["token"]
    return session.exec(select(Observation).where(Observation.token == token)).one()


def assign(client, obs_id: int, assignee: str, token: str, headers=None, **extra):  # type: ignore[no-untyped-def]
    return client.post(
        f"/triage/{obs_id}/assign",
        data={"assignee": assignee, "csrf_token": token, **extra},
        headers=headers or {},
        follow_redirects=False,
    )


def history(session: Session, obs: Observation) -> list[ObservationEvent]:
    return list(
        session.exec(
            select(ObservationEvent)
            .where(
                ObservationEvent.observation_id == obs.id, ObservationEvent.kind == EventKind.assign
            )
            .order_by(ObservationEvent.id)
        ).all()
    )


def test_a_triager_gives_a_lamp_to_a_lighting_worker_who_is_told_and_finds_it_in_my_queue(
    client, session
):
    obs = report(client, session, category="dark-spot")
    worker = make_staff(session, "unit_worker", unit="street-lighting", email="lamp@boden.example")
    triager = login_as(client, session, "triager")
    token = csrf_token(client, "/triage")

    answer = assign(client, obs.id, str(worker.id), token)
    assert answer.status_code == 303
    detail = client.get(f"/triage/{obs.id}").text
    assert "Assigned to" in detail and "Test unit_worker" in detail
    (event,) = history(session, obs)
    assert (event.actor, event.internal_note, event.public) == (
        triager.name,
        "\u2192 Test unit_worker",
        False,
    )
    mail = session.exec(select(OutboxMail).where(OutboxMail.kind == "assigned")).one()
    assert mail.to_address == "lamp@boden.example" and f"/triage/{obs.id}" in mail.body

    # The worker's own queue, filtered to "me", has it; the public page says nothing of it.
    client.post("/logout", data={"csrf_token": token})
    from tests.factories import log_in

    assert log_in(client, worker.email).status_code == 303
    mine = client.get("/triage?assignee=me").text
    assert f"#{obs.id} " in mine
    assert "Test unit_worker" not in client.get(f"/observations/{obs.token}").text


def test_assigning_inline_answers_with_the_row_and_the_filter_follows(client, session):
    mine = report(client, session, category="dark-spot")
    other = report(client, session, category="dark-spot")
    triager = login_as(client, session, "triager")
    token = csrf_token(client, "/triage")
    answer = assign(client, mine.id, str(triager.id), token, {"HX-Request": "true"}, view="row")
    assert answer.status_code == 200
    assert answer.text.lstrip().startswith(f'<tr id="row-{mine.id}"')
    assert "Assigned to Test triager" in answer.text
    assert "Test triager (me)</option>" in answer.text  # and it stays selected in the row
    assert f'value="{triager.id}" selected' in answer.text
    assert session.exec(select(OutboxMail).where(OutboxMail.kind == "assigned")).all() == []

    to_me = client.get("/triage?assignee=me").text
    assert f"#{mine.id} " in to_me and f"#{other.id} " not in to_me
    nobody = client.get("/triage?assignee=none").text
    assert f"#{other.id} " in nobody and f"#{mine.id} " not in nobody
    by_id = client.get(f"/triage?assignee={triager.id}").text
    assert f"#{mine.id} " in by_id and f"#{other.id} " not in by_id

    # Back to nobody; assigning the same person twice writes one line.
    assign(client, mine.id, str(triager.id), token)
    assert len(history(session, mine)) == 1
    assign(client, mine.id, "none", token)
    session.refresh(mine)
    assert mine.assignee_id is None and len(history(session, mine)) == 2


def test_a_worker_of_another_unit_or_an_unknown_person_is_refused(client, session):
    obs = report(client, session, category="dark-spot")  # street lighting's
    parks = make_staff(session, "unit_worker", unit="parks")
    planner = make_staff(session, "planner")
    login_as(client, session, "triager")
    token = csrf_token(client, "/triage")

    refused = assign(client, obs.id, str(parks.id), token)
    assert refused.status_code == 409
    assert "does not work for the unit that owns this observation" in refused.text
    assert assign(client, obs.id, str(planner.id), token).status_code == 409
    unknown = assign(client, obs.id, "999999", token)
    assert unknown.status_code == 422 and "Choose a person from the list." in unknown.text
    assert assign(client, obs.id, "somebody", token).status_code == 422
    session.refresh(obs)
    assert obs.assignee_id is None and history(session, obs) == []


def test_a_unit_worker_assigns_within_the_unit_only(client, session):
    obs = report(client, session, category="dark-spot")
    colleague = make_staff(session, "unit_worker", unit="street-lighting")
    triager = make_staff(session, "triager")
    login_as(client, session, "unit_worker", unit="street-lighting")
    token = csrf_token(client, "/triage")
    assert assign(client, obs.id, str(colleague.id), token).status_code == 303
    # The triage desk is not theirs to hand work to.
    assert assign(client, obs.id, str(triager.id), token).status_code == 409
    page = client.get(f"/triage/{obs.id}").text
    assert f'<option value="{triager.id}"' not in page


def test_closed_observations_cannot_be_assigned_and_a_reroute_drops_the_old_units_worker(
    client, session
):
    obs = report(client, session, category="dark-spot")
    worker = make_staff(session, "unit_worker", unit="street-lighting")
    login_as(client, session, "triager")
    token = csrf_token(client, "/triage")
    assign(client, obs.id, str(worker.id), token)

    client.post(
        f"/triage/{obs.id}/route",
        data={"unit": "parks", "csrf_token": token},
        follow_redirects=False,
    )
    session.refresh(obs)
    assert obs.assignee_id is None

    client.post(
        f"/triage/{obs.id}/status",
        data={"to": "wont_fix", "note": "Private land", "csrf_token": token},
        follow_redirects=False,
    )
    session.refresh(obs)
    assert obs.status == Status.wont_fix
    closed = assign(client, obs.id, "none", token)
    assert closed.status_code == 409 and "Only open observations can be assigned." in closed.text


def test_the_row_form_without_javascript_goes_back_to_the_filtered_queue(client, session):
    obs = report(client, session, category="dark-spot")
    triager = login_as(client, session, "triager")
    token = csrf_token(client, "/triage")
    back = "http://testserver/triage?category=dark-spot&sort=newest"
    answer = assign(client, obs.id, str(triager.id), token, {"Referer": back}, view="row")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/triage?category=dark-spot&sort=newest"
    # A referer from elsewhere is not followed.
    elsewhere = assign(
        client, obs.id, "none", token, {"Referer": "https://evil.example/triage"}, view="row"
    )
    assert elsewhere.headers["location"] == "/triage"
    moved = client.post(
        f"/triage/{obs.id}/status",
        data={"to": "triaged", "view": "row", "csrf_token": token},
        headers={"Referer": back},
        follow_redirects=False,
    )
    assert moved.status_code == 303 and moved.headers["location"].startswith("/triage?")
