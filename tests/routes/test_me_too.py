"""\"Me too\": a resident backs an open report nearby instead of making a second one."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import col, select

from app import clock
from app.models import EventKind, Observation, ObservationEvent, Priority, Status, Support
from tests.factories import CENTRUM, JSON, count, post_observation

HX = {"HX-Request": "true"}


def report(client, session, **fields) -> Observation:  # type: ignore[no-untyped-def]
    token = post_observation(client, headers=JSON, **fields).json()["token"]
    return session.exec(select(Observation).where(Observation.token == token)).one()


def test_open_reports_of_the_same_kind_nearby_are_offered(client, session):
    lamp = report(client, session, description="Lamp out under the bridge")
    report(client, session, category="graffiti")
    answer = client.post(
        "/capture/nearby",
        headers=HX,
        data={"category": "dark-spot", "lat": "65.82535", "lon": "21.6880"},
    )
    assert answer.status_code == 200
    assert "Lamp out under the bridge" in answer.text and f'data-me-too="{lamp.id}"' in answer.text
    assert "Graffiti" not in answer.text
    elsewhere = client.post(
        "/capture/nearby",
        headers=HX,
        data={"category": "dark-spot", "lat": "65.84", "lon": "21.70"},
    )
    assert "Me too" not in elsewhere.text
    assert (
        client.post("/capture/nearby", data={"category": "x", "lat": "95", "lon": "0"}).status_code
        == 422
    )


def test_me_too_counts_once_per_device_and_is_shown_in_triage(client, session):
    lamp = report(client, session)
    device = str(uuid.uuid4())
    first = client.post(
        f"/observations/{lamp.id}/support",
        headers=HX,
        data={"client_id": device, "unsafe_level": "4"},
    )
    assert first.status_code == 200 and "You are counted in" in first.text
    again = client.post(f"/observations/{lamp.id}/support", headers=HX, data={"client_id": device})
    assert "already said so" in again.text
    session.refresh(lamp)
    assert lamp.supporters == 1 and count(session, Support) == 1
    assert count(session, Observation) == 1  # no second report


def test_enough_supporters_raise_the_priority(client, session):
    lamp = report(client, session)
    for _ in range(3):
        client.cookies.clear()  # three phones
        client.post(f"/observations/{lamp.id}/support", data={"client_id": str(uuid.uuid4())})
    session.refresh(lamp)
    assert lamp.supporters == 3 and lamp.priority == Priority.high
    rows = session.exec(
        select(ObservationEvent)
        .where(ObservationEvent.observation_id == lamp.id)
        .order_by(col(ObservationEvent.id))
    ).all()
    assert [(e.kind, e.actor, e.public) for e in rows] == [
        (EventKind.status, "resident", True),  # the report itself
        (EventKind.support, "resident", False),
        (EventKind.support, "resident", False),
        (EventKind.support, "resident", False),
        (EventKind.priority, "system", False),
    ]
    assert rows[-1].internal_note == "normal -> high (3 supporters)"


def test_a_form_without_an_id_is_refused(client, session):
    lamp = report(client, session)
    bad_id = client.post(f"/observations/{lamp.id}/support", data={"client_id": "nope"})
    assert bad_id.status_code == 409 and "Reload the page" in bad_id.text
    assert count(session, Support) == 0


def _not_open(client, session) -> Observation:  # type: ignore[no-untyped-def]
    lamp = report(client, session)
    lamp.status = Status.fixed
    session.add(lamp)
    session.commit()
    return lamp


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
def test_only_open_public_problems_can_be_backed_and_the_rest_look_like_no_such_report(
    client, session, htmx
):
    """Private, good place, closed, and a number that does not exist: one answer, so the
    answer tells nothing about private reports."""
    private = report(client, session, category="drug-dealing")
    good = report(client, session, category="good-place", unsafe_level=None)
    closed = _not_open(client, session)
    headers = HX if htmx else {}
    numbers = (private.id, good.id, closed.id, 999_999)
    answers = [
        client.post(
            f"/observations/{number}/support",
            headers=headers,
            data={"client_id": str(uuid.uuid4())},
        )
        for number in numbers
    ]
    assert {a.status_code for a in answers} == {404}
    # The same body; a whole page only echoes its own address (in the language switch).
    bodies = {
        a.text.replace(f"/observations/{n}/", "/observations/N/")
        for a, n in zip(answers, numbers, strict=True)
    }
    assert len(bodies) == 1
    assert "no open report with this number" in answers[0].text
    assert "sw_device" not in answers[0].headers.get("set-cookie", "")
    assert count(session, Support) == 0
    for obs in (private, good, closed):
        session.refresh(obs)
        assert obs.supporters == 0 and obs.priority == Priority.normal


def test_good_places_and_private_kinds_are_never_offered(client, session):
    report(client, session, category="drug-dealing")
    report(client, session, category="good-place", unsafe_level=None)
    for category in ("drug-dealing", "good-place"):
        answer = client.post(
            "/capture/nearby",
            headers=HX,
            data={"category": category, "lat": CENTRUM[0], "lon": CENTRUM[1]},
        )
        assert answer.status_code == 200 and "Me too" not in answer.text


def test_a_phone_counts_once_per_report_even_from_a_new_form(client, session):
    """The phone's cookie, not the form's id, says who backs: reloading the page (a new
    form id) does not count twice; another report can still be backed."""
    lamp = report(client, session)
    bush = report(client, session, category="vegetation")
    first = client.post(f"/observations/{lamp.id}/support", data={"client_id": str(uuid.uuid4())})
    assert first.status_code == 200 and "sw_device" in first.headers["set-cookie"]
    again = client.post(f"/observations/{lamp.id}/support", data={"client_id": str(uuid.uuid4())})
    assert again.status_code == 200 and "already said so" in again.text
    other = client.post(f"/observations/{bush.id}/support", data={"client_id": str(uuid.uuid4())})
    assert "You are counted in" in other.text
    session.refresh(lamp)
    session.refresh(bush)
    assert (lamp.supporters, bush.supporters, count(session, Support)) == (1, 1, 2)


def test_a_phone_backs_only_so_many_reports_an_hour(client, session, settings, stopped_clock):
    settings.supports_per_device_per_hour = 2
    first, second, third = (report(client, session) for _ in range(3))

    def back(obs: Observation):  # type: ignore[no-untyped-def]
        # Each from a new form: the phone's cookie is what counts.
        return client.post(f"/observations/{obs.id}/support", data={"client_id": str(uuid.uuid4())})

    assert back(first).status_code == 200 and back(second).status_code == 200
    too_many = back(third)
    assert too_many.status_code == 429 and "wait a while" in too_many.text
    clock.advance(timedelta(minutes=61))
    assert back(third).status_code == 200
    session.refresh(third)
    assert third.supporters == 1 and count(session, Support) == 3


def test_one_address_backs_only_so_many_reports_an_hour(app, client, session, settings):
    settings.supports_per_address_per_hour = 2
    lamp = report(client, session)
    for _ in range(2):
        client.cookies.clear()  # another phone, the same network
        assert (
            client.post(
                f"/observations/{lamp.id}/support", data={"client_id": str(uuid.uuid4())}
            ).status_code
            == 200
        )
    client.cookies.clear()
    refused = client.post(f"/observations/{lamp.id}/support", data={"client_id": str(uuid.uuid4())})
    assert refused.status_code == 429
    with TestClient(app, client=("198.51.100.7", 50000)) as elsewhere:
        answer = elsewhere.post(
            f"/observations/{lamp.id}/support", data={"client_id": str(uuid.uuid4())}
        )
        assert answer.status_code == 200
    session.refresh(lamp)
    assert lamp.supporters == 3
    keys = session.exec(select(Support.address_key)).all()
    assert "testclient" not in keys and "198.51.100.7" not in keys  # never the address itself
