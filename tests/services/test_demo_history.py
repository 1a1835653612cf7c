"""The demo's two years of history: deterministic, moved through the life cycle, and with the
recurring spots and good places a planner should find."""

from __future__ import annotations

import statistics
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, func, select

from app import clock
from app.models import (
    Agreement,
    Category,
    ExternalFigure,
    FocusArea,
    Measure,
    MeasureLink,
    MeasureLinkKind,
    Observation,
    ObservationEvent,
    Photo,
    PhotoKind,
    StaffUser,
    Status,
    Target,
    Walk,
    WalkCheck,
    WalkParticipant,
    WalkStatus,
    Zone,
)
from app.services import (
    area,
    demo,
    demo_follow_up,
    demo_walks,
    history,
    photos,
    quarterly,
    recurring,
)
from app.services.indicators import Period
from app.services.media_store import open_store
from app.services.planning_filters import Filters
from tests.factories import log_in


def test_the_demo_history_is_a_town_worth_looking_at(session: Session, settings) -> None:  # type: ignore[no-untyped-def]
    limits = photos.limits(settings)
    with clock.frozen(datetime(2026, 11, 30, 12, tzinfo=UTC)):
        made = demo.load_history(
            session=session, store=open_store(settings), limits=limits, size=120
        )
        again = demo.load_history(
            session=session, store=open_store(settings), limits=limits, size=120
        )
    assert (made, again) == (120, 0)  # stored once

    rows = session.exec(select(Observation)).all()
    oldest = min(o.created_at for o in rows)
    assert oldest < datetime(2025, 3, 1, tzinfo=UTC)  # about two years back
    assert all(o.zone_id is not None for o in rows)  # every report lies in a district
    fixed = [o for o in rows if o.status in (Status.fixed, Status.verified)]
    assert len(fixed) > 30 and all(o.fixed_at and o.fixed_at > o.created_at for o in fixed)
    # Each move left its history row (the first row is capture's).
    events = session.exec(select(func.count()).select_from(ObservationEvent)).one()
    assert events > len(rows) + len(fixed)
    assert {o.dark for o in rows} == {True, False}

    centrum = session.exec(select(Zone).where(Zone.slug == "centrum")).one()
    scope = area.of_zone(centrum)
    spots = recurring.spots(session=session, scope=scope, filters=Filters())
    assert spots and spots[0].months >= 3
    found = history.summary(session=session, scope=scope, filters=Filters(), lang="sv")
    assert found.good_places > 0 and found.median_days_to_fix is not None
    assert len(found.unsafety_by_year) >= 2


# The follow-up's demo: two believable years for the agreement's indicators.

NOV_30 = datetime(2026, 11, 30, 12, tzinfo=UTC)
STOCKHOLM = ZoneInfo("Europe/Stockholm")


def load_everything(session: Session, settings) -> dict[str, int]:  # type: ignore[no-untyped-def]
    limits = photos.limits(settings)
    store = open_store(settings)
    demo.load_history(session=session, store=store, limits=limits)
    return demo_follow_up.load(session=session, store=store, limits=limits)


def with_category(session: Session) -> list[tuple[Observation, str]]:
    return list(session.exec(select(Observation, Category.slug).join(Category)).all())


def test_the_demo_follows_boden_s_seasons(session: Session, settings) -> None:  # type: ignore[no-untyped-def]
    with clock.frozen(NOV_30):
        load_everything(session, settings)
    rows = [(o, slug, o.created_at.astimezone(STOCKHOLM)) for o, slug in with_category(session)]

    # More lamps missed in the dark half-year than under the midnight sun.
    dark_half = {10, 11, 12, 1, 2, 3}
    lamps = [local for _o, slug, local in rows if slug == "dark-spot"]
    in_dark_half = sum(1 for local in lamps if local.month in dark_half)
    assert in_dark_half > 2 * (len(lamps) - in_dark_half)

    # Winter evenings are dark (judged by the sun at the time and place), summer ones light.
    winter_evenings = [o for o, _s, t in rows if t.month in (11, 12, 1) and t.hour >= 17]
    summer_evenings = [o for o, _s, t in rows if t.month in (5, 6, 7) and t.hour >= 17]
    assert len(winter_evenings) > 20 and all(o.dark for o in winter_evenings)
    assert len(summer_evenings) > 20 and not any(o.dark for o in summer_evenings)

    # Fixes take longer under snow (December to March).
    def median_days(months: set[int]) -> float:
        return statistics.median(
            (o.fixed_at - o.created_at).total_seconds() / 86400
            for o, _s, local in rows
            if o.fixed_at and local.month in months
        )

    snow = median_days({12, 1, 2, 3})
    rest = median_days({4, 5, 6, 7, 8, 9, 10, 11})
    assert snow > 1.4 * rest, (snow, rest)

    # Vandalism and graffiti are damage to municipal property, nothing else is.
    damage = session.exec(select(Category.slug).where(col(Category.damage).is_(True))).all()
    assert sorted(damage) == ["graffiti", "vandalism"]
    # Less of it this year than last (the measure against it shows).
    per_year = {
        year: sum(1 for _o, slug, local in rows if slug in damage and local.year == year)
        for year in (2025, 2026)
    }
    assert per_year[2026] < per_year[2025]


