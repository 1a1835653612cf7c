"""Open311 GeoReport v2, the read side, over HTTP: discovery, services, service definitions,
requests (filters, window, sort, paging), one request, tokens; in XML and JSON as the spec
lists their fields; the spec's errors; no personal data and no private category anywhere."""

from __future__ import annotations

import json
from datetime import timedelta
from xml.etree import ElementTree

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from app import clock
from app.models import (
    Category,
    Observation,
    ObservationEvent,
    OutsideOwner,
    Photo,
    PhotoKind,
    Priority,
    Status,
    Unit,
)
from app.services import open311, open311_requests
from app.services.open311_query import RequestQuery
from tests.conftest import make_settings
from tests.factories import CENTRUM, JSON, insert_observation, jpeg_bytes, post_observation
from tests.routes.test_queue_queries import statements_for

V2 = "/open311/v2"
DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'
REQUEST_FIELDS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
]
SERVICE_FIELDS = [
    "service_code",
    "service_name",
    "description",
    "metadata",
    "type",
    "keywords",
    "group",
]
EMAIL = "reporter.secret@example.org"
INTERNAL = "Ring Ove on 070-1234567"


def url(resource: str, fmt: str, query: str = "") -> str:
    """`fmt` "xml"/"json" as an extension; "" for the extension-less variant (XML)."""
    return f"{V2}/{resource}{'.' + fmt if fmt else ''}{'?' + query if query else ''}"


def xml_of(answer) -> ElementTree.Element:  # type: ignore[no-untyped-def]
    assert answer.headers["content-type"] == "text/xml; charset=utf-8"
    assert answer.content.startswith(DECLARATION)
    return ElementTree.fromstring(answer.content)


def json_of(answer):  # type: ignore[no-untyped-def]
    assert answer.headers["content-type"] == "application/json; charset=utf-8"
    return json.loads(answer.content)


def ids_of(client, query: str = "") -> list[int]:  # type: ignore[no-untyped-def]
    answer = client.get(url("requests", "json", query))
    assert answer.status_code == 200, answer.text
    return [item["service_request_id"] for item in json_of(answer)]


def error_of(answer, status: int, fmt: str) -> str:  # type: ignore[no-untyped-def]
    """The spec's error document with `status` in `fmt`; its description."""
    assert answer.status_code == status, answer.text
    if fmt == "json":
        [error] = json_of(answer)
        assert error["code"] == status and set(error) == {"code", "description"}
        return error["description"]
    root = xml_of(answer)
    assert root.tag == "errors" and [e.tag for e in root] == ["error"]
    assert [c.tag for c in root[0]] == ["code", "description"] and root[0][0].text == str(status)
    return root[0][1].text or ""


def place(session: Session, **fields):  # type: ignore[no-untyped-def]
    return insert_observation(session, lat=CENTRUM[0], lon=CENTRUM[1], **fields)


def posted(session: Session, answer) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    """The number and token of an observation the capture form stored."""
    assert answer.status_code == 201, answer.text
    token = answer.json()["token"]
    return session.exec(select(Observation.id).where(Observation.token == token)).one(), token


def unit_id(session: Session, slug: str) -> int:
    return session.exec(select(Unit.id).where(Unit.slug == slug)).one()


def test_discovery_in_both_formats(client, settings) -> None:
    root = xml_of(client.get(url("discovery", "xml")))
    assert root.tag == "discovery"
    assert [c.tag for c in root] == ["changeset", "contact", "key_service", "endpoints"]
    assert all((c.text or "").strip() for c in root[:3])
    [endpoint] = root.find("endpoints")  # type: ignore[misc]
    assert [c.tag for c in endpoint] == ["specification", "url", "changeset", "type", "formats"]
    assert endpoint.findtext("specification") == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint.findtext("url") == settings.public_url + "/open311/v2"
    assert endpoint.findtext("type") == "test"  # not the production environment
    assert [f.text for f in endpoint.find("formats")] == ["text/xml", "application/json"]  # type: ignore[union-attr]
    assert ElementTree.tostring(xml_of(client.get(url("discovery", "")))) == ElementTree.tostring(
        root
    )
    document = json_of(client.get(url("discovery", "json")))
    assert isinstance(document, dict)
    assert document["endpoints"][0]["formats"] == ["text/xml", "application/json"]
    assert document["changeset"] == root.findtext("changeset")


