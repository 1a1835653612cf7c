"""The public quarterly "what we did": counts by public category and by district, fixes with
the photos their unit chose to publish, walks held and coming; quarters in Swedish time."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select

from app import i18n
from app.models import (
    EventKind,
    Observation,
    ObservationEvent,
    Photo,
    PhotoKind,
    Status,
    Walk,
    WalkParticipant,
    WalkStatus,
    Zone,
    ZoneKind,
)
from app.services import quarterly, quarterly_photos, quarterly_text, zones
from app.services.indicators import Period
from tests.factories import CENTRUM, insert_observation, make_staff

Q3 = Period(2026, 3)
NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)
HEDEN = (65.8450, 21.6330)
IN_Q3 = datetime(2026, 8, 10, 18, tzinfo=UTC)
FIXED_IN_Q3 = datetime(2026, 9, 1, 9, tzinfo=UTC)


def counts(rows) -> dict[str, int]:  # type: ignore[no-untyped-def]
    return {c.label: c.count for c in rows}


def zone(session: Session, slug: str) -> Zone:
    return session.exec(select(Zone).where(Zone.slug == slug)).one()


def add_photo(session: Session, obs: Observation, kind: PhotoKind) -> Photo:
    photo = Photo(
        observation_id=obs.id,  # type: ignore[arg-type]
        sha256=uuid.uuid4().hex + uuid.uuid4().hex,
        width=800,
        height=600,
        kind=kind,
    )
    session.add(photo)
    session.commit()
    return photo


def fixed(session: Session, at: datetime = FIXED_IN_Q3, **fields) -> Observation:  # type: ignore[no-untyped-def]
    fields.setdefault("category", "graffiti")
    lat, lon = fields.pop("where", CENTRUM)
    return insert_observation(
        session,
        lat=lat,
        lon=lon,
        created_at=datetime(2026, 7, 20, 10, tzinfo=UTC),
        status=fields.pop("status", Status.fixed),
        fixed_at=at,
        **fields,
    )


def test_reports_are_counted_by_public_category_and_by_district(session: Session) -> None:
    i18n.set_language("en")
    for _n in range(3):
        insert_observation(session, lat=CENTRUM[0], lon=CENTRUM[1], created_at=IN_Q3)
    insert_observation(session, lat=HEDEN[0], lon=HEDEN[1], category="graffiti", created_at=IN_Q3)
    # Left out: a private category, a merged duplicate, a report of another quarter, and one
    # outside every district is counted as such.
    insert_observation(
        session, lat=HEDEN[0], lon=HEDEN[1], category="drug-dealing", created_at=IN_Q3
    )
    insert_observation(
        session, lat=CENTRUM[0], lon=CENTRUM[1], created_at=IN_Q3, status=Status.duplicate
    )
    insert_observation(
        session, lat=CENTRUM[0], lon=CENTRUM[1], created_at=datetime(2026, 10, 2, tzinfo=UTC)
    )
    insert_observation(session, lat=65.60, lon=22.10, created_at=IN_Q3)  # far out of town

    report = quarterly.build(session=session, period=Q3, now=NOW)

    assert report.reported == 5
    assert counts(report.reported_by_category) == {
        "Dark spot / broken light": 4,
        "Graffiti": 1,
    }
    assert counts(report.reported_by_district) == {
        "Centrum": 3,
        "Heden": 1,
        "Outside the districts": 1,
    }


def test_a_part_of_town_counts_for_its_district(session: Session) -> None:
    centrum = zone(session, "centrum")
    SW = [21.687, 65.824]
    part = zones.upsert(
        session=session,
        slug="kvarteret",
        name="Kvarteret Lärkan",
        geometry={
            "type": "Polygon",
            "coordinates": [
                [[21.687, 65.824], [21.689, 65.824], [21.689, 65.826], [21.687, 65.826], SW]
            ],
        },
        kind=ZoneKind.part_of_town,
        parent_id=centrum.id,
    )
    session.commit()
    obs = insert_observation(session, lat=CENTRUM[0], lon=CENTRUM[1], created_at=IN_Q3)
    assert obs.zone_id == part.id  # stored in the part of town ...
    walk = Walk(
        title="Kvällsvandring",
        zone_id=part.id,
        starts_at=IN_Q3,
        leader_id=make_staff(session, "walk_leader").id,
        join_code="QRTK22",
        status=WalkStatus.closed,
    )
    session.add(walk)
    session.commit()

    report = quarterly.build(session=session, period=Q3, now=NOW)

    # ... and shown by its district only.
    assert counts(report.reported_by_district) == {"Centrum": 1}
    assert [w.district for w in report.walks_held] == ["Centrum"]


@pytest.mark.parametrize(
    ("at", "inside", "outside"),
    [
        (datetime(2026, 6, 30, 21, 59, tzinfo=UTC), "2026-Q2", "2026-Q3"),  # 23:59 in Boden
        (datetime(2026, 6, 30, 22, 0, tzinfo=UTC), "2026-Q3", "2026-Q2"),  # midnight, 1 July
        (datetime(2026, 9, 30, 21, 59, tzinfo=UTC), "2026-Q3", "2026-Q4"),
        (datetime(2026, 9, 30, 22, 0, tzinfo=UTC), "2026-Q4", "2026-Q3"),
        (datetime(2026, 12, 31, 22, 59, tzinfo=UTC), "2026-Q4", "2027-Q1"),  # winter time
        (datetime(2026, 12, 31, 23, 0, tzinfo=UTC), "2027-Q1", "2026-Q4"),  # 1 January 2027
    ],
)
def test_quarters_begin_and_end_at_midnight_in_sweden(
    session: Session, at: datetime, inside: str, outside: str
) -> None:
    insert_observation(session, lat=CENTRUM[0], lon=CENTRUM[1], created_at=at)
    later = datetime(2027, 6, 1, tzinfo=UTC)
    assert quarterly.build(session=session, period=Period.parse(inside), now=later).reported == 1
    assert quarterly.build(session=session, period=Period.parse(outside), now=later).reported == 0


def test_what_was_fixed_counts_public_fixes_of_the_quarter(session: Session) -> None:
    fixed(session)
    fixed(session, status=Status.verified, category="dark-spot")
    fixed(session, category="drug-dealing")  # private: not even counted
    fixed(session, status=Status.reopened)  # fixed then, open again now
    fixed(session, at=datetime(2026, 10, 3, tzinfo=UTC))  # next quarter

    report = quarterly.build(session=session, period=Q3, now=NOW)

    assert report.fixed == 2
    assert counts(report.fixed_by_category) == {"Dark spot / broken light": 1, "Graffiti": 1}


def test_photos_show_only_when_the_unit_chose_to_publish_them(session: Session) -> None:
    shown = fixed(session, photos_published=True)
    before = add_photo(session, shown, PhotoKind.report)
    after = add_photo(session, shown, PhotoKind.after)
    not_chosen = fixed(session)
    add_photo(session, not_chosen, PhotoKind.after)
    private = fixed(session, category="drug-dealing", photos_published=True)
    add_photo(session, private, PhotoKind.after)
    without_after = fixed(session, photos_published=True)
    add_photo(session, without_after, PhotoKind.report)
    reopened = fixed(session, status=Status.reopened, photos_published=True)
    add_photo(session, reopened, PhotoKind.after)

    report = quarterly.build(session=session, period=Q3, now=NOW)

    assert len(report.fixes_shown) == 1
    fix = report.fixes_shown[0]
    assert (fix.category, fix.district) == ("Graffiti", "Centrum")
    assert [p.url for p in fix.before] == [before.url]
    assert [p.url for p in fix.after] == [after.url]


def test_walks_held_in_the_quarter_and_walks_to_come(session: Session) -> None:
    leader = make_staff(session, "walk_leader")
    heden = zone(session, "heden")

    def walk(title: str, at: datetime, status: WalkStatus, code: str) -> Walk:
        row = Walk(
            title=title,
            zone_id=heden.id,
            starts_at=at,
            leader_id=leader.id,
            join_code=code,
            status=status,
            meeting_point="Outside number 12",
            description="Call Anna on 070-1234567",
        )
        session.add(row)
        session.commit()
        return row

    held = walk("Evening walk on Heden", IN_Q3, WalkStatus.closed, "QRTA22")
    for _n in range(7):
        session.add(WalkParticipant(walk_id=held.id, device_id=uuid.uuid4()))  # type: ignore[arg-type]
    session.commit()
    walk("Never started", datetime(2026, 8, 1, 17, tzinfo=UTC), WalkStatus.planned, "QRTB22")
    walk("Next walk", datetime(2026, 12, 10, 17, tzinfo=UTC), WalkStatus.planned, "QRTC22")
    walk("Earlier walk", datetime(2026, 11, 10, 17, tzinfo=UTC), WalkStatus.closed, "QRTD22")

    report = quarterly.build(session=session, period=Q3, now=NOW)

    assert [(w.title, w.district, w.participants) for w in report.walks_held] == [
        ("Evening walk on Heden", "Heden", 7)
    ]
    assert [(w.title, w.district) for w in report.walks_coming] == [("Next walk", "Heden")]


def test_the_latest_complete_quarter_and_the_keys_that_name_one() -> None:
    assert quarterly.latest_complete(now=NOW).key == "2026-Q3"
    # 00:30 on 1 October in Boden: the third quarter has just ended.
    assert quarterly.latest_complete(now=datetime(2026, 9, 30, 22, 30, tzinfo=UTC)).key == "2026-Q3"
    assert quarterly.latest_complete(now=datetime(2027, 2, 1, tzinfo=UTC)).key == "2026-Q4"
    assert quarterly.by_key(key="2026-Q3", now=NOW) == Q3
    for key in ("2026-Q4", "2027-Q1", "2026", "2026-Q5", "2026-Q0", "Q3-2026", "", "9999-Q1"):
        assert quarterly.by_key(key=key, now=NOW) is None, key


def test_earlier_quarters_are_listed_back_to_the_first_report(session: Session) -> None:
    insert_observation(
        session, lat=CENTRUM[0], lon=CENTRUM[1], created_at=datetime(2026, 2, 3, tzinfo=UTC)
    )
    listed = quarterly.listed(session=session, now=NOW)
    assert [p.key for p in listed] == ["2026-Q3", "2026-Q2", "2026-Q1"]


def test_the_text_names_no_one_and_follows_the_language(session: Session) -> None:
    obs = insert_observation(
        session,
        lat=65.824567,
        lon=21.689123,
        created_at=IN_Q3,
        description="Secret words 4711",
        contact_email="someone@example.org",
    )
    with i18n.using("sv"):
        swedish = quarterly_text.text(
            quarterly.build(session=session, period=Q3, now=NOW), page_url="https://x/q"
        )
    with i18n.using("en"):
        english = quarterly_text.text(
            quarterly.build(session=session, period=Q3, now=NOW), page_url="https://x/q"
        )
    for text in (swedish, english):
        for secret in ("4711", "someone@", "65.82", "21.68", obs.token):
            assert secret not in text
        assert "Centrum 1" in text and "https://x/q" in text
    assert "Residents reported 1 problem." in english
    assert "Invånarna rapporterade 1 problem." in swedish


def test_the_unit_chooses_to_publish_and_may_take_it_back(session: Session) -> None:
    obs = fixed(session, unit_id=None)
    add_photo(session, obs, PhotoKind.after)
    lighting = make_staff(session, "unit_worker", unit="street-lighting")
    cleaning = make_staff(session, "unit_worker", unit="cleaning")
    obs.unit_id = cleaning.unit_id
    session.add(obs)
    session.commit()

    with pytest.raises(quarterly_photos.PublishRefused) as refused:
        quarterly_photos.set_published(session=session, obs=obs, actor=lighting, published=True)
    assert refused.value.status_code == 403

    quarterly_photos.set_published(session=session, obs=obs, actor=cleaning, published=True)
    assert obs.photos_published
    quarterly_photos.set_published(session=session, obs=obs, actor=cleaning, published=False)
    assert not obs.photos_published
    notes = session.exec(
        select(ObservationEvent).where(
            ObservationEvent.observation_id == obs.id, ObservationEvent.kind == EventKind.note
        )
    ).all()
    assert len(notes) == 2 and not any(n.public for n in notes)


@pytest.mark.parametrize(
    "case", ["not fixed", "no after photo", "private category"], ids=lambda c: c
)
def test_photos_that_cannot_be_published(session: Session, case: str) -> None:
    admin = make_staff(session, "admin")
    obs = fixed(
        session,
        status=Status.in_progress if case == "not fixed" else Status.fixed,
        category="drug-dealing" if case == "private category" else "graffiti",
    )
    if case != "no after photo":
        add_photo(session, obs, PhotoKind.after)
    assert not quarterly_photos.may_publish(session=session, obs=obs)
    with pytest.raises(quarterly_photos.PublishRefused) as refused:
        quarterly_photos.set_published(session=session, obs=obs, actor=admin, published=True)
    assert refused.value.status_code == 409
    session.refresh(obs)
    assert not obs.photos_published
