"""A category the administrators have switched off takes no new reports, whichever door they
come through (the form, htmx or the JSON API), and nothing of a refused report is stored."""

from __future__ import annotations

import pytest
from sqlmodel import select

from app.models import Category, Observation, Photo
from tests.factories import JSON, count, jpeg_bytes, post_observation


@pytest.fixture
def graffiti_switched_off(session):  # type: ignore[no-untyped-def]
    category = session.exec(select(Category).where(Category.slug == "graffiti")).one()
    category.active = False
    session.add(category)
    session.commit()
    return category


@pytest.mark.parametrize(
    "headers", [JSON, {"HX-Request": "true"}, {}], ids=["json", "htmx", "form"]
)
def test_a_report_in_an_inactive_category_is_refused_and_nothing_is_stored(
    client, session, graffiti_switched_off, headers
):
    answer = post_observation(
        client,
        headers=headers,
        category="graffiti",
        photos=[("wall.jpg", jpeg_bytes(), "image/jpeg")],
    )
    assert 400 <= answer.status_code < 500, answer.text
    if headers is JSON:
        assert answer.json()["result"] == "refused"
        assert "category" in answer.json()["errors"]
    else:
        assert "Choose what kind of place this is." in answer.text
    assert count(session, Observation) == 0
    assert count(session, Photo) == 0


def test_an_inactive_category_is_not_offered_and_an_active_one_still_works(
    client, session, graffiti_switched_off
):
    page = client.get("/").text
    assert 'value="graffiti"' not in page and 'value="dark-spot"' in page
    assert post_observation(client, headers=JSON, category="dark-spot").status_code == 201
    assert count(session, Observation) == 1
