"""A walk's drawn area and route from the form: NaN, Infinity, a one-point route, a crossing or
open outline get a 422 that says what is wrong, on a new walk and on an edit (a 500 before)."""

from __future__ import annotations

import pytest

from app.models import Walk
from tests.factories import count, csrf_token
from tests.routes.test_walks import leader, plan_walk, walk_form  # noqa: F401 - fixture

BAD = {
    "NaN in the area": (
        "area",
        '{"type":"Polygon","coordinates":[[[NaN,65.8],[21.7,65.8],[21.7,65.9],[NaN,65.8]]]}',
        "finite numbers",
    ),
    "Infinity in the area": (
        "area",
        '{"type":"Polygon","coordinates":[[[21.6,65.8],[Infinity,65.8],[21.7,65.9],[21.6,65.8]]]}',
        "finite numbers",
    ),
    "NaN in the route": (
        "route",
        '{"type":"LineString","coordinates":[[21.6,NaN],[21.7,65.9]]}',
        "finite numbers",
    ),
    "one-point route": (
        "route",
        '{"type":"LineString","coordinates":[[21.6,65.8]]}',
        "at least two different points",
    ),
    "self-crossing area": (
        "area",
        '{"type":"Polygon","coordinates":'
        "[[[21.6,65.8],[21.7,65.9],[21.7,65.8],[21.6,65.9],[21.6,65.8]]]}",
        "crosses itself",
    ),
    "unclosed area": (
        "area",
        '{"type":"Polygon","coordinates":[[[21.6,65.8],[21.7,65.8],[21.7,65.9],[21.6,65.9]]]}',
        "must end where it starts",
    ),
}


@pytest.mark.parametrize("case", BAD.values(), ids=BAD.keys())
def test_a_bad_drawing_on_a_new_walk_is_a_clear_422(client, session, leader, case):  # noqa: F811
    field, drawing, reason = case
    answer = client.post("/walks/new", data=walk_form(csrf_token(client), **{field: drawing}))
    assert answer.status_code == 422
    assert "The walk is not saved yet" in answer.text
    assert reason in answer.text
    assert count(session, Walk) == 0


@pytest.mark.parametrize("case", BAD.values(), ids=BAD.keys())
def test_a_bad_drawing_on_an_edit_is_a_clear_422(client, session, leader, case):  # noqa: F811
    field, drawing, reason = case
    walk = plan_walk(client, session)
    answer = client.post(
        f"/walks/{walk.id}/edit", data=walk_form(csrf_token(client), **{field: drawing})
    )
    assert answer.status_code == 422
    assert reason in answer.text
    session.refresh(walk)
    assert walk.area is None and walk.route is None


def test_the_form_speaks_swedish_too(client, session, leader):  # noqa: F811
    client.cookies.set("lang", "sv")
    answer = client.post(
        "/walks/new",
        data=walk_form(
            csrf_token(client), route='{"type":"LineString","coordinates":[[21.6,65.8]]}'
        ),
        headers={"Accept-Language": "sv"},
    )
    assert answer.status_code == 422
    assert "minst två olika punkter" in answer.text
