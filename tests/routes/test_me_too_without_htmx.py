"""The "me too" offers asked for with and without htmx: htmx gets the offers alone, a plain form
post a whole page whose "me too" buttons work as forms of their own."""

from __future__ import annotations

import re

from sqlmodel import select

from app.models import Observation, Support
from tests.factories import JSON, count, post_observation

HX = {"HX-Request": "true"}
HERE = {"category": "dark-spot", "lat": "65.82535", "lon": "21.6880"}


def report(client, session, **fields) -> Observation:  # type: ignore[no-untyped-def]
    token = post_observation(client, headers=JSON, **fields).json()["token"]
    return session.exec(select(Observation).where(Observation.token == token)).one()


def test_a_plain_form_post_gets_a_whole_page_and_its_me_too_form_counts(client, session):
    lamp = report(client, session, description="Lamp out under the bridge")
    page = client.post("/capture/nearby", data=HERE)
    assert page.status_code == 200
    assert "<html" in page.text and "Reported already?" in page.text
    assert "Lamp out under the bridge" in page.text
    form = re.search(
        rf'<form method="post" action="/observations/{lamp.id}/support">\s*'
        r'<input type="hidden" name="client_id" value="([0-9a-f-]{36})">',
        page.text,
    )
    assert form, page.text

    backed = client.post(f"/observations/{lamp.id}/support", data={"client_id": form.group(1)})
    assert backed.status_code == 200
    assert "<html" in backed.text and "You are counted in" in backed.text
    assert f'href="/reports/{lamp.id}"' in backed.text
    session.refresh(lamp)
    assert lamp.supporters == 1 and count(session, Support) == 1


def test_a_plain_form_post_with_nothing_nearby_says_so(client, session):
    report(client, session)
    page = client.post("/capture/nearby", data={**HERE, "lat": "65.84", "lon": "21.70"})
    assert page.status_code == 200
    assert "<html" in page.text and "No open reports like this nearby." in page.text
    assert "Me too" not in page.text


def test_htmx_gets_the_offers_alone_with_buttons_for_the_capture_form(client, session):
    lamp = report(client, session)
    part = client.post("/capture/nearby", headers=HX, data=HERE)
    assert part.status_code == 200
    assert "<html" not in part.text and "<h1" not in part.text
    assert f'data-me-too="{lamp.id}"' in part.text and "<form" not in part.text
    nothing = client.post("/capture/nearby", headers=HX, data={**HERE, "category": "graffiti"})
    assert nothing.status_code == 200 and nothing.text.strip() == ""


def test_the_whole_page_shows_a_refused_me_too_too(client, session):
    refused = client.post("/observations/999999/support", data={"client_id": "nope"})
    assert refused.status_code == 409
    assert "<html" in refused.text and "missing its id" in refused.text
