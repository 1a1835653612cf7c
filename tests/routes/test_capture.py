"""The resident's capture flow through HTTP: stored once, clear answers, nothing personal shown."""

from __future__ import annotations

import uuid

from sqlalchemy import event
from sqlmodel import Session, select

from app.models import Observation, ObservationEvent, Photo, PositionSource
from tests.factories import (
    CENTRUM,
    JSON,
    NO_POSITION,
    count,
    jpeg_bytes,
    observation_fields,
    post_observation,
    sent_anew,
)


def test_capture_page_offers_the_categories_and_a_fresh_client_id(client):
    page = client.get("/")
    assert page.status_code == 200
    assert "Dark spot / broken light" in page.text
    assert "Good place" in page.text
    assert 'capture="environment"' in page.text
    ids = [line for line in page.text.splitlines() if 'name="client_id"' in line]
    assert len(ids) == 1
    uuid.UUID(ids[0].split('value="')[1].split('"')[0])
    assert 'name="client_id" value=' in client.get("/").text
    assert ids[0] not in client.get("/").text  # a new id for each form


def test_a_report_is_stored_with_its_zone_unit_photo_and_first_history_line(client, session):
    answer = post_observation(client, photos=[("lamp.jpg", jpeg_bytes(), "image/jpeg")])
    assert sent_anew(answer)
    assert "Thank you! Your report is stored." in answer.text
    obs = session.exec(select(Observation)).one()
    assert obs.status == "new"
    assert obs.position_source == PositionSource.gps
    assert obs.accuracy_m == 12
    assert obs.dark is True and obs.unsafe_level == 4
    zone_slug = session.exec(select(Observation).where(Observation.id == obs.id)).one()
    assert zone_slug.zone_id is not None
    assert f"/observations/{obs.token}" in answer.text
    assert count(session, Photo) == 1
    history = session.exec(select(ObservationEvent)).all()
    assert [(e.from_status, e.to_status) for e in history] == [(None, "new")]


def test_status_page_shows_photo_place_and_status_but_never_the_contact(client, session):
    answer = post_observation(
        client,
        photos=[("lamp.jpg", jpeg_bytes(), "image/jpeg")],
        contact_email="resident@example.org",
        headers=JSON,
    )
    page = client.get(answer.json()["url"])
    assert page.status_code == 200
    assert "Dark spot / broken light" in page.text
    assert "Centrum" in page.text
    assert "Received" in page.text
    assert "Street lighting" in page.text
    assert "resident@example.org" not in page.text
    photo = session.exec(select(Photo)).one()
    assert photo.thumb_url in page.text
    assert client.get(photo.url).headers["content-type"] == "image/jpeg"
    assert "resident@example.org" not in client.get("/observations").text


def test_the_same_client_id_ten_times_is_stored_once_with_the_same_tracking_link(client, session):
    client_id = str(uuid.uuid4())
    answers = [
        post_observation(
            client,
            client_id=client_id,
            headers=JSON,
            photos=[("a.jpg", jpeg_bytes(), "image/jpeg")],
        )
        for _ in range(10)
    ]
    assert [a.status_code for a in answers] == [201] + [200] * 9
    assert {a.json()["token"] for a in answers} == {answers[0].json()["token"]}
    assert [a.json()["result"] for a in answers[:2]] == ["stored", "already_stored"]
    assert count(session, Observation) == 1
    assert count(session, Photo) == 1


def test_a_replayed_form_says_it_was_already_stored(client):
    fields = observation_fields()
    first = client.post("/observations", data=fields)
    again = client.post("/observations", data=fields)
    assert sent_anew(first) and again.history[0].headers["location"].endswith("?sent=again")
    assert first.url.path == again.url.path  # the same report's tracking page
    assert "This report was already stored." in again.text


def test_position_comes_from_the_photo_when_the_browser_sent_none(client, session):
    photo = jpeg_bytes(gps=(65.8260, 21.6900))
    answer = post_observation(
        client,
        **NO_POSITION,
        photos=[("p.jpg", photo, "image/jpeg")],
    )
    assert sent_anew(answer)
    assert "used the location stored in your photo" in answer.text
    obs = session.exec(select(Observation)).one()
    assert obs.position_source == PositionSource.photo
    assert abs(obs.lat - 65.8260) < 1e-4 and abs(obs.lon - 21.6900) < 1e-4
    assert obs.accuracy_m is None


def test_without_any_position_the_form_asks_for_one_and_stores_nothing(client, session):
    answer = post_observation(
        client, lat=None, lon=None, photos=[("p.jpg", jpeg_bytes(), "image/jpeg")]
    )
    assert answer.status_code == 422
    assert "Where is it?" in answer.text
    assert count(session, Observation) == 0


