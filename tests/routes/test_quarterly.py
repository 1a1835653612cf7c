"""The public quarterly page and its text: no personal data, no private category, places by
district only, photos only where the unit chose; bad keys are 404/422; the unit's choice is
made on the staff observation page."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select

from app import clock
from app.models import Observation, Photo, PhotoKind, Status, Unit, Walk, WalkStatus
from tests.factories import CENTRUM, csrf_token, insert_observation, login_as, make_staff

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)
IN_Q3 = datetime(2026, 8, 10, 18, tzinfo=UTC)
SECRETS = (
    "resident.secret@example.org",
    "Unique words 4711 by the red house",
    "65.824567",
    "21.689123",
    "Drug dealing",
    "Narkotikahandel",
    "Meet at Storgatan 5",
)


@pytest.fixture(autouse=True)
def _december() -> None:
    clock.set_to(NOW)


def unit_id(session: Session, slug: str) -> int:
    return session.exec(select(Unit.id).where(Unit.slug == slug)).one()  # type: ignore[return-value]


def photo(session: Session, obs: Observation, kind: PhotoKind) -> Photo:
    row = Photo(
        observation_id=obs.id,  # type: ignore[arg-type]
        sha256=uuid.uuid4().hex + uuid.uuid4().hex,
        width=800,
        height=600,
        kind=kind,
    )
    session.add(row)
    session.commit()
    return row


def a_quarter_with_personal_data(session: Session) -> dict[str, object]:
    """Reports carrying everything that must not be published, and one published fix."""
    reported = insert_observation(
        session,
        lat=65.824567,
        lon=21.689123,
        created_at=IN_Q3,
        description=SECRETS[1],
        contact_email=SECRETS[0],
    )
    private = insert_observation(
        session,
        lat=CENTRUM[0],
        lon=CENTRUM[1],
        category="drug-dealing",
        created_at=IN_Q3,
        description="Dealing behind the school",
        contact_email="another@example.org",
    )
    shown = insert_observation(
        session,
        lat=65.824567,
        lon=21.689123,
        category="graffiti",
        created_at=IN_Q3,
        status=Status.fixed,
        fixed_at=datetime(2026, 9, 2, tzinfo=UTC),
        photos_published=True,
        description="Tagged by someone I know",
        contact_email="third@example.org",
        unit_id=unit_id(session, "cleaning"),
    )
    kept = insert_observation(
        session,
        lat=CENTRUM[0],
        lon=CENTRUM[1],
        category="graffiti",
        created_at=IN_Q3,
        status=Status.fixed,
        fixed_at=datetime(2026, 9, 3, tzinfo=UTC),
    )
    private_fix = insert_observation(
        session,
        lat=CENTRUM[0],
        lon=CENTRUM[1],
        category="drug-dealing",
        created_at=IN_Q3,
        status=Status.fixed,
        fixed_at=datetime(2026, 9, 3, tzinfo=UTC),
        photos_published=True,
    )
    leader = make_staff(session, "walk_leader")
    session.add(
        Walk(
            title="Evening walk in Centrum",
            zone_id=reported.zone_id,
            starts_at=datetime(2026, 9, 15, 17, tzinfo=UTC),
            leader_id=leader.id,  # type: ignore[arg-type]
            join_code="QRTE22",
            status=WalkStatus.closed,
            meeting_point=SECRETS[6],
            meeting_lat=65.824567,
            meeting_lon=21.689123,
        )
    )
    session.commit()
    return {
        "tokens": [o.token for o in (reported, private, shown, kept, private_fix)],
        "leader": leader,
        "shown_after": photo(session, shown, PhotoKind.after),
        "shown_before": photo(session, shown, PhotoKind.report),
        "kept_after": photo(session, kept, PhotoKind.after),
        "private_after": photo(session, private_fix, PhotoKind.after),
    }


def test_the_page_and_the_text_hold_no_personal_data(client, session: Session) -> None:
    data = a_quarter_with_personal_data(session)
    page = client.get("/quarterly/2026-Q3")
    assert page.status_code == 200
    swedish = client.get("/quarterly/2026-Q3/text?lang=sv")
    english = client.get("/quarterly/2026-Q3/text?lang=en")
    for answer in (page, swedish, english):
        for secret in (*SECRETS, *data["tokens"], "example.org", data["leader"].name):  # type: ignore[attr-defined]
            assert secret not in answer.text, secret
        assert "Centrum" in answer.text
    # Counts: 3 public reports, none of the private ones (not even a count of them).
    assert "Residents reported 3 problems." in english.text
    assert "Graffiti 2" in english.text and "Evening walk in Centrum" in english.text
    # No position finer than the district: no map, no coordinates of any kind.
    for marker in ("data-lat", "data-lon", "data-map", ".geojson", "65.8", "21.6"):
        assert marker not in page.text, marker


def test_photos_show_only_where_the_unit_chose(client, session: Session) -> None:
    data = a_quarter_with_personal_data(session)
    page = client.get("/quarterly/2026-Q3").text
    assert data["shown_after"].thumb_url in page  # type: ignore[attr-defined]
    assert data["shown_before"].thumb_url in page  # type: ignore[attr-defined]
    assert data["kept_after"].sha256 not in page  # type: ignore[attr-defined]
    assert data["private_after"].sha256 not in page  # type: ignore[attr-defined]


def test_the_latest_quarter_links_to_earlier_ones(client, session: Session) -> None:
    insert_observation(
        session, lat=CENTRUM[0], lon=CENTRUM[1], created_at=datetime(2026, 2, 1, tzinfo=UTC)
    )
    page = client.get("/quarterly")
    assert page.status_code == 200
    assert "July\N{EN DASH}September 2026" in page.text
    for key in ("2026-Q3", "2026-Q2", "2026-Q1"):
        assert f'href="/quarterly/{key}"' in page.text
    assert 'href="/quarterly/2026-Q4"' not in page.text  # still running


@pytest.mark.parametrize(
    "path",
    [
        "/quarterly/2026-Q4",  # still running
        "/quarterly/2027-Q1",  # to come
        "/quarterly/2026",  # a year is not a quarter
        "/quarterly/2026-Q5",
        "/quarterly/2026-Q0",
        "/quarterly/nonsense",
        "/quarterly/9999-Q4",
        "/quarterly/0000-Q1",
        "/quarterly/99999999999999-Q1",
        "/quarterly/2026-Q4/text",
        "/quarterly/%00/text",
    ],
)
def test_a_bad_key_is_not_found(client, path: str) -> None:
    answer = client.get(path)
    assert answer.status_code in (404, 422), (path, answer.status_code)


def test_a_long_key_or_a_strange_language_is_refused(client) -> None:
    assert client.get("/quarterly/" + "2" * 40).status_code == 422
    assert client.get("/quarterly/2026-Q3/text?lang=de").status_code == 422


def test_the_text_follows_the_language_switch(client, session: Session) -> None:
    insert_observation(session, lat=CENTRUM[0], lon=CENTRUM[1], created_at=IN_Q3)
    english = client.get("/quarterly/2026-Q3/text")
    assert english.headers["content-type"].startswith("text/plain")
    assert "Residents reported 1" in english.text
    client.get("/lang/sv")
    swedish = client.get("/quarterly/2026-Q3/text")
    assert "Invånarna rapporterade 1" in swedish.text
    assert swedish.headers["content-language"] == "sv"
    page = client.get("/quarterly/2026-Q3")
    assert '<html lang="sv">' in page.text and "Vad vi gjorde" in page.text
    assert "Residents reported" in client.get("/quarterly/2026-Q3/text?lang=en").text


def a_fix_with_an_after_photo(session: Session, unit: str = "cleaning") -> Observation:
    obs = insert_observation(
        session,
        lat=CENTRUM[0],
        lon=CENTRUM[1],
        category="graffiti",
        created_at=IN_Q3,
        status=Status.fixed,
        fixed_at=datetime(2026, 9, 2, tzinfo=UTC),
        unit_id=unit_id(session, unit),
    )
    photo(session, obs, PhotoKind.after)
    return obs


def test_the_owning_unit_publishes_the_photos_from_the_observation_page(
    client, session: Session
) -> None:
    obs = a_fix_with_an_after_photo(session)
    login_as(client, session, "unit_worker", unit="cleaning")
    detail = client.get(f"/triage/{obs.id}")
    assert "Show before/after photos on the quarterly page" in detail.text
    token = csrf_token(client)
    assert client.get("/quarterly/2026-Q3").text.count("fix-card") == 0

    answer = client.post(
        f"/triage/{obs.id}/photos-published",
        data={"csrf_token": token, "published": "true"},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    session.refresh(obs)
    assert obs.photos_published
    assert client.get("/quarterly/2026-Q3").text.count('class="card fix-card"') == 1

    client.post(f"/triage/{obs.id}/photos-published", data={"csrf_token": token})
    session.refresh(obs)
    assert not obs.photos_published


def test_only_the_owning_unit_and_the_desk_may_publish(client, session: Session) -> None:
    obs = a_fix_with_an_after_photo(session)
    login_as(client, session, "unit_worker", unit="street-lighting")
    token = csrf_token(client)
    answer = client.post(
        f"/triage/{obs.id}/photos-published", data={"csrf_token": token, "published": "true"}
    )
    assert answer.status_code == 403
    session.refresh(obs)
    assert not obs.photos_published


def test_publishing_needs_the_csrf_token(client, session: Session) -> None:
    obs = a_fix_with_an_after_photo(session)
    login_as(client, session, "triager")
    answer = client.post(f"/triage/{obs.id}/photos-published", data={"published": "true"})
    assert answer.status_code == 403
    session.refresh(obs)
    assert not obs.photos_published


def test_an_open_item_offers_no_choice_and_is_refused(client, session: Session) -> None:
    obs = insert_observation(session, lat=CENTRUM[0], lon=CENTRUM[1], category="graffiti")
    photo(session, obs, PhotoKind.after)
    login_as(client, session, "triager")
    assert "quarterly page" not in client.get(f"/triage/{obs.id}").text
    answer = client.post(
        f"/triage/{obs.id}/photos-published",
        data={"csrf_token": csrf_token(client), "published": "true"},
    )
    assert answer.status_code == 409
    assert "Only a fix with a photo after the fix" in answer.text
