"""The one input rule, as functions: what is refused, what is removed, what passes."""

from __future__ import annotations

import pytest

from app.services import text_input
from app.services.text_input import Refused

C0 = [chr(c) for c in range(0x20)]
C1 = [chr(c) for c in range(0x80, 0xA0)]


@pytest.mark.parametrize("char", [*C0, "\x7f", *C1, "\ud800", "\udfff"])
def test_a_one_line_field_refuses_every_control_character_and_lone_surrogate(char):
    refused = text_input.problem("category", f"dark{char}spot")
    assert refused is not None and refused.field == "category"
    assert refused.reason == ("surrogate" if char >= "\ud800" else "control")


@pytest.mark.parametrize("value", ["Snöröjning", "Bodens Energi AB", "a@b.se", "é 😀 ✓", ""])
def test_ordinary_text_passes(value):
    assert text_input.problem("name_sv", value) is None


def test_free_text_keeps_tab_and_newlines_and_loses_the_rest():
    raw = "Dark\x00 under\x01pass\tby the\r\nriver\x7f\x85\ud800 "
    assert text_input.problem("description", raw) is None  # let through, cleaned when stored
    assert text_input.clean(raw) == "Dark underpass\tby the\r\nriver"
    assert text_input.clean("a\tb\nc", multiline=False) == "abc"


def test_over_long_values_are_refused_with_the_limit():
    assert text_input.problem("email", "a" * text_input.MAX_CHARS) is None
    too_long = text_input.problem("email", "a" * (text_input.MAX_CHARS + 1))
    assert too_long is not None and too_long.reason == "too_long"
    assert "“email” is too long: at most 2000 characters" in too_long.message
    assert text_input.problem("note", "a" * text_input.FREE_TEXT_MAX_CHARS) is None
    assert text_input.problem("note", "a" * (text_input.FREE_TEXT_MAX_CHARS + 1)) is not None
    assert text_input.problem("area", "1" * 50_000) is None  # a drawn area's GeoJSON


def test_check_names_the_first_bad_field_and_refuses_hostile_names():
    with pytest.raises(Refused) as caught:
        text_input.check([("zone", "centrum"), ("unit", "parks\x00"), ("category", "\x00")])
    assert caught.value.field == "unit" and "“unit”" in caught.value.message
    with pytest.raises(Refused) as named:
        text_input.check([("x\x00\x1b[31my", "1")])
    assert named.value.shown_field == "x[31my"  # shown without its control characters
    text_input.check([("description", "a\x00b"), ("zone", "centrum")])  # passes


def test_csv_cells_get_a_message_per_bad_cell():
    row = {"category": "veget\x00ation", "zone": "centrum", "unit": "parks\x1b", "x": None}
    errors = text_input.cell_errors(row)
    assert set(errors) == {"category", "unit"}
    assert "not allowed" in errors["category"]
    assert text_input.cell_errors({"category": "vegetation", "zone": ""}) == {}
