"""The yearly report to the council, counted by hand: reports placed and dated on purpose in two
districts over two years, a measure with its result, a target, a walk and an external figure.
The report's figures must match a count made here from the rows inserted; an issued report
must not move when new reports arrive."""

from __future__ import annotations

import csv
import io
import secrets
from datetime import UTC, date, datetime

import pytest
from sqlmodel import Session, select

from app.config import Settings
from app.models import (
    Agreement,
    Category,
    ExternalFigure,
    FocusArea,
    Measure,
    MeasureLink,
    MeasureLinkKind,
    Status,
    Target,
    TargetDirection,
    Walk,
    WalkParticipant,
    WalkStatus,
    Zone,
)
from app.services import council_report, council_report_csv
from tests.factories import insert_observation, make_staff

CENTRUM = (65.8253, 21.6880)
BJORKNAS = (65.8250, 21.7200)


def at(year: int, month: int, day: int = 10) -> datetime:
    return datetime(year, month, day, 12, tzinfo=UTC)


def zone(session: Session, slug: str) -> Zone:
    return session.exec(select(Zone).where(Zone.slug == slug)).one()


def category(session: Session, slug: str) -> Category:
    return session.exec(select(Category).where(Category.slug == slug)).one()


def insert_walk(session: Session, *, title: str, starts_at: datetime, **fields):  # type: ignore[no-untyped-def]
    leader = make_staff(session, "walk_leader")
    walk = Walk(
        title=title,
        starts_at=starts_at,
        leader_id=leader.id,
        join_code=secrets.token_hex(4),
        **fields,
    )
    session.add(walk)
    session.commit()
    session.refresh(walk)
    return walk


# What was inserted, for the independent count: (where, year, category, unsafe level, status).
ROWS = [
    # Centrum: three problems in 2025 (felt 4, 4, 5), one in 2026 (felt 2): better.
    (CENTRUM, 2025, "dark-spot", 4, Status.fixed),
    (CENTRUM, 2025, "vandalism", 4, Status.new),
    (CENTRUM, 2025, "graffiti", 5, Status.fixed),
    (CENTRUM, 2026, "vandalism", 2, Status.fixed),
    # Björknäs: one problem in 2025 (felt 2), three in 2026 (felt 3, 4, 5): worse.
    (BJORKNAS, 2025, "litter", 2, Status.new),
    (BJORKNAS, 2026, "vandalism", 3, Status.new),
    (BJORKNAS, 2026, "dark-spot", 4, Status.fixed),
    (BJORKNAS, 2026, "graffiti", 5, Status.new),
]


@pytest.fixture
def history(session: Session) -> None:
    """The rows above, plus a good place in each year (never counted as a report)."""
    for name in ("vandalism", "graffiti"):
        found = category(session, name)
        found.damage = True  # an admin marks damage to municipal property
        session.add(found)
    session.commit()
    for n, ((lat, lon), year, slug, level, status) in enumerate(ROWS):
        created = at(year, 3 + n % 6)
        fixed = {"fixed_at": at(year, 9 + n % 3)} if status == Status.fixed else {}
        insert_observation(
            session,
            lat=lat,
            lon=lon + n * 0.0001,
            category=slug,
            created_at=created,
            unsafe_level=level,
            status=status,
            **fixed,
        )
    for year in (2025, 2026):
        insert_observation(
            session, lat=CENTRUM[0], lon=CENTRUM[1], category="good-place", created_at=at(year, 6)
        )


def counted(year: int, *, where: tuple[float, float] | None = None, damage: bool = False) -> int:
    """The problem reports in `year` (in one district, of damage), counted from ROWS."""
    return sum(
        1
        for place, y, slug, _level, _status in ROWS
        if y == year
        and (where is None or place == where)
        and (not damage or slug in ("vandalism", "graffiti"))
    )


def felt(year: int, where: tuple[float, float]) -> float:
    levels = [lvl for place, y, _s, lvl, _st in ROWS if y == year and place == where]
    return sum(levels) / len(levels)


def indicator(data: dict, key: str) -> dict:  # type: ignore[type-arg]
    return next(i for i in data["indicators"] if i["key"] == key)


def build(session: Session, settings: Settings, first: int = 2026, last: int = 2026) -> dict:  # type: ignore[type-arg]
    return council_report.build(
        session=session, settings=settings, first_year=first, last_year=last, lang="en", title=""
    )


