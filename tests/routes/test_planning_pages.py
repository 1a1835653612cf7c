"""Planners' history pages: every figure a planner reads checked against a hand count, the
filters and their shareable URL, the htmx partial, drawing and uploading an area, roles, CSRF,
bad input (422, never 500) and privacy."""

from __future__ import annotations

import html as html_text
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.models import Status, Walk, WalkStatus
from app.services import lifecycle
from tests.factories import csrf_token, insert_observation, login_as, make_staff

P = (65.8253, 21.6880)  # in Centrum
SECRET_LAT, SECRET_LON = 65.826123, 21.690456  # the private report's position
PAGE = "/planning/zones/centrum"
HX = {"HX-Request": "true"}
DASH = "\u2013"  # the page's "no figure"


def at(year: int, month: int, day: int = 10) -> datetime:
    return datetime(year, month, day, 12, tzinfo=UTC)


@dataclass
class Fixture:
    walk_id: int
    tokens: list[str]
    noted_id: int


@pytest.fixture
def centrum(session: Session) -> Fixture:
    """Seven reports, six in Centrum, counted by hand in the tests below:
    1 dark spot, Jan 2025, fixed after 4 days, felt 4, in the dark
    2 dark spot 5 m away, Mar 2025, verified, fixed after 10 days, felt 2
    3 vegetation at the same place, Feb 2026, new, felt 5, in the dark, with a contact e-mail
    4 good place, Feb 2026, elsewhere in Centrum
    5 drug dealing (private), Feb 2026, with a description and its own position
    6 litter on a closed safety walk, Jun 2025, won't fix, felt 3
    7 graffiti outside Centrum"""
    leader = make_staff(session, "walk_leader")
    walk = Walk(
        title="Kvällsvandring Centrum",
        status=WalkStatus.closed,
        starts_at=at(2025, 6, 9),
        leader_id=leader.id,
        join_code="CENTRUM1",
    )
    session.add(walk)
    session.commit()
    lat, lon = P
    rows = [
        insert_observation(
            session,
            lat=lat,
            lon=lon,
            created_at=at(2025, 1),
            status=Status.fixed,
            fixed_at=at(2025, 1, 14),
            unsafe_level=4,
            dark=True,
        ),
        insert_observation(
            session,
            lat=lat,
            lon=lon + 0.0001,
            created_at=at(2025, 3),
            status=Status.verified,
            fixed_at=at(2025, 3, 20),
            unsafe_level=2,
        ),
        insert_observation(
            session,
            lat=lat,
            lon=lon,
            category="vegetation",
            created_at=at(2026, 2),
            unsafe_level=5,
            dark=True,
            contact_email="resident.private@example.org",
        ),
        insert_observation(
            session,
            lat=65.8240,
            lon=21.6905,
            category="good-place",
            created_at=at(2026, 2, 11),
            description="The playground is lit and lively",
        ),
        insert_observation(
            session,
            lat=SECRET_LAT,
            lon=SECRET_LON,
            category="drug-dealing",
            created_at=at(2026, 2, 12),
            description="SECRET-DEALER-CORNER",
        ),
        insert_observation(
            session,
            lat=65.8262,
            lon=21.6850,
            category="litter",
            created_at=at(2025, 6, 9),
            status=Status.wont_fix,
            unsafe_level=3,
            walk_id=walk.id,
        ),
        insert_observation(
            session, lat=65.60, lon=21.20, category="graffiti", created_at=at(2026, 2)
        ),
    ]
    # A staff-only note, written as staff write it.
    admin = make_staff(session, "admin")
    lifecycle.transition(
        session=session,
        obs=rows[2],
        to=Status.triaged,
        actor=lifecycle.Actor.staff(admin),
        internal_note="INTERNAL-NOTE-DO-NOT-SHOW",
    )
    return Fixture(walk_id=walk.id or 0, tokens=[r.token for r in rows], noted_id=rows[2].id)