def test_the_demo_has_the_agreement_its_targets_figures_walks_and_photos(
    session: Session, settings
) -> None:  # type: ignore[no-untyped-def]
    with clock.frozen(NOV_30):
        made = load_everything(session, settings)
        again = load_everything(session, settings)
    assert made["measures"] >= 5 and made["targets"] >= 3 and made["published fixes"] > 0
    assert set(again.values()) == {0}  # stored once

    agreement = session.exec(select(Agreement)).one()
    assert (agreement.first_year, agreement.last_year) == (2026, 2027)
    assert agreement.party_list() == ["Bodens kommun", "Polismyndigheten, lokalpolisområde Boden"]
    areas = session.exec(select(FocusArea).order_by(FocusArea.position)).all()
    assert [a.title for a in areas] == [
        "Förebyggande arbete ungdomar",
        "Trygghet i offentlig miljö",
        "Kommunikation",
    ]
    measures = session.exec(select(Measure)).all()
    for m in measures:  # every annex heading filled in, with a named responsible
        assert all(
            (m.purpose, m.approach, m.timetable, m.partners, m.expected_effect, m.responsible)
        ), m.title
        assert m.starts_on and m.ends_on and m.starts_on.year == 2026 and m.ends_on.year == 2027
    links = {(link.kind, link.measure_id) for link in session.exec(select(MeasureLink)).all()}
    assert {kind for kind, _m in links} == {
        MeasureLinkKind.category,
        MeasureLinkKind.zone,
        MeasureLinkKind.walk,
    }

    targets = {t.indicator: t for t in session.exec(select(Target).where(Target.year == 2026))}
    lighting = targets["share_fixed_within"]
    assert (lighting.value, lighting.within_days, lighting.direction) == (0.8, 14, "at_least")
    assert session.get(Category, lighting.category_id).slug == "dark-spot"  # type: ignore[union-attr]
    assert (targets["damage_reports"].value, targets["damage_reports"].baseline_year) == (-10, 2025)
    assert targets["felt_unsafety"].direction == "at_most"
    assert targets["felt_unsafety"].baseline_year == 2025

    figures = session.exec(select(ExternalFigure)).all()
    for key in ("police_reported_crimes", "scb_safety_index", "school_drug_survey"):
        years = {f.year for f in figures if f.indicator == key and f.zone_id is None}
        assert years == {2025, 2026}, key
    assert all("demo" in f.source for f in figures)

    walks = session.exec(select(Walk)).all()
    held = [w for w in walks if w.status == WalkStatus.closed]
    assert {w.starts_at.year for w in held} == {2025, 2026}
    assert any(w.starts_at > NOV_30 and w.status == WalkStatus.planned for w in walks)
    for walk in held:
        assert (
            session.exec(
                select(func.count())
                .select_from(WalkParticipant)
                .where(WalkParticipant.walk_id == walk.id)
            ).one()
            >= 5
        )
    follow_ups = [w for w in held if w.follow_up_of_id]
    assert follow_ups
    checks = session.exec(select(WalkCheck).where(WalkCheck.walk_id == follow_ups[0].id)).all()
    assert checks and any(c.fixed for c in checks)

    shown = session.exec(
        select(Observation).where(col(Observation.photos_published).is_(True))
    ).all()
    assert shown and all(o.status in (Status.fixed, Status.verified) for o in shown)
    kinds = {
        p.kind for p in session.exec(select(Photo).where(Photo.observation_id == shown[0].id)).all()
    }
    assert kinds == {PhotoKind.report, PhotoKind.after}
    # The quarterly page of the last quarter shows what the units published, and its walks.
    report = quarterly.build(session=session, period=Period(2026, 3), now=NOV_30)
    assert report.fixes_shown and report.walks_held and report.walks_coming


def test_nobody_can_log_in_as_the_demo_walks_leader(client, session: Session, settings) -> None:  # type: ignore[no-untyped-def]
    with clock.frozen(NOV_30):
        demo_walks.load(session=session, store=open_store(settings), limits=photos.limits(settings))
    leader = session.exec(select(StaffUser).where(StaffUser.email == demo_walks.LEADER_EMAIL)).one()
    assert not leader.active
    for password in ("", "not a password", "correct horse battery staple"):
        answer = log_in(client, demo_walks.LEADER_EMAIL, password)
        assert answer.status_code in (401, 422), answer.status_code  # refused, never a 500
