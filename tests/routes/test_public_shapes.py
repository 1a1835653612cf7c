"""Every public page and answer, for reports that carry what the public must never see: a
reporter's e-mail, a staff member's internal note, an assignee (name and e-mail), a report in a
private category, and the tracking tokens of other people's reports.

Two checks: the answers' text holds none of it; and the public templates are handed public
shapes only (no observation, history, staff or unit row; no object with a token, a contact, an
internal note, an actor, a priority or a due date), so a template cannot show it by mistake."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Mapping
from dataclasses import dataclass

import httpx2 as httpx  # starlette's test client ships httpx2
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, SQLModel, select

from app.models import (
    LoginThrottle,
    Observation,
    ObservationEvent,
    OutboxMail,
    StaffSession,
    StaffUser,
    Support,
    Unit,
    Walk,
    WalkCheck,
    WalkParticipant,
)
from tests.factories import CENTRUM, JSON, csrf_token, login_as, make_staff, post_observation
from tests.routes.test_walks import plan_walk

REPORTER_EMAIL = "reporter.secret@example.org"
OTHER_EMAIL = "neighbour.secret@example.org"
PUBLIC_NOTE = "We are on it."
INTERNAL_NOTE = "Cable stolen again, call Ove on 070-1234567"
ASSIGNEE_NAME = "Zelda Quartermain"
ASSIGNEE_EMAIL = "zelda.quartermain@boden.example"
PRIVATE_DESCRIPTION = "Dealing behind the youth centre every evening"
DESCRIPTION = "The lamp by the underpass is out."
HX = {"HX-Request": "true"}
NEAR = (CENTRUM[0] + 0.0002, CENTRUM[1] + 0.0002)


@dataclass
class Scene:
    walk: Walk
    report: Observation  # triaged, with a public and an internal note, assigned
    private: Observation  # drug dealing: routed, never public
    other: Observation  # someone else's report close by


def _stored(session: Session, answer: httpx.Response) -> Observation:
    assert answer.status_code == 201, answer.text
    token = answer.json()["token"]
    return session.exec(select(Observation).where(Observation.token == token)).one()


def resident(app: FastAPI) -> TestClient:
    """A phone with no account and its own cookies."""
    return TestClient(app, headers={"Accept-Language": "en"})


@pytest.fixture
def scene(client: TestClient, session: Session, app: FastAPI) -> Scene:
    login_as(client, session, "walk_leader")
    walk = plan_walk(client, session)
    client.cookies.clear()

    phone = resident(app)
    report = _stored(
        session,
        post_observation(
            phone, headers=JSON, walk_code=walk.join_code, contact_email=REPORTER_EMAIL
        ),
    )
    private = _stored(
        session,
        post_observation(
            phone,
            headers=JSON,
            walk_code=walk.join_code,
            category="drug-dealing",
            description=PRIVATE_DESCRIPTION,
            contact_email=REPORTER_EMAIL,
        ),
    )
    other = _stored(
        session,
        post_observation(
            resident(app),
            headers=JSON,
            walk_code=walk.join_code,
            description="Another lamp out by the bridge",
            contact_email=OTHER_EMAIL,
            lat=NEAR[0],
            lon=NEAR[1],
        ),
    )

    assignee = make_staff(session, "unit_worker", unit="street-lighting", email=ASSIGNEE_EMAIL)
    assignee.name = ASSIGNEE_NAME
    session.add(assignee)
    session.commit()
    login_as(client, session, "triager")
    token = csrf_token(client)
    moved = client.post(
        f"/triage/{report.id}/status",
        data={
            "to": "triaged",
            "note": PUBLIC_NOTE,
            "internal_note": INTERNAL_NOTE,
            "csrf_token": token,
        },
    )
    assert moved.status_code in (200, 303), moved.text
    given = client.post(
        f"/triage/{report.id}/assign", data={"assignee": str(assignee.id), "csrf_token": token}
    )
    assert given.status_code in (200, 303), given.text
    client.cookies.clear()

    # What staff see: the report really carries all of it.
    session.expire_all()
    report = session.get(Observation, report.id)  # type: ignore[assignment]
    assert report.assignee_id == assignee.id and report.contact_email == REPORTER_EMAIL
    assert session.exec(
        select(ObservationEvent).where(ObservationEvent.internal_note == INTERNAL_NOTE)
    ).one()
    return Scene(walk=walk, report=report, private=private, other=other)


def public_answers(app: FastAPI, scene: Scene) -> list[tuple[str, httpx.Response, str | None]]:
    """(what, answer, the reporter's own token where the page is the reporter's) for every
    public page and answer, asked by a phone with no account."""
    phone = resident(app)
    code = scene.walk.join_code
    mine = scene.report.token
    answers: list[tuple[str, httpx.Response, str | None]] = []

    def ask(what: str, method: str, url: str, own: str | None = None, **kw) -> httpx.Response:  # type: ignore[no-untyped-def]
        answer = phone.request(method, url, **kw)
        answers.append((what, answer, own))
        return answer

    ask("the capture page", "GET", "/")
    ask("the status page", "GET", f"/observations/{mine}", own=mine)
    ask("the status page, as JSON", "GET", f"/observations/{mine}", own=mine, headers=JSON)
    ask("the 'is it fixed?' page", "GET", f"/observations/{mine}/fixed", own=mine)
    ask("the public report page", "GET", f"/reports/{scene.report.id}")
    ask("the private report's page", "GET", f"/reports/{scene.private.id}")
    ask("the public list", "GET", "/observations")
    ask("the public list, htmx", "GET", "/observations?page=1", headers=HX)
    ask("the districts map data", "GET", "/zones.geojson")
    ask("the walks list", "GET", "/walks")
    ask("the walk's page", "GET", f"/w/{code}")
    ask("the participants' list", "GET", f"/w/{code}/items")
    ask("the participants' list, htmx", "GET", f"/w/{code}/items", headers=HX)
    ask("a co-sign's answer", "POST", f"/w/{code}/cosign/{scene.report.id}", headers=HX)
    near = {"lat": str(CENTRUM[0]), "lon": str(CENTRUM[1])}
    ask(
        "nearby offers",
        "POST",
        "/capture/nearby",
        data={"category": "dark-spot", **near},
        headers=HX,
    )
    ask(
        "nearby offers, private kind",
        "POST",
        "/capture/nearby",
        data={"category": "drug-dealing", **near},
        headers=HX,
    )
    # "Me too" once per report (one device backs a report once): as htmx and as a page.
    for what, backed, headers in [
        ("me too's answer, htmx", scene.report, HX),
        ("me too's answer, page", scene.other, {}),
    ]:
        ask(
            what,
            "POST",
            f"/observations/{backed.id}/support",
            data={"client_id": str(uuid.uuid4())},
            headers=headers,
        )
    # A new report of one's own on the walk: the confirmation and the API's answer.
    ask("a new report's confirmation", "POST", "/observations", data=_fields(code))
    ask("a new report's JSON answer", "POST", "/observations", data=_fields(code), headers=JSON)
    return answers


def _fields(code: str) -> dict[str, str]:
    from tests.factories import observation_fields

    return observation_fields(walk_code=code, description="A bench is broken")


def test_no_public_answer_shows_contacts_internal_notes_assignees_or_private_reports(
    app: FastAPI, scene: Scene
) -> None:
    tokens = {scene.report.token, scene.private.token, scene.other.token}
    secrets = [
        REPORTER_EMAIL,
        OTHER_EMAIL,
        INTERNAL_NOTE,
        ASSIGNEE_NAME,
        ASSIGNEE_EMAIL,
        PRIVATE_DESCRIPTION,
    ]
    answers = public_answers(app, scene)
    found = []
    for what, answer, own in answers:
        assert answer.status_code < 500, f"{what}: {answer.status_code}"
        found += [f"{what} shows {s!r}" for s in secrets if s in answer.text]
        found += [f"{what} shows a token" for t in tokens - {own} if t in answer.text]
    assert found == []

    # The pages did show the report itself, so the test is not looking at empty pages.
    by_name = {what: answer for what, answer, _own in answers}
    assert PUBLIC_NOTE in by_name["the status page"].text
    assert DESCRIPTION in by_name["the public report page"].text
    assert by_name["the private report's page"].status_code == 404
    for what in ["the public list", "the participants' list", "nearby offers"]:
        assert DESCRIPTION in by_name[what].text, what
    assert by_name["nearby offers, private kind"].text.strip() == ""
    assert by_name["me too's answer, page"].status_code == 200


# Rows that hold personal or internal data; a public template gets none of them.
PRIVATE_ROWS = (
    Observation,
    ObservationEvent,
    StaffUser,
    StaffSession,
    LoginThrottle,
    Support,
    Unit,
    OutboxMail,
    WalkParticipant,
    WalkCheck,
)
# Fields no public shape may have, whatever its class.
PRIVATE_FIELDS = frozenset(
    {
        "token",
        "contact_email",
        "internal_note",
        "actor",
        "actor_id",
        "assignee_id",
        "priority",
        "due_at",
        "due_date",
        "email",
        "password_hash",
    }
)
NOT_DATA = frozenset({"request", "settings"})  # the app's own objects in every context


def private_parts(value: object, path: str, seen: set[int]) -> list[str]:
    """Where in a template's context something private sits (rows, or fields of shapes)."""
    if id(value) in seen or isinstance(value, str | bytes | int | float | bool | type(None)):
        return []
    seen.add(id(value))
    if isinstance(value, PRIVATE_ROWS):
        return [f"{path} is a row of {type(value).__name__}"]
    if isinstance(value, Mapping):
        return [
            part
            for key, item in value.items()
            if key not in NOT_DATA
            for part in private_parts(item, f"{path}[{key!r}]", seen)
        ]
    if isinstance(value, list | tuple | set | frozenset):
        return [
            part
            for i, item in enumerate(value)
            for part in private_parts(item, f"{path}[{i}]", seen)
        ]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        names = [f.name for f in dataclasses.fields(value)]
        own = [f"{path}.{name}" for name in names if name in PRIVATE_FIELDS]
        return own + [
            part
            for name in names
            for part in private_parts(getattr(value, name), f"{path}.{name}", seen)
        ]
    if isinstance(value, SQLModel):  # the public reference rows: categories, photos, walks, zones
        return [f"{path}.{name}" for name in type(value).model_fields if name in PRIVATE_FIELDS]
    return []


def test_public_templates_get_public_shapes_only(app: FastAPI, scene: Scene) -> None:
    """By construction: what is not in a template's context cannot leak from it.

    The participants' list holds the walk's items; their public view (without token, priority
    or due date) comes with the walk split of issue 11."""
    found = []
    pages = 0
    for what, answer, _own in public_answers(app, scene):
        context = getattr(answer, "context", None)  # full pages only (not htmx blocks, JSON)
        if context is None:
            continue
        pages += 1
        found += [f"{what}: {part}" for part in private_parts(context, "context", set())]
    assert pages >= 10
    assert found == []