def test_figures_match_an_independent_count(
    session: Session, settings: Settings, history: None
) -> None:
    data = build(session, settings)
    reports = indicator(data, "reports")
    assert [y["year"] for y in reports["years"]] == [2026]
    assert reports["years"][0]["value"] == counted(2026) == 4
    assert reports["years"][0]["previous"] == counted(2025) == 4
    assert reports["definition"]  # how it was computed, written out
    damage = indicator(data, "damage_reports")
    assert damage["years"][0]["value"] == counted(2026, damage=True) == 3
    assert damage["years"][0]["previous"] == counted(2025, damage=True) == 2
    # Every indicator of ours is in the report, each with its definition.
    from app.services import indicators

    ours = [k for k, i in indicators.INDICATORS.items() if not i.external]
    assert [i["key"] for i in data["indicators"]] == ours
    assert all(i["definition"] for i in data["indicators"])
    # The charts: reports per year, by category (this year) and by district.
    charts = {c["key"]: c for c in data["charts"]}
    assert charts["reports"]["rows"] == [["2025", 4], ["2026", 4]]
    by_category = dict(charts["reports_by_category"]["rows"])
    assert by_category["Vandalism"] == 2 and by_category["Graffiti"] == 1
    by_zone = dict(charts["reports_by_zone"]["rows"])
    assert by_zone["Centrum"] == counted(2026, where=CENTRUM) == 1
    assert by_zone["Björknäs"] == counted(2026, where=BJORKNAS) == 3


def test_zones_that_improved_and_worsened(
    session: Session, settings: Settings, history: None
) -> None:
    data = build(session, settings)
    zones = {z["slug"]: z for z in data["zones"]}
    centrum, bjorknas = zones["centrum"], zones["bjorknas"]
    assert centrum["verdict"] == "improved"
    assert bjorknas["verdict"] == "worsened"
    assert zones["heden"]["verdict"] == "no_data"  # nothing reported there in either year
    assert centrum["years"][-1]["felt_unsafety"]["value"] == pytest.approx(
        felt(2026, CENTRUM), abs=1e-4
    )
    assert centrum["years"][0]["felt_unsafety"]["value"] == pytest.approx(
        felt(2025, CENTRUM), abs=1e-4
    )
    assert bjorknas["years"][-1]["reports"]["value"] == 3
    assert "improved" in data["zones_rule"] and "worsened" in data["zones_rule"]


def test_a_district_with_fewer_reports_but_more_unsafety_is_mixed(
    session: Session, settings: Settings
) -> None:
    lat, lon = CENTRUM
    for level in (1, 1):
        insert_observation(session, lat=lat, lon=lon, created_at=at(2025, 4), unsafe_level=level)
    insert_observation(session, lat=lat, lon=lon, created_at=at(2026, 4), unsafe_level=5)
    zones = {z["slug"]: z for z in build(session, settings)["zones"]}
    assert zones["centrum"]["reports_move"] == "better"
    assert zones["centrum"]["felt_unsafety_move"] == "worse"
    assert zones["centrum"]["verdict"] == "mixed"


def test_measures_in_the_period_with_their_result_and_figures(
    session: Session, settings: Settings, history: None
) -> None:
    agreement = Agreement(title="Tryggare Boden", first_year=2026, last_year=2027, parties="")
    session.add(agreement)
    session.commit()
    area = FocusArea(agreement_id=agreement.id, title="Trygghet offentlig miljö", position=1)
    session.add(area)
    session.commit()
    running = Measure(
        focus_area_id=area.id,
        title="Klotterplank",
        responsible="Anna Andersson",
        result="Graffiti removed within 24 hours in Centrum.",
    )
    ended = Measure(
        focus_area_id=area.id,
        title="Ended before",
        starts_on=date(2024, 1, 1),
        ends_on=date(2025, 12, 31),
    )
    session.add_all([running, ended])
    session.commit()
    vandalism, centrum = category(session, "vandalism"), zone(session, "centrum")
    session.add_all(
        [
            MeasureLink(
                measure_id=running.id, kind=MeasureLinkKind.category, target_id=vandalism.id
            ),
            MeasureLink(measure_id=running.id, kind=MeasureLinkKind.zone, target_id=centrum.id),
        ]
    )
    session.commit()

    data = build(session, settings)
    assert [m["title"] for m in data["measures"]] == ["Klotterplank"]
    measure = data["measures"][0]
    assert measure["result"] == "Graffiti removed within 24 hours in Centrum."
    assert measure["categories"] == ["Vandalism"] and measure["zones"] == ["Centrum"]
    figures = {f["scope"]: {r["key"]: r for r in f["rows"]} for f in measure["figures"]}
    vandal_reports = {y["year"]: y["value"] for y in figures["Vandalism"]["reports"]["years"]}
    hand = {
        y: sum(1 for _p, yr, s, _l, _st in ROWS if yr == y and s == "vandalism")
        for y in (2025, 2026)
    }
    assert vandal_reports == hand == {2025: 1, 2026: 2}
    centrum_reports = {y["year"]: y["value"] for y in figures["Centrum"]["reports"]["years"]}
    assert centrum_reports == {
        2025: counted(2025, where=CENTRUM),
        2026: counted(2026, where=CENTRUM),
    }


