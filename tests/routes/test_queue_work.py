"""The queue as a work list: each filter alone and together, counts that always equal the
rows of the filter (after an inline change and a bulk move), and "all that match" in one move."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from app.models import Observation, Status, Unit
from app.services import queue
from tests.factories import csrf_token, login_as, make_staff
from tests.routes.test_queue_sorting import make_five, queue_ids

HTMX = {"HX-Request": "true"}


@pytest.fixture
def five(client, session, stopped_clock):  # type: ignore[no-untyped-def]
    """The five of test_queue_sorting (a..e), a, b and e given to people, one with an
    address; the triager logged in."""
    made = make_five(session)
    triager = login_as(client, session, "triager")
    other = make_staff(session, "triager")
    for name, who, address in (("a", triager, "Storgatan 1"), ("b", other, None)):
        obs = session.get(Observation, made[name])
        assert obs is not None
        obs.assignee_id = who.id
        obs.address = address
        session.add(obs)
    session.commit()
    return {**made, "me": triager.id, "other": other.id}


def names(five: dict[str, int], ids: list[int]) -> str:
    by_id = {v: k for k, v in five.items() if len(k) == 1}
    return "".join(sorted(by_id[i] for i in ids))


def counts_of(html: str) -> tuple[int, dict[str, int], int]:
    """What the counts say: the total, per status, and overdue."""
    total = re.search(r"(\d+) observations? match", html)
    per_status = {
        s: int(n) for s, n in re.findall(r'class="badge status-(\w+)">[^<]*: (\d+)<', html)
    }
    overdue = re.search(r'class="badge overdue">[^<]*: (\d+)<', html)
    return (int(total[1]) if total else 0), per_status, (int(overdue[1]) if overdue else 0)


# Each filter alone: what it keeps of a..e. Each line would fail if that filter were ignored.
ALONE = {
    "status=new": "a",
    "status=triaged&status=reopened": "be",
    "category=graffiti": "c",
    "zone=heden": "b",
    "unit=police": "e",
    "priority=normal": "ae",
    "priority=urgent": "b",
    "overdue=true": "ab",  # a due 26 days ago, b 19 days ago
    "older_than=15": "ab",
    "older_than=3": "abce",
    "assignee=me": "a",
    "assignee=none": "cde",
    "q=report+c": "c",  # the description
    "q=storgatan": "a",  # the address
}
# Filters together: each keeps less than either alone.
TOGETHER = {
    "priority=normal&older_than=15": "a",
    "priority=normal&assignee=none": "e",
    "overdue=true&zone=heden": "b",
    "status=new&status=triaged&unit=street-lighting": "b",
    "older_than=3&priority=low&category=graffiti": "c",
    "category=graffiti&priority=urgent": "",
}


def test_each_filter_alone_and_together(client, five):
    assert names(five, queue_ids(client)) == "abcde"
    for query, expected in {**ALONE, **TOGETHER}.items():
        ids = queue_ids(client, query)
        assert names(five, ids) == expected, query
        # The counts say the same as the rows, and the map matches the list.
        total, per_status, _ = counts_of(client.get(f"/triage?{query}").text)
        assert total == len(ids) == sum(per_status.values()), query
        assert client.get(f"/triage/map.json?{query}").json()["total"] == len(ids), query
    assert names(five, queue_ids(client, f"assignee={five['other']}")) == "b"


def test_the_counts_count_only_the_filter(client, five):
    total, per_status, overdue = counts_of(client.get("/triage?status=new&status=triaged").text)
    assert (total, per_status, overdue) == (2, {"new": 1, "triaged": 1}, 2)
    assert "Counts of this filter" in client.get("/triage").text
    total, per_status, overdue = counts_of(client.get("/triage/counts?priority=normal").text)
    assert (total, per_status, overdue) == (2, {"new": 1, "reopened": 1}, 1)


def test_counts_follow_an_inline_change_and_a_bulk_move(client, session, five):
    token = csrf_token(client, "/triage")
    query = "status=new&status=triaged&status=in_progress"

    def counts_now() -> tuple[int, dict[str, int], int]:
        """The counts as the page asks for them after a change; checked against the rows."""
        said = counts_of(client.get(f"/triage/counts?{query}").text)
        rows = queue_ids(client, query)
        session.expire_all()
        real: dict[str, int] = {}
        for obs_id in rows:
            obs = session.get(Observation, obs_id)
            assert obs is not None
            real[str(obs.status)] = real.get(str(obs.status), 0) + 1
        assert said[0] == len(rows) and said[1] == real
        return said

    assert counts_now()[:2] == (3, {"new": 1, "triaged": 1, "in_progress": 1})
    # The row's own form, as htmx sends it: the row comes back, the counts follow.
    answer = client.post(
        f"/triage/{five['a']}/status",
        data={"to": "triaged", "view": "row", "csrf_token": token},
        headers=HTMX,
    )
    assert answer.status_code == 200 and f'id="row-{five["a"]}"' in answer.text
    assert counts_now()[:2] == (3, {"triaged": 2, "in_progress": 1})
    # Out of the filter altogether: b to "scheduled", not among the statuses asked for.
    answer = client.post(
        f"/triage/{five['b']}/status",
        data={"to": "scheduled", "view": "row", "csrf_token": token},
        headers=HTMX,
    )
    assert answer.status_code == 200
    assert counts_now()[:2] == (2, {"triaged": 1, "in_progress": 1})
    # A bulk move answers with fresh results, counts included; c is refused (no move).
    answer = client.post(
        f"/triage/bulk?{query}",
        data={"to": "in_progress", "ids": [five["a"], five["c"]], "csrf_token": token},
        headers=HTMX,
    )
    assert counts_of(answer.text)[:2] == (2, {"in_progress": 2})
    assert "1 observation changed." in answer.text and f"#{five['c']}:" in answer.text
    assert counts_now()[:2] == (2, {"in_progress": 2})


def test_all_that_match_moves_the_whole_filter_and_nothing_else(client, session, five):
    token = csrf_token(client, "/triage")
    page = client.get("/triage?priority=normal").text
    assert "All 2 that match" in page
    # Normal priority: a (new) and e (reopened).
    answer = client.post(
        "/triage/bulk?priority=normal",
        data={"to": "triaged", "every": "true", "csrf_token": token},
    )
    assert answer.status_code == 200
    assert "2 observations changed." in answer.text
    session.expire_all()
    status = {n: session.get(Observation, five[n]).status for n in "abcde"}  # type: ignore[union-attr]
    assert status == {
        "a": Status.triaged,
        "b": Status.triaged,  # was already
        "c": Status.in_progress,
        "d": Status.scheduled,
        "e": Status.triaged,
    }
    # Without "every", only the rows ticked move (none ticked: none).
    client.post("/triage/bulk?priority=low", data={"to": "fixed", "csrf_token": token})
    session.expire_all()
    assert session.get(Observation, five["c"]).status == Status.in_progress  # type: ignore[union-attr]


def test_all_that_match_stops_at_the_cap_in_the_order_shown(client, session, five, monkeypatch):
    monkeypatch.setattr(queue, "SELECT_ALL_CAP", 2)
    assert "The first 2 of all 5 that match" in client.get("/triage").text
    token = csrf_token(client, "/triage")
    # By due date, the last first: c, d, e, b, a; of these statuses c, d, b, a: c and d.
    answer = client.post(
        "/triage/bulk?sort=due&dir=desc&status=new&status=triaged&status=scheduled"
        "&status=in_progress",
        data={"to": "fixed", "every": "true", "csrf_token": token},
    )
    assert "2 observations changed." in answer.text
    session.expire_all()
    status = {n: session.get(Observation, five[n]).status for n in "abcde"}  # type: ignore[union-attr]
    assert status == {
        "a": Status.new,
        "b": Status.triaged,
        "c": Status.fixed,
        "d": Status.fixed,
        "e": Status.reopened,
    }


def test_a_unit_worker_moves_all_that_match_only_within_their_unit(client, session, five):
    units = {u.slug: u.id for u in session.exec(select(Unit)).all()}
    login_as(client, session, "unit_worker", unit="street-lighting")
    token = csrf_token(client, "/triage")
    client.post(
        "/triage/bulk?status=triaged&status=new",
        data={"to": "in_progress", "every": "true", "csrf_token": token},
    )
    session.expire_all()
    moved = session.exec(
        select(Observation.id).where(Observation.status == Status.in_progress)
    ).all()
    assert sorted(moved) == sorted([five["b"], five["c"]])  # b theirs; c was in progress
    assert session.get(Observation, five["b"]).unit_id == units["street-lighting"]  # type: ignore[union-attr]
