"""Recurring spots from constructed data: a place comes back when it is reported again in
another month within the distance; not when all reports fall in one month, and not when the
reports lie farther apart than the distance (a district border between them changes nothing)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session, select

from app.models import Zone
from app.services import area, recurring
from app.services.planning_filters import Filters
from tests.factories import insert_observation

LAT, LON = 65.8253, 21.6880
METRE_LAT = 1 / 111_320  # one metre north, in degrees
METRE_LON = METRE_LAT / 0.41  # one metre east at 65.8° N (cos 65.8° = 0.41)


def at(month: int, day: int = 5, year: int = 2026) -> datetime:
    return datetime(year, month, day, 21, tzinfo=UTC)


def centrum(session: Session) -> area.Scope:
    return area.of_zone(session.exec(select(Zone).where(Zone.slug == "centrum")).one())


def whole_town() -> area.Scope:
    from shapely.geometry import box

    return area.of_polygon(box(21.5, 65.7, 21.9, 65.95))


def test_a_place_reported_in_two_months_is_a_spot_with_its_count_and_span(session: Session) -> None:
    first = insert_observation(session, lat=LAT, lon=LON, created_at=at(1))
    insert_observation(
        session, lat=LAT + 10 * METRE_LAT, lon=LON, created_at=at(1, 20), category="vegetation"
    )
    insert_observation(session, lat=LAT, lon=LON + 15 * METRE_LON, created_at=at(3))
    insert_observation(session, lat=LAT + 0.01, lon=LON, created_at=at(4))  # a kilometre away
    spots = recurring.spots(session=session, scope=whole_town(), filters=Filters(), distance_m=25)
    assert len(spots) == 1
    spot = spots[0]
    assert (spot.count, spot.months) == (3, 2)
    assert (spot.first.isoformat(), spot.last.isoformat()) == ("2026-01-05", "2026-03-05")
    assert spot.categories == ("dark-spot", "vegetation")
    assert spot.key == f"spot-{first.id}"


def test_reports_in_one_month_only_are_no_spot(session: Session) -> None:
    for day in (1, 9, 17, 25):
        insert_observation(session, lat=LAT, lon=LON, created_at=at(2, day))
    assert recurring.spots(session=session, scope=whole_town(), filters=Filters()) == []


def test_reports_farther_apart_than_the_distance_are_no_spot(session: Session) -> None:
    insert_observation(session, lat=LAT, lon=LON, created_at=at(1))
    insert_observation(session, lat=LAT + 40 * METRE_LAT, lon=LON, created_at=at(5))
    assert (
        recurring.spots(session=session, scope=whole_town(), filters=Filters(), distance_m=25) == []
    )
    assert (
        len(recurring.spots(session=session, scope=whole_town(), filters=Filters(), distance_m=50))
        == 1
    )


def test_near_a_border_the_distance_decides_not_the_zone(session: Session) -> None:
    zone = session.exec(select(Zone).where(Zone.slug == "centrum")).one()
    import json

    from shapely.geometry import shape

    # A point on Centrum's border, and reports 10 m to each side of it in different months.
    edge = shape(json.loads(zone.geometry)).exterior
    border = edge.interpolate(0.3, normalized=True)
    inside = insert_observation(session, lat=border.y, lon=border.x, created_at=at(1), commit=False)
    session.commit()
    others = [
        insert_observation(
            session, lat=border.y + dy * METRE_LAT, lon=border.x + dx * METRE_LON, created_at=at(m)
        )
        for dx, dy, m in ((6, 0, 2), (-6, 0, 3), (0, 6, 4), (0, -6, 5))
    ]
    in_centrum = {o.id for o in [inside, *others] if o.zone_id == zone.id}
    assert 0 < len(in_centrum) < 5  # the border runs through the place
    town = recurring.spots(session=session, scope=whole_town(), filters=Filters(), distance_m=25)
    assert len(town) == 1 and town[0].count == 5
    # Seen from Centrum alone, only its own reports count, whatever lies across the border.
    own = recurring.spots(session=session, scope=centrum(session), filters=Filters(), distance_m=25)
    assert all(set(s.observation_ids) <= in_centrum for s in own)


def test_a_long_row_of_reports_is_several_spots_not_one_chain(session: Session) -> None:
    # Reports every 20 m along a street, alternating months: single linkage would make one spot.
    for i in range(10):
        insert_observation(session, lat=LAT + i * 20 * METRE_LAT, lon=LON, created_at=at(1 + i % 2))
    spots = recurring.spots(session=session, scope=whole_town(), filters=Filters(), distance_m=25)
    assert len(spots) >= 3
    assert all(s.count <= 3 for s in spots)
    assert len({i for s in spots for i in s.observation_ids}) == sum(s.count for s in spots)


def test_good_places_and_private_categories_make_no_spot(session: Session) -> None:
    insert_observation(session, lat=LAT, lon=LON, created_at=at(1), category="good-place")
    insert_observation(session, lat=LAT, lon=LON, created_at=at(3), category="good-place")
    insert_observation(session, lat=LAT, lon=LON, created_at=at(1), category="drug-dealing")
    insert_observation(session, lat=LAT, lon=LON, created_at=at(4), category="drug-dealing")
    assert recurring.spots(session=session, scope=whole_town(), filters=Filters()) == []


def test_filters_narrow_the_reports_that_make_spots(session: Session) -> None:
    insert_observation(session, lat=LAT, lon=LON, created_at=at(1, year=2025))
    insert_observation(session, lat=LAT, lon=LON, created_at=at(3, year=2026))
    assert len(recurring.spots(session=session, scope=whole_town(), filters=Filters())) == 1
    narrowed = Filters.parse({"from": "2026-01-01"})
    assert recurring.spots(session=session, scope=whole_town(), filters=narrowed) == []


def test_a_view_too_big_to_pair_counts_squares_in_sql(session: Session, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # Beyond EXACT_LIMIT reports the spots are squares of the distance counted in SQL: the
    # same place reported in two months is still found, a place of one month still is not.
    monkeypatch.setattr(recurring, "EXACT_LIMIT", 3)
    # Cell-aligned: both reports of the place fall in one 25 m square whatever the grid.
    for month in (1, 1, 3, 3):
        insert_observation(session, lat=LAT, lon=LON, created_at=at(month))
    insert_observation(session, lat=LAT + 0.01, lon=LON, created_at=at(1))
    insert_observation(session, lat=LAT + 0.01, lon=LON, created_at=at(1, 20))
    insert_observation(session, lat=LAT + 0.01, lon=LON, created_at=at(1), category="good-place")
    insert_observation(session, lat=LAT + 0.01, lon=LON, created_at=at(5), category="good-place")
    found = recurring.spots(session=session, scope=whole_town(), filters=Filters(), distance_m=25)
    assert len(found) == 1
    spot = found[0]
    assert (spot.count, spot.months) == (4, 2)
    assert (spot.first.isoformat(), spot.last.isoformat()) == ("2026-01-05", "2026-03-05")
    assert abs(spot.lat - LAT) < 1e-9 and abs(spot.lon - LON) < 1e-9
    narrowed = Filters.parse({"from": "2026-02-01"})
    assert recurring.spots(session=session, scope=whole_town(), filters=narrowed) == []
