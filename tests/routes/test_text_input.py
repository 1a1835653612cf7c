"""The one input rule over HTTP: the attack run's NUL probes (a 500 on PostgreSQL before) now
get a 422 naming the field, or work with the character removed where the field is free text,
on both engines. Each probe is sent as the role that may use the route, with a valid CSRF
token, so the refusal is the input rule's and not the guard's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.models import Observation, ObservationEvent, Status, Unit, Walk
from app.services import lifecycle
from tests.factories import (
    CENTRUM,
    JSON,
    csrf_token,
    login_as,
    login_form_token,
    make_staff,
    post_observation,
)


def report(client: TestClient, session: Session) -> Observation:
    token = post_observation(client, headers=JSON).json()["token"]
    return session.exec(select(Observation).where(Observation.token == token)).one()


def fixed(session: Session, obs: Observation) -> Observation:
    actor = lifecycle.Actor.staff(make_staff(session, "triager"))
    lifecycle.transition(session=session, obs=obs, to=Status.triaged, actor=actor)
    lifecycle.transition(session=session, obs=obs, to=Status.fixed, actor=actor, note="Done.")
    return obs


@dataclass
class Probe:
    """One hostile request: as `role` (None: anonymous), with `field` carrying a NUL."""

    role: str | None
    method: str
    path: str  # may name {id} (a fresh report), {unit_id} and {field} (the hostile value)
    field: str
    data: dict[str, str]
    params: dict[str, str] | None = None
    files: dict[str, Any] | None = None


NUL_CSV = ("rules.csv", b"category,zone,unit\nveget\x00ation,centrum,parks\n", "text/csv")
TOMORROW = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
WALK = {"title": "Walk", "date": TOMORROW, "time": "19:00", "zone": "centrum"}
UNIT = {"slug": "snow", "name_sv": "Snow", "name_en": "Snow"}
RULE = {"category": "vegetation", "zone": "", "unit": "parks"}
USER = {"email": "a@boden.example", "name": "A", "role": "triager", "password": "p" * 14}
POSITION = {"lat": "65.8", "lon": "21.7"}
NUL = "ab\x00cd"


def probe(role: str | None, method: str, path: str, field: str, base=None, query=False) -> Probe:  # type: ignore[no-untyped-def]
    """`field` set to a value with a NUL, in the query string or the form (over `base`)."""
    if query:
        return Probe(role, method, path, field, {}, {**(base or {}), field: NUL})
    return Probe(role, method, path, field, {**(base or {}), field: NUL})


REFUSED = [
    probe(None, "POST", "/capture/nearby", "category", POSITION),
    probe(None, "POST", "/login", "email", {"password": "x" * 12}),
    probe("triager", "GET", "/triage", "category", query=True),
    probe("triager", "GET", "/triage", "zone", query=True),
    probe("triager", "GET", "/triage", "unit", query=True),
    probe("triager", "GET", "/triage", "zone", {"view": "map"}, query=True),
    probe("triager", "GET", "/triage/map.geojson", "category", query=True),
    probe("unit_worker", "GET", "/triage/map.geojson", "unit", query=True),
    probe("triager", "POST", "/triage/{id}/status", "handed_to", {"to": "not_ours"}),
    probe("triager", "POST", "/triage/{id}/status", "duplicate_of", {"to": "duplicate"}),
    probe("triager", "POST", "/triage/{id}/route", "unit"),
    probe("walk_leader", "POST", "/walks/new", "zone", WALK),
    probe("walk_leader", "POST", "/walks/new", "title", WALK),
    probe("admin", "POST", "/admin/units", "name_sv", UNIT),
    probe("admin", "POST", "/admin/units/{unit_id}", "slug", UNIT),
    probe("admin", "POST", "/admin/rules", "category", RULE),
    probe("admin", "POST", "/admin/users", "email", USER),
    probe("admin", "POST", "/admin/users", "name", USER),
    probe("planner", "GET", "/walks/join", "code", query=True),
    probe(None, "GET", "/w/{field}", "code"),
    probe(None, "GET", "/observations/{field}", "token"),
    probe(None, "GET", "/lang/{field}", "lang"),
]


def _send(client: TestClient, session: Session, probe: Probe):  # type: ignore[no-untyped-def]
    obs = report(client, session)
    data = dict(probe.data)
    if probe.role is not None:
        login_as(client, session, probe.role)
        data["csrf_token"] = csrf_token(client)
    elif probe.path == "/login":
        data["login_csrf"] = login_form_token(client)
    parks = session.exec(select(Unit).where(Unit.slug == "parks")).one()
    path = probe.path.format(id=obs.id, unit_id=parks.id, field=quote(NUL))
    if "{field}" in probe.path:
        data.pop(probe.field)
    return client.request(
        probe.method,
        path,
        data=data or None,
        params=probe.params,
        files=probe.files,
        follow_redirects=False,
    )


@pytest.mark.parametrize("probe", REFUSED, ids=lambda p: f"{p.method} {p.path} {p.field}")
def test_a_nul_in_a_field_is_refused_naming_the_field(client, session, probe):
    answer = _send(client, session, probe)
    assert answer.status_code == 422, answer.text
    assert f"“{probe.field}”" in answer.text and "not allowed" in answer.text
    assert "<html" in answer.text  # a page a person can read, with the site around it


def test_an_api_caller_gets_the_refusal_as_json(client):
    answer = client.post(
        "/capture/nearby", data={"category": "a\x00", "lat": "65.8", "lon": "21.7"}, headers=JSON
    )
    assert answer.status_code == 422
    assert answer.json()["field"] == "category" and "control character" in answer.json()["error"]


def test_htmx_gets_the_message_alone(client):
    answer = client.get("/walks/join", params={"code": "\x00"}, headers={"HX-Request": "true"})
    assert answer.status_code == 422
    assert "<html" not in answer.text and "“code”" in answer.text


@pytest.mark.parametrize("char", ["\x01", "\t", "\n", "\x1b", "\x7f", "\x85", "\x9f"])
def test_every_control_character_is_refused_in_a_one_line_field(client, char):
    answer = client.get("/walks/join", params={"code": f"AB{char}CD"})
    assert answer.status_code == 422


def test_over_long_values_and_hostile_field_names_are_refused(client):
    assert client.get("/walks/join", params={"code": "A" * 2001}).status_code == 422
    assert client.get("/walks", params={"x\x00y": "1"}).status_code == 422
    assert client.get("/walks", params={"filler": "A" * 2001}).status_code == 422
    assert client.get("/walks/join", params={"code": "A" * 64}).status_code == 404  # no such walk


def test_the_rules_csv_import_refuses_a_nul_even_as_a_preview(client, session):
    login_as(client, session, "admin")
    data = {"csrf_token": csrf_token(client), "dry_run": "true"}
    answer = client.post("/admin/import/rules", data=data, files={"file": NUL_CSV})
    assert answer.status_code == 422
    assert "Line 2:" in answer.text and "not allowed (a control character)" in answer.text


# Free text: the words stay, the control characters go.


def _event_notes(session: Session, obs: Observation) -> list[str]:
    session.expire_all()
    events = session.exec(
        select(ObservationEvent).where(ObservationEvent.observation_id == obs.id)
    ).all()
    return [e.note + "|" + e.internal_note for e in events]


def test_the_reporters_note_on_is_it_fixed_is_kept_without_the_nul(client, session):
    obs = fixed(session, report(client, session))
    answer = client.post(
        f"/observations/{obs.token}/fixed", data={"answer": "no", "note": "Still\x00 da\x1brk"}
    )
    assert answer.status_code == 200
    assert any(n.startswith("Still dark|") for n in _event_notes(session, obs))


def test_status_notes_are_kept_without_control_characters(client, session):
    obs = report(client, session)
    login_as(client, session, "triager")
    answer = client.post(
        f"/triage/{obs.id}/status",
        data={
            "csrf_token": csrf_token(client),
            "to": "wont_fix",
            "note": "Private\x00 ground\nnot ours",
            "internal_note": "Asked the\x85 owner",
        },
    )
    assert answer.status_code == 200, answer.text
    assert "Private ground\nnot ours|Asked the owner" in _event_notes(session, obs)


def test_a_reroute_note_is_kept_without_the_nul(client, session):
    obs = report(client, session)
    login_as(client, session, "triager")
    answer = client.post(
        f"/triage/{obs.id}/route",
        data={"csrf_token": csrf_token(client), "unit": "parks", "note": "by\x00 hand"},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    assert any(n.endswith("by hand") for n in _event_notes(session, obs))


def test_a_description_is_kept_without_control_characters(client, session):
    answer = post_observation(client, description="Dark\x00\x9b under\u2028pass", headers=JSON)
    assert answer.status_code == 201
    obs = session.exec(select(Observation)).one()
    assert obs.description == "Dark under\u2028pass"


def test_a_walks_free_text_with_a_nul_is_stored_without_it(client, session):
    login_as(client, session, "walk_leader")
    data = {
        "csrf_token": csrf_token(client),
        "title": "Evening walk",
        "date": TOMORROW,
        "time": "19:00",
        "zone": "centrum",
        "meeting_point": "The lib\x00rary",
        "organisations": "Police\x00",
        "description": "Bring\x00 a torch",
        "meeting_lat": str(CENTRUM[0]),
        "meeting_lon": str(CENTRUM[1]),
    }
    answer = client.post("/walks/new", data=data, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    walk = session.get(Walk, int(answer.headers["location"].rsplit("/", 1)[1]))
    assert (walk.meeting_point, walk.organisations) == ("The library", "Police")
    assert walk.description == "Bring a torch"
