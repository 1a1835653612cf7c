"""The history of an observation: one writer (`lifecycle.record`), one row per change, each
saying who, what and whether residents may read it; priority changes in one function."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from app.models import EventKind, Observation, ObservationEvent, Priority, Status, Unit
from app.services import assignment, lifecycle, routing
from tests.factories import JSON, make_staff, post_observation

ROOT = Path(__file__).resolve().parents[2]


def report(client, session: Session, **fields) -> Observation:  # type: ignore[no-untyped-def]
    token = post_observation(client, headers=JSON, **fields).json()["token"]
    return session.exec(select(Observation).where(Observation.token == token)).one()


def rows(session: Session, obs: Observation) -> list[ObservationEvent]:
    session.expire_all()
    return list(
        session.exec(
            select(ObservationEvent)
            .where(ObservationEvent.observation_id == obs.id)
            .order_by(col(ObservationEvent.id))
        )
    )


def line(event: ObservationEvent) -> tuple[object, ...]:
    return (
        event.kind,
        event.actor,
        event.from_status,
        event.to_status,
        event.public,
        event.note,
        event.internal_note,
    )


@pytest.fixture
def lamp(client, session) -> Observation:
    return report(client, session)


def test_a_report_starts_with_one_public_line(session, lamp):
    [first] = rows(session, lamp)
    assert line(first) == (EventKind.status, "resident", None, Status.new, True, "", "")
    assert first.at == lamp.created_at and first.actor_id is None


def test_each_change_writes_one_line_and_only_status_moves_are_public(client, session, lamp):
    triager = make_staff(session, "triager")
    worker = make_staff(session, "unit_worker", unit="street-lighting")
    desk = lifecycle.Actor.staff(triager)

    lifecycle.transition(
        session=session,
        obs=lamp,
        to=Status.triaged,
        actor=desk,
        note="We are on it.",
        internal_note="Cable?",
    )
    assert lifecycle.set_priority(session=session, obs=lamp, priority=Priority.urgent, actor=desk)
    assignment.assign(session=session, obs=lamp, assignee=worker, actor=triager)
    session.refresh(lamp)
    routing.reroute(
        session=session,
        obs=lamp,
        unit=session.exec(select(Unit).where(Unit.slug == "police")).one(),
        actor=desk,
        note="Cable theft",
    )

    _, moved, priority, given, rerouted = rows(session, lamp)
    name = triager.name
    assert line(moved) == (
        EventKind.status,
        name,
        Status.new,
        Status.triaged,
        True,
        "We are on it.",
        "Cable?",
    )
    assert line(priority) == (
        EventKind.priority,
        name,
        Status.triaged,
        Status.triaged,
        False,
        "",
        "normal -> urgent",
    )
    assert line(given) == (
        EventKind.assign,
        name,
        Status.triaged,
        Status.triaged,
        False,
        "",
        f"\u2192 {worker.name}",
    )
    assert line(rerouted)[:6] == (
        EventKind.route,
        name,
        Status.triaged,
        Status.triaged,
        False,
        "",
    )
    # The lighting worker no longer owns it: the line says so.
    assert rerouted.internal_note == f"street-lighting -> police. Cable theft (-{worker.name})"
    assert {e.actor_id for e in (moved, priority, given, rerouted)} == {triager.id}


def test_the_same_priority_again_writes_nothing(session, lamp):
    desk = lifecycle.Actor.staff(make_staff(session, "triager"))
    assert (
        lifecycle.set_priority(session=session, obs=lamp, priority=Priority.normal, actor=desk)
        is None
    )
    assert len(rows(session, lamp)) == 1
    lifecycle.set_priority(session=session, obs=lamp, priority=Priority.low, actor=desk)
    assert lamp.priority == Priority.low
    assert [e.internal_note for e in rows(session, lamp)[1:]] == ["normal -> low"]


def test_a_merge_writes_a_line_on_both_reports(client, session, lamp):
    survivor = report(client, session)
    desk = lifecycle.Actor.staff(make_staff(session, "triager"))
    lifecycle.transition(
        session=session, obs=lamp, to=Status.duplicate, actor=desk, duplicate_of=survivor
    )
    assert line(rows(session, lamp)[-1])[:5] == (
        EventKind.status,
        desk.label,
        Status.new,
        Status.duplicate,
        True,
    )
    merged = rows(session, survivor)[-1]
    assert line(merged) == (
        EventKind.merge,
        desk.label,
        Status.new,
        Status.new,
        False,
        "",
        f"#{lamp.id}",
    )


def test_the_reporters_yes_is_kept_for_staff_only(session, lamp):
    lamp.status = Status.fixed
    session.add(lamp)
    session.commit()
    lifecycle.resident_answer(session=session, obs=lamp, fixed=True, note="Bright now.")
    assert line(rows(session, lamp)[-1]) == (
        EventKind.note,
        "resident",
        Status.fixed,
        Status.fixed,
        False,
        "",
        "The reporter confirms it is fixed. Bright now.",
    )


def test_history_rows_are_built_in_one_place():
    """`ObservationEvent(` appears in app/ only in its model and in lifecycle.record."""
    found = {
        str(path.relative_to(ROOT))
        for path in (ROOT / "app").rglob("*.py")
        if re.search(r"\bObservationEvent\(", path.read_text())
    }
    assert found == {"app/models/observation.py", "app/services/lifecycle.py"}
    # ... and the priority is set in one function.
    setters = {
        str(path.relative_to(ROOT))
        for path in (ROOT / "app").rglob("*.py")
        if re.search(r"\.priority = ", path.read_text())
    }
    assert setters == {"app/services/lifecycle.py"}
