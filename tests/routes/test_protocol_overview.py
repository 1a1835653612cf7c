"""A walk of 30 items with photos, logged through the capture route: its protocol page shows
the overview map (one numbered pin per item, the route and the meeting point, the legend) above
the items, and its PDF has the same map and keeps every item whole on one page."""

from __future__ import annotations

import io
import json
import random
import re
import xml.etree.ElementTree as ET

import pytest
from pypdf import PdfReader

from app.models import Walk
from app.services import walk_protocol
from tests.factories import CENTRUM, JSON, jpeg_bytes, login_as, post_observation
from tests.routes.test_walks import join, move, participant, plan_walk

ITEMS = 30
SVG = "{http://www.w3.org/2000/svg}"
ROUTE = {
    "type": "LineString",
    "coordinates": [[21.6850, 65.8240], [21.6880, 65.8253], [21.6910, 65.8262]],
}
SENTENCE = "The path behind the school is dark and the bushes hide whoever stands there. "


@pytest.fixture
def long_walk(client, session, app, settings):  # type: ignore[no-untyped-def]
    """A closed walk of 30 items, each with a photo (some upright), descriptions of every
    length so that page breaks fall where an item would be cut; every description ends with
    its own marker."""
    login_as(client, session, "walk_leader")
    walk = plan_walk(
        client,
        session,
        route=json.dumps(ROUTE),
        meeting_lat="65.8245",
        meeting_lon="21.6862",
    )
    move(client, walk, "start")
    phone = participant(app)
    join(phone, walk)
    rng = random.Random(16)
    for n in range(ITEMS):
        good = n % 5 == 4
        upright = n % 3 == 0
        picture = jpeg_bytes(600 + n, 800) if upright else jpeg_bytes(800 + n, 600)
        answer = post_observation(
            phone,
            walk_code=walk.join_code,
            category="good-place" if good else ("vegetation" if n % 2 else "dark-spot"),
            unsafe_level=None if good else str(1 + n % 5),
            lat=CENTRUM[0] + rng.uniform(-0.0015, 0.0015),
            lon=CENTRUM[1] + rng.uniform(-0.003, 0.003),
            description=SENTENCE * (1 + (n * 7) % 9) + f"MARK{n:02d}END",
            photos=[(f"{n}.jpg", picture, "image/jpeg")],
            headers=JSON,  # the API's answer: 201 with the token
        )
        assert answer.status_code == 201, answer.text
    move(client, walk, "close")
    session.expire_all()
    walk = session.get(Walk, walk.id)
    proto = walk_protocol.protocol(session=session, walk=walk, settings=settings, lang="en")
    return walk, proto


def test_the_protocol_page_shows_the_overview_map_above_the_items(client, long_walk) -> None:  # type: ignore[no-untyped-def]
    walk, proto = long_walk
    page = client.get(f"/walks/{walk.id}/protocol")
    assert page.status_code == 200
    text = page.text
    # After the facts, before the items.
    assert (
        text.index('<dl class="facts">')
        < text.index('id="map-title"')
        < text.index('id="fix-title"')
    )
    svg = ET.fromstring(
        re.search(r"<svg[^>]*protocol-map-svg.*?</svg>(?=\s*<figcaption)", text, re.S)[0]
    )  # type: ignore[index]
    pins = [g for g in svg.iter(f"{SVG}g") if g.get("data-item")]
    numbers = [int(g.get("data-number")) for g in pins]  # type: ignore[arg-type]
    assert numbers == list(range(1, ITEMS + 1))  # one each, in order (a later one on top)
    # Each pin is the item with that number in the lists.
    item_of = {int(g.get("data-number")): int(g.get("data-item")) for g in pins}  # type: ignore[arg-type]
    assert item_of == {n: i.id for n, i in proto.numbered}
    classes = {e.get("class") for e in svg.iter()}
    assert {"route", "meeting", "area"} <= classes  # area: the district's outline
    legend = text.split('class="protocol-map-legend"')[1].split("</ul>")[0]
    assert f"Open ({len(proto.to_fix)})" in legend
    assert f"Good places ({len(proto.to_keep)})" in legend
    assert "Route" in legend and "Meeting point" in legend


def test_the_protocol_page_in_swedish_names_the_map_and_legend_in_swedish(
    client, long_walk
) -> None:  # type: ignore[no-untyped-def]
    walk, _proto = long_walk
    page = client.get(f"/walks/{walk.id}/protocol", headers={"Accept-Language": "sv"})
    assert "Översiktskarta" in page.text
    legend = page.text.split('class="protocol-map-legend"')[1].split("</ul>")[0]
    assert "Öppna" in legend and "Bra platser" in legend and "Rutt" in legend


def test_the_pdf_keeps_every_item_whole_on_one_page(client, long_walk) -> None:  # type: ignore[no-untyped-def]
    walk, proto = long_walk
    answer = client.get(f"/walks/{walk.id}/protocol.pdf")
    assert answer.status_code == 200
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(answer.content)).pages]
    assert len(pages) > 3  # the items do run over several pages
    assert "Overview map" in pages[0]

    def page_of(pattern: str) -> int:
        found = [p for p, text in enumerate(pages) if re.search(pattern, text, re.M)]
        assert len(found) == 1, (pattern, found)
        return found[0]

    for number, item in proto.numbered:
        heading = page_of(rf"^{number}\. {re.escape(item.category.name('en'))}")
        end = page_of(rf"MARK{item.description[-5:-3]}END")
        assert heading == end, f"item {number} starts on page {heading + 1}, ends on {end + 1}"
    images = [img for page in PdfReader(io.BytesIO(answer.content)).pages for img in page.images]
    assert len({img.data for img in images}) == ITEMS  # every photo, none lost at a break


def test_a_walk_with_no_items_still_gets_its_district_on_the_map(client, session) -> None:  # type: ignore[no-untyped-def]
    login_as(client, session, "walk_leader")
    walk = plan_walk(client, session)
    move(client, walk, "start")
    move(client, walk, "close")
    page = client.get(f"/walks/{walk.id}/protocol")
    assert page.status_code == 200
    svg = ET.fromstring(re.search(r"<svg[^>]*protocol-map-svg.*?</svg>", page.text, re.S)[0])  # type: ignore[index]
    assert [e.get("class") for e in svg.iter() if e.get("class") == "area"] == ["area"]
    assert not [g for g in svg.iter(f"{SVG}g") if g.get("data-item")]
    pdf = client.get(f"/walks/{walk.id}/protocol.pdf")
    assert pdf.status_code == 200
    assert "Overview map" in PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
