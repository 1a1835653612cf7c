"""Who may reach what. The test walks every route of the app, so a route added without a
guard, or without a line in ACCESS below, fails here."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest
from fastapi.routing import APIRoute

from app.main import create_app
from tests.conftest import make_settings
from tests.factories import csrf_token, login_as, post_observation

ALL_STAFF = {"admin", "triager", "unit_worker", "walk_leader", "planner", "coordinator"}
ADMIN = {"admin"}
PUBLIC = "public"
PLANNERS = {"admin", "planner"}
# Planning (plan cases, histories, exports): planners work; triagers, walk leaders and the
# follow-up's coordinators read.
HISTORY_READERS = {"admin", "planner", "triager", "walk_leader", "coordinator"}
READ_PLANS = HISTORY_READERS
# The agreement's follow-up: coordinators (and admins) write it; planners and triagers read it.
FOLLOW_UP_READERS = {"admin", "coordinator", "planner", "triager"}
COORDINATORS = {"admin", "coordinator"}
# (method, path) -> PUBLIC, or the roles that may use it.
ACCESS: dict[tuple[str, str], str | set[str]] = {
    ("GET", "/"): PUBLIC,
    ("POST", "/observations"): PUBLIC,
    ("GET", "/observations"): PUBLIC,
    ("GET", "/observations/{token}"): PUBLIC,
    ("GET", "/reports/{observation_id}"): PUBLIC,
    ("GET", "/observations/{token}/fixed"): PUBLIC,
    ("POST", "/observations/{token}/fixed"): PUBLIC,
    # The reporter's "forget my e-mail": the tracking link and the form's token are the key.
    ("POST", "/observations/{token}/forget-email"): PUBLIC,
    ("GET", "/privacy"): PUBLIC,
    ("GET", "/capture/daylight"): PUBLIC,
    ("POST", "/capture/nearby"): PUBLIC,
    ("POST", "/observations/{observation_id}/support"): PUBLIC,
    ("POST", "/observations/statuses"): PUBLIC,  # "My reports" on the resident's phone
    ("GET", "/zones.geojson"): PUBLIC,
    ("GET", "/lang/{lang}"): PUBLIC,
    ("GET", "/healthz"): PUBLIC,
    ("GET", "/readyz"): PUBLIC,  # the reasons only for metrics_networks
    ("GET", "/metrics"): PUBLIC,  # no role: only clients in metrics_networks (test_health.py)
    # Photo files: photo_access decides per file (tests/routes/test_media.py).
    ("GET", "/media/{folder}/{shard}/{name}"): PUBLIC,
    ("GET", "/sw.js"): PUBLIC,
    ("GET", "/manifest.webmanifest"): PUBLIC,
    # Open311 GeoReport v2: read by anyone; a POST needs a client system's API key, not a
    # staff session (tests/routes/test_open311_post.py checks the key). Without an extension
    # a path is served as .xml (middleware.DefaultFormat), not by routes of its own.
    **{
        ("GET", f"/open311/v2{path}"): PUBLIC
        for path in (
            "/discovery.{format}",
            "/services.{format}",
            "/services/{service_code}.{format}",
            "/requests.{format}",
            "/requests/{service_request_id}.{format}",
            "/tokens/{token}.{format}",
        )
    },
    ("POST", "/open311/v2/requests.{format}"): PUBLIC,
    ("GET", "/login"): PUBLIC,
    ("POST", "/login"): PUBLIC,
    ("POST", "/logout"): ALL_STAFF,
    ("GET", "/staff"): ALL_STAFF,
    ("GET", "/triage"): {"admin", "triager", "unit_worker"},
    ("POST", "/triage/bulk"): {"admin", "triager", "unit_worker"},
    ("GET", "/triage/{observation_id}"): {"admin", "triager", "unit_worker"},
    ("POST", "/triage/{observation_id}/status"): {"admin", "triager", "unit_worker"},
    ("POST", "/triage/{observation_id}/assign"): {"admin", "triager", "unit_worker"},
    ("GET", "/triage/map.geojson"): {"admin", "triager", "unit_worker"},
    # The desk around the queue: each person's saved filters, the filter as CSV.
    ("GET", "/triage/filters"): {"admin", "triager", "unit_worker"},
    ("POST", "/triage/filters"): {"admin", "triager", "unit_worker"},
    ("GET", "/triage/filters/{filter_id}"): {"admin", "triager", "unit_worker"},
    ("POST", "/triage/filters/{filter_id}/delete"): {"admin", "triager", "unit_worker"},
    ("GET", "/triage/export.csv"): {"admin", "triager", "unit_worker"},
    ("GET", "/triage/map.json"): {"admin", "triager", "unit_worker"},
    ("GET", "/triage/counts"): {"admin", "triager", "unit_worker"},
    ("POST", "/triage/{observation_id}/route"): {"admin", "triager"},
    ("POST", "/triage/{observation_id}/priority"): {"admin", "triager"},
    ("POST", "/triage/{observation_id}/photos-published"): {"admin", "triager", "unit_worker"},
    # Photo moderation: those who work on the report (visibility decides per report).
    ("POST", "/triage/{observation_id}/photos/{photo_id}/review"): {
        "admin",
        "triager",
        "unit_worker",
    },
    ("POST", "/triage/{observation_id}/photos/{photo_id}/blur"): {
        "admin",
        "triager",
        "unit_worker",
    },
    # Outside owners: triagers hand reports over; the owner answers through the link in their
    # mail, without an account (the secret in the path is the key); admins keep the registry.
    ("GET", "/triage/{observation_id}/handoff"): {"admin", "triager"},
    ("POST", "/triage/{observation_id}/handoff"): {"admin", "triager"},
    ("GET", "/handoff/{secret}"): PUBLIC,
    ("POST", "/handoff/{secret}"): PUBLIC,
    ("GET", "/handoff/{secret}/photos/{photo_id}"): PUBLIC,
    ("GET", "/admin/owners"): ADMIN,
    ("POST", "/admin/owners"): ADMIN,
    ("GET", "/admin/owners/{owner_id}"): ADMIN,
    ("POST", "/admin/owners/{owner_id}"): ADMIN,
    ("POST", "/admin/owners/{owner_id}/active"): ADMIN,
    # The report page's one update form, and the merge confirmation it leads to.
    ("POST", "/triage/{observation_id}/update"): {"admin", "triager", "unit_worker"},
    ("GET", "/triage/{observation_id}/merge"): {"admin", "triager", "unit_worker"},
    # The public quarterly "what we did".
    ("GET", "/quarterly"): PUBLIC,
    ("GET", "/quarterly/{key}"): PUBLIC,
    ("GET", "/quarterly/{key}/text"): PUBLIC,
    # Safety walks: residents join by code; leaders run walks; all staff follow them.
    ("GET", "/walks"): PUBLIC,
    ("GET", "/walks/join"): PUBLIC,
    ("GET", "/w/{code}"): PUBLIC,
    ("GET", "/w/{code}/items"): PUBLIC,
    ("POST", "/w/{code}/joined"): PUBLIC,
    ("POST", "/w/{code}/cosign/{observation_id}"): PUBLIC,
    ("GET", "/walks/manage"): ALL_STAFF,
    ("GET", "/walks/{walk_id}"): ALL_STAFF,
    ("GET", "/walks/{walk_id}/items.geojson"): ALL_STAFF,
    ("GET", "/walks/{walk_id}/protocol"): ALL_STAFF,
    ("GET", "/walks/{walk_id}/protocol.pdf"): ALL_STAFF,
    ("GET", "/walks/{walk_id}/protocol.csv"): ALL_STAFF,
    ("GET", "/walks/{walk_id}/protocol.geojson"): ALL_STAFF,
    ("GET", "/walks/new"): {"admin", "walk_leader"},
    ("POST", "/walks/new"): {"admin", "walk_leader"},
    ("GET", "/walks/{walk_id}/edit"): {"admin", "walk_leader"},
    ("POST", "/walks/{walk_id}/edit"): {"admin", "walk_leader"},
    ("POST", "/walks/{walk_id}/start"): {"admin", "walk_leader"},
    ("POST", "/walks/{walk_id}/close"): {"admin", "walk_leader"},
    ("GET", "/walks/{walk_id}/qr.svg"): {"admin", "walk_leader"},
    ("GET", "/walks/{walk_id}/join-sheet"): {"admin", "walk_leader"},
    ("GET", "/walks/{walk_id}/join-sheet.pdf"): {"admin", "walk_leader"},
    ("GET", "/walks/{walk_id}/follow-up"): {"admin", "walk_leader"},
    ("POST", "/walks/{walk_id}/checks/{observation_id}"): {"admin", "walk_leader"},
    # Plan cases: planners work on them; other staff read them (walk leaders only the cases
    # their planner shares, which plan_cases.may_read decides per case).
    ("GET", "/planning"): READ_PLANS,
    ("GET", "/planning/plans/new"): PLANNERS,
    ("POST", "/planning/plans/new"): PLANNERS,
    ("GET", "/planning/plans/{plan_id}"): READ_PLANS,
    ("GET", "/planning/plans/{plan_id}/points.geojson"): READ_PLANS,
    ("GET", "/planning/plans/{plan_id}/export.csv"): READ_PLANS,
    ("GET", "/planning/plans/{plan_id}/export.geojson"): READ_PLANS,
    ("POST", "/planning/plans/{plan_id}/stage"): PLANNERS,
    ("POST", "/planning/plans/{plan_id}/walk-leaders"): PLANNERS,
    ("POST", "/planning/plans/{plan_id}/checklist/{line_id}"): PLANNERS,
    ("POST", "/planning/plans/{plan_id}/bases"): PLANNERS,
    ("POST", "/planning/plans/{plan_id}/follow"): READ_PLANS,
    ("POST", "/planning/plans/{plan_id}/unfollow"): READ_PLANS,
    ("GET", "/planning/plans/{plan_id}/basis/{basis_id}"): READ_PLANS,
    ("GET", "/planning/plans/{plan_id}/basis/{basis_id}.pdf"): READ_PLANS,
    ("GET", "/planning/plans/{plan_id}/basis/{basis_id}/map.png"): READ_PLANS,
    # Planners' history pages: planners, walk leaders and triagers read them.
    ("GET", "/planning/zones/{slug}"): HISTORY_READERS,
    ("GET", "/planning/zones/{slug}/points.geojson"): HISTORY_READERS,
    ("GET", "/planning/area"): HISTORY_READERS,
    ("POST", "/planning/area"): HISTORY_READERS,
    ("GET", "/planning/area/{key}"): HISTORY_READERS,
    ("GET", "/planning/area/{key}/points.geojson"): HISTORY_READERS,
    ("GET", "/planning/zones/{slug}/export.csv"): HISTORY_READERS,
    ("GET", "/planning/zones/{slug}/export.geojson"): HISTORY_READERS,
    ("GET", "/planning/area/{key}/export.csv"): HISTORY_READERS,
    ("GET", "/planning/area/{key}/export.geojson"): HISTORY_READERS,
    ("GET", "/follow-up"): FOLLOW_UP_READERS,
    # The yearly report to the council: coordinators issue it, the readers read what was issued.
    ("GET", "/follow-up/reports"): FOLLOW_UP_READERS,
    ("GET", "/follow-up/reports/new"): COORDINATORS,
    ("POST", "/follow-up/reports"): COORDINATORS,
    ("GET", "/follow-up/reports/{report_id}"): FOLLOW_UP_READERS,
    ("GET", "/follow-up/reports/{report_id}.pdf"): FOLLOW_UP_READERS,
    ("GET", "/follow-up/reports/{report_id}.csv"): FOLLOW_UP_READERS,
    ("GET", "/admin"): ADMIN,
    ("GET", "/admin/users"): ADMIN,
    ("POST", "/admin/users"): ADMIN,
    ("GET", "/admin/users/{user_id}"): ADMIN,
    ("POST", "/admin/users/{user_id}"): ADMIN,
    ("POST", "/admin/users/{user_id}/active"): ADMIN,
    ("POST", "/admin/users/{user_id}/password"): ADMIN,
    # Units, categories and rules: one set of routes over registry.KINDS.
    ("GET", "/admin/{kind}"): ADMIN,
    ("POST", "/admin/{kind}"): ADMIN,
    ("GET", "/admin/{kind}/{row_id}"): ADMIN,
    ("POST", "/admin/{kind}/{row_id}"): ADMIN,
    ("POST", "/admin/{kind}/{row_id}/delete"): ADMIN,
    ("GET", "/admin/export/{kind}"): ADMIN,
    ("POST", "/admin/import/{kind}"): ADMIN,
    # Canned replies for the report page's public note.
    ("GET", "/admin/replies"): ADMIN,
    ("POST", "/admin/replies"): ADMIN,
    ("GET", "/admin/replies/{reply_id}"): ADMIN,
    ("POST", "/admin/replies/{reply_id}"): ADMIN,
    ("POST", "/admin/replies/{reply_id}/delete"): ADMIN,
    # The Open311 client systems and their API keys.
    ("GET", "/admin/api-keys"): ADMIN,
    ("POST", "/admin/api-keys"): ADMIN,
    ("GET", "/admin/api-keys/{client_id}"): ADMIN,
    ("GET", "/admin/api-keys/{client_id}/revoke"): ADMIN,
    ("POST", "/admin/api-keys/{client_id}/revoke"): ADMIN,
    ("GET", "/admin/audit"): ADMIN,
    # Zones as GIS data: planners import their districts and plan areas too.
    ("GET", "/admin/zones"): {"admin", "planner"},
    ("POST", "/admin/zones/import"): {"admin", "planner"},
    ("GET", "/admin/zones/export"): {"admin", "planner"},
    ("GET", "/admin/zones/placement"): {"admin", "planner"},
    ("POST", "/admin/zones/placement"): {"admin", "planner"},
    # Agreements, focus areas, measures and the annex.
    ("GET", "/follow-up/agreements"): FOLLOW_UP_READERS,
    ("POST", "/follow-up/agreements"): COORDINATORS,
    ("GET", "/follow-up/agreements/{agreement_id}"): FOLLOW_UP_READERS,
    ("POST", "/follow-up/agreements/{agreement_id}"): COORDINATORS,
    ("POST", "/follow-up/agreements/{agreement_id}/focus-areas"): COORDINATORS,
    ("POST", "/follow-up/focus-areas/{focus_area_id}"): COORDINATORS,
    ("POST", "/follow-up/focus-areas/{focus_area_id}/move"): COORDINATORS,
    ("GET", "/follow-up/measures/new"): COORDINATORS,
    ("POST", "/follow-up/measures/new"): COORDINATORS,
    ("GET", "/follow-up/measures/{measure_id}"): FOLLOW_UP_READERS,
    ("POST", "/follow-up/measures/{measure_id}"): COORDINATORS,
    ("GET", "/follow-up/agreements/{agreement_id}/annex"): FOLLOW_UP_READERS,
    ("GET", "/follow-up/agreements/{agreement_id}/annex.pdf"): FOLLOW_UP_READERS,
    ("GET", "/follow-up/agreements/{agreement_id}/annex.docx"): FOLLOW_UP_READERS,
    ("GET", "/follow-up/targets"): COORDINATORS,
    ("GET", "/follow-up/targets/new"): COORDINATORS,
    ("POST", "/follow-up/targets/new"): COORDINATORS,
    ("GET", "/follow-up/targets/{target_id}"): COORDINATORS,
    ("POST", "/follow-up/targets/{target_id}"): COORDINATORS,
    ("POST", "/follow-up/targets/{target_id}/delete"): COORDINATORS,
    ("GET", "/follow-up/external"): COORDINATORS,
    ("POST", "/follow-up/external"): COORDINATORS,
    ("POST", "/follow-up/external/import"): COORDINATORS,
    ("GET", "/follow-up/external.csv"): COORDINATORS,
    ("POST", "/follow-up/external/{figure_id}/delete"): COORDINATORS,
}


def _walk(routes, prefix: str = ""):  # type: ignore[no-untyped-def]
    """Every API route, also inside included routers (FastAPI nests them)."""
    for route in routes:
        if isinstance(route, APIRoute):
            for method in route.methods - {"HEAD"}:
                yield method, prefix + route.path
        context = getattr(route, "include_context", None)
        if context is not None:
            yield from _walk(context.included_router.routes, prefix + context.prefix)


def app_routes() -> list[tuple[str, str]]:
    app = create_app(make_settings("sqlite://", Path(tempfile.mkdtemp())))
    found = sorted(set(_walk(app.routes)))
    app.state.engine.dispose()
    return found


ROUTES = app_routes()
STAFF_ROUTES = [r for r in ROUTES if ACCESS.get(r) != PUBLIC]


def test_every_route_has_a_line_in_the_access_table():
    assert len(ROUTES) >= len(ACCESS)  # the walk found the app's routes
    assert [r for r in ROUTES if r not in ACCESS] == []
    assert [r for r in ACCESS if r not in ROUTES] == []


# Ids that exist nowhere: an admin gets 404 there, everyone else is refused first.
NO_SUCH_ID = "999999"


def fill(path: str, observation_id: int) -> str:
    # No walk, user or admin row has this number: the guards answer before the
    # handler looks (an allowed role gets 404, never 401/403).
    path = re.sub(r"\{observation_id\}", str(observation_id), path)
    path = re.sub(
        r"\{(user|row|walk|plan|basis|line|agreement|focus_area|measure|report|target|figure|owner|reply|filter|client|photo)_id\}",
        NO_SUCH_ID,
        path,
    )
    path = path.replace("{slug}", "centrum").replace("{key}", "0123456789abcdef")
    return path.replace("{kind}", "units")


@pytest.fixture
def observation_id(client) -> int:
    answer = post_observation(client, headers={"Accept": "application/json"})
    token = answer.json()["token"]
    page = client.get(f"/observations/{token}")
    assert page.status_code == 200
    from sqlmodel import Session, select

    from app.models import Observation

    with Session(client.app.state.engine) as session:
        return session.exec(select(Observation.id).where(Observation.token == token)).one()


@pytest.mark.parametrize(("method", "path"), STAFF_ROUTES)
def test_anonymous_visitors_are_sent_to_login_or_refused(client, observation_id, method, path):
    url = fill(path, observation_id)
    page = client.request(method, url, follow_redirects=False)
    if method == "GET":
        assert page.status_code == 303 and page.headers["location"].startswith("/login?next=")
    else:
        assert page.status_code == 401
    htmx = client.request(method, url, headers={"HX-Request": "true"}, follow_redirects=False)
    assert htmx.status_code == 401 and htmx.headers["HX-Redirect"].startswith("/login")
    api = client.request(
        method, url, headers={"Accept": "application/json"}, follow_redirects=False
    )
    assert api.status_code in (303, 401) if method == "GET" else api.status_code == 401


@pytest.mark.parametrize("role", sorted(ALL_STAFF))
def test_each_role_reaches_only_its_own_pages(client, session, observation_id, role):
    login_as(client, session, role, unit="street-lighting")
    token = csrf_token(client)
    for method, path in STAFF_ROUTES:
        if path == "/logout":
            continue  # would end the session this test is using
        url = fill(path, observation_id)
        data = {"csrf_token": token} if method == "POST" else None
        answer = client.request(method, url, data=data, follow_redirects=False)
        allowed = role in ACCESS[(method, path)]
        if allowed:
            assert answer.status_code not in (401, 403), (role, method, path, answer.status_code)
            assert answer.status_code < 500, (role, method, path, answer.status_code)
        else:
            assert answer.status_code == 403, (role, method, path, answer.status_code)


@pytest.mark.parametrize(("method", "path"), [r for r in STAFF_ROUTES if r[0] == "POST"])
def test_state_changing_routes_refuse_a_request_without_the_csrf_token(
    client, session, observation_id, method, path
):
    login_as(client, session, "admin")
    data = {"to": "triaged", "unit": "police", "priority": "high"}
    answer = client.post(fill(path, observation_id), data=data, follow_redirects=False)
    assert answer.status_code == 403
    assert "This form has expired" in answer.text
    wrong = client.post(
        fill(path, observation_id), data={**data, "csrf_token": "forged"}, follow_redirects=False
    )
    assert wrong.status_code == 403
