"""An Open311 client's whole round: list the services, post a request, find it in the
triage queue as any other report, and read back the status the desk gives it."""

from __future__ import annotations

from xml.etree import ElementTree

from sqlmodel import select

from app.models import Observation, Unit
from app.services import open311_keys
from tests.factories import csrf_token, login_as


def test_a_request_posted_through_open311_is_triaged_and_its_status_read_back(client, session):
    _client, key = open311_keys.create(
        session=session, name="Work orders", contact="", posts_per_hour=None, by=None
    )
    services = client.get(
        "/open311/v2/services.json",
        params={"jurisdiction_id": client.app.state.settings.jurisdiction_id},
    ).json()
    assert "dark-spot" in {service["service_code"] for service in services}

    # As FixMyStreet's Open311 client posts: its jurisdiction with every call, the reporter's
    # names and phone (accepted, not kept), attributes by code.
    jurisdiction = client.app.state.settings.jurisdiction_id
    posted = client.post(
        "/open311/v2/requests.xml",
        data={
            "jurisdiction_id": jurisdiction,
            "first_name": "Anna",
            "last_name": "Berg",
            "phone": "070-123 45 67",
            "api_key": key,
            "service_code": "dark-spot",
            "lat": "65.8253",
            "long": "21.6880",
            "description": "The lamp at the underpass is out.",
            "email": "resident@example.org",
            "attribute[unsafe_level]": "4",
        },
    )
    assert posted.status_code == 200, posted.text
    request_id = int(ElementTree.fromstring(posted.content).findtext("request/service_request_id"))

    # Routed like a report from the form: the category's unit, in the queue, with the contact.
    obs = session.exec(select(Observation).where(Observation.id == request_id)).one()
    unit = session.get(Unit, obs.unit_id)
    assert unit is not None and unit.slug == "street-lighting"
    assert obs.unsafe_level == 4 and obs.contact_email == "resident@example.org"
    login_as(client, session, "triager")
    queue = client.get("/triage")
    assert f'id="row-{request_id}"' in queue.text
    detail = client.get(f"/triage/{request_id}")
    assert "Work orders" in detail.text  # which system posted it

    listed = client.get("/open311/v2/requests.json", params={"service_request_id": request_id})
    assert [(r["service_request_id"], r["status"]) for r in listed.json()] == [(request_id, "open")]

    client.post(
        f"/triage/{request_id}/status",
        data={"to": "triaged", "csrf_token": csrf_token(client)},
    )
    client.post(
        f"/triage/{request_id}/status",
        data={
            "to": "wont_fix",
            "note": "The lamp belongs to the railway.",
            "csrf_token": csrf_token(client),
        },
    )
    client.cookies.clear()

    after = client.get(f"/open311/v2/requests/{request_id}.json").json()
    assert len(after) == 1
    assert after[0]["status"] == "closed"
    assert "The lamp belongs to the railway." in after[0]["status_notes"]
    assert after[0]["updated_datetime"] >= after[0]["requested_datetime"]
    closed = client.get("/open311/v2/requests.json", params={"status": "closed"}).json()
    assert request_id in {r["service_request_id"] for r in closed}
    still_open = client.get("/open311/v2/requests.json", params={"status": "open"}).json()
    assert request_id not in {r["service_request_id"] for r in still_open}
    # What the client sent about the reporter never comes back out.
    everything = client.get("/open311/v2/requests.xml").text
    assert "resident@example.org" not in everything and "Berg" not in everything
    assert "070-123" not in everything


def test_what_anyone_may_read_a_web_app_elsewhere_may_read_and_a_post_stays_closed(client, session):
    """GETs carry nothing personal and need no cookie, so any site's script may read them;
    a POST's answer (with the reporter's tracking link) is for the client system only."""
    for path in ("discovery.json", "services.xml", "requests.json", "services/dark-spot.xml"):
        answer = client.get(f"/open311/v2/{path}", headers={"Origin": "https://app.example"})
        assert answer.status_code == 200
        assert answer.headers["access-control-allow-origin"] == "*"
        assert "access-control-allow-credentials" not in answer.headers
    _client, key = open311_keys.create(
        session=session, name="Civic app", contact="", posts_per_hour=None, by=None
    )
    posted = client.post(
        "/open311/v2/requests.json",
        data={"api_key": key, "service_code": "dark-spot", "lat": "65.8253", "long": "21.688"},
        headers={"Origin": "https://app.example"},
    )
    assert posted.status_code == 200
    assert "access-control-allow-origin" not in posted.headers
    # Errors alike: a GET's readable elsewhere, a POST's not.
    missing = client.get(
        "/open311/v2/requests/999999.json", headers={"Origin": "https://a.example"}
    )
    assert missing.status_code == 404 and missing.headers["access-control-allow-origin"] == "*"
    refused = client.post("/open311/v2/requests.json", data={"api_key": "nope"})
    assert refused.status_code == 403 and "access-control-allow-origin" not in refused.headers