def test_a_pin_placed_by_hand_keeps_no_gps_accuracy(client, session):
    post_observation(client, position_source="map", accuracy_m="350")
    obs = session.exec(select(Observation)).one()
    assert obs.position_source == PositionSource.map
    assert obs.accuracy_m is None


def test_a_position_outside_every_zone_is_stored_without_a_zone(client, session):
    assert sent_anew(post_observation(client, lat="59.3293", lon="18.0686"))
    assert session.exec(select(Observation)).one().zone_id is None


def test_invalid_fields_re_render_the_form_with_a_message_next_to_each(client, session):
    answer = post_observation(
        client,
        category="no-such-thing",
        unsafe_level="9",
        contact_email="not-an-address",
        lat="91",
        lon="200",
        description="x" * 2001,
    )
    assert answer.status_code == 422
    text = answer.text
    for message in (
        "Choose what kind of place this is.",
        "Choose how unsafe it feels, from 1 to 5.",
        "That e-mail address does not look right.",
        "The position is not valid.",
        "The text is too long",
    ):
        assert message in text
    assert (
        'id="err-category" class="field-error"><span class="visually-hidden">Error: </span>' in text
    )
    assert 'value="not-an-address"' in text  # what was typed is kept
    assert count(session, Observation) == 0


def test_htmx_errors_swap_only_the_messages_and_keep_the_form(client):
    answer = post_observation(client, category="", headers={"HX-Request": "true"})
    assert answer.status_code == 422
    assert "<form" not in answer.text
    assert 'id="err-category" class="field-error" hx-swap-oob="true"' in answer.text
    assert "Your report is not sent yet" in answer.text


def test_htmx_success_replaces_the_form_with_the_confirmation(client, session):
    answer = post_observation(client, headers={"HX-Request": "true"})
    assert answer.status_code == 201
    assert answer.headers["HX-Retarget"] == "#capture"
    assert "<html" not in answer.text and "Follow your report" in answer.text
    # The address becomes the tracking link (a path: behind a proxy the host may differ).
    token = session.exec(select(Observation)).one().token
    assert answer.headers["HX-Push-Url"] == f"/observations/{token}"
    assert f'value="http://testserver/observations/{token}"' in answer.text


