"""Placing points in nested zones (borders, holes, multipolygons), what capture stores, routing
through a parent zone, and re-placement runs: after an edit, interrupted and resumed."""

from __future__ import annotations

import pytest
from sqlmodel import Session, func, select

from app.models import (
    Category,
    Observation,
    ObservationEvent,
    PlacementState,
    RoutingRule,
    Unit,
    Zone,
    ZonePlacement,
)
from app.services import routing, zone_import, zone_placement, zones
from tests.factories import JSON, post_observation
from tests.zonedata import EAST, WEST, add_observations, box, collection, feature, ring, zone_links


def by_slug(session: Session, model, slug: str):  # type: ignore[no-untyped-def]
    session.expire_all()
    return session.exec(select(model).where(model.slug == slug)).one()


def load(session: Session, *features) -> int | None:  # type: ignore[no-untyped-def]
    report = zone_import.run(session=session, data=collection(*features), dry_run=False)
    assert report.ok, [str(p) for p in report.problems]
    return report.placement_id


HOLE = (21.605, 65.772, 21.610, 65.775)
ISLAND = (21.630, 65.790, 21.640, 65.795)
TORGET = (21.612, 65.772, 21.618, 65.776)  # a part of town inside WEST


@pytest.fixture
def test_zones(session):
    """WEST (a district with a hole and a far island) and EAST side by side, TORGET a part of
    town inside WEST, and a plan area across the border of the two."""
    west = {
        "type": "MultiPolygon",
        "coordinates": [[ring(*WEST), ring(*HOLE)[::-1]], [ring(*ISLAND)]],
    }
    load(
        session,
        feature(west, "west", "Väst"),
        feature(box(EAST), "east", "Öst"),
        feature(box(TORGET), "torget", "Torget", kind="part_of_town"),
        feature(box((21.615, 65.777, 21.625, 65.779)), "plan-1", "Detaljplan 1", kind="plan_area"),
    )
    session.exec(select(ZonePlacement)).one()  # the import's run, not needed: no observations


def slugs(session: Session, lat: float, lon: float) -> list[str]:
    return [z.slug for z in zones.place(session=session, lat=lat, lon=lon)]


def test_a_point_on_a_shared_border_lies_in_both_zones(session, test_zones):
    assert slugs(session, 65.775, 21.62) == ["west", "east"] or slugs(session, 65.775, 21.62) == [
        "east",
        "west",
    ]
    assert set(slugs(session, 65.770, 21.63)) == {"east"}  # on the outer edge: covered
    assert slugs(session, 65.7695, 21.63) == []  # just outside


def test_a_hole_is_outside_and_an_island_is_inside(session, test_zones):
    assert slugs(session, 65.7735, 21.6075) == []  # in the hole
    assert slugs(session, 65.772, 21.6075) == ["west"]  # on the hole's edge
    assert slugs(session, 65.792, 21.635) == ["west"]  # on the far island


def test_nested_zones_innermost_first_and_plan_areas_never_the_zone_id(session, test_zones):
    assert slugs(session, 65.774, 21.615) == ["torget", "west"]
    inside_both = zones.place(session=session, lat=65.778, lon=21.617)
    assert [z.slug for z in inside_both] == ["plan-1", "west"]
    assert zones.innermost(inside_both).slug == "west"
    # The placer of a re-placement run answers the same as `place`.
    placer = zones.Placer.load(session=session)
    for lat, lon in ((65.774, 21.615), (65.778, 21.617), (65.7735, 21.6075), (65.775, 21.62)):
        found = placer.at(lat, lon)
        placed = zones.place(session=session, lat=lat, lon=lon)
        assert found.zone_ids == [z.id for z in placed]
        assert found.zone_id == (zones.innermost(placed).id if placed else None)


def test_a_new_observation_belongs_to_each_zone_that_contains_it(client, session, test_zones):
    answer = post_observation(client, lat="65.7745", lon="21.6155", headers=JSON)
    assert answer.status_code == 201
    obs = session.exec(select(Observation)).one()
    torget, west = by_slug(session, Zone, "torget"), by_slug(session, Zone, "west")
    assert zone_links(session) == {(obs.id, torget.id), (obs.id, west.id)}
    assert obs.zone_id == torget.id
    outside = post_observation(client, lat="65.60", lon="21.00", headers=JSON)
    assert outside.status_code == 201
    assert len(zone_links(session)) == 2  # nowhere: no rows


def test_a_rule_on_a_district_covers_its_parts_of_town_and_the_innermost_rule_wins(
    session, test_zones
):
    west, torget = by_slug(session, Zone, "west"), by_slug(session, Zone, "torget")
    parks, police = by_slug(session, Unit, "parks"), by_slug(session, Unit, "police")
    other = by_slug(session, Category, "other")
    other.default_unit_id = None  # the reference data is put back after the test
    session.add(other)
    session.add(RoutingRule(category_id=None, zone_id=west.id, unit_id=parks.id))
    session.commit()
    found = routing.route(session=session, category=other, zone=torget)
    assert (found.unit_id, found.reason) == (parks.id, routing.ZONE_RULE)
    session.add(RoutingRule(category_id=None, zone_id=torget.id, unit_id=police.id))
    session.commit()
    assert routing.route(session=session, category=other, zone=torget).unit_id == police.id
    assert routing.route(session=session, category=other, zone=west).unit_id == parks.id
    # The preview lists the part of town, never the plan area.
    shown = {
        z.slug for e in routing.preview(session=session) for g in e.groups for z in g.zones if z
    }
    assert {"west", "torget", "centrum"} <= shown and "plan-1" not in shown


