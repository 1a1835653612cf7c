"""The one update form's service: one transaction, in an order that lets the parts work
together (a re-route with the assignee the form still shows; a side exit taken back and the
report given to someone in the same save)."""

from __future__ import annotations

import pytest
from sqlmodel import Session, col, select

from app.models import EventKind, Observation, ObservationEvent, Status, Unit
from app.services import assignment, lifecycle, routing, triage_update
from tests.factories import CENTRUM, insert_observation, make_staff


def lamp(session: Session) -> Observation:
    unit = session.exec(select(Unit).where(Unit.slug == "street-lighting")).one()
    return insert_observation(session, lat=CENTRUM[0], lon=CENTRUM[1], unit_id=unit.id)


def kinds(session: Session, obs: Observation) -> list[EventKind]:
    return list(
        session.exec(
            select(ObservationEvent.kind)
            .where(ObservationEvent.observation_id == obs.id)
            .order_by(col(ObservationEvent.id))
        ).all()
    )


def test_a_reroute_with_the_assignee_the_form_still_shows_is_not_refused(client, session):
    obs = lamp(session)
    triager = make_staff(session, "triager")
    worker = make_staff(session, "unit_worker", unit="street-lighting")
    lifecycle.transition(
        session=session, obs=obs, to=Status.triaged, actor=lifecycle.Actor.staff(triager)
    )
    assignment.assign(session=session, obs=obs, assignee=worker, actor=triager)
    form = triage_update.UpdateForm(assignee=str(worker.id), unit="parks")
    saved = triage_update.save(session=session, obs=obs, actor=triager, form=form)
    assert saved.lines == (EventKind.route,)
    assert obs.assignee_id is None  # the old unit's worker no longer holds it (in that line)


def test_a_side_exit_taken_back_and_assigned_in_one_save(client, session):
    obs = lamp(session)
    triager = make_staff(session, "triager")
    lifecycle.transition(
        session=session,
        obs=obs,
        to=Status.wont_fix,
        actor=lifecycle.Actor.staff(triager),
        note="Private road.",
    )
    form = triage_update.UpdateForm(to=Status.triaged, assignee=str(triager.id))
    saved = triage_update.save(session=session, obs=obs, actor=triager, form=form)
    assert sorted(saved.lines) == sorted((EventKind.status, EventKind.assign))
    assert (obs.status, obs.assignee_id) == (Status.triaged, triager.id)


def test_a_refusal_after_other_parts_were_applied_rolls_all_of_them_back(client, session):
    obs = lamp(session)
    triager = make_staff(session, "triager")
    before = kinds(session, obs)
    # The unit and the priority are applied before the move is refused (new -> verified).
    form = triage_update.UpdateForm(to=Status.verified, unit="parks", priority="urgent")  # type: ignore[arg-type]
    with pytest.raises(triage_update.UpdateRefused) as refused:
        triage_update.save(session=session, obs=obs, actor=triager, form=form)
    assert refused.value.field == "to" and refused.value.status_code == 409
    session.expire_all()
    again = session.get(Observation, obs.id)
    assert again is not None
    street_lighting = session.exec(select(Unit).where(Unit.slug == "street-lighting")).one()
    assert (again.unit_id, again.priority, again.status) == (street_lighting.id, "normal", "new")
    assert kinds(session, obs) == before


def test_reroute_and_assign_can_leave_the_commit_to_the_caller(client, session):
    obs = lamp(session)
    triager = make_staff(session, "triager")
    parks = session.exec(select(Unit).where(Unit.slug == "parks")).one()
    routing.reroute(
        session=session, obs=obs, unit=parks, actor=lifecycle.Actor.staff(triager), commit=False
    )
    assignment.assign(session=session, obs=obs, assignee=triager, actor=triager, commit=False)
    session.rollback()
    session.refresh(obs)
    assert obs.unit_id != parks.id and obs.assignee_id is None
    assert kinds(session, obs) == []