def figure(html: str, name: str) -> str:
    found = re.search(rf'data-figure="{name}">([^<]*)<', html)
    assert found, f"no figure {name}"
    return found.group(1).strip()


def table(html: str, table_id: str) -> dict[str, list[str]]:
    """A table's rows as {row heading: [cells]} (tags stripped)."""
    body = html.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    rows: dict[str, list[str]] = {}
    for row in re.findall(r"<tr>(.*?)</tr>", body, flags=re.S):
        heading = re.search(r'<th scope="row">(.*?)</th>', row, flags=re.S)
        if heading:
            cells = re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)
            clean = [html_text.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in cells]
            name = html_text.unescape(re.sub(r"<[^>]+>", "", heading.group(1)))
            rows[" ".join(name.split())] = clean
    return rows


@pytest.fixture
def planner(client: TestClient, session: Session):  # type: ignore[no-untyped-def]
    return login_as(client, session, "planner")


def test_every_figure_matches_the_hand_count(client, planner, centrum):
    page = client.get(PAGE)
    assert page.status_code == 200
    html = page.text
    assert "History of Centrum" in html
    assert figure(html, "total") == "6"  # the graffiti lies outside
    assert figure(html, "problems") == "5"
    assert figure(html, "open") == "2"  # the vegetation (now triaged) and the private report
    assert figure(html, "share-fixed") == "40 %"  # 2 fixed of 5 problems
    assert figure(html, "median-days") == "7"  # (4 + 10) / 2
    assert figure(html, "good") == "1"
    assert figure(html, "dark") == "2" and figure(html, "daylight") == "4"
    assert "6 reports match." in html

    categories = table(html, "by-category")
    assert {k: v[0] for k, v in categories.items()} == {
        "Dark spot / broken light": "2",
        "Overgrown vegetation blocking the view": "1",
        "Good place \u2013 worth keeping": "1",
        "Drug dealing (private: counted only)": "1",
        "Litter": "1",
    }
    statuses = {k: v[0] for k, v in table(html, "by-status").items()}
    assert statuses == {
        "Received": "1",
        "Being looked at": "1",
        "Fixed": "1",
        "Fixed and checked": "1",
        "Will not be fixed": "1",
    }
    unsafety = table(html, "unsafety")
    assert unsafety["2025"] == ["3", "3", DASH]  # (4 + 2 + 3) / 3
    assert unsafety["2026"] == ["5", "1", "+2 (felt less safe)"]

    # Fourteen months from January 2025 to February 2026, each a bar with its count.
    assert len(re.findall(r'<rect class="bar"', html)) == 14
    assert "<title>2025-01: 1</title>" in html and "<title>2025-02: 0</title>" in html
    assert "<title>2026-02: 3</title>" in html

    # The walk held here links its protocol; the good place is listed.
    assert f'href="/walks/{centrum.walk_id}/protocol">Kvällsvandring Centrum</a>' in html
    assert "The playground is lit and lively" in html


def test_recurring_spots_come_first_with_count_and_span(client, planner, centrum):
    html = client.get(PAGE).text
    spots = html.index('id="spots-heading"')
    assert spots < html.index('id="months-heading"') < html.index('id="categories-heading"')
    assert spots < html.index('id="good-heading"') and spots < html.index('id="walks-heading"')
    listed = html.split('<ol class="spots">', 1)[1].split("</ol>", 1)[0]
    assert listed.count("<li") == 1
    assert "3 reports, in 3 different months" in listed
    assert "first 2025-01-10, last 2026-02-10" in listed
    # A tighter distance than the 4.6 m between the first two still finds the same place twice.
    narrow = client.get(PAGE + "?distance=10").text
    assert "within 10 m of each other" in narrow


