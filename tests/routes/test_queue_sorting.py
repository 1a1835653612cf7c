"""Every sortable column of the queue, both ways, on five reports that differ in every column
(so that a sort on the wrong column, or the wrong way, gives another order)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from app import clock
from app.models import Status, Unit
from app.services import queue, queue_order
from tests.factories import insert_observation, login_as

# Where each of the five is, by district (a point inside it), or outside every district.
PLACES = {
    "centrum": (65.825, 21.68907),
    "heden": (65.845, 21.63297),
    "bjorknas": (65.8255, 21.7275),
    "savast": (65.798, 21.74586),
    None: (65.60, 21.20),
}
# name: category, district, unit, status, priority, age, supporters (made in this order, so
# their numbers go a < b < c < d < e, while their ages give another order: a b e c d).
FIVE = {
    "a": ("vandalism", "centrum", "streets", Status.new, "normal", timedelta(days=40), 2),
    "b": ("dark-spot", "heden", "street-lighting", Status.triaged, "urgent", timedelta(days=20), 0),
    "c": ("graffiti", "bjorknas", "cleaning", Status.in_progress, "low", timedelta(days=5), 5),
    "d": ("damaged-path", "savast", None, Status.scheduled, "high", timedelta(hours=1), 2),
    "e": ("litter", None, "police", Status.reopened, "normal", timedelta(days=10), 1),
}
# The order a triager sees, each column's usual way first ("asc", except supporters).
ORDERS = {
    "number": "abcde",
    "reported": "abecd",  # the oldest first
    # Damaged path, Dark spot, Graffiti, Litter, Vandalism
    "category": "dbcea",
    # Björknäs, Centrum, Heden, Sävast, then the one in no district
    "district": "cabde",
    # Cleaning and graffiti, Police, Street lighting, Streets and paths, then no unit
    "unit": "cebad",
    # In the workflow's order: new, triaged, scheduled, in progress, reopened
    "status": "abdce",
    # Urgent, high, normal (the older first), low
    "priority": "bdaec",
    # Due: a 26 days ago, b 19 days ago, e in 4 days, d in almost 5, c in 25 (urgent 1 day,
    # high 5, normal 14, low 30)
    "due": "abedc",
    # The most backers first; a and d both have two: the older first
    "supporters": "cadeb",
}


def queue_ids(client, query: str = "") -> list[int]:  # type: ignore[no-untyped-def]
    answer = client.get(f"/triage?{query}", follow_redirects=False)
    assert answer.status_code == 200, answer.text
    return [int(found) for found in re.findall(r'<tr id="row-(\d+)"', answer.text)]


def make_five(session: Session) -> dict[str, int]:
    units = {u.slug: u.id for u in session.exec(select(Unit)).all()}
    made = {}
    for name, (category, district, unit, status, priority, age, backers) in FIVE.items():
        lat, lon = PLACES[district]
        obs = insert_observation(
            session,
            lat=lat,
            lon=lon,
            category=category,
            created_at=clock.now() - age,
            unit_id=units[unit] if unit else None,
            status=status,
            priority=priority,
            supporters=backers,
            description=f"report {name}",
        )
        made[name] = obs.id
    return made


@pytest.fixture
def five(client, session, stopped_clock):  # type: ignore[no-untyped-def]
    made = make_five(session)
    login_as(client, session, "triager")
    return made


def test_every_column_sorts_both_ways(client, five):
    assert set(ORDERS) == set(queue.SORTS)  # a new sortable column gets a line here
    for key, expected in ORDERS.items():
        usual = [five[n] for n in expected]
        first_way = queue_order.SORTS[key]
        other_way = "desc" if first_way == "asc" else "asc"
        assert queue_ids(client, f"sort={key}") == usual, key
        assert queue_ids(client, f"sort={key}&dir={first_way}") == usual, key
        assert queue_ids(client, f"sort={key}&dir={other_way}") == usual[::-1], f"{key} reversed"


def test_the_old_sort_names_still_work(client, five):
    by = {n: five[n] for n in five}
    assert queue_ids(client, "sort=oldest") == [by[n] for n in "abecd"]
    assert queue_ids(client, "sort=newest") == [by[n] for n in "dceba"]
    assert queue_ids(client, "sort=priority") == [by[n] for n in "bdaec"]
    assert queue_ids(client, "sort=supporters") == [by[n] for n in "cadeb"]
    assert queue_ids(client, "") == [by[n] for n in "abecd"]  # the default: the oldest first
    assert queue_ids(client, "sort=newest&dir=asc") == [by[n] for n in "abecd"]


def test_a_column_header_offers_the_other_way_and_says_how_it_is_sorted(client, five):
    page = client.get("/triage?category=&sort=due&dir=asc").text
    due = re.search(r'<th scope="col" class="cell-due"([^>]*)>\s*<a href="([^"]+)"', page)
    assert due is not None
    assert 'aria-sort="ascending"' in due[1]
    assert "sort=due&amp;dir=desc" in due[2] and "category=" in due[2] and "page=" not in due[2]
    supporters = re.search(
        r'<th scope="col" class="cell-supporters"([^>]*)>\s*<a href="([^"]+)"', page
    )
    assert supporters is not None and "aria-sort" not in supporters[1]
    assert "sort=supporters&amp;dir=desc" in supporters[2]  # the most backed first, first
    down = client.get("/triage?sort=due&dir=desc").text
    assert 'class="cell-due" aria-sort="descending"' in down


def test_sorting_by_due_pages_through_every_row_once(client, session, stopped_clock):
    """More rows than a page, in all four priorities: the merged due order, page by page,
    is the due order of them all."""
    login_as(client, session, "triager")
    priorities = ("urgent", "high", "normal", "low")
    made = []
    for i in range(queue.PAGE_SIZE + 13):
        obs = insert_observation(
            session,
            lat=65.825,
            lon=21.689,
            created_at=clock.now() - timedelta(hours=7 * i),
            priority=priorities[i % 4],
            commit=False,
        )
        made.append(obs)
    session.commit()
    days = {"urgent": 1, "high": 5, "normal": 14, "low": 30}
    due = {obs.id: obs.created_at + timedelta(days=days[obs.priority]) for obs in made}
    expected = sorted(due, key=lambda obs_id: (due[obs_id], obs_id))
    got = queue_ids(client, "sort=due") + queue_ids(client, "sort=due&page=2")
    assert got == expected
    back = queue_ids(client, "sort=due&dir=desc") + queue_ids(client, "sort=due&dir=desc&page=2")
    assert back == expected[::-1]


def test_a_bad_sort_or_direction_is_a_clear_422(client, five):
    assert client.get("/triage?sort=colour").status_code == 422
    assert client.get("/triage?sort=due&dir=up").status_code == 422
    assert client.get("/triage?sort=&dir=").status_code == 200  # the form's "as it was"
