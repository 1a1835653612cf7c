"""POST /open311/v2/requests: a client system's service request, through the capture form's
door, with its API key checked, counted and logged; every refusal in the spec's error format."""

from __future__ import annotations

import json
import logging
import secrets
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC
from io import BytesIO
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlmodel import Session, col, select

from app import clock
from app.main import create_app
from app.models import ApiClient, ApiPost, Category, Observation, Photo, Zone
from app.services import open311_keys
from app.services.media_store import photo_key
from tests import geocoder, mediaserver
from tests.conftest import make_settings
from tests.factories import CENTRUM, JSON, count, jpeg_bytes, observation_fields

URL = "/open311/v2/requests.json"


def make_key(session: Session, name: str = "Work orders", **fields: Any) -> tuple[ApiClient, str]:
    key = secrets.token_urlsafe(32)
    client = ApiClient(name=name, key_hash=open311_keys.key_hash(key), key_hint=key[:6], **fields)
    session.add(client)
    session.commit()
    session.refresh(client)
    return client, key


@pytest.fixture
def key(session: Session) -> str:
    return make_key(session)[1]


def request_fields(key: str, **overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "api_key": key,
        "service_code": "dark-spot",
        "lat": str(CENTRUM[0]),
        "long": str(CENTRUM[1]),
        "description": "The lamp by the underpass is out.",
    }
    fields.update({k: v for k, v in overrides.items() if v is not None})
    for name in [k for k, v in overrides.items() if v is None]:
        fields.pop(name, None)
    return fields


def the_only(session: Session) -> Observation:
    session.expire_all()
    return session.exec(select(Observation)).one()


def error_of(answer: Any) -> tuple[int, str]:
    assert answer.headers["content-type"].startswith("application/json")
    (error,) = answer.json()
    return error["code"], error["description"]


def posts(session: Session) -> list[ApiPost]:
    session.expire_all()
    return list(session.exec(select(ApiPost).order_by(col(ApiPost.id))).all())


@contextmanager
def client_with(database_url: str, tmp_path: Path, **overrides: object) -> Iterator[TestClient]:
    """A client of an app with these settings (media hosts, a geocoder, limits)."""
    app = create_app(make_settings(database_url, tmp_path, **overrides))
    try:
        with TestClient(app, headers={"Accept-Language": "en"}) as test_client:
            yield test_client
    finally:
        app.state.engine.dispose()


