"""A coordinator's targets: the form's fields checked and saved, and a target said in words.

A target is a value an indicator shall reach in a year, for the whole municipality, a zone or
a category: "at least 80 % of lighting faults fixed within 14 days", "damage reports down
10 % against 2025". People type shares as percent (80); they are stored as fractions (0.8),
as the indicators compute them. With a baseline year the value is the change in percent from
that year (typed and stored as -10), whatever the indicator's unit. `within_days` belongs to
the indicator `share_fixed_within` alone, which needs it. (`targets` assesses them.)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.i18n import gettext as _
from app.models import Category, Target, TargetDirection, Zone
from app.services import follow_up_input, indicators, text_input

WITHIN_KEY = "share_fixed_within"
MAX_WITHIN_DAYS = 365
NOTE_MAX = 500  # the column holds 500
VALUE_MAX = 1e9
FIELDS = (
    "indicator",
    "year",
    "zone",
    "category",
    "direction",
    "value",
    "baseline_year",
    "within_days",
    "note",
)


class Invalid(ValueError):
    """The form's values cannot be saved: a message per field."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors


@dataclass(frozen=True)
class Checked:
    indicator: str
    year: int
    zone_id: int | None
    category_id: int | None
    direction: TargetDirection
    value: float
    baseline_year: int | None
    within_days: int | None
    note: str


def indicator_choices() -> list[tuple[str, str, str]]:
    """Every indicator a target may be set for, as (key, name, definition)."""
    return [(key, ind.label(), ind.definition()) for key, ind in indicators.INDICATORS.items()]


def category_choices(*, session: Session) -> list[Category]:
    return list(
        session.exec(select(Category).order_by(col(Category.position), col(Category.id))).all()
    )


def clean(*, session: Session, raw: Mapping[str, str]) -> Checked:
    """The form's values checked; raise Invalid with a message for each field that is wrong."""
    errors: dict[str, str] = {}
    key = (raw.get("indicator") or "").strip()
    indicator = indicators.INDICATORS.get(key)
    if indicator is None:
        errors["indicator"] = _("Choose an indicator from the list.")
    year = follow_up_input.year(raw.get("year") or "")
    if year is None:
        errors["year"] = follow_up_input.year_message()
    zone_id = _zone(session, (raw.get("zone") or "").strip(), errors)
    category_id = _category(session, (raw.get("category") or "").strip(), errors)
    direction_text = (raw.get("direction") or "").strip()
    direction = next((d for d in TargetDirection if d.value == direction_text), None)
    if direction is None:
        errors["direction"] = _("Choose “at least” or “at most”.")
    baseline_text = (raw.get("baseline_year") or "").strip()
    baseline_year = follow_up_input.year(baseline_text) if baseline_text else None
    if baseline_text and baseline_year is None:
        errors["baseline_year"] = _("Give the baseline year as four digits, or leave it empty.")
    elif baseline_year is not None and year is not None and baseline_year >= year:
        errors["baseline_year"] = _("The baseline year must come before the target's year.")
    value = _value(raw.get("value") or "", indicator, baseline_year is not None, errors)
    within_days = _within_days(key, (raw.get("within_days") or "").strip(), errors)
    note = text_input.clean(raw.get("note") or "")
    if len(note) > NOTE_MAX:
        errors["note"] = _("The note is too long: at most %(n)s characters.", n=NOTE_MAX)
    if errors:
        raise Invalid(errors)
    assert year is not None and direction is not None and value is not None
    return Checked(
        indicator=key,
        year=year,
        zone_id=zone_id,
        category_id=category_id,
        direction=direction,
        value=value,
        baseline_year=baseline_year,
        within_days=within_days,
        note=note,
    )


def _zone(session: Session, slug: str, errors: dict[str, str]) -> int | None:
    if not slug:
        return None
    zone = follow_up_input.zone(session=session, slug=slug)
    if zone is None:
        errors["zone"] = _("Choose a district or a part of town from the list.")
        return None
    return zone.id


def _category(session: Session, slug: str, errors: dict[str, str]) -> int | None:
    if not slug:
        return None
    category = session.exec(select(Category).where(Category.slug == slug)).first()
    if category is None:
        errors["category"] = _("Choose a category from the list.")
        return None
    return category.id


