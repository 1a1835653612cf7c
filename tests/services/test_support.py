"""The support rule as the walk pages use it: co-signing goes through `support.back` with the
walk, so an item of another walk, a private one, a good place or a closed one get the same
refusal as a number that does not exist."""

from __future__ import annotations

import uuid

import pytest
from sqlmodel import Session, select

from app import clock
from app.models import Observation, Status, Support, Walk
from app.services import support
from tests.factories import JSON, count, make_staff, post_observation


def report(client, session: Session, **fields) -> Observation:  # type: ignore[no-untyped-def]
    token = post_observation(client, headers=JSON, **fields).json()["token"]
    return session.exec(select(Observation).where(Observation.token == token)).one()


def on_walk(session: Session, walk: Walk, obs: Observation) -> Observation:
    obs.walk_id = walk.id
    session.add(obs)
    session.commit()
    return obs


@pytest.fixture
def walk(session) -> Walk:
    leader = make_staff(session, "walk_leader")
    walk = Walk(title="Evening walk", starts_at=clock.now(), leader_id=leader.id, join_code="EVE-1")
    session.add(walk)
    session.commit()
    return walk


def test_co_signing_counts_the_phone_once_for_an_item_of_the_walk(client, session, settings, walk):
    lamp = on_walk(session, walk, report(client, session))
    phone = uuid.uuid4()

    def cosign():  # type: ignore[no-untyped-def]
        return support.back(
            session=session,
            observation_id=lamp.id,  # type: ignore[arg-type]
            device=phone,
            address="203.0.113.9",
            unsafe_level="3",
            settings=settings,
            walk_id=walk.id,
        )

    assert cosign().counted is True
    again = cosign()
    assert again.counted is False and again.observation.supporters == 1


def test_co_signing_refuses_what_may_not_be_backed_with_one_answer(client, session, settings, walk):
    elsewhere = report(client, session)  # not on this walk
    private = on_walk(session, walk, report(client, session, category="drug-dealing"))
    good = on_walk(session, walk, report(client, session, category="good-place", unsafe_level=None))
    closed = on_walk(session, walk, report(client, session))
    closed.status = Status.wont_fix
    session.add(closed)
    session.commit()
    answers = set()
    for number in (elsewhere.id, private.id, good.id, closed.id, 999_999):
        with pytest.raises(support.SupportRefused) as refused:
            support.back(
                session=session,
                observation_id=number,  # type: ignore[arg-type]
                device=uuid.uuid4(),
                address="203.0.113.9",
                unsafe_level="",
                settings=settings,
                walk_id=walk.id,
            )
        answers.add((refused.value.status_code, refused.value.message))
    assert len(answers) == 1 and answers.pop()[0] == 404

    assert count(session, Support) == 0
