"""Reading the follow-up forms (agreements, focus areas, measures) field by field.

Every text passes the one input rule (`text_input`): a one-line field holding a control
character is refused, and so is a multi-line text holding one other than tab and newline (here
refused rather than quietly removed: the annex goes into the municipality's diary as typed).
Each reader adds a message to `errors` under the field's name and returns a harmless value, so
that one pass over a form names everything that is wrong at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from app.i18n import gettext as _
from app.services import text_input

TITLE_MAX = 200
# The years an agreement may cover: anything outside is a typing error (20026, 226).
YEAR_MIN = 2000
YEAR_MAX = 2100
SPAN_MAX_YEARS = 10  # the agreements in the seed run one to four years


class Invalid(Exception):
    """What is wrong with a form, field by field (field name → message)."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors


def column_limit(model: type, name: str) -> int:
    """The most characters the column `name` of `model` holds (the table is the one source)."""
    return int(model.__table__.c[name].type.length)  # type: ignore[attr-defined]


def one_line(raw: Mapping[str, str], name: str, limit: int, errors: dict[str, str]) -> str:
    """A one-line field: control characters refused, spaces folded, at most `limit` long."""
    value = raw.get(name) or ""
    refused = text_input.problem(name, value)
    if refused is not None:
        errors[name] = refused.message
        return ""
    value = " ".join(value.split())
    if len(value) > limit:
        errors[name] = _("Too long: at most %(n)s characters.", n=limit)
    return value[:limit]


def _multi_line_problem(name: str, value: str) -> text_input.Refused | None:
    """A control character other than tab and newline (what `clean` would remove)."""
    if text_input.clean(value) != value.strip():
        return text_input.Refused(name, "control")
    return None


def text(raw: Mapping[str, str], name: str, errors: dict[str, str], *, limit: int) -> str:
    """A multi-line text: newlines kept (CR LF as LF), other control characters refused, at
    most `limit` characters."""
    value = (raw.get(name) or "").replace("\r\n", "\n").replace("\r", "\n")
    refused = text_input.problem(name, value) or _multi_line_problem(name, value)
    if refused is not None:
        errors[name] = refused.message
        return ""
    value = "\n".join(line.rstrip() for line in value.strip().split("\n"))
    if len(value) > limit:
        errors[name] = _("Too long: at most %(n)s characters.", n=limit)
    return value[:limit]


def lines(
    raw: Mapping[str, str], name: str, errors: dict[str, str], *, each: int, most: int, total: int
) -> list[str]:
    """One entry per line (empty lines dropped), each at most `each` long, at most `most` of
    them, and at most `total` characters in all."""
    found = [line for line in text(raw, name, errors, limit=total).split("\n") if line]
    found = [" ".join(line.split()) for line in found]
    if name in errors:
        return found
    if any(len(line) > each for line in found):
        errors[name] = _("One line is too long: at most %(n)s characters a line.", n=each)
    elif len(found) > most:
        errors[name] = _("Too many lines: at most %(n)s.", n=most)
    return found


def year(raw: Mapping[str, str], name: str, errors: dict[str, str]) -> int | None:
    """A year such as 2026, or None with a message."""
    value = (raw.get(name) or "").strip()
    if not value:
        errors[name] = _("Give the year, e.g. 2026.")
        return None
    if not (value.isascii() and value.isdigit()) or not YEAR_MIN <= int(value) <= YEAR_MAX:
        errors[name] = _(
            "A year between %(first)s and %(last)s, e.g. 2026.", first=YEAR_MIN, last=YEAR_MAX
        )
        return None
    return int(value)


def years(raw: Mapping[str, str], errors: dict[str, str]) -> tuple[int, int]:
    """The first and last year of a period, in order and no longer than SPAN_MAX_YEARS."""
    first = year(raw, "first_year", errors)
    last = year(raw, "last_year", errors)
    if first is not None and last is not None:
        if last < first:
            errors["last_year"] = _("The last year cannot come before the first.")
        elif last - first + 1 > SPAN_MAX_YEARS:
            errors["last_year"] = _("An agreement covers at most %(n)s years.", n=SPAN_MAX_YEARS)
    return first or 0, last or 0


def day(raw: Mapping[str, str], name: str, errors: dict[str, str]) -> date | None:
    """An optional date in the form 2026-03-01 (what a date field sends)."""
    value = (raw.get(name) or "").strip()
    if not value:
        return None
    try:
        found = date.fromisoformat(value) if len(value) == 10 else None
    except ValueError:
        found = None
    if found is None or not YEAR_MIN <= found.year <= YEAR_MAX:
        errors[name] = _("Give the date as year-month-day, e.g. 2026-03-01.")
        return None
    return found


def period(raw: Mapping[str, str], errors: dict[str, str]) -> tuple[date | None, date | None]:
    """A measure's start and end (both optional); the end not before the start."""
    starts = day(raw, "starts_on", errors)
    ends = day(raw, "ends_on", errors)
    if starts is not None and ends is not None and ends < starts:
        errors["ends_on"] = _("The end cannot come before the start.")
    return starts, ends


def number(raw: Mapping[str, str], name: str) -> int | None:
    """A row id from a select or hidden field, or None when it is not one."""
    value = (raw.get(name) or "").strip()
    if not (value.isascii() and value.isdigit()) or len(value) > 10:
        return None
    found = int(value)
    return found if 1 <= found <= 2**31 - 1 else None
