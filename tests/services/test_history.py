"""A zone's history, counted by hand: a few reports placed and dated on purpose."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session, select

from app.models import Status, Zone
from app.services import area, history, recurring
from app.services.planning_filters import Filters
from tests.factories import insert_observation


def at(year: int, month: int, day: int = 10) -> datetime:
    return datetime(year, month, day, 12, tzinfo=UTC)


def test_figures_of_a_zone_match_a_hand_count(session: Session) -> None:
    centrum = session.exec(select(Zone).where(Zone.slug == "centrum")).one()
    lat, lon = 65.8253, 21.6880
    # Two fixed (after 4 and 10 days), one open, one good place, one private, one elsewhere.
    insert_observation(
        session,
        lat=lat,
        lon=lon,
        created_at=at(2025, 1),
        status=Status.fixed,
        fixed_at=at(2025, 1, 14),
        unsafe_level=4,
        dark=True,
    )
    insert_observation(
        session,
        lat=lat,
        lon=lon + 0.0001,
        created_at=at(2025, 3),
        status=Status.verified,
        fixed_at=at(2025, 3, 20),
        unsafe_level=2,
    )
    insert_observation(session, lat=lat, lon=lon, created_at=at(2026, 2), unsafe_level=5, dark=True)
    insert_observation(session, lat=lat, lon=lon, created_at=at(2026, 2), category="good-place")
    insert_observation(session, lat=lat, lon=lon, created_at=at(2026, 2), category="drug-dealing")
    insert_observation(session, lat=65.60, lon=21.20, created_at=at(2026, 2))

    found = history.summary(
        session=session, scope=area.of_zone(centrum), filters=Filters(), lang="en"
    )

    assert (found.total, found.problems, found.good_places, found.open, found.fixed) == (
        5,
        4,
        1,
        2,
        2,
    )
    assert found.share_fixed == 0.5
    assert found.median_days_to_fix == 7.0  # (4 + 10) / 2
    assert found.months[0].key == "2025-01" and found.months[-1].key == "2026-02"
    assert len(found.months) == 14 and sum(m.count for m in found.months) == 5
    assert (found.dark, found.daylight) == (2, 3)
    assert [(y.year, y.average, y.change) for y in found.unsafety_by_year] == [
        (2025, 3.0, None),
        (2026, 5.0, 2.0),
    ]
    assert {c.key: c.count for c in found.categories}["drug-dealing"] == 1
    assert len(found.good) == 1 and found.good[0].reported_on == "2026-02-10"

    points, total = history.points(session=session, scope=area.of_zone(centrum), filters=Filters())
    assert total == 4  # the private report is counted above, never placed on a map
    assert all(p.category != "drug-dealing" for p in points) and len(points) == 4

    spots = recurring.spots(session=session, scope=area.of_zone(centrum), filters=Filters())
    assert len(spots) == 1 and spots[0].count == 3 and spots[0].months == 3

    narrowed = Filters.parse({"from": "2026-01-01", "dark": "dark"})
    found = history.summary(
        session=session, scope=area.of_zone(centrum), filters=narrowed, lang="en"
    )
    assert found.total == 1


def test_walks_held_in_a_zone_are_listed_with_their_reports(session: Session) -> None:
    from app.models import Walk, WalkStatus
    from tests.factories import make_staff

    centrum = session.exec(select(Zone).where(Zone.slug == "centrum")).one()
    leader = make_staff(session, "walk_leader")
    planned_here = Walk(
        title="Planned for Centrum",
        starts_at=at(2026, 3),
        leader_id=leader.id,
        join_code="HERE0001",
        zone_id=centrum.id,
    )
    walked_in = Walk(
        title="Walked through",
        status=WalkStatus.closed,
        starts_at=at(2025, 5),
        leader_id=leader.id,
        join_code="THRU0001",
    )
    elsewhere = Walk(
        title="Elsewhere", starts_at=at(2025, 6), leader_id=leader.id, join_code="ELSE0001"
    )
    session.add_all([planned_here, walked_in, elsewhere])
    session.commit()
    insert_observation(
        session, lat=65.8253, lon=21.6880, created_at=at(2025, 5), walk_id=walked_in.id
    )
    insert_observation(
        session, lat=65.8253, lon=21.6880, created_at=at(2025, 5), walk_id=walked_in.id
    )
    insert_observation(session, lat=65.60, lon=21.20, created_at=at(2025, 6), walk_id=elsewhere.id)

    held = history.walks_held(session=session, scope=area.of_zone(centrum), filters=Filters())

    assert [(w.title, w.status, w.observations, w.starts_at) for w in held] == [
        ("Planned for Centrum", "planned", 0, "2026-03-10"),
        ("Walked through", "closed", 2, "2025-05-10"),
    ]


def test_the_open_and_closed_groups_filter_by_status(session: Session) -> None:
    centrum = session.exec(select(Zone).where(Zone.slug == "centrum")).one()
    for status in (Status.new, Status.in_progress, Status.fixed, Status.wont_fix):
        insert_observation(session, lat=65.8253, lon=21.6880, created_at=at(2026, 1), status=status)
    scope = area.of_zone(centrum)

    def total(**params: str) -> int:
        found = history.summary(
            session=session, scope=scope, filters=Filters.parse(params), lang="en"
        )
        return found.total

    assert total(status="open") == 2
    assert total(status="closed") == 2
    assert total(status="fixed") == 1
    assert Filters.parse({"status": ["open", "fixed"]}).status_set() >= {Status.new, Status.fixed}
