"""Plan cases: registering a plan with its area (drawn, or a file in WGS 84 or SWEREF 99 TM),
who sees and follows it, its safety checklist kept in step with the area, and its frozen basis."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from pyproj import Transformer
from shapely.geometry import shape

from app.models import PlanDecision, PlanStage, Status
from app.services import area, plan_area, plan_cases, plan_checklist, safety_basis
from tests.factories import insert_observation, make_staff

# A block of central Boden, about 450 m by 330 m (WGS 84 lon, lat).
RING = [
    (21.6840, 65.8235),
    (21.6935, 65.8235),
    (21.6935, 65.8265),
    (21.6840, 65.8265),
    (21.6840, 65.8235),
]
INSIDE = (65.8250, 21.6885)  # lat, lon
OUTSIDE = (65.8300, 21.7100)
TO_SWEREF = Transformer.from_crs("EPSG:4326", "EPSG:3006", always_xy=True)


def drawn(ring=RING) -> str:  # type: ignore[no-untyped-def]
    return json.dumps({"type": "Polygon", "coordinates": [ring]})


def sweref_file(ring=RING, *, crs_member: bool = True) -> bytes:  # type: ignore[no-untyped-def]
    """The same ring as a QGIS export in SWEREF 99 TM, to the centimetre."""
    coords = [[round(c, 2) for c in TO_SWEREF.transform(x, y)] for x, y in ring]
    data: dict = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"namn": "Detaljplan"},
                "geometry": {"type": "Polygon", "coordinates": [coords]},
            }
        ],
    }
    if crs_member:
        data["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3006"}}
    return json.dumps(data).encode()


def form(**more: str) -> dict[str, str]:
    return {"name": "Kvarteret Lärkan", "diary_number": "plan 2026-123", "area": drawn()} | more


def at(year: int, month: int, day: int = 10) -> datetime:
    return datetime(year, month, day, 12, tzinfo=UTC)


@pytest.fixture
def planner(session):  # type: ignore[no-untyped-def]
    return make_staff(session, "planner")


def register(session, planner, **more):  # type: ignore[no-untyped-def]
    upload = more.pop("upload", None)
    return plan_cases.register(session=session, raw=form(**more), upload=upload, user=planner)


def test_sweref_check_point():
    assert plan_area.to_sweref(21.6889, 65.8253) == pytest.approx((805199.44, 7316715.06), abs=0.01)


def test_a_drawn_area_is_kept_and_the_case_registered(session, planner):
    case = register(session, planner, stage="consultation")
    assert case.diary_number == "PLAN 2026-123"
    assert case.stage == PlanStage.consultation
    assert case.created_by_id == planner.id
    kept = area.by_key(session=session, key=case.area_key)
    assert kept is not None and kept.geometry.equals(shape(json.loads(drawn())))


@pytest.mark.parametrize("crs_member", [True, False])
def test_the_same_area_in_sweref_99_tm_is_the_same_area(session, planner, crs_member):
    wgs = register(session, planner)
    sweref = register(
        session,
        planner,
        diary_number="PLAN 2026-124",
        area="",
        crs="EPSG:3006" if not crs_member else "EPSG:4326",  # the file's crs member wins
        upload=sweref_file(crs_member=crs_member),
    )
    a = shape(json.loads(wgs.area)).exterior.coords
    b = shape(json.loads(sweref.area)).exterior.coords
    assert len(a) == len(b)
    for (x1, y1), (x2, y2) in zip(a, b, strict=True):
        e1, n1 = TO_SWEREF.transform(x1, y1)
        e2, n2 = TO_SWEREF.transform(x2, y2)
        assert abs(e1 - e2) < 0.5 and abs(n1 - n2) < 0.5


@pytest.mark.parametrize(
    ("more", "reason"),
    [
        ({"area": ""}, "Draw the plan area"),
        ({"area": "{not json"}, "not a GeoJSON"),
        ({"area": json.dumps({"type": "LineString", "coordinates": RING})}, "not LineString"),
        ({"area": drawn([(21.68, 65.82), (21.69, 65.82), (21.68, 65.82)])}, "three corners"),
        ({"area": drawn([(x + 10, y) for x, y in RING])}, "outside Sweden"),
        (
            {"area": "", "crs": "EPSG:3006", "upload": sweref_file(crs_member=False)[:40]},
            "not GeoJSON",
        ),
        ({"area": "", "upload": sweref_file(crs_member=False)}, "off the map"),
        (
            {
                "area": "",
                "upload": b'{"type":"Polygon","crs":{"type":"name","properties":'
                b'{"name":"EPSG:3021"}},"coordinates":[]}',
            },
            "EPSG:3021",
        ),
    ],
)
def test_a_bad_area_is_refused_with_its_reason(session, planner, more, reason):
    with pytest.raises(plan_cases.InvalidPlanCase) as refused:
        register(session, planner, **more)
    assert reason in refused.value.errors["area"]


@pytest.mark.parametrize(
    ("more", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "Lärkan\x00"}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"diary_number": ""}, "diary_number"),
        ({"diary_number": "PLAN\t2026"}, "diary_number"),
        ({"diary_number": "<script>"}, "diary_number"),
        ({"stage": "built"}, "stage"),
    ],
)
def test_name_diary_number_and_stage_are_checked(session, planner, more, field):
    with pytest.raises(plan_cases.InvalidPlanCase) as refused:
        register(session, planner, **more)
    assert field in refused.value.errors


def test_a_diary_number_is_registered_once(session, planner):
    register(session, planner)
    with pytest.raises(plan_cases.InvalidPlanCase) as refused:
        register(session, planner, diary_number="PLAN 2026-123 ")
    assert "already registered" in refused.value.errors["diary_number"]


def test_who_reads_and_follows_a_case(session, planner):
    hidden = register(session, planner)
    shared = register(session, planner, diary_number="PLAN 2026-2", walk_leaders_may_follow="1")
    leader = make_staff(session, "walk_leader")
    triager = make_staff(session, "triager")
    other_planner = make_staff(session, "planner")

    assert [c.id for c in plan_cases.listed(session=session, user=leader).others] == [shared.id]
    with pytest.raises(PermissionError):
        plan_cases.follow(session=session, case=hidden, user=leader)
    plan_cases.follow(session=session, case=shared, user=leader)
    plan_cases.follow(session=session, case=shared, user=leader)  # once is once
    plan_cases.follow(session=session, case=hidden, user=triager)
    assert plan_cases.follower_count(session=session, case=shared) == 1

    mine = plan_cases.listed(session=session, user=planner)
    assert {c.id for c in mine.mine} == {hidden.id, shared.id} and mine.others == []
    theirs = plan_cases.listed(session=session, user=other_planner)
    assert theirs.mine == [] and {c.id for c in theirs.others} == {hidden.id, shared.id}
    assert [c.id for c in plan_cases.listed(session=session, user=triager).mine] == [hidden.id]

    # Hidden from walk leaders again: their following ends too.
    plan_cases.change_walk_leaders(session=session, case=shared, allowed=False)
    assert plan_cases.follower_count(session=session, case=shared) == 0
    assert not plan_cases.may_read(leader, shared)


def spot_and_problem(session):  # type: ignore[no-untyped-def]
    """A dark path reported in November and again in March (a recurring spot), and one open
    problem elsewhere in the area."""
    lat, lon = INSIDE
    first = insert_observation(session, lat=lat, lon=lon, created_at=at(2025, 11))
    insert_observation(
        session, lat=lat + 0.0001, lon=lon, category="vegetation", created_at=at(2026, 3)
    )
    problem = insert_observation(
        session, lat=65.8245, lon=21.6920, category="litter", created_at=at(2026, 5)
    )
    return first, problem


def test_a_recurring_spot_and_an_open_problem_become_lines(session, planner):
    first, problem = spot_and_problem(session)
    insert_observation(session, lat=65.8246, lon=21.6850, category="drug-dealing")  # private
    insert_observation(session, lat=65.8247, lon=21.6860, category="good-place")
    insert_observation(session, lat=65.8248, lon=21.6870, status=Status.fixed)
    insert_observation(session, lat=OUTSIDE[0], lon=OUTSIDE[1])
    case = register(session, planner)

    lines = plan_checklist.sync(session=session, case=case)

    assert [(line.kind, line.subject_key) for line in lines] == [
        ("spot", f"spot-{first.id}"),
        ("problem", f"obs-{problem.id}"),
    ]
    spot = lines[0]
    assert (spot.count, spot.months, spot.categories) == (2, 2, "dark-spot,vegetation")
    assert lines[1].status == "new" and lines[1].observation_id == problem.id


def test_a_decision_survives_a_new_sync_and_a_gone_line_is_kept(session, planner):
    first, problem = spot_and_problem(session)
    case = register(session, planner)
    spot, open_problem = plan_checklist.sync(session=session, case=case)
    plan_checklist.mark(
        session=session, line=spot, decision="addressed", note="Belysning i planen", actor=planner
    )
    plan_checklist.mark(
        session=session, line=open_problem, decision="outside_plan", note="Städas", actor=planner
    )
    # The spot is reported again; the problem is fixed.
    insert_observation(session, lat=INSIDE[0], lon=INSIDE[1] + 0.0001, created_at=at(2026, 6))
    problem.status = Status.fixed
    session.add(problem)
    session.commit()

    spot, gone = plan_checklist.sync(session=session, case=case)

    assert spot.subject_key == f"spot-{first.id}" and spot.count == 3
    assert spot.decision == PlanDecision.addressed and spot.note == "Belysning i planen"
    assert gone.subject_key == f"obs-{problem.id}" and not gone.in_area
    assert gone.decision == PlanDecision.outside_plan and gone.status == "fixed"


def test_a_mark_is_checked(session, planner):
    spot_and_problem(session)
    case = register(session, planner)
    line = plan_checklist.sync(session=session, case=case)[0]
    with pytest.raises(plan_checklist.InvalidMark):
        plan_checklist.mark(session=session, line=line, decision="maybe", note="", actor=planner)
    with pytest.raises(plan_checklist.InvalidMark):
        plan_checklist.mark(session=session, line=line, decision="", note="x" * 2001, actor=planner)
    marked = plan_checklist.mark(
        session=session, line=line, decision="", note="a\x00b\nc", actor=planner
    )
    assert marked.decision is None and marked.note == "ab\nc"


def test_a_frozen_basis_does_not_change_with_later_reports(session, planner):
    spot_and_problem(session)
    case = register(session, planner)
    basis = safety_basis.freeze(session=session, case=case, actor=planner)
    before = safety_basis.view(basis).data

    insert_observation(session, lat=INSIDE[0], lon=INSIDE[1], created_at=at(2026, 7))
    session.refresh(basis)

    after = safety_basis.view(basis).data
    assert after == before
    assert before["figures"]["total"] == 3 and before["figures"]["open"] == 3
    assert len(before["spots"]) == 1 and before["spots"][0]["count"] == 2
    assert [line["kind"] for line in before["checklist"]] == ["spot", "problem"]
    assert before["plan"]["diary_number"] == "PLAN 2026-123"
    assert basis.content_hash == safety_basis.content_hash(basis.snapshot, basis.map_png)
    # A new basis sees the new report.
    again = safety_basis.view(safety_basis.freeze(session=session, case=case, actor=planner))
    assert again.data["figures"]["total"] == 4


def test_a_walk_can_start_from_a_plan_area(session, planner):
    from app.services import walk_form

    case = register(session, planner)
    assert json.loads(walk_form.area_values(session=session, key=case.area_key)["area"]) == {
        "type": "Polygon",
        "coordinates": [[list(c) for c in RING]],
    }
    # A plan of two parts is walked within their outline: one polygon.
    east = [(x + 0.02, y) for x, y in RING]
    two = json.dumps({"type": "MultiPolygon", "coordinates": [[RING], [east]]})
    parts = register(session, planner, diary_number="PLAN 2", area=two)
    walked = shape(json.loads(walk_form.area_values(session=session, key=parts.area_key)["area"]))
    assert walked.geom_type == "Polygon" and walked.covers(shape(json.loads(two)))
    assert walk_form.area_values(session=session, key="0" * 16) == {}
