"""The walk service on its own: the form's checks, join codes, the summary and the comparison
of a follow-up walk."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from app.models import Category, CategoryKind, Priority, Status, Walk, WalkCheck, WalkStatus
from app.services import follow_up, walk_form, walk_items, walks
from tests.factories import make_staff

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def form(**overrides: str) -> dict[str, str]:
    return {"title": "Walk", "date": "2026-12-10", "time": "18:30", "zone": "centrum", **overrides}


def test_the_form_turns_swedish_local_time_into_utc(session):
    fields = walk_form.validate(form(), session=session, now=NOW)
    assert fields.starts_at == datetime(2026, 12, 10, 17, 30, tzinfo=UTC)  # CET is UTC+1
    summer = walk_form.validate(form(date="2027-06-10"), session=session, now=NOW)
    assert summer.starts_at.hour == 16  # CEST is UTC+2


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"date": "2026-02-30"}, "starts_at"),
        ({"time": "25:99"}, "starts_at"),
        ({"date": "2035-01-01"}, "starts_at"),
        ({"zone": "", "area": ""}, "zone"),
        (
            {
                "zone": "",
                "area": '{"type":"Polygon","coordinates":[[[500,0],[501,0],[501,1],[500,0]]]}',
            },
            "area",
        ),
        ({"area": "not json"}, "area"),
        ({"route": '{"type":"Point","coordinates":[21.6,65.8]}'}, "route"),
        ({"meeting_lat": "91", "meeting_lon": "21"}, "meeting_point"),
        ({"title": "x" * 201}, "title"),
        ({"follow_up_of": "999999"}, "follow_up_of"),
    ],
)
def test_what_the_form_refuses(session, overrides, field):
    with pytest.raises(walk_form.InvalidWalk) as refused:
        walk_form.validate(form(**overrides), session=session, now=NOW)
    assert field in refused.value.errors


def test_a_self_crossing_area_is_refused(session):
    bow_tie = (
        '{"type":"Polygon","coordinates":'
        "[[[21.6,65.8],[21.7,65.9],[21.7,65.8],[21.6,65.9],[21.6,65.8]]]}"
    )
    with pytest.raises(walk_form.InvalidWalk) as refused:
        walk_form.validate(form(zone="", area=bow_tie), session=session, now=NOW)
    assert "area" in refused.value.errors


def test_join_codes_are_short_and_unambiguous(session):
    codes = {walks.new_join_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(len(c) == 6 and not set(c) & set("01OIL") for c in codes)
    assert walks.normalise_code(" ab-c 12d ") == "ABC12D"
    assert walks.by_code(session=session, code="'; DROP TABLE walk; --") is None


def test_a_participant_is_counted_once(session):
    leader = make_staff(session, "walk_leader")
    walk = walks.create(
        session=session, fields=walk_form.validate(form(), session=session, now=NOW), leader=leader
    )
    phone = uuid.uuid4()
    walks.join(session=session, walk=walk, device_id=phone)
    walks.join(session=session, walk=walk, device_id=phone)
    walks.join(session=session, walk=walk, device_id=uuid.uuid4())
    assert walks.participant_count(session=session, walk=walk) == 2


def test_only_the_leader_or_an_admin_runs_a_walk(session):
    leader = make_staff(session, "walk_leader")
    walk = walks.create(
        session=session, fields=walk_form.validate(form(), session=session, now=NOW), leader=leader
    )
    for role in ("walk_leader", "planner", "triager"):
        with pytest.raises(walks.WalkRefused) as refused:
            walks.start(session=session, walk=walk, actor=make_staff(session, role))
        assert refused.value.status_code == 403
    walks.start(session=session, walk=walk, actor=make_staff(session, "admin"))
    assert walk.status == WalkStatus.active
    assert walks.walk_for_observation(session=session, code=walk.join_code) == (walk, False)
    walks.close(session=session, walk=walk, actor=leader)
    assert walks.walk_for_observation(session=session, code=walk.join_code) == (None, True)
    assert walks.walk_for_observation(session=session, code="NOSUCH") == (None, False)


def item(
    level: int | None, *, kind: str = "problem", factors: list[str] | None = None, status=Status.new
):  # type: ignore[no-untyped-def]
    category = Category(slug="c", name_sv="c", name_en="c", kind=CategoryKind(kind))
    return walk_items.WalkItem(
        id=1,
        token="t",
        status=status,
        category=category,
        kind=CategoryKind(kind),
        unit_name=None,
        priority=Priority.normal,
        due_at=None,
        lat=0,
        lon=0,
        description="",
        unsafe_level=level,
        dark=True,
        factors=factors or [],
        felt_by=1,
        created_at=NOW,
        photos=[],
        after_photos=[],
    )


def test_the_summary_counts_problems_only():
    found = [
        item(5, factors=["lighting", "deserted"]),
        item(2, factors=["lighting"]),
        item(None),
        item(None, kind="good"),
    ]
    summary = walk_items.summarise(found)
    assert (summary.observations, summary.to_fix, summary.to_keep, summary.rated) == (4, 3, 1, 2)
    assert summary.mean_unsafe == 3.5
    assert summary.by_level == {1: 0, 2: 1, 3: 0, 4: 0, 5: 1}
    assert summary.factors == [("lighting", 2), ("deserted", 1)]
    assert summary.in_dark == 3


def test_the_comparison_pairs_the_same_places_then_and_now():
    earlier = Walk(title="Then", join_code="AAAAAA", leader_id=1, starts_at=NOW)
    checked = [
        follow_up.CheckedItem(
            item(5), WalkCheck(walk_id=2, observation_id=1, fixed=True, unsafe_level=2)
        ),
        follow_up.CheckedItem(item(3), None),  # not checked: its old rating is left out
        follow_up.CheckedItem(item(4, status=Status.verified), None),  # fixed by its unit
        follow_up.CheckedItem(
            item(4, status=Status.fixed), WalkCheck(walk_id=2, observation_id=1, fixed=False)
        ),
    ]
    compared = follow_up.compare(
        earlier=earlier, checked=checked, own=[item(3), item(None, kind="good")]
    )
    assert compared.earlier_items == 4 and compared.checked == 2
    # On-site "not fixed" outweighs the unit's "fixed"; the unit's word counts when unchecked.
    assert compared.fixed == 2 and compared.still_open == 2
    assert (compared.mean_unsafe_before, compared.mean_unsafe_now, compared.change) == (5, 2, -3)
    assert compared.new_items == 1