def test_a_post_is_stored_as_the_form_would_store_it(client, session, key, stopped_clock):
    api_client = session.exec(select(ApiClient)).one()
    answer = client.post(
        URL,
        data=request_fields(
            key,
            email="anna@example.org",
            first_name="Anna",
            last_name="Andersson",
            phone="070-1234567",
            device_id="device-9",
            account_id="acct-7",
            favourite_colour="ignored",
            **{
                "attribute[unsafe_level]": "4",
                "attribute[factors][]": ["lighting", "deserted"],
                "attribute[dark]": "dark",
                "attribute[observed_at]": "2026-12-01T15:30:00+01:00",
            },
        ),
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/json; charset=utf-8"
    obs = the_only(session)
    assert answer.json() == [
        {
            "service_request_id": obs.id,
            # The public page: a client may show the notice to anyone; the tracking link is
            # the reporter's alone.
            "service_notice": "Received. The municipality aims to deal with it within 14 days. "
            f"Follow it at http://127.0.0.1:8000/reports/{obs.id}",
            "account_id": None,
        }
    ]
    assert obs.api_client_id == api_client.id
    assert obs.contact_email == "anna@example.org"
    assert obs.description == "The lamp by the underpass is out."
    assert (obs.unsafe_level, obs.factors, obs.dark) == (4, "lighting,deserted", True)
    assert obs.observed_at.astimezone(UTC).isoformat() == "2026-12-01T14:30:00+00:00"
    assert (obs.lat, obs.lon, obs.position_source) == (*CENTRUM, "map")
    assert obs.address is None  # none was sent: the background pass may find one
    # No names or numbers are kept anywhere in the row.
    row = json.dumps(obs.model_dump(), default=str)
    for kept_nowhere in ("Anna", "Andersson", "1234567", "device-9", "acct-7", "ignored"):
        assert kept_nowhere not in row

    # The capture form, at the same place and of the same kind, routes it the same way.
    form = client.post("/observations", data=observation_fields(), headers=JSON)
    assert form.status_code == 201
    session.expire_all()
    by_form = session.exec(select(Observation).where(col(Observation.id) != obs.id)).one()
    assert by_form.api_client_id is None
    assert (obs.zone_id, obs.unit_id, obs.routing_reason) == (
        by_form.zone_id,
        by_form.unit_id,
        by_form.routing_reason,
    )
    assert obs.unit_id is not None
    assert session.get(Zone, obs.zone_id).slug == "centrum"  # type: ignore[union-attr]


def test_a_post_in_xml_answers_the_spec_document(client, session, key):
    for url in ("/open311/v2/requests.xml", "/open311/v2/requests"):
        answer = client.post(url, data=request_fields(key))
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"] == "text/xml; charset=utf-8"
        assert answer.text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<service_requests>')
        root = ElementTree.fromstring(answer.content)
        (request,) = root.findall("request")
        assert [child.tag for child in request] == [
            "service_request_id",
            "service_notice",
            "account_id",
        ]
        assert session.get(Observation, int(request.findtext("service_request_id") or 0))
        assert request.findtext("account_id") == ""
    assert count(session, Observation) == 2


def test_the_parameters_but_the_key_may_come_in_the_query(client, session, key):
    fields = request_fields(key)
    body = {"api_key": fields.pop("api_key")}
    answer = client.post(URL + "?" + "&".join(f"{k}={v}" for k, v in fields.items()), data=body)
    assert answer.status_code == 200, answer.text
    assert the_only(session).description == "The lamp by the underpass is out."
    # A key in the address ends up in access logs: refused, whatever the body holds.
    in_address = client.post(URL + f"?api_key={key}", data=request_fields(key))
    assert error_of(in_address) == (
        403,
        "Send api_key in the body, not in the address (addresses are logged).",
    )
    assert count(session, Observation) == 1


def test_a_good_place_has_no_unsafe_questions(client, session, key):
    answer = client.post(
        URL, data=request_fields(key, service_code="good-place", **{"attribute[dark]": "daylight"})
    )
    assert answer.status_code == 200
    assert the_only(session).dark is False
    refused = client.post(
        URL, data=request_fields(key, service_code="good-place", **{"attribute[factors]": "path"})
    )
    assert error_of(refused) == (400, "attribute[factors] is not a question of this service.")


BAD_ATTRIBUTES: list[tuple[dict[str, Any], str]] = [
    ({"attribute[unsafe_level]": "9"}, "attribute[unsafe_level] must be one of: 1, 2, 3, 4, 5."),
    ({"attribute[dark]": ["dark", "daylight"]}, "attribute[dark] takes one value."),
    ({"attribute[colour]": "red"}, "attribute[colour] is not a question of this service."),
    (
        {"attribute[observed_at]": "yesterday"},
        "attribute[observed_at] must be a date and time with its time zone.",
    ),
]


def test_bad_attributes_are_refused(client, session, key):
    for attributes, description in BAD_ATTRIBUTES:
        answer = client.post(URL, data=request_fields(key, **attributes))
        assert error_of(answer) == (400, description)
    assert count(session, Observation) == 0


def test_a_missing_or_unknown_key_is_403(client, session, key):
    for given in (None, "", "not-a-key"):
        answer = client.post(URL, data=request_fields(key, api_key=given))
        assert answer.status_code == 403
        assert error_of(answer)[0] == 403
    assert count(session, Observation) == 0
    assert posts(session) == []  # no key, no client to log it under


def test_a_revoked_key_stops_the_very_next_post(client, session):
    api_client, key = make_key(session)
    assert client.post(URL, data=request_fields(key)).status_code == 200
    api_client.revoked_at = clock.now()
    session.add(api_client)
    session.commit()
    answer = client.post(URL, data=request_fields(key))
    assert error_of(answer) == (403, "api_key is not valid.")
    assert count(session, Observation) == 1


def test_unknown_or_missing_service_code(client, session, key):
    assert error_of(client.post(URL, data=request_fields(key, service_code="potholes"))) == (
        404,
        "service_code potholes was not found.",
    )
    assert error_of(client.post(URL, data=request_fields(key, service_code=None))) == (
        400,
        "service_code is required.",
    )
    category = session.exec(select(Category).where(Category.slug == "litter")).one()
    category.active = False
    session.add(category)
    session.commit()
    assert error_of(client.post(URL, data=request_fields(key, service_code="litter")))[0] == 404


def test_a_private_category_may_be_posted_and_answers_no_id(client, session, key):
    """A blackbox service: its requests are never readable, so no id is given to look for."""
    answer = client.post(URL, data=request_fields(key, service_code="drug-dealing"))
    assert answer.status_code == 200
    assert answer.json() == [
        {
            "service_notice": "Received. It goes to the municipality's staff only and is never "
            "published.",
            "account_id": None,
        }
    ]
    assert the_only(session).api_client_id is not None
    services = {s["service_code"]: s for s in client.get("/open311/v2/services.json").json()}
    assert services["drug-dealing"]["type"] == "blackbox"
    assert services["dark-spot"]["type"] == "realtime"


def test_another_jurisdiction_is_404(client, key):
    answer = client.post(URL, data=request_fields(key, jurisdiction_id="sfgov.org"))
    assert error_of(answer) == (404, "jurisdiction_id sfgov.org is not served here.")
    assert client.post(URL, data=request_fields(key, jurisdiction_id="127.0.0.1")).is_success


BAD_POSITIONS = [
    ("91", "21.6"),
    ("65.8", "-181"),
    ("nan", "21.6"),
    ("65.8", "inf"),
    ("65.8", None),
    (None, "21.6"),
    ("1_0", "21.6"),
    ("north", "21.6"),
]


def test_a_bad_position_is_400(client, session, key):
    for lat, long in BAD_POSITIONS:
        answer = client.post(URL, data=request_fields(key, lat=lat, long=long))
        assert answer.status_code == 400, (lat, long)
        assert error_of(answer)[1].startswith(("lat must lie", "lat and long must both"))
    assert count(session, Observation) == 0


def test_a_location_is_required(client, session, key):
    answer = client.post(URL, data=request_fields(key, lat=None, long=None))
    assert error_of(answer) == (400, "A location is required: lat and long, or address_string.")
    by_id = client.post(URL, data=request_fields(key, lat=None, long=None, address_id="4711"))
    assert "we keep no register of addresses" in error_of(by_id)[1]
    no_geocoder = client.post(
        URL, data=request_fields(key, lat=None, long=None, address_string="Storgatan 12")
    )
    assert error_of(no_geocoder) == (
        400,
        "address_string needs a geocoder, and none is set up here: send lat and long.",
    )
    assert count(session, Observation) == 0
    assert [p.status_code for p in posts(session)] == [400, 400, 400]


def test_an_address_string_is_geocoded(database_url, tmp_path, session, key):
    with (
        geocoder.serve() as nominatim,
        client_with(
            database_url, tmp_path, geocoder_url=nominatim.url, geocoder_min_interval_seconds=0
        ) as client,
    ):
        fields = request_fields(key, lat=None, long=None, address_string="  Storgatan 12, Boden ")
        assert client.post(URL, data=fields).status_code == 200
        obs = the_only(session)
        assert (obs.lat, obs.lon) == (65.8253, 21.6880)
        assert session.get(Zone, obs.zone_id).slug == "centrum"  # type: ignore[union-attr]
        # Only the place was looked up: the text a person typed is not published as the
        # address (it may name people); the background pass finds the street's.
        assert obs.address is None
        assert nominatim.search_requests()[0].query["q"] == "Storgatan 12, Boden"

        nominatim.search = lambda q: []
        answer = client.post(URL, data=fields)
        assert error_of(answer) == (
            400,
            "address_string was not found in the municipality: send lat and long.",
        )

        nominatim.statuses = [503]
        answer = client.post(URL, data=fields)
        assert answer.status_code == 503
        assert answer.headers["Retry-After"] == "60"
        assert error_of(answer)[0] == 503
        assert count(session, Observation) == 1


def test_lat_and_long_win_over_an_address_string_which_is_not_published(client, session, key):
    typed = "Outside my flat, Anna Berg, 070-1234567, Storgatan 5"
    assert client.post(URL, data=request_fields(key, address_string=typed)).status_code == 200
    obs = the_only(session)
    assert (obs.lat, obs.lon) == CENTRUM and obs.address is None
    assert "Anna Berg" not in client.get("/open311/v2/requests.xml").text


def test_a_description_up_to_the_specs_4000_characters_is_kept(client, session, key):
    long = "Dark. " * 666 + "End."  # 4000 characters, past the form's 2000
    assert client.post(URL, data=request_fields(key, description=long)).status_code == 200
    assert the_only(session).description == long
    answer = client.post(URL, data=request_fields(key, description=long + "x"))
    assert error_of(answer) == (400, "description: The text is too long: at most 4000 characters.")


def test_one_media_url_at_most(client, session, key):
    urls = ["https://a.example/1.jpg", "https://a.example/2.jpg"]
    answer = client.post(URL, data=request_fields(key, media_url=urls))
    assert error_of(answer) == (400, "Send one media_url (or the photos as media files).")
    assert count(session, Observation) == 0


def test_a_media_upload_goes_through_the_photo_pipeline(client, session, key):
    photo = jpeg_bytes(gps=CENTRUM, camera_serial="SN-123")
    answer = client.post(
        URL,
        data=request_fields(key, lat=None, long=None),
        files=[("media", ("lamp.jpg", photo, "image/jpeg"))],
    )
    assert answer.status_code == 200, answer.text
    obs = the_only(session)
    assert obs.position_source == "photo"
    assert (round(obs.lat, 4), round(obs.lon, 4)) == CENTRUM
    stored = session.exec(select(Photo)).one()
    store = client.app.state.media_store  # type: ignore[attr-defined]
    with Image.open(BytesIO(store.get(photo_key(stored.sha256)))) as image:
        assert not image.getexif()
        assert "exif" not in image.info


def test_a_media_upload_without_a_position_needs_a_location(client, session, key):
    answer = client.post(
        URL,
        data=request_fields(key, lat=None, long=None),
        files=[("media", ("lamp.jpg", jpeg_bytes(), "image/jpeg"))],
    )
    assert error_of(answer) == (
        400,
        "A location is required: lat and long, or address_string (the photo carries no position).",
    )


def test_refused_photos(database_url, tmp_path, session, key):
    with client_with(database_url, tmp_path, upload_max_bytes=20_000) as client:
        not_a_photo = client.post(
            URL, data=request_fields(key), files=[("media", ("a.jpg", b"hello", "image/jpeg"))]
        )
        assert error_of(not_a_photo)[0] == 400
        assert error_of(not_a_photo)[1].startswith("media: That file is not a photo")
        big = jpeg_bytes(2000, 1500, quality=95)
        assert len(big) > 20_000
        too_big = client.post(
            URL, data=request_fields(key), files=[("media", ("a.jpg", big, "image/jpeg"))]
        )
        assert too_big.status_code == 413
        assert error_of(too_big)[1].startswith("media: The photo is larger than")
    assert [p.status_code for p in posts(session)] == [400, 413]
    assert count(session, Observation) == 0


def test_a_media_url_is_fetched_into_the_photo_pipeline(database_url, tmp_path, session, key):
    with mediaserver.serve() as photos:
        photos.routes["/lamp.jpg"] = mediaserver.Route(body=jpeg_bytes(gps=CENTRUM))
        trusted = {
            "open311_media_hosts": "127.0.0.1:*",
            "open311_media_trusted_networks": "127.0.0.1/32",
        }
        with client_with(database_url, tmp_path, **trusted) as client:
            fields = request_fields(key, lat=None, long=None, media_url=photos.url("/lamp.jpg"))
            assert client.post(URL, data=fields).status_code == 200
        obs = the_only(session)
        assert obs.position_source == "photo"
        assert count(session, Photo) == 1

        with client_with(database_url, tmp_path, open311_media_hosts="127.0.0.1:*") as client:
            answer = client.post(URL, data=request_fields(key, media_url=photos.url("/lamp.jpg")))
        assert error_of(answer) == (
            400,
            "media_url's host 127.0.0.1 resolves to an address we do not fetch from "
            "(loopback, private, link-local or reserved).",
        )
        assert photos.paths() == ["/lamp.jpg"]  # the refused one never connected
    assert posts(session)[-1].error.startswith("media_url's host 127.0.0.1 resolves")


def test_the_rate_limit_answers_429_and_every_post_is_logged(client, session, caplog):
    api_client, key = make_key(session, name="Fixa Boden", posts_per_hour=2)
    caplog.set_level(logging.INFO, logger="safetywalk")
    first = client.post(URL, data=request_fields(key, email="anna@example.org"))
    second = client.post(URL, data=request_fields(key, service_code="potholes"))
    third = client.post(URL, data=request_fields(key))
    assert (first.status_code, second.status_code, third.status_code) == (200, 404, 429)
    assert int(third.headers["Retry-After"]) > 3500
    assert error_of(third) == (429, "This api_key has sent 2 requests in the last hour, its limit.")
    logged = posts(session)
    assert [(p.client_id, p.status_code, p.service_code) for p in logged] == [
        (api_client.id, 200, "dark-spot"),
        (api_client.id, 404, "potholes"),
    ]
    assert logged[0].observation_id == first.json()[0]["service_request_id"]
    assert logged[1].error == "service_code potholes was not found."
    lines = [r.getMessage() for r in caplog.records if r.name == "safetywalk"]
    assert len(lines) == 3
    assert all("Fixa Boden" in line for line in lines)
    assert not any("anna" in line or key in line for line in lines)


def test_an_idempotency_key_makes_a_retry_one_observation(client, session):
    _first_client, key = make_key(session)
    _other_client, other_key = make_key(session, name="Another system")
    retry = {"Idempotency-Key": "report-4711"}
    first = client.post(URL, data=request_fields(key), headers=retry)
    again = client.post(URL, data=request_fields(key), headers=retry)
    assert first.json()[0]["service_request_id"] == again.json()[0]["service_request_id"]
    assert count(session, Observation) == 1
    # Another key, or another client system with the same key: new requests.
    fresh = client.post(URL, data=request_fields(key), headers={"Idempotency-Key": "report-4712"})
    other = client.post(URL, data=request_fields(other_key), headers=retry)
    plain = client.post(URL, data=request_fields(key))
    ids = {a.json()[0]["service_request_id"] for a in (first, fresh, other, plain)}
    assert len(ids) == 4
    assert count(session, Observation) == 4
    replayed = the_observation(session, first.json()[0]["service_request_id"])
    assert replayed.client_id == uuid.uuid5(
        uuid.UUID("5b0c3f52-7a1e-4c8e-9a53-0f3a1d6e2b71"), f"{_first_client.id}:report-4711"
    )


def the_observation(session: Session, obs_id: int) -> Observation:
    session.expire_all()
    found = session.get(Observation, obs_id)
    assert found is not None
    return found


def test_a_bad_email_is_400_naming_the_parameter(client, session, key):
    answer = client.post(URL, data=request_fields(key, email="not an address"))
    assert error_of(answer) == (400, "email: That e-mail address does not look right.")


def test_nul_in_a_description_is_a_400_document(client, session, key):
    answer = client.post(URL, data=request_fields(key, description="lamp\x00out"))
    assert error_of(answer) == (400, "description may not hold control characters (such as NUL).")
    xml = client.post("/open311/v2/requests.xml", data=request_fields(key, email="a\x00@b.se"))
    assert xml.status_code == 400
    assert ElementTree.fromstring(xml.content).findtext("error/code") == "400"
    assert count(session, Observation) == 0


def test_a_body_over_the_limit_is_a_413_document(database_url, tmp_path, key):
    with client_with(database_url, tmp_path, upload_max_bytes=10_000) as client:
        limit = client.app.state.settings.open311_body_max_bytes  # type: ignore[attr-defined]
        answer = client.post(
            URL, data=request_fields(key), files=[("media", ("a.jpg", b"x" * limit, "image/jpeg"))]
        )
    assert answer.status_code == 413
    assert error_of(answer)[0] == 413


def test_a_body_that_is_not_a_form_is_400(client, session, key):
    answer = client.post(URL, json=request_fields(key))
    assert error_of(answer) == (
        400,
        "Send the parameters as application/x-www-form-urlencoded (or multipart/form-data "
        "with a media file), not application/json.",
    )
    assert count(session, Observation) == 0


def test_too_many_photos_are_refused(client, session, key):
    photo = ("a.jpg", jpeg_bytes(64, 48), "image/jpeg")
    answer = client.post(URL, data=request_fields(key), files=[("media", photo)] * 6)
    assert error_of(answer)[0] == 400
    assert "photos per service request" in error_of(answer)[1]


def test_the_answer_speaks_the_clients_language(client, session, key):
    answer = client.post(URL, data=request_fields(key), headers={"Accept-Language": "sv"})
    assert "14" in answer.json()[0]["service_notice"]
    assert "Received" not in answer.json()[0]["service_notice"]
    refused = client.post(
        URL, data=request_fields(key, service_code="x"), headers={"Accept-Language": "sv"}
    )
    assert "service_code x" in error_of(refused)[1]
    assert "was not found" not in error_of(refused)[1]


def test_the_schema_describes_the_form(app):
    body = app.openapi()["paths"]["/open311/v2/requests.{format}"]["post"]["requestBody"]
    form = body["content"]["application/x-www-form-urlencoded"]["schema"]
    assert form["required"] == ["api_key", "service_code"]
    assert form["properties"]["lat"]["type"] == "number"
    assert "media" not in form["properties"]
    multipart = body["content"]["multipart/form-data"]["schema"]
    assert multipart["properties"]["media"] == {"type": "string", "format": "binary"}