def test_discovery_says_production_and_the_settings_contact(tmp_path) -> None:
    settings = make_settings(
        "sqlite://",
        tmp_path,
        environment="production",
        public_url="https://safetywalk.boden.example",
        open311_contact="Tekniska förvaltningen, 0921-620 00",
        open311_key_service="Ask gis@boden.example for a key.",
    )
    document = open311.discovery(settings)
    assert document["contact"] == "Tekniska förvaltningen, 0921-620 00"
    assert document["key_service"] == "Ask gis@boden.example for a key."
    [endpoint] = document["endpoints"]
    assert endpoint["type"] == "production"
    assert endpoint["url"] == "https://safetywalk.boden.example/open311/v2"


def test_services_list_the_active_categories_in_both_formats(client, session) -> None:
    retired = session.exec(select(Category).where(Category.slug == "signage")).one()
    retired.active = False
    session.add(retired)
    session.commit()
    active = session.exec(
        select(Category.slug).where(Category.active).order_by(Category.position, Category.id)
    ).all()

    root = xml_of(client.get(url("services", "xml")))
    assert root.tag == "services" and {s.tag for s in root} == {"service"}
    assert [s.findtext("service_code") for s in root] == list(active)
    for service in root:
        assert [c.tag for c in service] == SERVICE_FIELDS
        private = service.findtext("service_code") == "drug-dealing"
        assert service.findtext("metadata") == "true"
        assert service.findtext("type") == ("blackbox" if private else "realtime")

    services = json_of(client.get(url("services", "json")))
    assert isinstance(services, list) and [s["service_code"] for s in services] == list(active)
    by_code = {s["service_code"]: s for s in services}
    assert "signage" not in by_code
    dark = by_code["dark-spot"]
    assert dark["metadata"] is True and dark["group"] == "Problems"
    assert dark["service_name"] == "Dark spot / broken light"
    assert dark["keywords"].split(",") == ["Mörk plats", "trasig belysning", "dark", "spot"]
    assert by_code["good-place"]["group"] == "Good places"
    assert "never published" in by_code["drug-dealing"]["description"]
    assert "never published" not in dark["description"]
    assert xml_of(client.get(url("services", ""))).findtext("service/service_code") == active[0]

    swedish = client.get(url("services", "json"), headers={"Accept-Language": "sv"})
    dark_sv = next(s for s in json_of(swedish) if s["service_code"] == "dark-spot")
    assert dark_sv["service_name"] == "Mörk plats / trasig belysning"
    assert dark_sv["group"] == "Problem" and "Dark spot" in dark_sv["keywords"]


def test_a_service_definition_in_both_formats(client, session) -> None:
    root = xml_of(client.get(url("services/dark-spot", "xml")))
    assert root.tag == "service_definition"
    assert [c.tag for c in root] == ["service_code", "attributes"]
    assert root.findtext("service_code") == "dark-spot"
    first = root.find("attributes/attribute")
    assert first is not None and first.findtext("order") == "1"
    assert [v.tag for v in first.find("values")] == ["value"] * 5  # type: ignore[union-attr]
    definition = json_of(client.get(url("services/dark-spot", "json")))
    assert isinstance(definition, dict) and definition["service_code"] == "dark-spot"
    assert definition["attributes"][0]["values"][0] == {"key": "1", "name": "1: Not at all"}
    assert xml_of(client.get(url("services/good-place", ""))).findtext("service_code") == (
        "good-place"
    )

    retired = session.exec(select(Category).where(Category.slug == "signage")).one()
    retired.active = False
    session.add(retired)
    session.commit()
    for fmt in ("xml", "json", ""):
        for code in ("no-such-thing", "signage"):
            said = error_of(client.get(url(f"services/{code}", fmt)), 404, fmt or "xml")
            assert code in said


