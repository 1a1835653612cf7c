"""CSV files that people make in a spreadsheet, read for an import: UTF-8 with or without the
byte order mark Excel writes, separated by commas or by semicolons (what Excel writes where the
decimal sign is a comma), a header naming the columns in any order and case. Every problem
comes back with its line (the header is line 1), so the import can refuse the file whole and
say where each row went wrong. Cells pass csvfile.read_cell, so our own exports import back."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass

from app.i18n import gettext as _
from app.services import csvfile


@dataclass(frozen=True)
class RowError:
    line: int  # the line in the file; the header is line 1
    message: str


def _delimiter(header_line: str) -> str:
    return ";" if header_line.count(";") > header_line.count(",") else ","


def _text(data: bytes, errors: list[RowError]) -> str | None:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        errors.append(RowError(1, _("The file is not UTF-8 text. Save it as CSV UTF-8.")))
        return None
    if not text.strip():
        errors.append(RowError(1, _("The file is empty.")))
        return None
    return text


def read(
    data: bytes, columns: Sequence[str], *, max_rows: int, errors: list[RowError]
) -> list[tuple[int, dict[str, str]]]:
    """The file's rows as (line, {column: cell}), empty lines skipped; a row with the wrong
    number of cells, and any problem with the file itself, goes to `errors` instead (after a
    problem with the file no rows come back)."""
    text = _text(data, errors)
    if text is None:
        return []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text.splitlines()[0]))
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        header = [name.strip().casefold() for name in next(reader)]
        if sorted(header) != sorted(columns):
            wanted = ",".join(columns)
            errors.append(
                RowError(1, _("The first line must name the columns: %(columns)s.", columns=wanted))
            )
            return []
        for cells in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) >= max_rows:
                errors.append(RowError(line, _("At most %(n)s rows in one file.", n=max_rows)))
                return []
            if len(cells) != len(header):
                message = _(
                    "This row has %(found)s cells; the header has %(wanted)s.",
                    found=len(cells),
                    wanted=len(header),
                )
                errors.append(RowError(line, message))
                continue
            rows.append((line, dict(zip(header, map(csvfile.read_cell, cells), strict=True))))
    except csv.Error as exc:
        message = _("The file is not valid CSV: %(error)s", error=str(exc))
        errors.append(RowError(reader.line_num or 1, message))
        return []
    return rows
