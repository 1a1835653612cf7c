"""\"Me too\": a resident backs an open report nearby instead of making a second one."""

from __future__ import annotations

import uuid

from sqlmodel import select

from app.models import Observation, Priority, Status, Support
from tests.factories import JSON, count, post_observation

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
        client.post(f"/observations/{lamp.id}/support", data={"client_id": str(uuid.uuid4())})
    session.refresh(lamp)
    assert lamp.supporters == 3 and lamp.priority == Priority.high


def test_closed_or_unknown_reports_cannot_be_backed(client, session):
    lamp = report(client, session)
    lamp.status = Status.fixed
    session.add(lamp)
    session.commit()
    closed = client.post(f"/observations/{lamp.id}/support", data={"client_id": str(uuid.uuid4())})
    assert closed.status_code == 409 and "closed" in closed.text
    missing = client.post("/observations/999999/support", data={"client_id": str(uuid.uuid4())})
    assert missing.status_code == 409
    bad_id = client.post(f"/observations/{lamp.id}/support", data={"client_id": "nope"})
    assert bad_id.status_code == 409
