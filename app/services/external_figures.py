"""External indicators: figures the municipality gets from others once a year (police-reported
crimes per area, the SCB survey's safety index, the school drug survey), entered by hand or as
CSV, each with its source, and shown beside our own figures.

There is one figure per (indicator, year, zone); the whole municipality is "no zone". A new
figure for the same key replaces the old one, so a corrected file can simply be imported again.

The CSV import reads the columns `indicator,year,zone,value,source` (the zone by its short name,
empty for the whole municipality), as UTF-8 with or without a byte order mark, separated by
commas or semicolons, with a decimal point or a decimal comma (what a Swedish spreadsheet
writes). It checks every row first and then saves all of them or none: each bad row is reported
with its line number and the reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from app import clock
from app.i18n import gettext as _
from app.i18n import using
from app.models import ExternalFigure, Zone
from app.services import (
    csv_input,
    csvfile,
    figure_text,
    follow_up_input,
    indicators,
    text_input,
)
from app.services.csv_input import RowError

COLUMNS = ("indicator", "year", "zone", "value", "source")
MAX_IMPORT_ROWS = 5000
MAX_IMPORT_BYTES = 2 * 1024 * 1024
SOURCE_MAX = 300
VALUE_MAX = 1e12  # far above any count of crimes; keeps nonsense out of the sums


class Invalid(ValueError):
    """The form's values cannot be saved: a message per field."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors


@dataclass(frozen=True)
class Entry:
    """One checked figure, ready to be saved."""

    indicator: str
    year: int
    zone_id: int | None
    value: float
    source: str

    @property
    def key(self) -> tuple[str, int, int | None]:
        return (self.indicator, self.year, self.zone_id)


@dataclass(frozen=True)
class Listed:
    """A stored figure as the list and the follow-up page show it."""

    figure: ExternalFigure
    label: str  # the indicator's name in the page's language
    zone_name: str | None  # None: the whole municipality
    shown: str  # the value as the pages show it ("7 %", "1,893")


@dataclass
class ImportReport:
    created: int = 0
    replaced: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def indicator_choices() -> list[tuple[str, str]]:
    """The external indicators as (key, name) for a form, in the catalogue's order."""
    return [(key, indicators.INDICATORS[key].label()) for key in indicators.EXTERNAL]


def page(*, session: Session, year: int | None) -> dict[str, object]:
    """What the figures page lists and offers: the figures of `year` (or all), the years that
    have figures, the form's indicators and zones, and the CSV's columns."""
    return {
        "year": year,
        "years": years(session=session),
        "figures": listed(session=session, year=year),
        "indicator_choices": indicator_choices(),
        "zones": follow_up_input.zones(session=session),
        "columns": COLUMNS,
    }


def _indicator_names() -> dict[str, str]:
    """Every way a file may name an external indicator: its key, or its name in Swedish or
    English (case does not matter)."""
    names: dict[str, str] = {}
    for key in indicators.EXTERNAL:
        names[key.casefold()] = key
        for lang in ("sv", "en"):
            with using(lang):
                names[indicators.INDICATORS[key].label().casefold()] = key
    return names


def clean(
    *, session: Session, raw: Mapping[str, str], names: Mapping[str, str] | None = None
) -> Entry:
    """Check one figure's fields (from the form or a CSV row); raise Invalid naming each
    field that is wrong."""
    names = names if names is not None else _indicator_names()
    errors: dict[str, str] = {}
    given = (raw.get("indicator") or "").strip()
    indicator = names.get(given.casefold())
    if not given:
        errors["indicator"] = _("Choose the indicator.")
    elif indicator is None:
        errors["indicator"] = _(
            "Unknown indicator “%(name)s”. Use one of: %(keys)s.",
            name=given[:64],
            keys=", ".join(indicators.EXTERNAL),
        )
    year = follow_up_input.year(raw.get("year") or "")
    if year is None:
        errors["year"] = follow_up_input.year_message()
    zone_id = None
    if slug := (raw.get("zone") or "").strip():
        zone = follow_up_input.zone(session=session, slug=slug)
        if zone is None:
            errors["zone"] = _(
                "No district or part of town has the short name “%(slug)s”.", slug=slug[:64]
            )
        zone_id = zone.id if zone else None
    value_text = (raw.get("value") or "").strip().removesuffix("%").strip()
    value = follow_up_input.number(value_text)
    if not value_text:
        errors["value"] = _("Give the value.")
    elif value is None or abs(value) > VALUE_MAX:
        errors["value"] = _("“%(text)s” is not a number.", text=value_text[:32])
    elif indicator is not None and _is_share(indicator):
        # A share is typed in percent, as surveys publish it, and stored as a fraction.
        if not 0 <= value <= 100:
            errors["value"] = _("A share is between 0 and 100 %.")
        value = value / 100
    source = text_input.clean(raw.get("source") or "", multiline=False)
    if not source:
        errors["source"] = _("Give the source (who published the figure, and where).")
    elif len(source) > SOURCE_MAX:
        errors["source"] = _("The source is too long: at most %(n)s characters.", n=SOURCE_MAX)
    if errors:
        raise Invalid(errors)
    assert indicator is not None and year is not None and value is not None
    return Entry(indicator=indicator, year=year, zone_id=zone_id, value=value, source=source)


def _is_share(key: str) -> bool:
    found = indicators.INDICATORS.get(key)
    return found is not None and found.unit == "share"


def shown_value(figure: ExternalFigure) -> float:
    """The value as typed and exported: a share back in percent."""
    return figure.value * 100 if _is_share(figure.indicator) else figure.value


