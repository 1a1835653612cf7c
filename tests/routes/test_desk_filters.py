"""Saved queue filters: a person saves the queue's filter under a name, opens it again, deletes
it; nobody reaches another's; names are unique per person; a person keeps at most LIMIT; a
filter the queue would refuse is refused when saved."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlmodel import select

from app import clock
from app.models import Priority, SavedFilter
from app.services import saved_filters
from tests.factories import csrf_token, insert_observation, log_in, login_as, make_staff
from tests.routes.test_queue_filters import queue_ids

CENTRUM = (65.8253, 21.6880)


def save(client, name: str, query: str, **headers: str):  # type: ignore[no-untyped-def]
    return client.post(
        "/triage/filters",
        data={"name": name, "query": query, "csrf_token": csrf_token(client, "/triage")},
        headers=headers,
        follow_redirects=False,
    )


def my_filters(session, user) -> dict[str, SavedFilter]:  # type: ignore[no-untyped-def]
    session.expire_all()
    rows = session.exec(select(SavedFilter).where(SavedFilter.user_id == user.id)).all()
    return {f.name: f for f in rows}


@pytest.fixture
def reports(session, stopped_clock):  # type: ignore[no-untyped-def]
    """Sixty open reports of two categories and all priorities, made a day apart."""
    made = []
    for i in range(60):
        made.append(
            insert_observation(
                session,
                lat=CENTRUM[0],
                lon=CENTRUM[1],
                category="dark-spot" if i % 3 else "graffiti",
                priority=list(Priority)[i % 4],
                created_at=clock.now() - timedelta(days=i),
                description=f"lampa nummer {i}",
            )
        )
    return made


def test_a_saved_filter_is_listed_and_opens_the_same_rows(client, session, reports):
    user = login_as(client, session, "triager")
    original = "category=dark-spot&sort=priority&priority=high&page=2&bogus=1&view=map"
    answer = save(client, "High dark spots", original)
    assert answer.status_code == 303
    kept = my_filters(session, user)["High dark spots"]
    # The queue's own keys only, in a fixed order, without the page.
    assert kept.query == "category=dark-spot&priority=high&sort=priority"

    listing = client.get("/triage/filters")
    assert "High dark spots" in listing.text
    assert f'href="/triage?{kept.query.replace("&", "&amp;")}"' in listing.text

    opened = client.get(f"/triage/filters/{kept.id}", follow_redirects=False)
    assert opened.status_code == 303
    assert opened.headers["location"] == f"/triage?{kept.query}"
    rows = queue_ids(client, opened.headers["location"].split("?", 1)[1])
    assert rows and rows == queue_ids(client, "category=dark-spot&sort=priority&priority=high")


def test_statuses_and_search_words_survive_the_round_trip(client, session, reports):
    user = login_as(client, session, "triager")
    query = "status=new&status=triaged&q=lampa+nummer+1&overdue=true&older_than=3"
    assert save(client, "Mine", query).status_code == 303
    kept = my_filters(session, user)["Mine"]
    assert kept.query == "status=new&status=triaged&overdue=true&older_than=3&q=lampa+nummer+1"
    assert queue_ids(client, kept.query) == queue_ids(client, query)


def test_a_column_sort_keeps_its_direction(client, session, reports):
    user = login_as(client, session, "triager")
    query = "sort=due&dir=desc&category=dark-spot"
    assert save(client, "Due last first", query).status_code == 303
    kept = my_filters(session, user)["Due last first"]
    assert kept.query == "category=dark-spot&sort=due&dir=desc"
    rows = queue_ids(client, kept.query)
    assert rows == queue_ids(client, query) != queue_ids(client, "sort=due&category=dark-spot")


def test_htmx_save_and_delete_answer_with_the_panel(client, session):
    user = login_as(client, session, "triager")
    answer = save(client, "Urgent", "priority=urgent", **{"HX-Request": "true"})
    assert answer.status_code == 200
    assert "Urgent" in answer.text and "<html" not in answer.text
    kept = my_filters(session, user)["Urgent"]
    gone = client.post(
        f"/triage/filters/{kept.id}/delete",
        data={"csrf_token": csrf_token(client, "/triage")},
        headers={"HX-Request": "true", "HX-Current-URL": "http://test/triage?priority=low"},
    )
    assert gone.status_code == 200
    assert "Urgent" not in gone.text
    # The panel's save form now carries the query of the queue page it sits on.
    assert 'name="query" value="priority=low"' in gone.text


def test_delete_removes_it_and_a_second_delete_is_not_found(client, session):
    user = login_as(client, session, "triager")
    save(client, "Old", "older_than=30")
    kept_id = my_filters(session, user)["Old"].id
    token = csrf_token(client, "/triage")
    first = client.post(f"/triage/filters/{kept_id}/delete", data={"csrf_token": token})
    assert first.status_code == 200  # followed to the list
    assert "Old" not in client.get("/triage/filters").text
    assert my_filters(session, user) == {}
    again = client.post(
        f"/triage/filters/{kept_id}/delete", data={"csrf_token": token}, follow_redirects=False
    )
    assert again.status_code == 404


def test_nobody_sees_opens_or_deletes_anothers_filter(client, session, app):
    from fastapi.testclient import TestClient

    owner = make_staff(session, "triager")
    other = make_staff(session, "admin")  # not even an admin
    log_in(client, owner.email)
    save(client, "Owner's secret view", "category=drug-dealing")
    kept = my_filters(session, owner)["Owner's secret view"]

    with TestClient(app, headers={"Accept-Language": "en"}) as second:
        log_in(second, other.email)
        assert "Owner's secret view" not in second.get("/triage/filters").text
        opened = second.get(f"/triage/filters/{kept.id}", follow_redirects=False)
        assert opened.status_code == 404
        token = csrf_token(second, "/triage")
        deleted = second.post(f"/triage/filters/{kept.id}/delete", data={"csrf_token": token})
        assert deleted.status_code == 404
    assert "Owner's secret view" in my_filters(session, owner)


def test_names_are_unique_per_person_but_two_people_may_share_one(client, session, app):
    from fastapi.testclient import TestClient

    first = login_as(client, session, "triager")
    assert save(client, "Today", "sort=newest").status_code == 303
    twice = save(client, "today", "sort=oldest")  # the same name in other letters
    assert twice.status_code == 409
    assert "You already have a filter called" in twice.text
    assert my_filters(session, first)["Today"].query == "sort=newest"

    with TestClient(app, headers={"Accept-Language": "en"}) as second:
        login_as(second, session, "triager")
        assert save(second, "Today", "sort=oldest").status_code == 303


def test_a_person_keeps_at_most_the_limit(client, session):
    user = login_as(client, session, "triager")
    for i in range(saved_filters.LIMIT):
        assert save(client, f"Filter {i}", f"older_than={i + 1}").status_code == 303
    over = save(client, "One too many", "older_than=99")
    assert over.status_code == 409
    assert f"at most {saved_filters.LIMIT} filters" in over.text
    assert len(my_filters(session, user)) == saved_filters.LIMIT
    assert "One too many" not in my_filters(session, user)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("sort=sideways", "sort"),
        ("status=lost", "status"),
        ("older_than=0", "older_than"),
        ("assignee=someone", "assignee"),
        ("priority=whenever", "priority"),
        ("category=" + "x" * 65, "category"),
    ],
)
def test_a_filter_the_queue_refuses_is_not_saved(client, session, query, field):
    user = login_as(client, session, "triager")
    answer = save(client, "Broken", query)
    assert answer.status_code == 422
    assert f"“{field}” has a value the queue refuses" in answer.text
    assert my_filters(session, user) == {}
    # The queue refuses the same filter.
    assert client.get(f"/triage?{query}").status_code == 422


def test_an_empty_name_or_one_with_a_control_character_is_refused(client, session):
    user = login_as(client, session, "triager")
    assert save(client, "   ", "sort=newest").status_code == 422
    assert save(client, "bad\x00name", "sort=newest").status_code == 422
    # A NUL hidden in the saved query's own encoding is refused too (PostgreSQL cannot hold it).
    assert save(client, "Hidden", "q=lamp%00a").status_code == 422
    # More parts than any filter has: refused, not a server error.
    assert save(client, "Long", "&".join(["status=new"] * 101)).status_code == 422
    assert my_filters(session, user) == {}


def test_a_unit_worker_saves_and_opens_their_own(client, session):
    user = login_as(client, session, "unit_worker", unit="street-lighting")
    assert save(client, "Mine overdue", "overdue=true&assignee=me").status_code == 303
    kept = my_filters(session, user)["Mine overdue"]
    opened = client.get(f"/triage/filters/{kept.id}")
    assert opened.status_code == 200
    assert re.search(r"\d+ observations? match", opened.text)


def test_the_queue_page_offers_the_panel_and_the_panel_the_export(client, session):
    login_as(client, session, "triager")
    page = client.get("/triage?priority=high&status=new")
    assert 'hx-get="/triage/filters"' in page.text
    panel = client.get(
        "/triage/filters",
        headers={"HX-Request": "true", "HX-Current-URL": "http://x/triage?priority=high&page=3"},
    )
    assert 'href="/triage/export.csv?priority=high"' in panel.text
    assert 'name="query" value="priority=high"' in panel.text
