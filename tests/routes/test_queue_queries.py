"""The queue page costs a fixed number of queries, whatever the number of rows on it."""

from __future__ import annotations

from sqlalchemy import event
from sqlmodel import select

from app.models import Observation
from tests.factories import JSON, login_as, make_staff, post_observation


def statements_for(client, engine, path: str) -> int:  # type: ignore[no-untyped-def]
    seen: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(seen)


def test_the_queue_page_does_not_query_per_row(client, session, engine):
    triager = login_as(client, session, "triager")
    worker = make_staff(session, "unit_worker", unit="street-lighting")

    def add_reports(n: int) -> None:
        for i in range(n):
            post_observation(client, headers=JSON, category="dark-spot", description=f"lamp {i}")
        # Half of them given to someone, so the assignee names are looked up too.
        for i, obs in enumerate(session.exec(select(Observation)).all()):
            obs.assignee_id = (worker.id, triager.id, None)[i % 3]
            session.add(obs)
        session.commit()

    add_reports(2)
    few = statements_for(client, engine, "/triage")
    add_reports(28)
    many = statements_for(client, engine, "/triage")
    assert len(session.exec(select(Observation)).all()) == 30
    assert many == few
    assert statements_for(client, engine, "/triage/map.geojson") <= 6
