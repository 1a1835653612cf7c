"""The queue's sort orders and its priority and age filters, on reports made at known times
(the clock is stopped; each report is made with the clock set back)."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from app import clock
from app.models import Observation
from app.services import queue_order
from tests.factories import JSON, csrf_token, login_as, post_observation


def report_made_ago(client, session: Session, age: timedelta, **fields) -> Observation:  # type: ignore[no-untyped-def]
    with clock.frozen(clock.now() - age):
        token = post_observation(client, headers=JSON, **fields).json()["token"]
    obs = session.exec(select(Observation).where(Observation.token == token)).one()
    assert obs.created_at == clock.now() - age
    return obs


def queue_ids(client, query: str = "") -> list[int]:  # type: ignore[no-untyped-def]
    answer = client.get(f"/triage?{query}", follow_redirects=False)
    assert answer.status_code == 200, answer.text
    return [int(found) for found in re.findall(r'<tr id="row-(\d+)"', answer.text)]


@pytest.fixture
def four(client, session, stopped_clock):  # type: ignore[no-untyped-def]
    """Four open reports, 40 days, 20 days, 5 days and 1 hour old; low, urgent, normal and
    urgent; backed by 1, 0, 2 and 0 residents."""
    a = report_made_ago(client, session, timedelta(days=40), description="a")
    b = report_made_ago(client, session, timedelta(days=20), description="b")
    c = report_made_ago(client, session, timedelta(days=5), description="c")
    d = report_made_ago(client, session, timedelta(hours=1), description="d")
    for obs, backers in ((a, 1), (c, 2)):
        for _ in range(backers):
            client.cookies.clear()  # each backer on a phone of their own
            answer = client.post(
                f"/observations/{obs.id}/support", data={"client_id": str(uuid.uuid4())}
            )
            assert answer.status_code == 200
    login_as(client, session, "triager")
    token = csrf_token(client, "/triage")
    for obs, priority in ((a, "low"), (b, "urgent"), (d, "urgent")):
        answer = client.post(
            f"/triage/{obs.id}/priority",
            data={"priority": priority, "csrf_token": token},
            follow_redirects=False,
        )
        assert answer.status_code == 303
    return a.id, b.id, c.id, d.id


SORTS = {
    "": "abcd",  # the default is the oldest first
    "oldest": "abcd",
    "newest": "dcba",
    "priority": "bdca",  # urgent (the older first), normal, low
    "supporters": "cabd",  # the most backed first; ties the oldest first
}


def test_each_sort_order_the_queue_offers(client, four):
    assert set(SORTS) - {""} == set(queue_order.ALIASES)  # the old names, kept for bookmarks
    by_name = dict(zip("abcd", four, strict=True))
    for sort, expected in SORTS.items():
        got = queue_ids(client, f"sort={sort}" if sort else "")
        assert got == [by_name[n] for n in expected], f"sort={sort!r}"


def test_the_priority_filter_keeps_only_that_priority(client, four):
    a, b, c, d = four
    assert queue_ids(client, "priority=urgent") == [b, d]
    assert queue_ids(client, "priority=low") == [a]
    assert queue_ids(client, "priority=high") == []
    assert queue_ids(client, "priority=") == [a, b, c, d]  # the form's "any"
    points = client.get("/triage/map.geojson?priority=urgent").json()
    assert points["total"] == 2


def test_the_age_filter_keeps_only_reports_older_than_so_many_days(client, four):
    a, b, c, d = four
    assert queue_ids(client, "older_than=30") == [a]
    assert queue_ids(client, "older_than=10") == [a, b]
    assert queue_ids(client, "older_than=1") == [a, b, c]
    assert queue_ids(client, "older_than=") == [a, b, c, d]
    assert queue_ids(client, "older_than=10&priority=urgent") == [b]
    assert queue_ids(client, "older_than=10&sort=newest") == [b, a]
    assert client.get("/triage/map.geojson?older_than=10").json()["total"] == 2


def test_the_age_filter_follows_the_clock(client, session, four):
    a, b, c, d = four
    clock.advance(timedelta(days=25))  # c is now 30 days old, d almost 25
    login_as(client, session, "triager")  # yesterday's session has ended
    assert queue_ids(client, "older_than=29") == [a, b, c]
    assert queue_ids(client, "older_than=24") == [a, b, c, d]


def test_a_districts_filter_includes_its_parts_of_town(client, session):  # type: ignore[no-untyped-def]
    from shapely.geometry import box, mapping

    from app.models import Zone, ZoneKind
    from app.services import zones

    centrum = session.exec(select(Zone).where(Zone.slug == "centrum")).one()
    part = zones.upsert(
        session=session,
        slug="centrum-torget",
        name="Torget",
        geometry=dict(mapping(box(21.687, 65.825, 21.689, 65.826))),
        kind=ZoneKind.part_of_town,
        parent_id=centrum.id,
    )
    session.commit()
    on_the_square = post_observation(client, headers=JSON, lat="65.8255", lon="21.688").json()
    elsewhere = post_observation(client, headers=JSON, lat="65.8230", lon="21.690").json()
    far_away = post_observation(client, headers=JSON, lat="65.60", lon="21.20").json()
    ids = {
        answer["token"]: session.exec(
            select(Observation.id).where(Observation.token == answer["token"])
        ).one()
        for answer in (on_the_square, elsewhere, far_away)
    }
    assert part.id is not None
    login_as(client, session, "triager")
    in_centrum = set(queue_ids(client, "zone=centrum"))
    assert in_centrum == {ids[on_the_square["token"]], ids[elsewhere["token"]]}
    assert set(queue_ids(client, "zone=centrum-torget")) == {ids[on_the_square["token"]]}