def test_requests_in_both_formats_with_the_spec_fields(client, session, stopped_clock) -> None:
    answer = post_observation(
        client,
        headers=JSON,
        contact_email=EMAIL,
        photos=[("lamp.jpg", jpeg_bytes(320, 240), "image/jpeg")],
    )
    number, token = posted(session, answer)
    photo = session.exec(select(Photo).where(Photo.observation_id == number)).one()

    items = json_of(client.get(url("requests", "json")))
    assert isinstance(items, list) and len(items) == 1
    item = items[0]
    assert list(item) == REQUEST_FIELDS
    assert item["service_request_id"] == number and item["status"] == "open"
    assert item["status_notes"] == "Received."
    assert (item["service_code"], item["service_name"]) == (
        "dark-spot",
        "Dark spot / broken light",
    )
    assert item["description"] == "The lamp by the underpass is out."
    assert item["agency_responsible"] == "Street lighting"
    assert item["service_notice"] is None
    # Reported at 17:00 Swedish time on 1 December: published as that day, as the public
    # page shows it; due in 14 days (normal priority).
    assert item["requested_datetime"] == "2026-12-01T00:00:00+01:00"
    assert item["updated_datetime"] == "2026-12-01T00:00:00+01:00"
    assert item["expected_datetime"] == "2026-12-15T00:00:00+01:00"
    assert item["address"] is None and item["address_id"] is None and item["zipcode"] is None
    assert (item["lat"], item["long"]) == CENTRUM and isinstance(item["lat"], float)
    assert item["media_url"] == "http://127.0.0.1:8000" + photo.url

    for fmt in ("xml", ""):
        root = xml_of(client.get(url("requests", fmt)))
        assert root.tag == "service_requests" and [r.tag for r in root] == ["request"]
        assert [c.tag for c in root[0]] == REQUEST_FIELDS
        assert root[0].findtext("service_request_id") == str(number)
        assert root[0].findtext("service_notice") == "" and root[0].findtext("lat") == "65.8253"

    one = json_of(client.get(url(f"requests/{number}", "json")))
    assert one == items
    for fmt in ("xml", ""):
        root = xml_of(client.get(url(f"requests/{number}", fmt)))
        assert root.tag == "service_requests" and [c.tag for c in root[0]] == REQUEST_FIELDS

    assert json_of(client.get(url(f"tokens/{token}", "json"))) == [
        {"service_request_id": number, "token": token}
    ]
    for fmt in ("xml", ""):
        root = xml_of(client.get(url(f"tokens/{token}", fmt)))
        assert root.tag == "service_requests"
        assert [c.tag for c in root[0]] == ["service_request_id", "token"]
        assert root[0].findtext("token") == token

    # No e-mail and no token in any answer but the tokens one.
    for path in ("requests", f"requests/{number}", "services", "discovery"):
        for fmt in ("xml", "json", ""):
            body = client.get(url(path, fmt)).text
            assert EMAIL not in body and token not in body


def test_status_notes_public_notes_only_and_the_agency(client, session, stopped_clock) -> None:
    scheduled = place(
        session, status=Status.scheduled, unit_id=unit_id(session, "parks"), description=""
    )
    for note, internal, public in (
        ("Old news.", "", True),
        ("We trim the hedge next week.", INTERNAL, True),
        ("", INTERNAL, True),  # the latest line has no public note
        ("Staff only line", INTERNAL, False),  # never public
    ):
        session.add(
            ObservationEvent(
                observation_id=scheduled.id,  # type: ignore[arg-type]
                to_status=Status.scheduled,
                note=note,
                internal_note=internal,
                public=public,
                actor="Zelda Quartermain",
                at=clock.now() + timedelta(hours=1),
            )
        )
    owner = OutsideOwner(name="Trafikverket", email="trafikverket@example.org")
    session.add(owner)
    session.commit()
    handed = place(
        session,
        status=Status.not_ours,
        handed_to="Trafikverket",
        outside_owner_id=owner.id,
        unit_id=unit_id(session, "streets"),
        status_changed_at=clock.now() + timedelta(days=2),
    )
    good = place(session, category="good-place")
    merged_into = place(session)
    merged = place(session, status=Status.duplicate, duplicate_of_id=merged_into.id)

    found = {r["service_request_id"]: r for r in json_of(client.get(url("requests", "json")))}
    notes = found[scheduled.id]["status_notes"]
    assert notes == "Scheduled. We trim the hedge next week."
    assert found[scheduled.id]["agency_responsible"] == "Parks and vegetation"
    assert found[scheduled.id]["description"] is None
    body = client.get(url("requests", "xml")).text
    assert INTERNAL not in body and "Staff only" not in body and "Zelda" not in body
    assert "trafikverket@example.org" not in body

    assert found[handed.id]["status"] == "closed"
    # The unit, as on the public page: an outside owner may be a private person.
    assert found[handed.id]["agency_responsible"] == "Streets and paths"
    assert "Trafikverket" not in body
    assert found[handed.id]["status_notes"] == "Handed to another owner."
    # Closed: updated is the day it was closed, and nothing more is expected.
    assert found[handed.id]["updated_datetime"] == "2026-12-03T00:00:00+01:00"
    assert found[handed.id]["expected_datetime"] is None

    assert found[good.id]["agency_responsible"] is None
    assert found[good.id]["expected_datetime"] is None  # kept, not fixed
    assert "good place" in found[good.id]["service_notice"]

    assert found[merged.id]["status"] == "closed"
    assert str(merged_into.id) in found[merged.id]["status_notes"]
    assert str(merged_into.id) in found[merged.id]["service_notice"]

    with_urgent = place(session, priority=Priority.urgent)
    [urgent] = json_of(client.get(url(f"requests/{with_urgent.id}", "json")))
    assert urgent["expected_datetime"] == "2026-12-02T00:00:00+01:00"


