"""Routing: the most specific rule wins, the reason is kept, a re-route is logged."""

from __future__ import annotations

from sqlmodel import Session, select

from app.models import Category, Observation, ObservationEvent, RoutingRule, Unit, Zone
from app.services import lifecycle, routing
from tests.factories import JSON, post_observation


def by_slug(session: Session, model, slug: str):  # type: ignore[no-untyped-def]
    return session.exec(select(model).where(model.slug == slug)).one()


def add_rule(session: Session, unit: str, category: str | None = None, zone: str | None = None):  # type: ignore[no-untyped-def]
    session.add(
        RoutingRule(
            unit_id=by_slug(session, Unit, unit).id,
            category_id=by_slug(session, Category, category).id if category else None,
            zone_id=by_slug(session, Zone, zone).id if zone else None,
        )
    )
    session.commit()


def routed(session: Session, category: str, zone: str | None) -> tuple[str | None, str]:
    result = routing.route(
        session=session,
        category=by_slug(session, Category, category),
        zone=by_slug(session, Zone, zone) if zone else None,
    )
    unit = session.get(Unit, result.unit_id) if result.unit_id else None
    return (unit.slug if unit else None, result.reason)


def test_the_category_default_when_no_rule_says_otherwise(session):
    assert routed(session, "dark-spot", "centrum") == ("street-lighting", "category_default")


def test_a_rule_for_the_category_in_a_zone_wins(session):
    # In Sävast the housing company's land: vegetation is the property owner's.
    add_rule(session, "property-owner", category="vegetation", zone="savast")
    assert routed(session, "vegetation", "savast") == ("property-owner", "rule")
    assert routed(session, "vegetation", "centrum") == ("parks", "category_default")


def test_zone_rules_and_the_catch_all_cover_categories_without_a_default(session):
    other = by_slug(session, Category, "other")
    other.default_unit_id = None
    session.add(other)
    session.commit()
    try:
        assert routed(session, "other", "heden") == (None, "no_rule")
        add_rule(session, "streets")
        assert routed(session, "other", "heden") == ("streets", "catch_all")
        add_rule(session, "parks", zone="heden")
        assert routed(session, "other", "heden") == ("parks", "zone_rule")
        assert routed(session, "other", None) == ("streets", "catch_all")
    finally:
        other.default_unit_id = by_slug(session, Unit, "streets").id
        session.add(other)
        session.commit()


def test_good_places_are_kept_not_routed(session):
    add_rule(session, "streets")
    assert routed(session, "good-place", "centrum") == (None, "keep")


def test_a_new_observation_carries_its_unit_and_reason(client, session):
    add_rule(session, "property-owner", category="vegetation", zone="centrum")
    token = post_observation(client, category="vegetation", headers=JSON).json()["token"]
    obs = session.exec(select(Observation).where(Observation.token == token)).one()
    assert session.get(Unit, obs.unit_id).slug == "property-owner"
    assert obs.routing_reason == "rule"


def test_a_reroute_is_logged_but_not_public(client, session):
    token = post_observation(client, headers=JSON).json()["token"]
    obs = session.exec(select(Observation).where(Observation.token == token)).one()
    routing.reroute(
        session=session,
        obs=obs,
        unit=by_slug(session, Unit, "police"),
        actor=lifecycle.Actor(label="Test triager"),
        note="Cable theft",
    )
    assert obs.routing_reason == "by_hand"
    event = session.exec(select(ObservationEvent).where(ObservationEvent.kind == "route")).one()
    assert event.public is False
    assert "street-lighting -> police" in event.internal_note
    page = client.get(f"/observations/{token}").text
    assert "Cable theft" not in page and "Police" in page


def test_the_preview_shows_where_each_category_goes_and_why(session):
    before = {e.category.slug: e for e in routing.preview(session=session)}
    assert "good-place" not in before  # kept, never routed
    dark = before["dark-spot"]
    assert len(dark.groups) == 1 and dark.groups[0].everywhere
    assert (dark.groups[0].unit.slug, dark.groups[0].reason) == (
        "street-lighting",
        "category_default",
    )

    add_rule(session, "property-owner", "dark-spot", "heden")
    dark = {e.category.slug: e for e in routing.preview(session=session)}["dark-spot"]
    assert [(g.unit.slug, g.reason, g.everywhere) for g in dark.groups] == [
        ("street-lighting", "category_default", False),
        ("property-owner", "rule", False),
    ]
    assert [z.slug for z in dark.groups[1].zones] == ["heden"]