@pytest.mark.parametrize(
    ("query", "total"),
    [
        ("from=2026-01-01", "3"),
        ("to=2025-02-01", "1"),
        ("category=dark-spot", "2"),
        ("category=dark-spot&category=litter", "3"),
        ("status=open", "3"),  # new, triaged: the good place, the vegetation, the private one
        ("status=fixed", "1"),
        ("dark=dark", "2"),
        ("dark=daylight", "4"),
        ("source=walk", "1"),
        ("source=own", "5"),
    ],
)
def test_each_filter_narrows_the_figures(client, planner, centrum, query, total):
    page = client.get(f"{PAGE}?{query}")
    assert page.status_code == 200
    assert figure(page.text, "total") == total
    # The links of the view carry the filter: the shareable link and both exports.
    assert f'href="{PAGE}?{query.replace("&", "&amp;")}" data-view-link' in page.text
    assert f'href="{PAGE}/export.csv?{query.replace("&", "&amp;")}"' in page.text
    assert f'href="{PAGE}/export.geojson?{query.replace("&", "&amp;")}"' in page.text


def test_htmx_gets_the_results_alone_and_the_url_of_the_view(client, planner, centrum):
    form = {"from": "2026-01-01", "to": "", "dark": "", "source": "", "distance": "25"}
    answer = client.get(PAGE, params=form, headers=HX)
    assert answer.status_code == 200
    assert "<html" not in answer.text and "<form" not in answer.text
    assert figure(answer.text, "total") == "3"
    # Empty fields and the default distance stay out of the URL the browser shows.
    assert answer.headers["HX-Push-Url"] == PAGE + "?from=2026-01-01"
    assert 'data-planning-points="/planning/zones/centrum/points.geojson?from=2026-01-01"' in (
        answer.text
    )
    # The whole page has the form that asks for this partial and pushes its URL.
    page = client.get(PAGE).text
    assert 'hx-get="/planning/zones/centrum"' in page and 'hx-push-url="true"' in page
    assert 'hx-target="#history-results"' in page


def test_points_for_the_map_carry_no_private_data(client, planner, centrum):
    answer = client.get(PAGE + "/points.geojson")
    assert answer.status_code == 200
    geo = answer.json()
    assert geo["total"] == 5 and len(geo["features"]) == 5  # no private report on a map
    for feature in geo["features"]:
        assert set(feature["properties"]) == {
            "id",
            "status",
            "category",
            "good",
            "dark",
            "reported_on",
        }
    assert {f["properties"]["category"] for f in geo["features"]} == {
        "dark-spot",
        "vegetation",
        "good-place",
        "litter",
    }
    narrowed = client.get(PAGE + "/points.geojson?category=good-place").json()
    assert narrowed["total"] == 1 and narrowed["features"][0]["properties"]["good"] is True


@pytest.mark.parametrize("path", [PAGE, PAGE + "/points.geojson"])
def test_no_personal_data_reaches_a_planner(client, planner, centrum, path):
    text = client.get(path).text
    for secret in (
        "resident.private@example.org",
        "INTERNAL-NOTE-DO-NOT-SHOW",
        "SECRET-DEALER-CORNER",
        str(SECRET_LAT),
        str(SECRET_LON),
        *centrum.tokens,
    ):
        assert secret not in text


@pytest.mark.parametrize(
    "path",
    ["/planning/zones/nowhere", "/planning/area/0123456789abcdef", "/planning/area/not-a-key"],
)
def test_an_unknown_zone_or_area_is_404(client, planner, path):
    assert client.get(path).status_code == 404
    assert client.get(path + "/points.geojson").status_code == 404


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ("from=2026-13-01", "from: Give a date as YYYY-MM-DD."),
        ("status=lost", "status: Unknown status."),
        ("from=2026-02-01&to=2026-01-01", "to: The end date comes before the start date."),
        ("dark=maybe", "dark: Choose dark or daylight."),
        ("category=a%00b", None),
        ("distance=0", None),
    ],
)
def test_bad_filter_values_are_a_clear_422(client, planner, centrum, query, says):
    for headers in ({}, HX):
        answer = client.get(f"{PAGE}?{query}", headers=headers)
        assert answer.status_code == 422, (query, answer.status_code)
        if says:
            assert says in answer.text
    if not query.startswith("distance"):  # the map's points have no distance
        assert client.get(f"{PAGE}/points.geojson?{query}").status_code == 422