def _existing(session: Session, key: tuple[str, int, int | None]) -> ExternalFigure | None:
    indicator, year, zone_id = key
    zone_clause = (
        col(ExternalFigure.zone_id).is_(None)
        if zone_id is None
        else col(ExternalFigure.zone_id) == zone_id
    )
    return session.exec(
        select(ExternalFigure).where(
            ExternalFigure.indicator == indicator, ExternalFigure.year == year, zone_clause
        )
    ).first()


def _store(session: Session, entry: Entry, user_id: int | None) -> bool:
    """Put `entry` in the session, replacing the figure with its key; True when it replaced
    one."""
    figure = _existing(session, entry.key)
    replaced = figure is not None
    if figure is None:
        figure = ExternalFigure(indicator=entry.indicator, year=entry.year, zone_id=entry.zone_id)
    figure.value = entry.value
    figure.source = entry.source
    figure.entered_at = clock.now()
    figure.entered_by_id = user_id
    session.add(figure)
    return replaced


def add(*, session: Session, raw: Mapping[str, str], user_id: int | None) -> ExternalFigure:
    """Save one figure from the form (replacing the one with the same indicator, year and
    zone); raise Invalid when a field is wrong."""
    entry = clean(session=session, raw=raw)
    _store(session, entry, user_id)
    session.commit()
    figure = _existing(session, entry.key)
    assert figure is not None
    return figure


def by_id(*, session: Session, figure_id: int) -> ExternalFigure | None:
    return session.get(ExternalFigure, figure_id)


def delete(*, session: Session, figure: ExternalFigure) -> None:
    session.delete(figure)
    session.commit()


def years(*, session: Session) -> list[int]:
    """The years that have figures, newest first."""
    found = session.exec(select(ExternalFigure.year).distinct()).all()
    return sorted(set(found), reverse=True)


def listed(*, session: Session, year: int | None = None) -> list[Listed]:
    """The figures (of one year, or all), by year (newest first), indicator and zone."""
    query = select(ExternalFigure, Zone).outerjoin(Zone, col(Zone.id) == ExternalFigure.zone_id)
    if year is not None:
        query = query.where(ExternalFigure.year == year)
    order = {key: n for n, key in enumerate(indicators.EXTERNAL)}
    rows = [
        Listed(
            figure=figure,
            label=_label(figure.indicator),
            zone_name=zone.name if zone else None,
            shown=figure_text.value_text(figure_text.unit_of(figure.indicator), figure.value),
        )
        for figure, zone in session.exec(query).all()
    ]
    rows.sort(
        key=lambda r: (
            -r.figure.year,
            order.get(r.figure.indicator, len(order)),
            r.zone_name is not None,
            (r.zone_name or "").casefold(),
        )
    )
    return rows


def _label(key: str) -> str:
    found = indicators.INDICATORS.get(key)
    return found.label() if found is not None else key


def beside(*, session: Session, year: int, zone_id: int | None) -> list[Listed]:
    """The external figures to show beside ours for a year: for each external indicator the
    zone's own figure, or the whole municipality's when the zone has none (the row says
    which)."""
    by_key: dict[str, Listed] = {}
    for row in listed(session=session, year=year):
        if row.figure.zone_id == zone_id:
            by_key[row.figure.indicator] = row
        elif row.figure.zone_id is None:
            by_key.setdefault(row.figure.indicator, row)
    return [by_key[key] for key in indicators.EXTERNAL if key in by_key]


# CSV: import and export.


def import_csv(*, session: Session, data: bytes | None, user_id: int | None) -> ImportReport:
    """Check every row, then save them all in one transaction, or nothing when any row is
    wrong. The report counts new and replaced figures, or lists each error with its line.
    `data` is None when no file was chosen."""
    report = ImportReport()
    if data is None:
        report.errors.append(RowError(1, _("Choose a CSV file to import.")))
        return report
    if len(data) > MAX_IMPORT_BYTES:
        message = _("The file is too large: at most %(n)s MB.", n=MAX_IMPORT_BYTES // 2**20)
        report.errors.append(RowError(1, message))
        return report
    names = _indicator_names()
    entries: list[Entry] = []
    seen: dict[tuple[str, int, int | None], int] = {}
    for line, raw in csv_input.read(data, COLUMNS, max_rows=MAX_IMPORT_ROWS, errors=report.errors):
        # The one input rule first: a control character never reaches a lookup.
        refused = text_input.cell_errors(raw)
        if refused:
            for column, message in refused.items():
                report.errors.append(RowError(line, f"{column}: {message}"))
            continue
        try:
            entry = clean(session=session, raw=raw, names=names)
        except Invalid as exc:
            for column, message in exc.errors.items():
                report.errors.append(RowError(line, f"{column}: {message}"))
            continue
        if entry.key in seen:
            report.errors.append(
                RowError(line, _("This row repeats line %(line)s.", line=seen[entry.key]))
            )
            continue
        seen[entry.key] = line
        entries.append(entry)
    if not report.errors and not entries:
        report.errors.append(RowError(1, _("The file has no figures below its header.")))
    if report.errors:
        session.rollback()
        return report
    for entry in entries:
        if _store(session, entry, user_id):
            report.replaced += 1
        else:
            report.created += 1
    session.commit()
    return report


def export_csv(*, session: Session, year: int | None = None) -> str:
    """The figures as CSV in the import's own columns, so a file can be exported, corrected
    and imported back."""
    zones = {z.id: z.slug for z in session.exec(select(Zone)).all()}
    rows = [
        {
            "indicator": r.figure.indicator,
            "year": r.figure.year,
            "zone": zones.get(r.figure.zone_id, "") if r.figure.zone_id else "",
            "value": round(shown_value(r.figure), 6),
            "source": r.figure.source,
        }
        for r in listed(session=session, year=year)
    ]
    return csvfile.text(COLUMNS, rows, bom=True)
