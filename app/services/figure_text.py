"""Figures and targets said in words, in the page's language: "1 234", "80 %", "4,5",
"at least 80 % fixed within 14 days", "at most -10 % against 2025". One home, so the follow-up
page, the targets list and the charts' tables say a figure the same way."""

from __future__ import annotations

from babel.numbers import format_decimal

from app.i18n import current_language, ngettext
from app.i18n import gettext as _
from app.models import Category, Target, TargetDirection
from app.services import charts, indicators

NO_FIGURE = "\u2013"  # an en dash: no data
UNITS = ("count", "share", "days", "points")


def number(value: float, digits: int = 1) -> str:
    """4.5 as "4.5" in English and "4,5" in Swedish; 4.0 as "4"; a minus sign, not a hyphen."""
    pattern = "#,##0" + ("." + "#" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=current_language()).replace("-", "\u2212")


def value_text(unit: str, value: float | None) -> str:
    """An indicator's value as the pages show it (charts.format_value: "80 %", "4,5"), or a
    dash for no data."""
    if value is None:
        return NO_FIGURE
    return charts.format_value(value, unit if unit in UNITS else "count")  # type: ignore[arg-type]


def change_text(value: float | None) -> str:
    """A change in percent with its sign: "+12 %", "-10 %"."""
    if value is None:
        return NO_FIGURE
    sign = "+" if value > 0 else ""
    return _("%(n)s%%", n=sign + number(value, 1))  # as babel's percent: "12%", "12 %" in Swedish


def unit_of(key: str) -> str:
    found = indicators.INDICATORS.get(key)
    return found.unit if found is not None else "count"


def target_text(target: Target) -> str:
    """The target in words: "at least 80 %", "at most -10 % against 2025", "at least 80 %
    within 14 days"."""
    if target.baseline_year is not None:
        amount = _(
            "%(change)s against %(year)s",
            change=change_text(target.value),
            year=target.baseline_year,
        )
    else:
        amount = value_text(unit_of(target.indicator), target.value)
    if target.direction == TargetDirection.at_least:
        text = _("at least %(amount)s", amount=amount)
    else:
        text = _("at most %(amount)s", amount=amount)
    if target.within_days:
        text = ngettext(
            "%(text)s, fixed within %(num)s day",
            "%(text)s, fixed within %(num)s days",
            target.within_days,
            text=text,
        )
    return text


def outcome_label(outcome: str) -> str:
    return {"met": _("Met"), "not_met": _("Not met"), "no_data": _("No data")}.get(outcome, outcome)


def actual_text(target: Target, actual: float | None) -> str:
    """What the indicator reached, said as its target is: a change against the baseline year,
    or the value itself."""
    if target.baseline_year is not None:
        return change_text(actual)
    return value_text(unit_of(target.indicator), actual)


def scope_text(zone_name: str | None, category: Category | None) -> str:
    """Where a figure or a target counts: "Centrum, Lighting", "the whole municipality"."""
    parts = [p for p in (zone_name, category.name(current_language()) if category else None) if p]
    return ", ".join(parts) if parts else _("the whole municipality")
