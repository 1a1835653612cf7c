"""One rule for text that comes in from outside: form fields, query and path parameters, CSV
cells.

No legitimate field holds a control character, and PostgreSQL refuses NUL in text outright
(`psycopg.DataError`), so one stray `%00` in a filter would otherwise be a server error on one
engine and a stored oddity on the other. The rule, the same everywhere:

- a field that is **free text** (descriptions, notes, a meeting point, organisations: the words
  of a person, see `FREE_TEXT`) keeps tab, newline and carriage return; every other control
  character is *removed* by `clean`, which the services call where they store such text;
- every **other** field (names, e-mail addresses, slugs, filters, tokens, coordinates) is
  *refused*: a C0 control character (tab and newline included), DEL, a C1 control character, a
  lone surrogate (which cannot be encoded for the database) or a value over its length gives
  `Refused`, which names the field (the app answers 422);
- nothing is longer than its field's limit (`max_length`), free text included.

Pure functions: the web layer (`app.deps.check_text_input`) applies `check` to every request,
and the CSV import applies `cell_errors` to every row.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from app.i18n import gettext as _

# The words of a person: control characters are removed from these, not refused.
FREE_TEXT = frozenset(
    {
        "description",
        "note",
        "internal_note",
        "meeting_point",
        "organisations",
        "reason",
        # The agreement's parties (one a line) and a measure's texts under the annex's headings.
        "parties",
        "purpose",
        "approach",
        "timetable",
        "partners",
        "expected_effect",
        "result",
        # A canned reply's words (admin/replies), in each language.
        "body_sv",
        "body_en",
    }
)
# A walk's drawn area and route arrive as GeoJSON text in one field.
GEOMETRY = frozenset({"area", "route"})

MAX_CHARS = 2_000  # a name, an address, a filter, a token: far below this
FREE_TEXT_MAX_CHARS = 10_000  # the longest text column holds 4,000
GEOMETRY_MAX_CHARS = 1_000_000  # the form part limit; the walk service says what is wrong

# C0 without tab, newline and CR; DEL and C1; the surrogate range (only ever lone in a str).
_REMOVED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
# The same plus tab, newline and CR: what a one-line field may not hold.
_REFUSED = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_SURROGATE = re.compile("[\ud800-\udfff]")


class Refused(ValueError):
    """`field` may not hold what was sent; `reason` is "control", "surrogate" or "too_long"."""

    def __init__(self, field: str, reason: str, limit: int = 0) -> None:
        super().__init__(field, reason)
        self.field = field
        self.reason = reason
        self.limit = limit

    def __str__(self) -> str:
        return self.message

    @property
    def message(self) -> str:
        """What is wrong, in the visitor's language, naming the field."""
        if self.reason == "too_long":
            return _(
                "The field “%(field)s” is too long: at most %(n)s characters.",
                field=self.shown_field,
                n=self.limit,
            )
        return _(
            "The field “%(field)s” holds a character that is not allowed (a control "
            "character). Remove it and send again.",
            field=self.shown_field,
        )

    @property
    def shown_field(self) -> str:
        """The field's name as it can be shown (the name itself may be hostile)."""
        return _REFUSED.sub("", self.field)[:64] or "?"


def is_free_text(name: str) -> bool:
    return name in FREE_TEXT


def max_length(name: str) -> int:
    """The most characters field `name` may hold."""
    if name in FREE_TEXT:
        return FREE_TEXT_MAX_CHARS
    if name in GEOMETRY:
        return GEOMETRY_MAX_CHARS
    return MAX_CHARS


def clean(value: str, *, multiline: bool = True) -> str:
    """`value` without control characters and lone surrogates (tab, newline and CR stay when
    `multiline`), stripped. For free text, where it is stored."""
    return (_REMOVED if multiline else _REFUSED).sub("", value).strip()


def problem(name: str, value: str) -> Refused | None:
    """Why `value` may not reach a service as field `name`, or None when it may."""
    limit = max_length(name)
    if len(value) > limit:
        return Refused(name, "too_long", limit)
    if name in FREE_TEXT:
        return None  # cleaned where it is stored
    found = _REFUSED.search(value)
    if found is None:
        return None
    return Refused(name, "surrogate" if _SURROGATE.match(found.group()) else "control")


def check(items: Iterable[tuple[str, str]]) -> None:
    """Raise `Refused` for the first field (name or value) that breaks the rule."""
    for name, value in items:
        if _REFUSED.search(name) or len(name) > MAX_CHARS:
            raise Refused(name, "control" if len(name) <= MAX_CHARS else "too_long", MAX_CHARS)
        refused = problem(name, value)
        if refused is not None:
            raise refused


def cell_errors(row: Mapping[str, str | None]) -> dict[str, str]:
    """For a CSV row read as {column: cell}: a message per cell that breaks the rule (empty
    when the row may go on to be checked and looked up)."""
    errors: dict[str, str] = {}
    for column, cell in row.items():
        if cell is None:
            continue
        refused = problem(str(column), cell)
        if refused is not None:
            errors[str(column)] = refused.message
    return errors