@pytest.mark.parametrize("role", ["planner", "walk_leader", "triager", "admin"])
def test_planners_walk_leaders_triagers_and_admins_read_histories(client, session, role):
    login_as(client, session, role)
    assert client.get(PAGE).status_code == 200
    assert client.get("/planning/area").status_code == 200


def test_unit_staff_are_refused_and_residents_sent_to_login(client, session):
    anonymous = client.get(PAGE, follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login?next=")
    login_as(client, session, "unit_worker", unit="street-lighting")
    assert client.get(PAGE).status_code == 403
    assert client.get("/planning/area").status_code == 403


def square(lat: float, lon: float, d: float = 0.001) -> dict:
    ring = [[lon - d, lat - d], [lon + d, lat - d], [lon + d, lat + d], [lon - d, lat + d]]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


def test_a_drawn_area_is_kept_and_opens_its_history(client, planner, centrum):
    token = csrf_token(client, "/planning/area")
    drawn = json.dumps(square(*P, d=0.0005))  # about 50 m around the recurring spot
    answer = client.post(
        "/planning/area",
        data={"csrf_token": token, "geometry": drawn, "name": "Torget"},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    key_path = answer.headers["location"]
    assert re.fullmatch(r"/planning/area/[0-9a-f]{16}", key_path)
    page = client.get(key_path)
    assert page.status_code == 200 and "History of Torget" in page.text
    assert figure(page.text, "total") == "3"  # the three reports at the recurring spot
    assert f'hx-get="{key_path}"' in page.text
    assert f'href="{key_path}/export.csv"' in page.text
    points = client.get(key_path + "/points.geojson").json()
    assert points["total"] == 3
    # The same outline again is the same area.
    again = client.post(
        "/planning/area", data={"csrf_token": token, "geometry": drawn}, follow_redirects=False
    )
    assert again.headers["location"] == key_path


def test_an_uploaded_feature_collection_becomes_one_area(client, planner, centrum):
    token = csrf_token(client, "/planning/area")
    collection = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {}, "geometry": square(*P, d=0.0005)},
            {"type": "Feature", "properties": {}, "geometry": square(65.8262, 21.6850, d=0.0003)},
        ],
    }
    answer = client.post(
        "/planning/area",
        data={"csrf_token": token},
        files={"file": ("plan.geojson", json.dumps(collection).encode(), "application/geo+json")},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    page = client.get(answer.headers["location"])
    assert figure(page.text, "total") == "4"  # the recurring spot's three and the litter


BAD_UPLOADS = [
    (b"this is not json", "could not be read as JSON"),
    (
        b'{"type": "Polygon", "coordinates": [[[21.68, 65.82], [NaN, 65.83], [21.69, 65.83], '
        b"[21.68, 65.82]]]}",
        "no NaN or Infinity",
    ),
    (
        json.dumps(
            {"type": "LineString", "coordinates": [[21.68, 65.82], [21.69, 65.83]]}
        ).encode(),
        "This is a LineString, not an area",
    ),
    (
        json.dumps(
            {
                "type": "Polygon",
                "coordinates": [
                    [[21.68, 65.82], [21.69, 65.83], [21.69, 65.82], [21.68, 65.83], [21.68, 65.82]]
                ],
            }
        ).encode(),
        "The outline crosses itself",
    ),
    (
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {"type": "Feature", "geometry": square(*P)},
                    {"type": "Feature", "geometry": {"type": "Point", "coordinates": [21.6, 65.8]}},
                ],
            }
        ).encode(),
        "Feature 2: This is a Point, not an area",
    ),
    (
        json.dumps(
            {
                "type": "Polygon",
                "coordinates": [
                    [[805000, 7316000], [805500, 7316000], [805500, 7316500], [805000, 7316000]]
                ],
            }
        ).encode(),
        "look like metres",
    ),
    (b"\xff\xfe\x00garbage", "not GeoJSON text"),
]


