"""Units, categories and rules in bulk, as CSV files (admin pages and `safetywalk export/import`).

A file names rows by slug, never by id, so it moves between installations. The export goes
through `csvfile`, so a name that starts like a formula opens as text in a spreadsheet, and
`csvfile.read_cell` takes the protecting quote off again: an export imports back unchanged.
An import checks every row with the same cleaner the forms use before it changes anything,
then applies all of it or none of it; it creates and updates, and never deletes what the file
leaves out. A dry run reports what would happen and changes nothing.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from app.i18n import gettext as _
from app.models import StaffUser
from app.services import audit, csvfile, registry, text_input

MAX_IMPORT_ROWS = 5000


def export_rows(*, session: Session, kind: str) -> list[dict[str, str]]:
    """The rows of one kind as the CSV has them (slugs, not ids), in a stable order."""
    spec = registry.KINDS[kind]
    return [spec.values(session, row) for row in spec.listed(session)]


def export_csv(*, session: Session, kind: str) -> str:
    """One kind as CSV text: a header row, then one line per row."""
    return csvfile.text(registry.KINDS[kind].columns, export_rows(session=session, kind=kind))


@dataclass(frozen=True)
class RowError:
    row: int  # the line in the file; the header is line 1
    message: str


@dataclass
class ImportReport:
    kind: str
    dry_run: bool
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    applied: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


def _decode(data: bytes | str, report: ImportReport) -> str | None:
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            report.errors.append(
                RowError(1, _("The file is not UTF-8 text. Save it as CSV UTF-8."))
            )
            return None
    data = data.removeprefix("\ufeff")
    if not data.strip():
        report.errors.append(RowError(1, _("The file is empty.")))
        return None
    return data


def _read(data: bytes | str, kind: str, report: ImportReport) -> list[tuple[int, dict[str, str]]]:
    """The file's rows with their line numbers; problems with the file itself go to report."""
    text = _decode(data, report)
    if text is None:
        return []
    wanted = registry.KINDS[kind].columns
    reader = csv.reader(io.StringIO(text, newline=""))
    rows = []
    try:
        header = [name.strip() for name in next(reader)]
        if sorted(header) != sorted(wanted):
            message = _(
                "The first line must name the columns: %(columns)s.", columns=",".join(wanted)
            )
            report.errors.append(RowError(1, message))
            return []
        for cells in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) >= MAX_IMPORT_ROWS:
                message = _("At most %(n)s rows in one file.", n=MAX_IMPORT_ROWS)
                report.errors.append(RowError(line, message))
                return []
            if len(cells) != len(header):
                message = _(
                    "This row has %(found)s cells; the header has %(wanted)s.",
                    found=len(cells),
                    wanted=len(header),
                )
                report.errors.append(RowError(line, message))
                continue
            rows.append((line, dict(zip(header, map(csvfile.read_cell, cells), strict=True))))
    except csv.Error as exc:
        message = _("The file is not valid CSV: %(error)s", error=str(exc))
        report.errors.append(RowError(reader.line_num or 1, message))
        return []
    return rows


def import_csv(
    *,
    session: Session,
    kind: str,
    data: bytes | str,
    dry_run: bool = False,
    actor: StaffUser | None = None,
) -> ImportReport:
    """Check every row, then create and update them all in one transaction (or nothing, when a
    row is wrong or `dry_run`). The report counts created, updated and unchanged rows and lists
    each error with its line; the audit log gets an entry per row changed (`actor` None: the
    command line)."""
    spec = registry.KINDS[kind]
    report = ImportReport(kind=kind, dry_run=dry_run)
    seen: dict[tuple[Any, ...], int] = {}
    changes: list[tuple[Any, dict[str, Any]]] = []
    for line, raw in _read(data, kind, report):
        # The one input rule first: a control character never reaches a lookup or the database.
        errors = text_input.cell_errors(raw)
        values, errors = (None, errors) if errors else spec.clean(session=session, raw=raw)
        if errors:
            for column, message in errors.items():
                report.errors.append(RowError(line, f"{column}: {message}"))
            continue
        key = spec.key(values)
        if key in seen:
            message = _("This row repeats line %(line)s.", line=seen[key])
            report.errors.append(RowError(line, message))
            continue
        seen[key] = line
        row = spec.find(session, values)
        if row is None:
            report.created += 1
        elif all(getattr(row, k) == v for k, v in values.items()):
            report.unchanged += 1
            continue
        else:
            report.updated += 1
        changes.append((row, values))
    if report.errors or dry_run:
        session.rollback()
        return report
    try:
        for row, values in changes:
            before = spec.values(session, row) if row is not None else {}
            target = row if row is not None else spec.model(**values)
            for k, v in values.items():
                setattr(target, k, v)
            session.add(target)
            action = "update" if row is not None else "create"
            changed = audit.diff(before, spec.values(session, target))
            audit.record(session, actor, action, target, changed)
        session.commit()
    except IntegrityError:
        session.rollback()
        report.errors.append(RowError(1, _("Someone changed the same rows meanwhile. Try again.")))
        return report
    report.applied = True
    return report