def _value(
    text: str, indicator: indicators.Indicator | None, is_change: bool, errors: dict[str, str]
) -> float | None:
    """The stored value: a change in percent as typed; a share from percent to a fraction."""
    text = text.strip().removesuffix("%").strip()
    value = follow_up_input.number(text)
    if not text:
        errors["value"] = _("Give the target value.")
        return None
    if value is None or abs(value) > VALUE_MAX:
        errors["value"] = _("Give the target value as a number, e.g. 80 or 4,5.")
        return None
    if is_change:
        if value < -100:
            errors["value"] = _("A change cannot be below -100 %.")
            return None
        return value
    if indicator is not None and indicator.unit == "share":
        if not 0 <= value <= 100:
            errors["value"] = _("A share is between 0 and 100 %.")
            return None
        return value / 100
    if value < 0:
        errors["value"] = _("This indicator is never below zero.")
        return None
    return value


def _within_days(key: str, text: str, errors: dict[str, str]) -> int | None:
    if key != WITHIN_KEY:
        if text:
            errors["within_days"] = _(
                "“Within days” belongs to the indicator “fixed within a number of days” only."
            )
        return None
    days = int(text) if text.isdigit() else None
    if days is None or not 1 <= days <= MAX_WITHIN_DAYS:
        errors["within_days"] = _(
            "Give the number of days (1 to %(n)s) the faults must be fixed within.",
            n=MAX_WITHIN_DAYS,
        )
        return None
    return days


def create(*, session: Session, raw: Mapping[str, str]) -> Target:
    """A new target from the form; raise Invalid when a field is wrong."""
    target = Target(**_fields(clean(session=session, raw=raw)))
    session.add(target)
    session.commit()
    session.refresh(target)
    return target


def update(*, session: Session, target: Target, raw: Mapping[str, str]) -> Target:
    """Change a target from the form; it is left as stored when a field is wrong."""
    for name, value in _fields(clean(session=session, raw=raw)).items():
        setattr(target, name, value)
    session.add(target)
    session.commit()
    session.refresh(target)
    return target


def delete(*, session: Session, target: Target) -> None:
    session.delete(target)
    session.commit()


def by_id(*, session: Session, target_id: int) -> Target | None:
    return session.get(Target, target_id)


def _fields(checked: Checked) -> dict[str, object]:
    return {
        "indicator": checked.indicator,
        "year": checked.year,
        "zone_id": checked.zone_id,
        "category_id": checked.category_id,
        "direction": checked.direction,
        "value": checked.value,
        "baseline_year": checked.baseline_year,
        "within_days": checked.within_days,
        "note": checked.note,
    }


def form_values(*, session: Session, target: Target) -> dict[str, str]:
    """A stored target as the form shows it (a share back in percent)."""
    zone = session.get(Zone, target.zone_id) if target.zone_id else None
    category = session.get(Category, target.category_id) if target.category_id else None
    indicator = indicators.INDICATORS.get(target.indicator)
    value = target.value
    if target.baseline_year is None and indicator is not None and indicator.unit == "share":
        value = value * 100
    return {
        "indicator": target.indicator,
        "year": str(target.year),
        "zone": zone.slug if zone else "",
        "category": category.slug if category else "",
        "direction": target.direction.value,
        "value": _plain(value),
        "baseline_year": str(target.baseline_year or ""),
        "within_days": str(target.within_days or ""),
        "note": target.note or "",
    }


def _plain(value: float) -> str:
    rounded = round(value, 6)
    return str(int(rounded)) if rounded == int(rounded) else str(rounded)


def choices(*, session: Session) -> dict[str, object]:
    """What the form's lists offer: indicators (with their definitions), zones, categories."""
    return {
        "indicator_choices": indicator_choices(),
        "zones": follow_up_input.zones(session=session),
        "categories": category_choices(session=session),
    }


def blank(*, year: int | None = None) -> dict[str, str]:
    """A new target's form: this year (or `year`), "at least"."""
    return {
        "year": str(year or follow_up_input.this_year()),
        "direction": TargetDirection.at_least.value,
    }