def test_private_categories_are_never_listed_and_404_by_id(client, session) -> None:
    answer = post_observation(client, headers=JSON, category="drug-dealing")
    private_id, private_token = posted(session, answer)
    public = place(session)
    assert ids_of(client) == [public.id]
    assert ids_of(client, f"service_request_id={private_id},{public.id}") == [public.id]
    for fmt in ("xml", "json", ""):
        assert str(private_id) in error_of(
            client.get(url(f"requests/{private_id}", fmt)), 404, fmt or "xml"
        )
        error_of(client.get(url(f"tokens/{private_token}", fmt)), 404, fmt or "xml")
    assert "drug-dealing" in error_of(
        client.get(url("requests", "json", "service_code=drug-dealing")), 404, "json"
    )


def test_service_request_id_overrides_every_other_argument(client, session, stopped_clock):  # type: ignore[no-untyped-def]
    old = place(session, created_at=clock.now() - timedelta(days=200), status=Status.fixed)
    new = place(session, category="litter")
    query = (
        f"service_request_id={old.id},%20{new.id},99999,99999999999999"
        "&status=open&service_code=dark-spot&start_date=2026-11-30T00:00:00Z"
        "&page=7&page_size=1"
    )
    assert ids_of(client, query) == [new.id, old.id]  # newest first
    for junk in ("abc", "1;2", "-1", "1.5", "\u0661"):  # an Arabic-Indic one: a digit, not ours
        said = error_of(
            client.get(url("requests", "xml", f"service_request_id={junk}")), 400, "xml"
        )
        assert "service_request_id" in said
    assert ids_of(client, "service_request_id=&status=open") == [new.id]  # empty is absent


def test_service_codes_and_statuses(client, session, stopped_clock) -> None:
    dark = place(session, category="dark-spot")
    litter = place(session, category="litter", status=Status.fixed)
    graffiti = place(session, category="graffiti", status=Status.wont_fix)
    lamp = place(session, category="dark-spot", status=Status.in_progress)
    both = "service_code=dark-spot,litter"
    assert set(ids_of(client, both)) == {dark.id, litter.id, lamp.id}
    assert set(ids_of(client, "service_code=graffiti")) == {graffiti.id}
    assert set(ids_of(client, "status=open")) == {dark.id, lamp.id}
    assert set(ids_of(client, "status=closed")) == {litter.id, graffiti.id}
    every = {dark.id, litter.id, graffiti.id, lamp.id}
    assert set(ids_of(client, "status=open,closed")) == every
    assert set(ids_of(client, "status=Closed,OPEN")) == every
    assert set(ids_of(client, f"{both}&status=closed")) == {litter.id}
    assert set(ids_of(client, "status=&service_code=")) == every  # empty is absent
    for fmt in ("xml", "json"):
        assert "no-such" in error_of(
            client.get(url("requests", fmt, "service_code=dark-spot,no-such")), 404, fmt
        )
        assert "status" in error_of(client.get(url("requests", fmt, "status=pending")), 400, fmt)