@pytest.mark.parametrize(("content", "reason"), BAD_UPLOADS)
def test_a_bad_upload_is_refused_with_its_reason(client, planner, content, reason):
    token = csrf_token(client, "/planning/area")
    answer = client.post(
        "/planning/area",
        data={"csrf_token": token, "name": "Plan 12"},
        files={"file": ("plan.geojson", content, "application/geo+json")},
    )
    assert answer.status_code == 422
    assert reason in answer.text
    assert 'value="Plan 12"' in answer.text  # what was typed stays


@pytest.mark.parametrize(
    ("drawn", "reason"),
    [
        ("", "Draw an area on the map or choose a GeoJSON file"),
        ('{"type": "Polygon", "coordinates": [[[21.68, 65.82], [21.69, 65.83]]]}', "three corners"),
        ("[1, 2", "could not be read as JSON"),
    ],
)
def test_a_bad_drawing_is_refused_with_its_reason(client, planner, drawn, reason):
    token = csrf_token(client, "/planning/area")
    answer = client.post("/planning/area", data={"csrf_token": token, "geometry": drawn})
    assert answer.status_code == 422 and reason in answer.text


def test_keeping_an_area_needs_the_csrf_token(client, planner):
    drawn = json.dumps(square(*P))
    assert client.post("/planning/area", data={"geometry": drawn}).status_code == 403
    forged = client.post("/planning/area", data={"geometry": drawn, "csrf_token": "forged"})
    assert forged.status_code == 403


def test_the_area_page_lists_the_districts(client, planner, session):
    html = client.get("/planning/area").text
    assert 'href="/planning/zones/centrum"' in html and 'href="/planning/zones/heden"' in html
    assert 'name="geometry"' in html and 'type="file"' in html


def test_the_pages_speak_swedish(client, planner, centrum):
    client.get("/lang/sv?next=/staff")
    html = client.get(PAGE).text
    assert "Återkommande platser" in html and "Historik för Centrum" in html


def test_a_walk_without_protocol_links_to_the_walk(client, planner, session, centrum):
    walk = session.exec(select(Walk)).one()
    walk.status = WalkStatus.active
    session.add(walk)
    session.commit()
    html = client.get(PAGE).text
    assert f'href="/walks/{walk.id}">Kvällsvandring Centrum</a>' in html


def test_a_planner_lands_on_the_planning_start_page(client, session):
    from tests.factories import log_in

    planner = make_staff(session, "planner")
    answer = log_in(client, planner.email)
    assert answer.status_code == 303 and answer.headers["location"] == "/planning"
    triager = make_staff(session, "triager")
    assert log_in(TestClient(client.app), triager.email).headers["location"] == "/staff"


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        ("planner", True),
        ("triager", True),
        ("walk_leader", True),
        ("admin", True),
        ("unit_worker", False),
    ],
)
def test_the_staff_page_links_planning_for_those_who_may_plan(client, session, role, sees):
    login_as(client, session, role, unit="street-lighting" if role == "unit_worker" else None)
    assert ('href="/planning"' in client.get("/staff").text) is sees


def test_many_good_places_fold_after_eight(client, planner, session):
    for day in range(1, 11):
        insert_observation(
            session, lat=P[0], lon=P[1], category="good-place", created_at=at(2026, 1, day)
        )
    html = client.get(PAGE).text
    section = html.split('id="good-heading"', 1)[1]
    assert section.count("<li>") == 10  # all of them are there for the planner to open
    assert "2 more good places" in section
    assert section.index("2026-01-10") < section.index("2026-01-03") < section.index("<details")
