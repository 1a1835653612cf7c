"""The follow-up page and the coordinator's targets and external figures: who may read and
who may manage, CSRF, every filter changing what is shown (and the URL following it), bad
input answered 4xx, and targets shown as met, not met or without data."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.models import ExternalFigure, Target, TargetDirection, Zone
from tests.factories import CENTRUM, count, csrf_token, insert_observation, login_as

HEDEN = (65.845, 21.633)
HX = {"HX-Request": "true"}
READERS = ["coordinator", "admin", "planner", "triager"]
MANAGERS = ["coordinator", "admin"]
OTHERS = ["unit_worker", "walk_leader"]


def at(year: int, month: int, day: int = 10) -> datetime:
    return datetime(year, month, day, 12, tzinfo=UTC)


@pytest.fixture
def reports(session: Session, stopped_clock: datetime) -> None:
    """Reports counted by hand (none a good place, none private):
    2026: three dark spots in Centrum (Feb, Feb, Jun) and one vegetation in Heden (Jun);
    2025: one dark spot in Centrum (Mar)."""
    for when in (at(2026, 2), at(2026, 2, 20), at(2026, 6)):
        insert_observation(session, lat=CENTRUM[0], lon=CENTRUM[1], created_at=when)
    insert_observation(
        session, lat=HEDEN[0], lon=HEDEN[1], category="vegetation", created_at=at(2026, 6)
    )
    insert_observation(session, lat=CENTRUM[0], lon=CENTRUM[1], created_at=at(2025, 3))


def figure(html: str, key: str = "reports") -> str:
    found = re.search(rf'data-figure="{key}">([^<]*)<', html)
    assert found, f"no figure {key}"
    return found.group(1).strip()


def previous(html: str, key: str = "reports") -> str:
    found = re.search(rf'data-previous="{key}">([^<]*)<', html)
    assert found, f"no previous figure {key}"
    return found.group(1).strip()


# Who may read and who may manage.


@pytest.mark.parametrize("role", READERS)
def test_readers_open_the_follow_up_page(client: TestClient, session: Session, role: str) -> None:
    login_as(client, session, role)
    page = client.get("/follow-up")
    assert page.status_code == 200
    assert "<h1>Follow-up</h1>" in page.text
    manage_links = 'href="/follow-up/targets"' in page.text
    assert manage_links == (role in MANAGERS)


@pytest.mark.parametrize("role", OTHERS)
def test_other_staff_are_refused(client: TestClient, session: Session, role: str) -> None:
    login_as(client, session, role)
    assert client.get("/follow-up").status_code == 403
    assert client.get("/follow-up/targets").status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client: TestClient) -> None:
    answer = client.get("/follow-up", follow_redirects=False)
    assert answer.status_code in (303, 307)
    assert "/login" in answer.headers["location"]


@pytest.mark.parametrize("role", ["planner", "triager"])
@pytest.mark.parametrize(
    "path", ["/follow-up/targets", "/follow-up/targets/new", "/follow-up/external"]
)
def test_planners_and_triagers_read_but_do_not_manage(
    client: TestClient, session: Session, role: str, path: str
) -> None:
    login_as(client, session, role)
    assert client.get(path).status_code == 403


@pytest.mark.parametrize("role", MANAGERS)
def test_coordinators_and_admins_manage(client: TestClient, session: Session, role: str) -> None:
    login_as(client, session, role)
    for path in ("/follow-up/targets", "/follow-up/targets/new", "/follow-up/external"):
        assert client.get(path).status_code == 200, path


def test_a_post_without_the_csrf_token_is_refused(client: TestClient, session: Session) -> None:
    login_as(client, session, "coordinator")
    answer = client.post(
        "/follow-up/targets/new",
        data={"indicator": "reports", "year": "2026", "direction": "at_most", "value": "10"},
    )
    assert answer.status_code == 403
    assert count(session, Target) == 0
    answer = client.post(
        "/follow-up/external",
        data={"indicator": "police_reported_crimes", "year": "2026", "value": "1", "source": "x"},
    )
    assert answer.status_code == 403
    assert count(session, ExternalFigure) == 0


# The filters: each one changes what is shown, and the URL follows.


def test_each_filter_changes_the_figures(client: TestClient, session: Session, reports) -> None:
    login_as(client, session, "planner")
    whole = client.get("/follow-up").text
    assert figure(whole) == "4"  # 2026, the whole municipality
    assert previous(whole) == "1"  # 2025
    assert figure(client.get("/follow-up?period=2025").text) == "1"
    assert figure(client.get("/follow-up?period=2026-Q1").text) == "2"
    assert previous(client.get("/follow-up?period=2026-Q1").text) == "1"
    assert figure(client.get("/follow-up?zone=heden").text) == "1"
    assert figure(client.get("/follow-up?zone=centrum").text) == "3"
    assert figure(client.get("/follow-up?category=vegetation").text) == "1"
    assert figure(client.get("/follow-up?zone=centrum&category=vegetation").text) == "0"


def test_the_chart_filter_changes_the_charts(client: TestClient, session: Session, reports) -> None:
    login_as(client, session, "planner")
    default = client.get("/follow-up").text
    other = client.get("/follow-up?chart=share_fixed").text
    assert "Reports of problems per year" in default
    assert "Reports of problems per year" not in other
    assert "per year" in other


def test_the_page_names_its_selection_and_keeps_it_in_the_form(
    client: TestClient, session: Session, reports
) -> None:
    login_as(client, session, "planner")
    html = client.get("/follow-up?period=2026-Q1&zone=heden&category=vegetation").text
    assert re.search(r'<option value="2026-Q1" selected>', html)
    assert re.search(r'<option value="heden" selected>', html)
    assert re.search(r'<option value="vegetation" selected>', html)
    assert "Heden, Overgrown vegetation blocking the view" in html


def test_htmx_gets_the_results_alone_and_the_url_to_push(
    client: TestClient, session: Session, reports
) -> None:
    login_as(client, session, "planner")
    answer = client.get("/follow-up?period=2026&zone=heden&category=&chart=reports", headers=HX)
    assert answer.status_code == 200
    assert "<html" not in answer.text and "<form" not in answer.text
    assert figure(answer.text) == "1"
    # Only what differs from the default view goes into the pushed URL.
    assert answer.headers["HX-Push-Url"] == "/follow-up?zone=heden"


def test_the_page_works_without_javascript(client: TestClient, session: Session) -> None:
    """The filter form is a plain GET form that the page itself answers."""
    login_as(client, session, "planner")
    html = client.get("/follow-up").text
    assert re.search(
        r'<form class="filters follow-up-filters[^"]*" method="get" action="/follow-up"', html
    )
    assert '<button type="submit" class="button">Show</button>' in html


@pytest.mark.parametrize(
    "query",
    [
        "period=2026-Q5",
        "period=soon",
        "period=1999",
        "period=99999999999999999999",
        "zone=atlantis",
        "category=nothing-like-this",
        "chart=police_reported_crimes",
        "chart=nonsense",
        "zone=centrum&zone=heden",
        "zone=cent%00rum",
        "period=2026%00",
    ],
)
def test_bad_selections_are_refused_with_422(
    client: TestClient, session: Session, query: str
) -> None:
    login_as(client, session, "planner")
    answer = client.get(f"/follow-up?{query}")
    assert answer.status_code == 422, (query, answer.status_code)
    assert client.get(f"/follow-up?{query}", headers=HX).status_code == 422


# Targets: set, shown with their outcome, changed and deleted.


def add_target(session: Session, **fields: object) -> Target:
    target = Target(**{"year": 2026, "direction": TargetDirection.at_most, **fields})  # type: ignore[arg-type]
    session.add(target)
    session.commit()
    session.refresh(target)
    return target


def test_targets_are_shown_met_not_met_and_without_data(
    client: TestClient, session: Session, reports
) -> None:
    add_target(session, indicator="reports", value=10)  # 4 ≤ 10: met
    add_target(session, indicator="reports", direction=TargetDirection.at_least, value=5)  # not met
    add_target(session, indicator="median_days_to_fix", value=14)  # nothing fixed: no data
    login_as(client, session, "coordinator")
    page = client.get("/follow-up").text
    reports_row = page.split('data-indicator="reports"')[1].split("</tr>")[0]
    assert 'data-outcome="met"' in reports_row and "at most 10" in reports_row
    assert 'data-outcome="not_met"' in reports_row and "at least 5" in reports_row
    median_row = page.split('data-indicator="median_days_to_fix"')[1].split("</tr>")[0]
    assert 'data-outcome="no_data"' in median_row and "No data" in median_row
    listing = client.get("/follow-up/targets?year=2026").text
    assert listing.count('data-outcome="met"') == 1
    assert listing.count('data-outcome="not_met"') == 1
    assert listing.count('data-outcome="no_data"') == 1
    assert "; so far 4" in reports_row  # 2026 is not over yet
    # Another year has no targets; a year that is over says what was reached.
    assert "No targets are set for 2025" in client.get("/follow-up/targets?year=2025").text
    add_target(session, indicator="reports", year=2025, value=3)
    last_year = client.get("/follow-up?period=2025").text
    row_2025 = last_year.split('data-indicator="reports"')[1].split("</tr>")[0]
    assert 'data-outcome="met"' in row_2025 and "; reached 1" in row_2025


def test_a_coordinator_sets_changes_and_deletes_a_target(
    client: TestClient, session: Session, stopped_clock
) -> None:
    login_as(client, session, "coordinator")
    token = csrf_token(client, "/follow-up/targets/new")
    answer = client.post(
        "/follow-up/targets/new",
        data={
            "csrf_token": token,
            "indicator": "share_fixed_within",
            "year": "2026",
            "zone": "",
            "category": "dark-spot",
            "direction": "at_least",
            "value": "80",
            "baseline_year": "",
            "within_days": "14",
            "note": "Belysningsplanen",
        },
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    target = session.exec(select(Target)).one()
    assert (target.indicator, target.value, target.within_days) == ("share_fixed_within", 0.8, 14)
    assert target.category_id is not None and target.zone_id is None
    listing = client.get(answer.headers["location"]).text
    assert "at least 80%, fixed within 14 days" in listing
    form = client.get(f"/follow-up/targets/{target.id}").text
    assert 'name="value" type="text" value="80"' in form
    centrum = session.exec(select(Zone).where(Zone.slug == "centrum")).one()
    answer = client.post(
        f"/follow-up/targets/{target.id}",
        data={
            "csrf_token": token,
            "indicator": "damage_reports",
            "year": "2026",
            "zone": "centrum",
            "direction": "at_most",
            "value": "-10",
            "baseline_year": "2025",
        },
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    session.expire_all()
    target = session.exec(select(Target)).one()
    assert (target.indicator, target.value, target.baseline_year) == ("damage_reports", -10, 2025)
    assert target.zone_id == centrum.id and target.category_id is None
    assert "at most \u221210% against 2025" in client.get("/follow-up/targets?year=2026").text
    target_id = target.id
    answer = client.post(
        f"/follow-up/targets/{target_id}/delete", data={"csrf_token": token}, follow_redirects=False
    )
    assert answer.status_code == 303
    assert count(session, Target) == 0
    assert client.get(f"/follow-up/targets/{target_id}").status_code == 404


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"indicator": "nonsense"}, "indicator", "Choose an indicator"),
        ({"year": "26"}, "year", "four digits"),
        ({"direction": "about"}, "direction", "at least"),
        ({"value": "many"}, "value", "as a number"),
        ({"value": "120"}, "value", "between 0 and 100"),
        ({"baseline_year": "2027"}, "baseline_year", "before the target"),
        ({"within_days": ""}, "within_days", "number of days"),
        ({"indicator": "reports", "within_days": "14"}, "within_days", "only"),
        ({"zone": "atlantis"}, "zone", "district or a part of town"),
        ({"category": "nothing"}, "category", "category"),
        ({"note": "x" * 501}, "note", "at most 500"),
    ],
)
def test_a_wrong_target_is_refused_with_a_clear_message(
    client: TestClient, session: Session, fields: dict[str, str], field: str, message: str
) -> None:
    login_as(client, session, "coordinator")
    data = {
        "csrf_token": csrf_token(client, "/follow-up/targets/new"),
        "indicator": "share_fixed_within",
        "year": "2026",
        "direction": "at_least",
        "value": "80",
        "within_days": "14",
        **fields,
    }
    answer = client.post("/follow-up/targets/new", data=data)
    assert answer.status_code == 422
    assert 'id="f-' + field + '"' in answer.text
    error = answer.text.split(f'id="err-{field}"')[1].split("</p>")[0]
    assert message in error
    assert count(session, Target) == 0


def test_nul_in_a_form_is_refused_not_stored(client: TestClient, session: Session) -> None:
    login_as(client, session, "coordinator")
    token = csrf_token(client, "/follow-up/targets/new")
    answer = client.post(
        "/follow-up/external",
        data={
            "csrf_token": token,
            "indicator": "police_reported_crimes",
            "year": "2026",
            "value": "1",
            "source": "Polisen\x00",
        },
    )
    assert answer.status_code == 422
    assert count(session, ExternalFigure) == 0


# External figures: by hand, by CSV, beside ours.


def test_external_figures_entered_and_imported_show_beside_ours(
    client: TestClient, session: Session, reports
) -> None:
    login_as(client, session, "coordinator")
    token = csrf_token(client, "/follow-up/external")
    answer = client.post(
        "/follow-up/external",
        data={
            "csrf_token": token,
            "indicator": "scb_safety_index",
            "year": "2026",
            "zone": "",
            "value": "3,4",
            "source": "SCB medborgarundersökning 2026",
        },
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    csv = "indicator;year;zone;value;source\npolice_reported_crimes;2026;heden;57;Polisen\n"
    answer = client.post(
        "/follow-up/external/import",
        data={"csrf_token": token},
        files={"file": ("figures.csv", csv.encode(), "text/csv")},
    )
    assert answer.status_code == 200
    assert "1 new, 0 replaced" in answer.text
    heden = client.get("/follow-up?zone=heden").text
    assert 'data-external="scb_safety_index"' in heden and "SCB medborgarundersökning 2026" in heden
    assert 'data-external="police_reported_crimes"' in heden and ">57<" in heden
    centrum = client.get("/follow-up?zone=centrum").text
    assert 'data-external="police_reported_crimes"' not in centrum  # Heden's is not Centrum's
    assert (
        "No external figures have been entered for 2025"
        in client.get("/follow-up?period=2025").text
    )
    exported = client.get("/follow-up/external.csv?year=2026")
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    assert "police_reported_crimes,2026,heden,57" in exported.text


def test_a_bad_csv_is_refused_line_by_line(client: TestClient, session: Session) -> None:
    login_as(client, session, "coordinator")
    token = csrf_token(client, "/follow-up/external")
    csv = (
        "indicator,year,zone,value,source\n"
        "police_reported_crimes,2026,,100,Polisen\n"
        "police_reported_crimes,2026,atlantis,5,Polisen\n"
    )
    answer = client.post(
        "/follow-up/external/import",
        data={"csrf_token": token},
        files={"file": ("figures.csv", csv.encode(), "text/csv")},
    )
    assert answer.status_code == 422
    assert 'data-line="3"' in answer.text and "atlantis" in answer.text
    assert count(session, ExternalFigure) == 0
    answer = client.post("/follow-up/external/import", data={"csrf_token": token})
    assert answer.status_code == 422 and "Choose a CSV file" in answer.text
