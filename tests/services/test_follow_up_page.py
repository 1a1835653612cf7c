"""The follow-up page's view: the selection read from a query string and written back, every
indicator with its definition and a year earlier, targets with their outcome, external figures
beside ours, and the three charts with their tables."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select

from app.config import Settings
from app.models import Category, ExternalFigure, Target, TargetDirection, Zone
from app.services import follow_up_page, follow_up_selection, indicators
from tests.factories import CENTRUM, insert_observation

HEDEN = (65.845, 21.633)


def at(year: int, month: int, day: int = 10) -> datetime:
    return datetime(year, month, day, 12, tzinfo=UTC)


@pytest.fixture
def reports(session: Session, stopped_clock: datetime) -> None:
    """2026: two dark spots in Centrum (Feb, Jul), one vegetation in Heden (Jul); 2025: one
    dark spot in Centrum; 2023: one in Heden."""
    lat, lon = CENTRUM
    insert_observation(session, lat=lat, lon=lon, created_at=at(2026, 2))
    insert_observation(session, lat=lat, lon=lon, created_at=at(2026, 7))
    insert_observation(
        session, lat=HEDEN[0], lon=HEDEN[1], category="vegetation", created_at=at(2026, 7)
    )
    insert_observation(session, lat=lat, lon=lon, created_at=at(2025, 5))
    insert_observation(session, lat=HEDEN[0], lon=HEDEN[1], created_at=at(2023, 5))


def parse(session: Session, **params: str) -> follow_up_selection.Selection:
    return follow_up_selection.parse(session=session, params=params)


def build(session: Session, settings: Settings, **params: str) -> follow_up_page.View:
    return follow_up_page.build(
        session=session, settings=settings, selection=parse(session, **params), can_manage=True
    )


def row(view: follow_up_page.View, key: str) -> follow_up_page.Row:
    return next(r for r in view.rows if r.key == key)


def test_the_selection_defaults_to_this_year_and_the_whole_municipality(
    session: Session, stopped_clock: datetime
) -> None:
    chosen = parse(session)
    assert (chosen.period.year, chosen.period.quarter) == (2026, None)
    assert chosen.zone is None and chosen.category is None and chosen.chart == "reports"
    assert chosen.pairs() == []


def test_the_selection_goes_back_into_the_url(session: Session, stopped_clock: datetime) -> None:
    chosen = parse(
        session, period="2025-Q3", zone="heden", category="vegetation", chart="share_fixed"
    )
    assert chosen.pairs() == [
        ("period", "2025-Q3"),
        ("zone", "heden"),
        ("category", "vegetation"),
        ("chart", "share_fixed"),
    ]
    heden = session.exec(select(Zone).where(Zone.slug == "heden")).one()
    vegetation = session.exec(select(Category).where(Category.slug == "vegetation")).one()
    assert chosen.where == indicators.Where(zone_id=heden.id, category_id=vegetation.id)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"period": "2026-Q0"}, "period"),
        ({"period": "last year"}, "period"),
        ({"period": "1850"}, "period"),
        ({"zone": "atlantis"}, "zone"),
        ({"category": "unicorns"}, "category"),
        ({"chart": "scb_safety_index"}, "chart"),  # external: not ours to chart
    ],
)
def test_a_selection_that_cannot_be_used_names_its_field(
    session: Session, params: dict[str, str], field: str
) -> None:
    with pytest.raises(follow_up_selection.InvalidSelection) as refused:
        parse(session, **params)
    assert refused.value.field == field


def test_every_indicator_of_ours_is_shown_with_its_definition(
    session: Session, settings: Settings, reports
) -> None:
    view = build(session, settings)
    ours = [k for k, ind in indicators.INDICATORS.items() if not ind.external]
    computed = indicators.compute(
        session=session, settings=settings, period=indicators.Period(2026, None)
    )
    assert [r.key for r in view.rows] == [k for k in ours if k in computed]
    assert all(r.definition and r.label for r in view.rows)
    assert not any(r.key in indicators.EXTERNAL for r in view.rows)


def test_reports_against_a_year_earlier_for_each_selection(
    session: Session, settings: Settings, reports
) -> None:
    whole = row(build(session, settings), "reports")
    assert (whole.value, whole.previous) == ("3", "1")
    assert whole.change.startswith("Up 2")
    assert row(build(session, settings, zone="heden"), "reports").value == "1"
    assert row(build(session, settings, zone="centrum"), "reports").previous == "1"
    assert row(build(session, settings, category="vegetation"), "reports").value == "1"
    quarter = row(build(session, settings, period="2026-Q1"), "reports")
    assert (quarter.value, quarter.previous) == ("1", "0")


def test_targets_carry_their_outcome(session: Session, settings: Settings, reports) -> None:
    for direction, value in ((TargetDirection.at_most, 5), (TargetDirection.at_least, 10)):
        session.add(Target(indicator="reports", year=2026, direction=direction, value=value))
    session.add(
        Target(
            indicator="median_days_to_fix", year=2026, direction=TargetDirection.at_most, value=7
        )
    )
    session.commit()
    view = build(session, settings)
    lines = row(view, "reports").targets
    assert sorted((t.text, t.outcome) for t in lines) == [
        ("at least 10", "not_met"),
        ("at most 5", "met"),
    ]
    assert all(t.actual == "3" and t.scope == "the whole municipality" for t in lines)
    (median,) = row(view, "median_days_to_fix").targets
    assert (median.outcome, median.outcome_label) == ("no_data", "No data")
    # A target for another year is not this year's.
    assert row(build(session, settings, period="2025"), "reports").targets == []


def test_external_figures_stand_beside_ours(session: Session, settings: Settings, reports) -> None:
    heden = session.exec(select(Zone).where(Zone.slug == "heden")).one()
    session.add(
        ExternalFigure(
            indicator="police_reported_crimes",
            year=2026,
            zone_id=heden.id,
            value=57,
            source="Polisen",
        )
    )
    session.add(
        ExternalFigure(
            indicator="scb_safety_index", year=2026, zone_id=None, value=3.4, source="SCB"
        )
    )
    session.commit()
    view = build(session, settings, zone="heden")
    assert [(e.key, e.value, e.place, e.source) for e in view.externals] == [
        ("police_reported_crimes", "57", "Heden", "Polisen"),
        ("scb_safety_index", "3.4", "the whole municipality", "SCB"),
    ]
    assert all(e.definition for e in view.externals)
    assert [e.key for e in build(session, settings).externals] == ["scb_safety_index"]
    assert build(session, settings, period="2025").externals == []
    # An external indicator's target is judged beside its figure, and shown before one exists.
    session.add(
        Target(
            indicator="scb_safety_index", year=2026, direction=TargetDirection.at_least, value=3.5
        )
    )
    session.add(
        Target(
            indicator="school_drug_survey", year=2026, direction=TargetDirection.at_most, value=0.05
        )
    )
    session.commit()
    shown = {e.key: e for e in build(session, settings).externals}
    assert [t.outcome for t in shown["scb_safety_index"].targets] == ["not_met"]
    assert shown["school_drug_survey"].value == "\u2013"
    assert [t.outcome for t in shown["school_drug_survey"].targets] == ["no_data"]


def test_three_charts_per_year_by_category_and_by_district(
    session: Session, settings: Settings, reports
) -> None:
    view = build(session, settings)
    trend, by_category, by_zone = view.charts
    assert [b.label for b in trend.bars] == ["2022", "2023", "2024", "2025", "2026"]
    assert [b.value for b in trend.bars] == [0, 1, 0, 1, 3]
    categories = {b.label: b.value for b in by_category.bars}
    assert categories["Dark spot / broken light"] == 2
    assert categories["Overgrown vegetation blocking the view"] == 1
    districts = {b.label: b.value for b in by_zone.bars}
    assert districts["Centrum"] == 2 and districts["Heden"] == 1
    assert len(districts) == 8
    # Narrowed to Heden: the trend and the categories count Heden only.
    trend, by_category, _ = build(session, settings, zone="heden").charts
    assert [b.value for b in trend.bars] == [0, 1, 0, 0, 1]
    assert {b.label: b.value for b in by_category.bars}["Dark spot / broken light"] == 0
    # Another indicator, another chart.
    other = build(session, settings, chart="walks_held").charts[0]
    assert other.title != trend.title


def test_the_filter_offers_districts_and_the_chosen_ones(
    session: Session, settings: Settings, reports
) -> None:
    view = build(session, settings, period="2025-Q2", zone="centrum")
    assert [o.value for o in view.zone_options if o.chosen] == ["centrum"]
    chosen = [o.value for _, options in view.period_options for o in options if o.chosen]
    assert chosen == ["2025-Q2"]
    assert view.period_options[0][0] == "2026"
    assert view.page_url == "/follow-up?period=2025-Q2&zone=centrum"
    assert view.scope_label == "Centrum"