def test_re_placement_after_a_moved_border_moves_the_observations_without_history(
    client, session, test_zones
):
    near_border = ("65.7750", "21.6190")  # in WEST, 0.001° from the border with EAST
    token = post_observation(client, lat=near_border[0], lon=near_border[1], headers=JSON)
    obs_id = session.exec(select(Observation.id)).one()
    west, east = by_slug(session, Zone, "west"), by_slug(session, Zone, "east")
    before = session.get(Observation, obs_id)
    assert before.zone_id == west.id and token.status_code == 201
    unit, events = before.unit_id, session.exec(select(func.count(ObservationEvent.id))).one()

    # The border moves west to lon 21.618: the point is now in EAST.
    run_id = load(
        session,
        feature(box((21.60, 65.770, 21.618, 65.780)), "west"),
        feature(box((21.618, 65.770, 21.64, 65.780)), "east"),
    )
    assert run_id is not None
    done = zone_placement.run(session=session, placement_id=run_id)
    assert (done.state, done.placed, done.total) == (PlacementState.done, 1, 1)
    session.expire_all()
    after = session.get(Observation, obs_id)
    assert after.zone_id == east.id
    assert zone_links(session) == {(obs_id, east.id)}
    assert after.unit_id == unit  # routing of an existing observation stays
    assert session.exec(select(func.count(ObservationEvent.id))).one() == events  # no history


def _grid(n: int) -> list[tuple[float, float]]:
    """Points across WEST, EAST, TORGET, the hole, the plan area and outside."""
    return [(65.7685 + (i % 9) * 0.0013, 21.598 + (i * 7 % 23) * 0.002) for i in range(n)]


def test_an_interrupted_re_placement_resumes_to_the_same_end_state(session, test_zones):
    ids = add_observations(session, _grid(25))
    first = zone_placement.create(session=session)
    session.commit()
    stopped = zone_placement.run(
        session=session, placement_id=first.id, batch_size=10, max_batches=1
    )
    assert (stopped.state, stopped.placed, stopped.last_observation_id) == ("running", 10, ids[9])
    assert {o for o, _z in zone_links(session)} <= set(ids[:10])  # only the first batch so far
    seen: list[int] = []
    resumed = zone_placement.run(
        session=session,
        placement_id=first.id,
        batch_size=10,
        progress=lambda r: seen.append(r.placed),
    )
    assert resumed.state == "done" and seen == [20, 25] and resumed.placed == 25
    interrupted_result = zone_links(session)
    zone_ids = {i: session.get(Observation, i).zone_id for i in ids}

    # The same zones placed again in one go give the same rows and zone ids.
    again = zone_placement.create(session=session)
    session.commit()
    zone_placement.run(session=session, placement_id=again.id)
    assert zone_links(session) == interrupted_result
    session.expire_all()
    assert {i: session.get(Observation, i).zone_id for i in ids} == zone_ids
    assert any(z is None for z in zone_ids.values()) and len(set(zone_ids.values())) >= 3


def test_a_newer_run_supersedes_an_unfinished_one(session, test_zones):
    add_observations(session, _grid(5))
    old = zone_placement.create(session=session)
    session.commit()
    zone_placement.run(session=session, placement_id=old.id, batch_size=2, max_batches=1)
    new = zone_placement.create(session=session)
    session.commit()
    session.refresh(old)
    assert old.state == PlacementState.superseded
    assert zone_placement.unfinished(session=session).id == new.id
    with pytest.raises(ValueError):
        zone_placement.run(session=session, placement_id=old.id)


def test_two_runners_never_write_the_same_batch(engine, session, test_zones):
    add_observations(session, _grid(6))
    run = zone_placement.create(session=session)
    session.commit()
    with Session(engine) as other:
        zone_placement.run(session=other, placement_id=run.id, batch_size=3, max_batches=1)
        stale = other.get(ZonePlacement, run.id)
    with Session(engine) as late:
        # As a runner that read the run before the other moved it on.
        late_run = ZonePlacement(id=run.id, state="running", last_observation_id=0)
        placer = zones.Placer.load(session=late)
        links_before = zone_links(session)
        assert zone_placement._batch(late, late_run, placer, 3) is True  # its claim fails
    session.expire_all()
    assert session.get(ZonePlacement, run.id).placed == 3 == stale.placed
    assert zone_links(session) == links_before


def test_the_progress_offers_resume_only_for_a_stopped_run(session, test_zones):
    from datetime import timedelta

    from app import clock

    assert zone_placement.progress(session=session).stalled  # the import's run: pending
    add_observations(session, _grid(4))
    run = zone_placement.create(session=session)
    session.commit()
    zone_placement.run(session=session, placement_id=run.id, batch_size=2, max_batches=1)
    shown = zone_placement.progress(session=session)
    assert (shown.percent, shown.active, shown.stalled) == (50, True, False)  # just now
    clock.set_to(clock.now() + timedelta(minutes=5))
    assert zone_placement.progress(session=session).stalled
