"""The follow-up's indicators against a small town counted by hand.

The town (built by `town`): reports in Centrum and one in Björknäs over 2025-2027, each with
its status history written by the life cycle as a triager's clicks would, walks with their
participants and a follow-up walk with its checks on site. Every expected figure below is
counted by hand in the comments beside it; the edge cases of the issue are each in it: a
reopened item, an item fixed the next year, a merged duplicate, an item handed to another
owner, a private category, reports either side of the year's end in Stockholm, a year with no
data, and a zone and a category scope.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select

from app import clock
from app.config import Settings
from app.models import (
    Category,
    EventKind,
    Observation,
    Priority,
    Status,
    Walk,
    WalkCheck,
    WalkParticipant,
    WalkStatus,
    Zone,
    ZoneKind,
)
from app.services import indicators, lifecycle
from app.services.indicators import Period, Where
from tests.factories import insert_observation, make_staff

LON = 21.689  # a north-south line through Centrum: reports 0.0008° (89 m) apart
BJORKNAS = (65.8255, 21.7275)
SAVAST = (65.798, 21.745857)


def at(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def spot(i: int) -> tuple[float, float]:
    return 65.8205 + i * 0.0008, LON


@dataclass
class Town:
    centrum: int
    bjorknas: int
    dark_spot: int
    ids: dict[str, int]


def report(
    session: Session,
    *,
    where: tuple[float, float],
    made: datetime,
    category: str = "dark-spot",
    **fields: object,
) -> Observation:
    """A report as capture stores it: the row and its first history line ("new")."""
    obs = insert_observation(
        session, lat=where[0], lon=where[1], category=category, created_at=made, **fields
    )
    lifecycle.record(
        session=session,
        obs=obs,
        kind=EventKind.status,
        actor=lifecycle.RESIDENT,
        public=True,
        at=made,
    )
    session.commit()
    return obs


def moves(
    session: Session,
    obs: Observation,
    actor: lifecycle.Actor,
    *steps: tuple[Status, datetime],
    **extra: object,
) -> None:
    """The status moves a triager makes, each at its time (the life cycle writes the rows)."""
    for to, when in steps:
        with clock.frozen(when):
            lifecycle.transition(
                session=session, obs=obs, to=to, actor=actor, note="Klart.", **extra
            )


def zone_id(session: Session, slug: str) -> int:
    return session.exec(select(Zone.id).where(Zone.slug == slug)).one()  # type: ignore[return-value]


def walk(
    session: Session,
    *,
    leader_id: int,
    starts: datetime,
    status: WalkStatus,
    zone: int | None,
    participants: int = 0,
    follow_up_of: int | None = None,
) -> Walk:
    found = Walk(
        title="Trygghetsvandring",
        status=status,
        starts_at=starts,
        leader_id=leader_id,
        join_code=uuid.uuid4().hex[:10].upper(),
        zone_id=zone,
        follow_up_of_id=follow_up_of,
    )
    session.add(found)
    session.commit()
    session.refresh(found)
    session.add_all(
        WalkParticipant(walk_id=found.id, device_id=uuid.uuid4())  # type: ignore[arg-type]
        for _ in range(participants)
    )
    session.commit()
    return found


@pytest.fixture(autouse=True)
def _read_after_the_town() -> Iterator[None]:
    """The figures are read in mid-2027, after every move the town makes (a period not yet
    over is read as it stands now; that has its own test below)."""
    with clock.frozen(datetime(2027, 6, 1, tzinfo=UTC)):
        yield


@pytest.fixture
def town(session: Session) -> Town:
    for slug in ("vandalism", "graffiti"):  # the admin marks damage to municipal property
        category = session.exec(select(Category).where(Category.slug == slug)).one()
        category.damage = True
        session.add(category)
    session.commit()
    admin = lifecycle.Actor.staff(make_staff(session, "admin"))
    leader = make_staff(session, "walk_leader")
    centrum, bjorknas = zone_id(session, "centrum"), zone_id(session, "bjorknas")
    # A part of town inside Centrum: a walk planned there is a walk in Centrum.
    inner = Zone(
        slug="centrum-norr",
        name="Centrum norr",
        kind=ZoneKind.part_of_town,
        parent_id=centrum,
        geometry='{"type":"Polygon","coordinates":[[[21.68,65.825],[21.70,65.825],'
        "[21.70,65.83],[21.68,65.83],[21.68,65.825]]]}",
        min_lat=65.825,
        max_lat=65.83,
        min_lon=21.68,
        max_lon=21.70,
    )
    session.add(inner)
    session.commit()
    ids: dict[str, int] = {}

    def keep(name: str, obs: Observation) -> Observation:
        ids[name] = obs.id  # type: ignore[assignment]
        return obs

    # 2026 in Centrum. A and B at the same place in January and February: a recurring spot.
    a = keep("A", report(session, where=spot(0), made=at(2026, 1, 10), unsafe_level=4, dark=True))
    moves(session, a, admin, (Status.triaged, at(2026, 1, 11)), (Status.fixed, at(2026, 1, 15)))
    b = keep("B", report(session, where=spot(0), made=at(2026, 2, 1), unsafe_level=2))
    moves(
        session,
        b,
        admin,
        (Status.triaged, at(2026, 2, 2)),
        (Status.fixed, at(2026, 3, 3)),  # 30 days: past its 14
        (Status.verified, at(2026, 3, 4)),
    )
    # Vandalism, fixed and then reopened: not fixed now, open at the year's end.
    c = keep(
        "C",
        report(
            session, where=spot(2), made=at(2026, 3, 1), category="vandalism", unsafe_level=5,
            dark=True,
        ),
    )  # fmt: skip
    moves(
        session,
        c,
        admin,
        (Status.triaged, at(2026, 3, 2)),
        (Status.fixed, at(2026, 3, 5)),
        (Status.reopened, at(2026, 3, 10)),
    )
    # Graffiti merged into C: not a report of its own, anywhere.
    d = keep(
        "D",
        report(session, where=spot(3), made=at(2026, 4, 1), category="graffiti", unsafe_level=1),
    )
    moves(session, d, admin, (Status.duplicate, at(2026, 4, 2)), duplicate_of=c)
    # Litter handed to the property owner: reported, but not ours to fix.
    e = keep(
        "E", report(session, where=spot(4), made=at(2026, 5, 1), category="litter", unsafe_level=3)
    )
    moves(session, e, admin, (Status.not_ours, at(2026, 5, 2)), handed_to="Fastighetsägaren")
    # A private category: counted like any other report.
    keep(
        "F",
        report(
            session, where=spot(5), made=at(2026, 6, 1), category="drug-dealing", unsafe_level=5,
            dark=True,
        ),
    )  # fmt: skip
    # Reported in December, fixed in January: fixed in 2027's days to fix.
    g = keep("G", report(session, where=spot(6), made=at(2026, 12, 20)))
    moves(session, g, admin, (Status.triaged, at(2026, 12, 21)), (Status.fixed, at(2027, 1, 5)))
    # 23:30 UTC on New Year's Eve is 00:30 on 1 January in Boden: a 2026 report.
    keep(
        "H",
        report(
            session, where=spot(7), made=at(2025, 12, 31, 23, 30), priority=Priority.high,
            dark=True,
        ),
    )  # fmt: skip
    # ... and this one, at the same hour a year later, is 2027's.
    keep("I", report(session, where=spot(8), made=at(2026, 12, 31, 23, 30)))
    keep("good", report(session, where=spot(9), made=at(2026, 7, 1), category="good-place"))
    # Reported in November, fixed in January: open (and overdue) when 2026 ended.
    m = keep("M", report(session, where=spot(10), made=at(2026, 11, 1)))
    moves(session, m, admin, (Status.triaged, at(2026, 11, 2)), (Status.fixed, at(2027, 1, 10)))
    # In Björknäs, urgent, fixed within half a day.
    k = keep(
        "K",
        report(
            session, where=BJORKNAS, made=at(2026, 8, 1), unsafe_level=1, priority=Priority.urgent
        ),
    )
    moves(
        session, k, admin, (Status.triaged, at(2026, 8, 1, 15)), (Status.fixed, at(2026, 8, 1, 23))
    )
    # 2025: one report, fixed (and verified) on 1 January 2026 after 61 days.
    ell = keep("L", report(session, where=spot(12), made=at(2025, 11, 1), unsafe_level=2))
    moves(
        session,
        ell,
        admin,
        (Status.triaged, at(2025, 11, 2)),
        (Status.fixed, at(2026, 1, 1)),
        (Status.verified, at(2026, 1, 2)),
    )

    # Walks. W0 in 2025 in Savåst, followed up in 2026 by W2 (planned in Centrum norr).
    w0 = walk(session, leader_id=leader.id, starts=at(2025, 9, 1), status=WalkStatus.closed,
              zone=None, participants=6)  # fmt: skip
    n1 = report(session, where=SAVAST, made=at(2025, 9, 1, 18), walk_id=w0.id)
    moves(session, n1, admin, (Status.wont_fix, at(2025, 9, 10)))
    n2 = report(session, where=SAVAST, made=at(2025, 9, 1, 18, 5), walk_id=w0.id)
    moves(session, n2, admin, (Status.triaged, at(2025, 9, 2)), (Status.fixed, at(2025, 9, 20)))
    n3 = report(session, where=SAVAST, made=at(2025, 9, 1, 18, 10), walk_id=w0.id)
    moves(
        session, n3, admin, (Status.triaged, at(2025, 9, 2)), (Status.fixed, at(2025, 9, 20)),
        (Status.verified, at(2025, 9, 21)),
    )  # fmt: skip
    report(session, where=SAVAST, made=at(2025, 9, 1, 18, 15), category="good-place",
           walk_id=w0.id)  # fmt: skip
    w1 = walk(session, leader_id=leader.id, starts=at(2026, 8, 31), status=WalkStatus.closed,
              zone=centrum, participants=3)  # fmt: skip
    j = keep(
        "J",
        report(session, where=spot(11), made=at(2026, 9, 1), category="damaged-path",
               unsafe_level=3, walk_id=w1.id),
    )  # fmt: skip
    moves(session, j, admin, (Status.wont_fix, at(2026, 9, 5)))
    w2 = walk(session, leader_id=leader.id, starts=at(2026, 9, 15), status=WalkStatus.active,
              zone=inner.id, participants=2, follow_up_of=w0.id)  # fmt: skip
    # On site: N1 looks fixed (though closed as won't fix), N2 could not tell (the unit has it
    # fixed: fixed), N3 is not fixed (though verified).
    for obs, fixed in ((n1, True), (n2, None), (n3, False)):
        session.add(WalkCheck(walk_id=w2.id, observation_id=obs.id, fixed=fixed))  # type: ignore[arg-type]
    session.commit()
    walk(session, leader_id=leader.id, starts=at(2026, 10, 1), status=WalkStatus.planned,
         zone=centrum, participants=1)  # fmt: skip
    walk(session, leader_id=leader.id, starts=at(2026, 10, 2), status=WalkStatus.closed,
         zone=bjorknas, participants=4)  # fmt: skip
    # 00:30 on New Year's Day in Boden: a 2026 walk.
    walk(session, leader_id=leader.id, starts=at(2025, 12, 31, 23, 30), status=WalkStatus.closed,
         zone=None)  # fmt: skip
    dark_spot = session.exec(select(Category.id).where(Category.slug == "dark-spot")).one()
    return Town(centrum=centrum, bjorknas=bjorknas, dark_spot=dark_spot, ids=ids)  # type: ignore[arg-type]


def values(figures: dict[str, indicators.Figure]) -> dict[str, float | None]:
    return {k: (round(f.value, 4) if f.value is not None else None) for k, f in figures.items()}


def test_every_indicator_for_the_municipality(
    session: Session, settings: Settings, town: Town
) -> None:
    found = indicators.compute(session=session, settings=settings, period=Period.parse("2026"))

    assert set(found) == {k for k, i in indicators.INDICATORS.items() if not i.external}
    got = values(found)
    # Reports: A B C E F G H J K M (D merged; I is 2027's; L 2025's; the good place apart).
    assert got["reports"] == 10
    assert got["reports_on_walks"] == 1  # J
    assert got["reports_own"] == 9
    assert got["good_places"] == 1
    assert got["damage_reports"] == 1  # C (D, graffiti, was merged)
    assert got["damage_share"] == 0.1
    # Could be fixed: all but E (handed on) = 9; fixed now: A B G K M (C was reopened).
    assert (found["share_fixed"].numerator, found["share_fixed"].denominator) == (5, 9)
    assert got["share_fixed"] == round(5 / 9, 4)
    # Fixed in 2026 and fixed now: K 0 days, A 5, B 30, L 61 (C reopened; G and M in 2027).
    assert got["median_days_to_fix"] == 17.5
    assert got["p90_days_to_fix"] == 61
    # By the due date: A (5 <= 14) and K (under 1 <= 1); B 30, G 16 and M 70 were late.
    assert (found["share_fixed_by_due"].numerator, found["share_fixed_by_due"].denominator) == (
        2,
        9,
    )
    # Open when 2026 ended (23:00 UTC on 31 Dec): C reopened, F new, G triaged, H new, M
    # triaged (fixed only in January). Overdue then: all but G (due 3 January).
    assert got["open_at_end"] == 5
    assert got["overdue_at_end"] == 4
    assert got["recurring_spots"] == 1  # A and B, January and February, same place
    # Felt unsafety: A 4, B 2, C 5, E 3, F 5, J 3, K 1 = 23 / 7; 2025: L 2.
    assert got["felt_unsafety"] == round(23 / 7, 4)
    assert got["felt_unsafety_change"] == round(23 / 7 - 2, 4)
    assert got["share_dark"] == 0.4  # A C F H
    # Walks held in 2026: W1, W2 (active), Björknäs's and the New Year's one; not the planned.
    assert got["walks_held"] == 4
    assert got["walk_participants"] == 3 + 2 + 4
    assert got["follow_up_walks"] == 1
    # W0's problem items, as W2 found them: N1 and N2 fixed, N3 not.
    assert got["follow_up_share_fixed"] == round(2 / 3, 4)


def test_a_zone_counts_its_reports_and_the_walks_in_it_or_inside_it(
    session: Session, settings: Settings, town: Town
) -> None:
    found = values(
        indicators.compute(
            session=session,
            settings=settings,
            period=Period.parse("2026"),
            where=Where(zone_id=town.centrum),
        )
    )

    assert found["reports"] == 9  # K lies in Björknäs
    assert found["share_fixed"] == 0.5  # A B G M of 8
    assert found["share_fixed_by_due"] == round(1 / 8, 4)  # A
    assert found["median_days_to_fix"] == 30  # A 5, B 30, L 61
    assert found["open_at_end"] == 5
    assert found["overdue_at_end"] == 4
    assert found["felt_unsafety"] == round(22 / 6, 4)
    assert found["walks_held"] == 2  # W1 in Centrum, W2 in Centrum norr
    assert found["walk_participants"] == 5
    assert found["follow_up_share_fixed"] == round(2 / 3, 4)

    other = values(
        indicators.compute(
            session=session,
            settings=settings,
            period=Period.parse("2026"),
            where=Where(zone_id=town.bjorknas),
        )
    )
    assert (other["reports"], other["share_fixed"], other["median_days_to_fix"]) == (1, 1.0, 0)
    assert (other["walks_held"], other["walk_participants"], other["follow_up_walks"]) == (1, 4, 0)


def test_a_category_counts_its_reports_and_leaves_walks_out(
    session: Session, settings: Settings, town: Town
) -> None:
    found = indicators.compute(
        session=session,
        settings=settings,
        period=Period.parse("2026"),
        where=Where(category_id=town.dark_spot),
    )
    got = values(found)

    assert got["reports"] == 6  # A B G H K M
    assert got["damage_reports"] == 0
    assert got["share_fixed"] == round(5 / 6, 4)  # all but H
    assert got["open_at_end"] == 3  # G H M
    for key in ("walks_held", "walk_participants", "follow_up_walks", "follow_up_share_fixed"):
        assert found[key].value is None, key


def test_the_next_year_has_what_was_fixed_in_it(
    session: Session, settings: Settings, town: Town
) -> None:
    got = values(
        indicators.compute(session=session, settings=settings, period=Period.parse("2027"))
    )

    assert got["reports"] == 1  # I
    assert got["median_days_to_fix"] == 43  # G 16 and M 70, both fixed in January
    assert got["p90_days_to_fix"] == 70
    assert got["felt_unsafety"] is None  # I has no answer
    assert got["felt_unsafety_change"] is None


def test_a_quarter_is_its_three_months(session: Session, settings: Settings, town: Town) -> None:
    first = values(
        indicators.compute(session=session, settings=settings, period=Period.parse("2026-Q1"))
    )
    last = values(
        indicators.compute(session=session, settings=settings, period=Period.parse("2026-Q4"))
    )

    assert first["reports"] == 4  # H (1 Jan local), A, B, C
    assert first["open_at_end"] == 2  # C (reopened 10 March) and H; L was verified in January
    assert last["reports"] == 2  # M, G
    assert last["walks_held"] == 1  # Björknäs's on 2 October (1 October's was only planned)


def test_a_year_with_no_data_has_counts_of_zero_and_no_shares(
    session: Session, settings: Settings, town: Town
) -> None:
    found = indicators.compute(session=session, settings=settings, period=Period.parse("2030"))

    for key, figure in found.items():
        unit = indicators.INDICATORS[key].unit
        if key == "open_at_end" or key == "overdue_at_end":
            continue  # what was left open stays open: counted below
        if unit == "count":
            assert figure.value == 0, key
        else:
            assert figure.value is None, key
    # What was never closed is still open at the end of 2030: C, F, H and I (M and G were
    # fixed in January 2027).
    assert found["open_at_end"].value == 4


def test_share_fixed_within_a_number_of_days(
    session: Session, settings: Settings, town: Town
) -> None:
    period = Period.parse("2026")
    week = indicators.share_fixed_within(session=session, period=period, where=Where(), days=7)
    three = indicators.share_fixed_within(session=session, period=period, where=Where(), days=20)

    assert (week.numerator, week.denominator) == (2, 9)  # A, K
    assert (three.numerator, three.denominator) == (3, 9)  # A, G (16), K
    assert three.value == pytest.approx(3 / 9)
    # "Lighting faults fixed within 14 days": dark spots A B G H K M could be fixed; A (5
    # days) and K (half a day) were, G (16) and M (70) too late, B (30) too.
    lighting = indicators.share_fixed_within(
        session=session, period=period, where=Where(category_id=town.dark_spot), days=14
    )
    assert (lighting.numerator, lighting.denominator) == (2, 6)


def test_percentiles_are_read_from_the_counts_per_day() -> None:
    from app.services import indicator_sql

    assert indicator_sql.percentile([(1, 1), (3, 1), (10, 1)], 0.5) == 3
    assert indicator_sql.percentile([(1, 1), (3, 1), (10, 1)], 0.9) == 10  # the 3rd of 3
    assert indicator_sql.percentile([(0, 5), (4, 4), (30, 1)], 0.5) == 2  # 5th 0 and 6th 4
    assert indicator_sql.percentile([(0, 5), (4, 4), (30, 1)], 0.9) == 4  # the 9th of 10
    assert indicator_sql.percentile([], 0.5) is None


def test_series_gives_each_year(session: Session, settings: Settings, town: Town) -> None:
    years = indicators.series(session=session, settings=settings, years=[2025, 2026, 2027],
                              where=Where())  # fmt: skip

    assert [years[y]["reports"].value for y in (2025, 2026, 2027)] == [4, 10, 1]
    assert years[2026]["felt_unsafety_change"].value == pytest.approx(23 / 7 - 2)
    alone = indicators.compute(session=session, settings=settings, period=Period.parse("2025"))
    assert {k: f.value for k, f in years[2025].items()} == {k: f.value for k, f in alone.items()}


def test_every_indicator_says_what_it_counts_in_both_languages() -> None:
    from app import i18n

    for key, indicator in indicators.INDICATORS.items():
        with i18n.using("en"):
            english = indicator.definition()
        with i18n.using("sv"):
            swedish = indicator.definition()
        assert english and swedish and english != swedish, key


def test_asking_for_some_indicators_gives_those_with_the_same_values(
    session: Session, settings: Settings, town: Town
) -> None:
    period = Period(2026)
    whole = indicators.compute(session=session, settings=settings, period=period)
    for key in whole:
        one = indicators.compute(
            session=session, settings=settings, period=period, keys=frozenset({key})
        )
        assert one == {key: whole[key]}, key
    two = indicators.compute(
        session=session,
        settings=settings,
        period=period,
        keys=frozenset({"open_at_end", "walks_held"}),
    )
    assert set(two) == {"open_at_end", "walks_held"}


def test_a_period_not_yet_over_is_read_as_it_stands_now(
    session: Session, settings: Settings
) -> None:
    """Open and overdue are counted now, not at the period's end ahead; a report still open
    and not yet due cannot be judged "fixed in time" and is left out of those shares."""
    lat, lon = 65.8253, 21.6880
    for day in (1, 25):  # due (normal priority: 14 days) on 15 and 39 December
        insert_observation(
            session, lat=lat, lon=lon, created_at=datetime(2026, 11, day, 12, tzinfo=UTC)
        )
    with clock.frozen(datetime(2026, 12, 2, 12, tzinfo=UTC)):
        now = values(
            indicators.compute(session=session, settings=settings, period=Period.parse("2026"))
        )
        within = indicators.share_fixed_within(
            session=session, period=Period.parse("2026"), where=Where(), days=14
        )
    assert now["open_at_end"] == 2
    assert now["overdue_at_end"] == 1  # the first was due on 15 November
    assert now["share_fixed_by_due"] == 0.0  # one judged (the overdue one), not fixed
    assert (within.numerator, within.denominator) == (0, 1)
    with clock.frozen(datetime(2027, 2, 1, tzinfo=UTC)):
        later = values(
            indicators.compute(session=session, settings=settings, period=Period.parse("2026"))
        )
    assert later["open_at_end"] == 2 and later["overdue_at_end"] == 2
