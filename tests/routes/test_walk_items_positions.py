"""The walk's list for co-signing carries each item's position (for the distance from the
phone) and its reasons, and never a private category's item, so never its position."""

from __future__ import annotations

from app.models import Category
from tests.factories import CENTRUM, insert_observation
from tests.routes.test_walks import leader, move, plan_walk  # noqa: F401


def test_the_items_carry_their_position_and_reasons_but_private_ones_are_not_listed(
    client,
    session,
    leader,  # noqa: F811
):
    walk = plan_walk(client, session)
    move(client, walk, "start")
    lamp = insert_observation(
        session,
        lat=CENTRUM[0] + 0.0012345,
        lon=CENTRUM[1] - 0.0006789,
        walk_id=walk.id,
        factors="lighting,no_way_out",
        description="The lamp by the steps is out.",
    )
    secret = insert_observation(
        session, lat=65.81, lon=21.70, category="drug-dealing", walk_id=walk.id
    )
    assert session.get(Category, secret.category_id).private
    page = client.get(f"/w/{walk.join_code}/items")
    assert page.status_code == 200
    row = page.text.split(f'id="cosign-{lamp.id}"')[1].split("</li>")[0]
    assert f'data-lat="{round(lamp.lat, 6)}" data-lon="{round(lamp.lon, 6)}"' in row
    assert "Poor lighting, No way out" in row
    assert "The lamp by the steps is out." in row
    assert "data-distance hidden" in row  # filled in by the phone, not by the server
    assert f"cosign-{secret.id}" not in page.text
    assert 'data-lat="65.81"' not in page.text
    # The button and the messages the script uses, in the reader's language.
    assert "Sort by distance" in page.text and "{distance} away" in page.text
