"""The queue's map view: the same filter as the list, as GeoJSON points."""

from __future__ import annotations

from sqlmodel import Session, select

from app.models import Observation
from tests.factories import JSON, login_as, post_observation


def report(client, session: Session, **fields) -> Observation:  # type: ignore[no-untyped-def]
    token = post_observation(client, headers=JSON, **fields).json()["token"]
    return session.exec(select(Observation).where(Observation.token == token)).one()


def test_the_map_shows_what_the_list_shows(client, session):
    lamp = report(client, session, category="dark-spot", lat="65.8260", lon="21.6870")
    bush = report(client, session, category="vegetation")
    login_as(client, session, "triager")

    lamps = client.get("/triage/map.geojson?category=dark-spot")
    assert lamps.status_code == 200
    assert lamps.headers["content-type"].startswith("application/geo+json")
    geo = lamps.json()
    assert geo["type"] == "FeatureCollection" and geo["total"] == 1
    (point,) = geo["features"]
    assert point["geometry"] == {"type": "Point", "coordinates": [21.687, 65.826]}
    assert point["properties"]["id"] == lamp.id
    assert geo["labels"]["status"][point["properties"]["status"]] == "Received"
    everything = {
        f["properties"]["id"] for f in client.get("/triage/map.geojson").json()["features"]
    }
    assert {lamp.id, bush.id} <= everything
    # No personal data in the points.
    assert "contact" not in lamps.text and "@" not in lamps.text

    page = client.get("/triage?view=map&category=dark-spot")
    assert 'data-queue-map="/triage/map.geojson?view=map&amp;category=dark-spot"' in page.text
    assert '<table class="queue">' not in page.text
    assert client.get("/triage?view=globe").status_code == 422
    assert client.get("/triage/map.geojson?priority=extreme").status_code == 422


def test_a_unit_worker_maps_only_their_units_work(client, session):
    lamp = report(client, session, category="dark-spot")
    bush = report(client, session, category="vegetation")
    login_as(client, session, "unit_worker", unit="parks")
    ids = {f["properties"]["id"] for f in client.get("/triage/map.geojson").json()["features"]}
    assert bush.id in ids and lamp.id not in ids


def test_the_map_is_capped_with_the_most_urgent_first(client, session, settings):
    from app.services import queue

    triager = login_as(client, session, "triager")
    low = report(client, session, category="dark-spot")
    urgent = report(client, session, category="dark-spot")
    urgent.priority = "urgent"
    low.priority = "low"
    session.add_all([urgent, low])
    session.commit()
    points = queue.map_points(
        session=session,
        user=triager,
        flt=queue.QueueFilter(category="dark-spot"),
        settings=settings,
        limit=1,
    )
    assert points.total == 2
    assert [f["properties"]["id"] for f in points.features] == [urgent.id]
