"""The state machine: every move, for every role; refused moves change nothing."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from app.models import Observation, ObservationEvent, Status
from app.services import lifecycle
from app.services.lifecycle import RESIDENT, Actor, TransitionRefused
from tests.factories import JSON, make_staff, post_observation

S = Status
# The moves the product allows, written out by hand (not derived from the code under test):
# from -> the statuses a triager may move it to.
TRIAGER_MOVES = {
    S.new: {S.triaged, S.duplicate, S.not_ours, S.wont_fix},
    S.triaged: {S.scheduled, S.in_progress, S.fixed, S.duplicate, S.not_ours, S.wont_fix},
    S.scheduled: {S.in_progress, S.fixed, S.not_ours, S.wont_fix},
    S.in_progress: {S.fixed, S.not_ours, S.wont_fix},
    S.fixed: {S.verified, S.reopened},
    S.verified: {S.reopened},
    S.reopened: {S.triaged, S.scheduled, S.in_progress, S.duplicate, S.not_ours, S.wont_fix},
    S.duplicate: {S.triaged},
    S.not_ours: {S.triaged},
    S.wont_fix: {S.triaged},
}
# A unit's staff work on what is theirs: plan, start, fix.
WORKER_MOVES = {
    S.triaged: {S.scheduled, S.in_progress, S.fixed},
    S.scheduled: {S.in_progress, S.fixed},
    S.in_progress: {S.fixed},
    S.reopened: {S.scheduled, S.in_progress},
}
EXTRAS = {"note": "Reason given", "handed_to": "Polisen"}


@pytest.fixture
def observation(client, session) -> Observation:
    token = post_observation(client, headers=JSON).json()["token"]  # routed to street lighting
    return session.exec(select(Observation).where(Observation.token == token)).one()


def put_in(session: Session, obs: Observation, status: Status) -> Observation:
    obs.status = status
    session.add(obs)
    session.commit()
    return obs


def events(session: Session, obs: Observation) -> list[ObservationEvent]:
    session.expire_all()
    return list(
        session.exec(
            select(ObservationEvent)
            .where(ObservationEvent.observation_id == obs.id)
            .order_by(ObservationEvent.id)
        )
    )


def other(session: Session, client) -> Observation:
    token = post_observation(client, headers=JSON).json()["token"]
    return session.exec(select(Observation).where(Observation.token == token)).one()


@pytest.mark.parametrize("role", ["triager", "unit_worker", "admin", "planner", "walk_leader"])
def test_every_move_for_every_role(role, client, session, observation):
    user = make_staff(session, role, unit="street-lighting")
    actor = Actor.staff(user)
    duplicate_of = other(session, client)
    expected = {
        "triager": TRIAGER_MOVES,
        "unit_worker": WORKER_MOVES,
        "admin": TRIAGER_MOVES,
        "planner": {},
        "walk_leader": {},
    }[role]
    for start in Status:
        for to in Status:
            put_in(session, observation, start)
            before = len(events(session, observation))
            allowed = to in expected.get(start, set())
            if allowed:
                event = lifecycle.transition(
                    session=session,
                    obs=observation,
                    to=to,
                    actor=actor,
                    duplicate_of=duplicate_of,
                    **EXTRAS,
                )
                assert observation.status == to
                assert (event.from_status, event.to_status, event.actor_id) == (start, to, user.id)
                assert len(events(session, observation)) == before + 1
            else:
                with pytest.raises(TransitionRefused):
                    lifecycle.transition(
                        session=session,
                        obs=observation,
                        to=to,
                        actor=actor,
                        duplicate_of=duplicate_of,
                        **EXTRAS,
                    )
                session.refresh(observation)
                assert observation.status == start, (start, to)
                assert len(events(session, observation)) == before


def test_unit_staff_cannot_touch_another_units_work(session, observation):
    worker = make_staff(session, "unit_worker", unit="parks")
    put_in(session, observation, S.triaged)
    with pytest.raises(TransitionRefused, match="another unit"):
        lifecycle.transition(
            session=session, obs=observation, to=S.in_progress, actor=Actor.staff(worker)
        )


def test_residents_can_only_reopen_what_is_said_to_be_fixed(session, observation):
    with pytest.raises(TransitionRefused):
        lifecycle.transition(session=session, obs=observation, to=S.triaged, actor=RESIDENT)
    put_in(session, observation, S.fixed)
    event = lifecycle.transition(
        session=session, obs=observation, to=S.reopened, actor=RESIDENT, note="Still dark."
    )
    assert observation.status == S.reopened and event.actor == "resident"


def test_side_exits_need_their_reason(client, session, observation):
    actor = Actor.staff(make_staff(session, "triager"))
    with pytest.raises(TransitionRefused, match="why"):
        lifecycle.transition(session=session, obs=observation, to=S.wont_fix, actor=actor)
    with pytest.raises(TransitionRefused, match="handed"):
        lifecycle.transition(session=session, obs=observation, to=S.not_ours, actor=actor)
    with pytest.raises(TransitionRefused, match="duplicates"):
        lifecycle.transition(
            session=session, obs=observation, to=S.duplicate, actor=actor, duplicate_of=observation
        )
    survivor = other(session, client)
    lifecycle.transition(
        session=session, obs=observation, to=S.duplicate, actor=actor, duplicate_of=survivor
    )
    assert observation.duplicate_of_id == survivor.id
    lifecycle.transition(session=session, obs=observation, to=S.triaged, actor=actor)
    assert observation.duplicate_of_id is None  # the merge was taken back


def test_allowed_moves_lists_what_the_actor_may_do(session, observation):
    triager = Actor.staff(make_staff(session, "triager"))
    assert lifecycle.allowed_moves(observation, triager) == [
        S.triaged,
        S.duplicate,
        S.not_ours,
        S.wont_fix,
    ]
    planner = Actor.staff(make_staff(session, "planner"))
    assert lifecycle.allowed_moves(observation, planner) == []