def test_targets_walks_and_external_figures(
    session: Session, settings: Settings, history: None
) -> None:
    session.add(
        Target(indicator="reports", year=2026, direction=TargetDirection.at_most, value=5, note="")
    )
    session.add(
        Target(
            indicator="damage_reports",
            year=2026,
            direction=TargetDirection.at_most,
            value=-10,
            baseline_year=2025,
            note="",
        )
    )
    session.add(
        ExternalFigure(
            indicator="police_reported_crimes",
            year=2026,
            value=1234,
            source="Polisen, öppen statistik",
        )
    )
    session.commit()
    held = insert_walk(
        session, title="Kvällsvandring Centrum", starts_at=at(2026, 10), status=WalkStatus.closed
    )
    insert_walk(session, title="Only planned", starts_at=at(2026, 11))
    insert_walk(session, title="Last year", starts_at=at(2025, 10), status=WalkStatus.closed)
    session.add(WalkParticipant(walk_id=held.id, device_id=__import__("uuid").uuid4()))
    session.commit()

    data = build(session, settings)
    outcomes = {t["indicator"]: t for t in data["targets"]}
    assert outcomes["reports"]["outcome"] == "met"  # 4 reports, at most 5
    assert outcomes["reports"]["actual"] == counted(2026)
    # Damage 2 -> 3 is +50 %, not "down 10 %".
    assert outcomes["damage_reports"]["outcome"] == "not_met"
    assert outcomes["damage_reports"]["actual"] == pytest.approx(50.0)
    assert indicator(data, "reports")["targets"][0]["text"] == "at most 5"
    assert [w["title"] for w in data["walks"]] == ["Kvällsvandring Centrum"]
    assert data["walks"][0]["participants"] == 1
    police = next(b for b in data["external"] if b["key"] == "police_reported_crimes")
    assert police["rows"] == [
        {"year": 2026, "zone": None, "value": 1234, "source": "Polisen, öppen statistik"}
    ]
    assert police["beside"] == "reports"


def test_an_issued_report_does_not_move_when_new_reports_arrive(
    session: Session, settings: Settings, history: None
) -> None:
    coordinator = make_staff(session, "coordinator")
    issued = council_report.issue(
        session=session,
        settings=settings,
        first_year=2026,
        last_year=2026,
        lang="en",
        title="Report to Brå, spring 2027",
        actor=coordinator,
    )
    before = council_report.view(issued)
    csv_before = council_report_csv.text(before)
    for _ in range(3):
        insert_observation(session, lat=CENTRUM[0], lon=CENTRUM[1], created_at=at(2026, 11))

    again = council_report.view(council_report.by_id(session=session, report_id=issued.id))
    assert again.data == before.data
    assert indicator(again.data, "reports")["years"][0]["value"] == 4
    assert council_report_csv.text(again) == csv_before
    # ... while the report built now sees the new reports.
    assert indicator(build(session, settings), "reports")["years"][0]["value"] == 7
    rows = list(csv.DictReader(io.StringIO(csv_before.lstrip("\ufeff"))))
    reports_2026 = [r for r in rows if r["Indicator"] == "reports" and r["Section"] == "indicator"]
    assert reports_2026[0]["Value"] == "4" and reports_2026[0]["Period"] == "2026"


def test_a_report_issued_in_swedish_is_written_in_swedish(
    session: Session, settings: Settings, history: None
) -> None:
    data = council_report.build(
        session=session, settings=settings, first_year=2026, last_year=2026, lang="sv", title=""
    )
    assert data["language"] == "sv"
    assert data["title"].startswith("Uppföljning")
    assert indicator(data, "reports")["label"] != "Reports"


@pytest.mark.parametrize(
    ("first", "last"), [(2027, 2026), (1999, 2026), (2026, 2101), (2020, 2026)]
)
def test_a_period_that_cannot_make_a_report_is_refused(
    session: Session, settings: Settings, first: int, last: int
) -> None:
    with pytest.raises(council_report.InvalidReport):
        build(session, settings, first, last)
