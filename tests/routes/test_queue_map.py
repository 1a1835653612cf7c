"""The queue's map view: the same filter as the list, as compact points (/triage/map.json,
what the map view reads) and as GeoJSON (/triage/map.geojson)."""

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
    assert 'data-queue-map="/triage/map.json?view=map&amp;category=dark-spot"' in page.text
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
    from app.services import queue, queue_map

    triager = login_as(client, session, "triager")
    low = report(client, session, category="dark-spot")
    urgent = report(client, session, category="dark-spot")
    urgent.priority = "urgent"
    low.priority = "low"
    session.add_all([urgent, low])
    session.commit()
    points = queue_map.map_points(
        session=session,
        user=triager,
        flt=queue.QueueFilter(category="dark-spot"),
        settings=settings,
        limit=1,
    )
    assert points.total == 2
    assert [f["properties"]["id"] for f in points.features] == [urgent.id]


def test_the_map_view_reads_compact_points_with_the_tables_sent_once(client, session, settings):
    from datetime import timedelta

    from app import clock

    lamp = report(client, session, category="dark-spot", lat="65.8260", lon="21.6870")
    bush = report(client, session, category="vegetation", lat="65.8250", lon="21.6880")
    old = report(client, session, category="dark-spot", lat="65.8240", lon="21.6890")
    old.created_at = clock.now() - timedelta(days=60)  # normal priority: due after 14 days
    bush.priority = "urgent"
    session.add_all([old, bush])
    session.commit()
    login_as(client, session, "triager")

    answer = client.get("/triage/map.json")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/json")
    data = answer.json()
    assert data["fields"] == ["id", "lat", "lon", "status", "priority", "overdue", "category"]
    assert data["total"] == 3
    # The most urgent first, then the oldest: bush (urgent), old, lamp.
    assert [p[0] for p in data["points"]] == [bush.id, old.id, lamp.id]
    by_id = {p[0]: p for p in data["points"]}
    _, lat, lon, status, priority, _, category = by_id[lamp.id]
    assert (lat, lon) == (65.826, 21.687)
    assert data["statuses"][status] == "new"
    assert data["labels"]["status"][data["statuses"][status]] == "Received"
    assert data["priorities"][by_id[bush.id][4]] == "urgent"
    assert data["priorities"][priority] == "normal"
    assert [by_id[i][5] for i in (lamp.id, bush.id, old.id)] == [0, 0, 1]  # only old is late
    assert data["categories"][category]["name"].startswith("Dark spot")
    assert data["categories"][by_id[bush.id][6]]["icon"]
    assert len(data["categories"]) == 2  # each category once, however many points
    # Much smaller than the same points as GeoJSON.
    geojson = client.get("/triage/map.geojson")
    assert geojson.json()["total"] == 3
    assert len(answer.content) < len(geojson.content)
    assert "contact" not in answer.text and "@" not in answer.text

    # The same filter as the list, and the cap keeps the total.
    assert client.get("/triage/map.json?priority=urgent").json()["total"] == 1
    assert client.get("/triage/map.json?older_than=30").json()["points"][0][0] == old.id
    assert client.get("/triage/map.json?sort=due&dir=up").status_code == 422
    triager = login_as(client, session, "triager")
    from app.services import queue, queue_map

    capped = queue_map.map_points(
        session=session, user=triager, flt=queue.QueueFilter(), settings=settings, limit=2
    )
    assert capped.total == 3 and [p[0] for p in capped.points] == [bush.id, old.id]
