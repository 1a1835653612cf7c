"""The queue's filter bar keeps every part of the filter in view (the start page's "new today"
is `since`), and the table has no empty address column when nothing on the page has one."""

from __future__ import annotations

from datetime import timedelta

from app import clock
from tests.factories import insert_observation, login_as

CENTRUM = (65.8253, 21.6880)


def test_a_since_filter_shows_in_the_bar_and_is_kept_by_it(client, session, stopped_clock):
    old = insert_observation(session, lat=CENTRUM[0], lon=CENTRUM[1])
    old.created_at = clock.now() - timedelta(days=3)
    session.add(old)
    session.commit()
    today = insert_observation(session, lat=CENTRUM[0], lon=CENTRUM[1])
    login_as(client, session, "triager")
    day = clock.now().date().isoformat()
    page = client.get(f"/triage?since={day}").text
    assert f'name="since" value="{day}"' in page  # the bar's form sends it again on a change
    assert f'id="row-{today.id}"' in page and f'id="row-{old.id}"' not in page
    assert 'name="since" value=""' in client.get("/triage").text


def test_the_address_column_shows_only_when_a_row_has_an_address(client, session):
    obs = insert_observation(session, lat=CENTRUM[0], lon=CENTRUM[1])
    login_as(client, session, "triager")
    assert 'class="queue no-address"' in client.get("/triage").text
    obs.address = "Storgatan 12, Boden"
    session.add(obs)
    session.commit()
    page = client.get("/triage").text
    assert 'class="queue"' in page and "Storgatan 12, Boden" in page
