"""The staff start page: each role's numbers, each a link into the queue that shows exactly
that many rows; the queue one click away; roles that do not work on reports still get a page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlmodel import select

from app import clock
from app.models import Priority, Status, Unit
from tests.factories import insert_observation, login_as
from tests.routes.test_queue_filters import queue_ids

CENTRUM = (65.8253, 21.6880)
FIGURE = re.compile(
    r'<a href="([^"]+)"><span class="figure">(\d+)</span> <span class="figure-label">([^<]+)</span>'
)
UNIT = re.compile(r'<li><a href="([^"]+)">([^<]+)</a> <span class="badge overdue">(\d+)</span>')


def unit_id(session, slug: str) -> int:  # type: ignore[no-untyped-def]
    return session.exec(select(Unit.id).where(Unit.slug == slug)).one()


def figures(page: str) -> dict[str, tuple[str, int]]:
    return {label: (href.replace("&amp;", "&"), int(n)) for href, n, label in FIGURE.findall(page)}


def rows_behind(client, href: str) -> int:  # type: ignore[no-untyped-def]
    assert href.startswith("/triage")
    return len(queue_ids(client, href.partition("?")[2]))


@pytest.fixture
def desk(session, stopped_clock):  # type: ignore[no-untyped-def]
    """Reports of three units: some made today (local time), some long overdue, some closed,
    one a good place; returns the triager's id-less description of what was made."""
    lighting, parks = unit_id(session, "street-lighting"), unit_id(session, "parks")
    now = clock.now()  # 17:00 in Boden
    made = [
        # today, in the evening and just after local midnight
        dict(unit_id=lighting, created_at=now - timedelta(hours=1)),
        dict(unit_id=parks, created_at=now - timedelta(hours=16, minutes=50)),
        # yesterday evening, late in UTC terms but not today in Boden
        dict(unit_id=lighting, created_at=now - timedelta(hours=17, minutes=10)),
        # overdue: normal priority is due after the setting's days
        dict(unit_id=lighting, created_at=now - timedelta(days=60)),
        dict(unit_id=lighting, created_at=now - timedelta(days=90), priority=Priority.high),
        dict(unit_id=parks, created_at=now - timedelta(days=60)),
        dict(unit_id=None, created_at=now - timedelta(days=60)),  # no unit yet
        # closed: counted nowhere
        dict(unit_id=lighting, created_at=now - timedelta(days=60), status=Status.fixed),
        dict(unit_id=lighting, created_at=now - timedelta(hours=2), status=Status.duplicate),
    ]
    for fields in made:
        insert_observation(session, lat=CENTRUM[0], lon=CENTRUM[1], **fields)
    insert_observation(session, lat=CENTRUM[0], lon=CENTRUM[1], category="good-place")


def test_a_triagers_numbers_are_the_rows_their_links_show(client, session, desk):
    me = login_as(client, session, "triager")
    # Two of the open ones are given to this triager.
    from app.models import Observation

    open_ids = session.exec(
        select(Observation.id).where(Observation.status == Status.new).order_by(Observation.id)
    ).all()
    for obs_id in open_ids[:2]:
        obs = session.get(Observation, obs_id)
        obs.assignee_id = me.id
        session.add(obs)
    session.commit()

    page = client.get("/staff")
    assert page.status_code == 200
    assert 'href="/triage"' in page.text  # the queue, one click away
    numbers = figures(page.text)
    assert {label: n for label, (_, n) in numbers.items()} == {
        "new today": 2,
        "overdue": 4,
        "assigned to me": 2,
        "open in total": 7,
    }
    for label, (href, n) in numbers.items():
        assert rows_behind(client, href) == n, label
    units = UNIT.findall(page.text)
    assert [(name, int(n)) for _, name, n in units] == [
        ("Street lighting", 2),
        ("Parks and vegetation", 1),
    ]
    for href, name, n in units:
        assert rows_behind(client, href.replace("&amp;", "&")) == int(n), name
    assert "1 overdue report has no unit yet." in page.text


def test_a_unit_worker_sees_only_their_units_numbers(client, session, desk):
    login_as(client, session, "unit_worker", unit="parks")
    page = client.get("/staff")
    numbers = figures(page.text)
    assert {label: n for label, (_, n) in numbers.items()} == {
        "new today": 1,
        "overdue": 1,
        "assigned to me": 0,
        "open in total": 2,
    }
    for label, (href, n) in numbers.items():
        assert rows_behind(client, href) == n, label
    units = UNIT.findall(page.text)
    assert [(name, int(n)) for _, name, n in units] == [("Parks and vegetation", 1)]
    assert "Overdue in your unit" in page.text
    assert "Street lighting" not in page.text


def test_the_numbers_in_swedish(client, session, desk):
    login_as(client, session, "triager")
    page = client.get("/staff", headers={"Accept-Language": "sv"})
    assert "nya i dag" in page.text and "Öppna kön" in page.text


@pytest.mark.parametrize("role", ["planner", "coordinator", "walk_leader"])
def test_roles_without_the_queue_get_their_pages_and_no_numbers(client, session, desk, role):
    login_as(client, session, role)
    page = client.get("/staff")
    assert page.status_code == 200
    assert figures(page.text) == {}
    assert 'href="/triage"' not in page.text
    assert "/walks/manage" in page.text  # their own pages still listed


@pytest.mark.parametrize(
    ("role", "lands_on"),
    [("planner", "/planning"), ("coordinator", "/follow-up"), ("triager", "/staff")],
)
def test_each_role_still_lands_on_its_own_start_page(client, session, role, lands_on):
    from tests.factories import log_in, make_staff

    user = make_staff(session, role)
    answer = log_in(client, user.email)
    assert answer.headers["location"] == lands_on
