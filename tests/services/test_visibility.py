"""Who sees and works on which observation: one rule, the same in Python and in SQL, and every
path (the page, a status move, a bulk move, assignment, the queue and its map) keeps to it."""

from __future__ import annotations

import pytest
from sqlmodel import Session, col, select

from app.models import Observation, Status
from app.services import assignment, lifecycle, queue, queue_map, visibility
from tests.factories import JSON, csrf_token, login_as, make_staff, post_observation


def report(client, session: Session, **fields) -> Observation:  # type: ignore[no-untyped-def]
    token = post_observation(client, headers=JSON, **fields).json()["token"]
    return session.exec(select(Observation).where(Observation.token == token)).one()


@pytest.fixture
def items(client, session) -> dict[str, Observation]:
    """A lamp (street lighting's), a bush (parks') and one that no rule routed."""
    lamp = report(client, session)
    bush = report(client, session, category="vegetation")
    stray = report(client, session, category="graffiti")
    stray.unit_id = None
    session.add(stray)
    session.commit()
    return {"lamp": lamp, "bush": bush, "stray": stray}


def people(session: Session) -> dict[str, object]:
    inactive = make_staff(session, "triager")
    inactive.active = False
    session.add(inactive)
    session.commit()
    return {
        "triager": make_staff(session, "triager"),
        "admin": make_staff(session, "admin"),
        "lighting worker": make_staff(session, "unit_worker", unit="street-lighting"),
        "parks worker": make_staff(session, "unit_worker", unit="parks"),
        "worker without a unit": make_staff(session, "unit_worker"),
        "walk leader": make_staff(session, "walk_leader"),
        "planner": make_staff(session, "planner"),
        "deactivated triager": inactive,
    }


# Written out by hand: who sees what.
SEES = {
    "triager": {"lamp", "bush", "stray"},
    "admin": {"lamp", "bush", "stray"},
    "lighting worker": {"lamp"},
    "parks worker": {"bush"},
    "worker without a unit": set(),
    "walk leader": set(),
    "planner": set(),
    "deactivated triager": set(),
}


def test_the_predicate_and_the_sql_clause_say_the_same(session, items):
    for who, person in people(session).items():
        by_predicate = {name for name, obs in items.items() if visibility.can_see(person, obs)}
        found = set(
            session.exec(
                select(Observation.id).where(
                    visibility.clause(person),  # type: ignore[arg-type]
                    col(Observation.id).in_([o.id for o in items.values()]),
                )
            ).all()
        )
        by_sql = {name for name, obs in items.items() if obs.id in found}
        assert by_predicate == SEES[who], who
        assert by_sql == SEES[who], who


def test_a_unit_worker_cannot_reach_another_units_item_by_any_path(client, session, items):
    lamp, bush = items["lamp"], items["bush"]
    worker = login_as(client, session, "unit_worker", unit="parks")
    token = csrf_token(client)

    # The dependency: the page and every action on it.
    assert client.get(f"/triage/{lamp.id}").status_code == 403
    assert client.get(f"/triage/{bush.id}").status_code == 200
    moved = client.post(
        f"/triage/{lamp.id}/status", data={"to": "in_progress", "csrf_token": token}
    )
    assert moved.status_code == 403
    given = client.post(
        f"/triage/{lamp.id}/assign", data={"assignee": str(worker.id), "csrf_token": token}
    )
    assert given.status_code == 403

    # A bulk move goes by number, past the dependency: the state machine refuses it.
    lamp.status = bush.status = Status.triaged
    session.add_all([lamp, bush])
    session.commit()
    bulk = client.post(
        "/triage/bulk",
        data={"to": "in_progress", "ids": [str(lamp.id), str(bush.id)], "csrf_token": token},
    )
    assert bulk.status_code == 200 and "belongs to another unit" in bulk.text
    session.expire_all()
    assert session.get(Observation, lamp.id).status == Status.triaged
    assert session.get(Observation, bush.id).status == Status.in_progress

    # The state machine and assignment, asked directly.
    lamp = session.get(Observation, lamp.id)
    assert lifecycle.allowed_moves(lamp, lifecycle.Actor.staff(worker)) == []
    with pytest.raises(lifecycle.TransitionRefused):
        lifecycle.transition(
            session=session, obs=lamp, to=Status.fixed, actor=lifecycle.Actor.staff(worker)
        )
    assert assignment.assignable(lamp, worker, assignment.staff(session=session)) == []
    with pytest.raises(assignment.AssignmentRefused):
        assignment.assign(session=session, obs=lamp, assignee=worker, actor=worker)
    # Nor can the lamp be given to them by the triage desk.
    triager = make_staff(session, "triager")
    assert worker not in assignment.assignable(lamp, triager, assignment.staff(session=session))

    # The queue, its counts and its map.
    flt = queue.QueueFilter(statuses=tuple(Status))
    page = queue.search(session=session, user=worker, flt=flt, settings=client.app.state.settings)
    assert [row.id for row in page.rows] == [bush.id] and page.total == 1
    assert sum(page.counts.values()) == 1
    points = queue_map.map_points(
        session=session, user=worker, flt=flt, settings=client.app.state.settings
    )
    assert [f["properties"]["id"] for f in points.features] == [bush.id]  # type: ignore[index]
    listed = client.get("/triage?status=triaged&status=in_progress&status=new").text
    assert f"#{bush.id} " in listed and f"#{lamp.id} " not in listed


def test_a_unit_worker_without_a_unit_sees_nothing_not_every_unrouted_item(client, session, items):
    login_as(client, session, "unit_worker")
    assert client.get(f"/triage/{items['stray'].id}").status_code == 403
    assert f"#{items['stray'].id} " not in client.get("/triage").text