def test_the_date_window(client, session, stopped_clock) -> None:
    today = place(session)
    month = place(session, created_at=clock.now() - timedelta(days=30))
    hundred = place(session, created_at=clock.now() - timedelta(days=100))
    # By default the most recent 90 days.
    assert ids_of(client) == [today.id, month.id]
    # A start date alone: 90 days from it.
    assert ids_of(client, "start_date=2026-08-01T00:00:00Z") == [hundred.id]
    assert ids_of(client, "start_date=2026-08-01T00:00:00%2B02:00") == [hundred.id]
    assert ids_of(client, "start_date=2026-08-01T00:00:00+02:00") == [hundred.id]  # "+" as sent
    # An end date alone: the 90 days before it.
    assert ids_of(client, "end_date=2026-11-02T00:00:00Z") == [month.id, hundred.id]
    assert ids_of(client, "start_date=2026-11-01T00:00%2B01:00&end_date=2026-12-01T23:59Z") == [
        today.id,
        month.id,
    ]
    for fmt in ("xml", "json"):
        too_long = "start_date=2026-08-01T00:00:00Z&end_date=2026-11-01T00:00:00Z"
        assert "90 days" in error_of(client.get(url("requests", fmt, too_long)), 400, fmt)
        backwards = "start_date=2026-11-02T00:00:00Z&end_date=2026-11-01T00:00:00Z"
        assert "start_date" in error_of(client.get(url("requests", fmt, backwards)), 400, fmt)
        for bad in ("2026-11-01T00:00:00", "2026-11-01", "yesterday", "0001-01-01T00:00:00Z"):
            said = error_of(client.get(url("requests", fmt, f"end_date={bad}")), 400, fmt)
            assert "end_date" in said


def test_the_window_counts_in_published_days(client, session, stopped_clock) -> None:
    """Reported at 17:00 on 1 December (Swedish time) and published as that day: a window is
    applied to the same day, so narrowing it never finds the minute."""
    made = place(session)
    assert ids_of(client, "start_date=2026-11-30T23:00:00Z") == [made.id]  # 1 Dec 00:00 local
    assert ids_of(client, "start_date=2026-12-01T12:00:00Z") == []  # after the day began
    assert ids_of(client, "start_date=2026-12-01T17:00:00Z") == []
    assert ids_of(client, "end_date=2026-11-30T23:00:00Z") == [made.id]  # the day's start
    assert ids_of(client, "end_date=2026-11-30T22:59:59Z") == []


def test_newest_first_and_paging(client, session, stopped_clock, app) -> None:
    made = [place(session, created_at=clock.now() - timedelta(hours=5 * i)) for i in range(7)]
    twin = place(session, created_at=made[2].created_at)  # same moment: the higher id first
    expected = [made[0].id, made[1].id, twin.id, *(obs.id for obs in made[2:])]
    assert ids_of(client) == expected
    assert ids_of(client, "page_size=3") == expected[:3]
    assert ids_of(client, "page_size=3&page=2") == expected[3:6]
    assert ids_of(client, "page_size=3&page=3") == expected[6:]
    assert ids_of(client, "page_size=3&page=4") == []
    assert ids_of(client, "page=1") == expected
    for fmt in ("xml", "json"):
        for query in ("page=0", "page=x", "page_size=0", "page_size=1001", "page_size=-3"):
            said = error_of(client.get(url("requests", fmt, query)), 400, fmt)
            assert query.split("=")[0] in said
    # The setting bounds a page: the default size and the largest.
    app.state.settings.open311_max_requests = 4
    assert ids_of(client) == expected[:4]
    error_of(client.get(url("requests", "json", "page_size=5")), 400, "json")


def test_a_page_costs_the_same_queries_for_many_requests(client, session, engine) -> None:
    owner = OutsideOwner(name="Skanova", email="skanova@example.org")
    session.add(owner)
    session.commit()
    units = [unit_id(session, slug) for slug in ("parks", "streets", "street-lighting")]

    def add(n: int) -> None:
        for i in range(n):
            obs = place(
                session,
                unit_id=units[i % 3],
                outside_owner_id=owner.id if i % 4 == 0 else None,
                status=Status.scheduled,
                commit=False,
            )
            session.add(
                Photo(observation_id=obs.id, sha256=f"{i:064x}", width=4, height=3)  # type: ignore[arg-type]
            )
            session.add(
                ObservationEvent(observation_id=obs.id, to_status=Status.scheduled, note="Soon")  # type: ignore[arg-type]
            )
        session.commit()

    def statements(path: str) -> int:
        return statements_for(client, engine, path)

    add(2)
    few = statements(url("requests", "json"))
    add(40)
    many = statements(url("requests", "json"))
    assert len(json_of(client.get(url("requests", "json")))) == 42
    assert many == few <= 8
    assert all(
        r["media_url"] and r["status_notes"] == "Scheduled. Soon"
        for r in json_of(client.get(url("requests", "json")))
    )