def test_the_thank_you_shows_number_kind_and_district_reading_two_rows_more_than_the_api(
    client, session, engine
):
    """The htmx thank-you reads the report's kind and district, not the status page's rows
    (photos, history, unit): its cost is part of every capture (bench/README.md, "Capture")."""

    def post_counting(headers: dict[str, str]):  # type: ignore[no-untyped-def]
        seen: list[str] = []

        def count(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
            seen.append(statement)

        event.listen(engine, "before_cursor_execute", count)
        try:
            return post_observation(client, headers=headers), len(seen)
        finally:
            event.remove(engine, "before_cursor_execute", count)

    thanks, thanks_reads = post_counting({"HX-Request": "true"})
    stored, api_reads = post_counting(JSON)
    assert thanks.status_code == stored.status_code == 201
    assert thanks_reads <= api_reads + 2
    first = session.exec(select(Observation).order_by(Observation.id)).first()
    assert first is not None
    assert f"<strong>#{first.id}</strong>" in thanks.text
    assert "Dark spot / broken light · Centrum" in thanks.text


def test_missing_or_bad_client_id_is_refused(client, session):
    assert post_observation(client, client_id=None).status_code == 422
    assert post_observation(client, client_id="1234").status_code == 422
    assert count(session, Observation) == 0


def test_a_good_place_carries_no_unsafety_rating(client, session):
    post_observation(client, category="good-place", unsafe_level="5")
    assert session.exec(select(Observation)).one().unsafe_level is None


def test_dark_is_preset_from_the_sun_at_the_place_and_time_when_not_given(
    client, session, stopped_clock
):
    from datetime import timedelta

    # The clock stands at 1 Dec, 17:00 in Boden. The day before at 23:00 local it was dark; at
    # 11:00 local the low winter sun was up. The time observed counts, not the time sent.
    yesterday = stopped_clock - timedelta(days=1)
    for hour, dark in ((22, True), (10, False)):
        at = yesterday.replace(hour=hour)
        answer = post_observation(client, dark=None, observed_at=at.isoformat(), headers=JSON)
        obs = session.exec(
            select(Observation).where(Observation.token == answer.json()["token"])
        ).one()
        assert obs.dark is dark
        assert obs.observed_at == at


def test_unknown_tracking_links_get_a_friendly_404(client):
    for token in ("doesnotexistdoesnotexist", "x", "a" * 64, "../../etc/passwd"):
        page = client.get(f"/observations/{token}")
        assert page.status_code == 404
        assert "could not find" in page.text


def _id_of(client, token: str) -> int:  # type: ignore[no-untyped-def]
    with Session(client.app.state.engine) as session:
        return session.exec(select(Observation.id).where(Observation.token == token)).one()


def test_recent_list_links_to_public_pages_by_number_not_by_tracking_link(client):
    token = post_observation(client, headers=JSON).json()["token"]
    obs_id = _id_of(client, token)
    page = client.get("/observations")
    assert page.status_code == 200 and f'href="/reports/{obs_id}"' in page.text
    assert token not in page.text  # the tracking link stays the reporter's
    public = client.get(f"/reports/{obs_id}")
    assert public.status_code == 200 and "Dark spot / broken light" in public.text
    assert "± 12 m" not in public.text  # no exact accuracy or minute on the public page
    assert "± 12 m" in client.get(f"/observations/{token}").text
    assert client.get("/reports/99999").status_code == 404
    assert client.get(f"/reports/{2**40}").status_code == 422
    assert client.get("/observations?page=0").status_code == 422
    assert client.get("/observations?page=99999999999999999999").status_code == 422


def test_json_answers_for_sync_clients(client):
    refused = post_observation(client, category="nope", headers=JSON)
    assert refused.status_code == 422
    assert refused.json()["result"] == "refused"
    assert "category" in refused.json()["errors"]


def test_daylight_endpoint_checks_its_coordinates(client):
    assert client.get("/capture/daylight?lat=65.8&lon=21.7").json().keys() == {"dark"}
    assert client.get("/capture/daylight?lat=95&lon=21.7").status_code == 422
    assert client.get("/capture/daylight?lat=abc&lon=21.7").status_code == 422


def test_observed_at_in_the_future_is_clamped_to_now(client, session):
    post_observation(client, observed_at="2099-01-01T00:00:00+00:00")
    assert session.exec(select(Observation)).one().observed_at.year < 2099


def test_centrum_point_is_in_centrum(session):
    from app.services import zones

    found = zones.place(session=session, lat=CENTRUM[0], lon=CENTRUM[1])
    assert [zone.slug for zone in found] == ["centrum"]


def test_dates_at_the_edge_of_time_are_not_a_500(client, session):
    for value in ("0001-01-01T00:30:00+01:00", "9999-12-31T23:59:00-01:00", "not a date"):
        answer = post_observation(client, observed_at=value, headers=JSON)
        assert answer.status_code == 201, (value, answer.text)
    assert count(session, Observation) == 3


def test_control_characters_are_dropped_not_stored(client, session):
    answer = post_observation(
        client, description="Dark\x00 under\x01pass\nby the river", headers=JSON
    )
    assert answer.status_code == 201
    obs = session.exec(select(Observation)).one()
    assert obs.description == "Dark underpass\nby the river"
    # An address is not free text: a control character in it is refused, naming the field.
    nul_mail = post_observation(client, contact_email="a\x00@example.org", headers=JSON)
    assert nul_mail.status_code == 422 and nul_mail.json()["field"] == "contact_email"


def test_a_replay_returns_the_first_report_even_if_its_fields_no_longer_pass(client, session):
    fields = observation_fields()
    assert client.post("/observations", data=fields, headers=JSON).status_code == 201
    later = {**fields, "category": "a-category-since-retired", "description": "x" * 5000}
    again = client.post("/observations", data=later, headers=JSON)
    assert again.status_code == 200 and again.json()["result"] == "already_stored"
    assert count(session, Observation) == 1


def test_private_categories_are_routed_but_never_public(client, session):
    token = post_observation(client, category="drug-dealing", headers=JSON).json()["token"]
    obs = session.exec(select(Observation).where(Observation.token == token)).one()
    from app.models import Unit

    assert session.get(Unit, obs.unit_id).slug == "police"
    assert f'href="/reports/{obs.id}"' not in client.get("/observations").text
    assert client.get(f"/reports/{obs.id}").status_code == 404
    offers = client.post(
        "/capture/nearby",
        headers={"HX-Request": "true"},
        data={"category": "drug-dealing", "lat": CENTRUM[0], "lon": CENTRUM[1]},
    )
    assert "Me too" not in offers.text
    assert client.get(f"/observations/{token}").status_code == 200  # the reporter's own link
