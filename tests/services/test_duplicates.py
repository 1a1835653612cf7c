"""Possible duplicates: the same category, still open, within the radius."""

from __future__ import annotations

from sqlmodel import select

from app.models import Observation, Status
from app.services import duplicates, lifecycle
from tests.factories import JSON, make_staff, post_observation

# About 11 m and about 60 m north of Centrum's test point.
CLOSE = ("65.82540", "21.6880")
FAR = ("65.82584", "21.6880")


def report(client, session, lat="65.8253", lon="21.6880", **fields):  # type: ignore[no-untyped-def]
    token = post_observation(client, lat=lat, lon=lon, headers=JSON, **fields).json()["token"]
    return session.exec(select(Observation).where(Observation.token == token)).one()


def test_only_open_nearby_reports_of_the_same_category(client, session):
    first = report(client, session)
    close = report(client, session, *CLOSE)
    far = report(client, session, *FAR)
    other_kind = report(client, session, *CLOSE, category="graffiti")
    found = duplicates.nearby(
        session=session,
        lat=first.lat,
        lon=first.lon,
        category_id=first.category_id,
        radius_m=25,
        exclude_id=first.id,
    )
    assert [n.observation.id for n in found] == [close.id]
    assert 9 < found[0].distance_m < 13
    assert far.id and other_kind.id
    close.status = Status.wont_fix
    session.add(close)
    session.commit()
    assert (
        duplicates.nearby(
            session=session,
            lat=first.lat,
            lon=first.lon,
            category_id=first.category_id,
            radius_m=25,
            exclude_id=first.id,
        )
        == []
    )


def test_merging_keeps_both_and_the_survivor_counts_the_merged_report(client, session):
    survivor = report(client, session)
    merged = report(client, session, *CLOSE)
    actor = lifecycle.Actor.staff(make_staff(session, "triager"))
    lifecycle.transition(
        session=session, obs=merged, to=Status.duplicate, actor=actor, duplicate_of=survivor
    )
    session.refresh(survivor)
    assert survivor.supporters == 1
    assert merged.status == Status.duplicate and merged.duplicate_of_id == survivor.id


def test_triage_lists_possible_duplicates_and_merges_in_one_click(client, session):
    from tests.factories import csrf_token, login_as

    first = report(client, session)
    close = report(client, session, *CLOSE)
    login_as(client, session, "triager")
    page = client.get(f"/triage/{close.id}").text
    assert "Possible duplicates" in page and f"Merge #{close.id} into #{first.id}" in page
    client.post(
        f"/triage/{close.id}/status",
        data={
            "to": "duplicate",
            "duplicate_of": str(first.id),
            "csrf_token": csrf_token(client),
        },
    )
    session.refresh(close)
    assert close.status == Status.duplicate
    assert "Another report merged in" in client.get(f"/triage/{first.id}").text