def test_unknown_things_and_bad_input_are_the_spec_errors(client, session, settings) -> None:
    made = place(session)
    for fmt in ("xml", "json", ""):
        kind = fmt or "xml"
        error_of(client.get(url("requests/99999", fmt)), 404, kind)
        error_of(client.get(url("requests/abc", fmt)), 404, kind)
        error_of(client.get(url("tokens/" + "x" * 22, fmt)), 404, kind)
        error_of(client.get(url("tokens/short", fmt)), 404, kind)
        for path in ("requests", f"requests/{made.id}", "services", "services/dark-spot"):
            wrong = client.get(url(path, fmt, "jurisdiction_id=elsewhere.example"))
            assert "elsewhere.example" in error_of(wrong, 404, kind)
            for given in (settings.jurisdiction_id, "", "%20"):  # ours, or none (blank is none)
                assert client.get(url(path, fmt, f"jurisdiction_id={given}")).status_code == 200
        # A NUL in a parameter: the spec's 400 on both engines, never a database error.
        for query in ("status=open%00", "service_code=dark%00spot", "start_date=%00"):
            error_of(client.get(url("requests", fmt, query)), 400, kind)
    for path in ("requests.html", f"requests/{made.id}.html", "services/dark-spot.csv"):
        error_of(client.get(f"{V2}/{path}"), 404, "xml")


def test_a_request_out_of_the_int_range_is_a_404(client, session) -> None:
    for number in ("0", "2147483648", "99999999999999999999"):
        error_of(client.get(url(f"requests/{number}", "json")), 404, "json")


@pytest.mark.parametrize("lang,received", [("en", "Received."), ("sv", "Mottagen.")])
def test_requests_speak_the_readers_language(client, session, lang, received) -> None:
    place(session)
    [item] = json_of(client.get(url("requests", "json"), headers={"Accept-Language": lang}))
    assert item["status_notes"] == received


def test_first_photo_is_the_report_photo(client, session, settings) -> None:
    obs = place(session)
    session.add(Photo(observation_id=obs.id, sha256="a" * 64, width=4, height=3, position=1))  # type: ignore[arg-type]
    session.add(
        Photo(
            observation_id=obs.id,  # type: ignore[arg-type]
            sha256="b" * 64,
            width=4,
            height=3,
            position=0,
            kind=PhotoKind.after,
        )
    )
    session.add(Photo(observation_id=obs.id, sha256="c" * 64, width=4, height=3, position=0))  # type: ignore[arg-type]
    session.commit()
    [item] = json_of(client.get(url("requests", "json")))
    assert item["media_url"] == f"{settings.public_url}/media/photos/cc/{'c' * 64}.jpg"


def test_an_unrouted_request_without_photo_has_empty_fields(client, session) -> None:
    obs = place(session, address="Storgatan 1, Boden")
    root = xml_of(client.get(url(f"requests/{obs.id}", "xml")))
    assert root[0].findtext("agency_responsible") == ""
    assert root[0].findtext("media_url") == ""
    assert root[0].findtext("address") == "Storgatan 1, Boden"
    [item] = json_of(client.get(url(f"requests/{obs.id}", "json")))
    assert item["agency_responsible"] is None and item["media_url"] is None


def test_requests_walk_the_created_at_index(engine, stopped_clock) -> None:
    """Whatever the filters, the newest-first page is read along created_at and stops after
    a page (no sort of every open report of all time)."""
    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL's planner weighs its statistics")
    query = RequestQuery.parse(
        service_request_id=None,
        service_code="dark-spot,litter",
        start_date=None,
        end_date=None,
        status="open",
        page="2",
        page_size="50",
        now=clock.now(),
        max_requests=1000,
    )
    compiled = open311_requests.statement(query, [1, 2]).compile(
        engine, compile_kwargs={"literal_binds": True}
    )
    with engine.connect() as conn:
        plan = [row[3] for row in conn.execute(text(f"EXPLAIN QUERY PLAN {compiled}"))]
    assert any("ix_observation_created_at" in step for step in plan), plan
    assert not any("ORDER BY" in step for step in plan), plan
