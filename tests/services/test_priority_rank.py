"""The stored priority rank follows the priority whoever changes it, so that sorting by
priority can use its index (ix_observation_rank)."""

from __future__ import annotations

from sqlmodel import Session

from app.models import PRIORITY_RANK, Priority
from app.services import lifecycle
from tests.factories import insert_observation


def test_rank_follows_the_priority_on_insert_and_on_every_change(session: Session) -> None:
    obs = insert_observation(session, lat=65.8253, lon=21.688, priority=Priority.high)
    assert obs.priority_rank == 1
    for priority in (Priority.urgent, Priority.low, Priority.normal):
        lifecycle.set_priority(session=session, obs=obs, priority=priority, actor=lifecycle.SYSTEM)
        session.expire_all()
        assert obs.priority_rank == PRIORITY_RANK[priority]
    assert [
        PRIORITY_RANK[p] for p in (Priority.urgent, Priority.high, Priority.normal, Priority.low)
    ] == [0, 1, 2, 3]
