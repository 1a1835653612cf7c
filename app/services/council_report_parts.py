"""The yearly report's sections that are figures: the indicators with their targets, the
districts compared with the year before, the chart data and the external figures beside ours.

Each returns plain JSON-able values in the current language (council_report.build sets it), so
that the stored report needs nothing looked up when it is shown again. Values are rounded to
four decimals: shares are fractions 0..1, as the indicators give them.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from app.config import Settings
from app.i18n import current_language
from app.i18n import gettext as _
from app.models import Category, CategoryKind, ExternalFigure, Target, Zone, ZoneKind
from app.services import indicators, targets

# The trend per year is drawn for these (the agreement's main goals and the walks).
TREND_KEYS = ("reports", "damage_reports", "share_fixed", "median_days_to_fix", "felt_unsafety")
TREND_KEYS_WALKS = ("walks_held",)
# A district is judged on these two; for both, lower is better.
ZONE_KEYS = ("reports", "felt_unsafety")
# Felt unsafety (1-5) must move at least this much to count as a change.
UNSAFETY_STEP = 0.1
# Our indicator shown beside each external one, where there is one to compare with.
BESIDE = {"police_reported_crimes": "reports", "scb_safety_index": "felt_unsafety"}


def rounded(value: float | None) -> float | None:
    """Four decimals; a count stays a whole number."""
    if value is None or isinstance(value, int):
        return value
    return round(float(value), 4)


def figure(found: indicators.Figure | None) -> dict[str, Any]:
    """A Figure as stored: its value and what it was counted from."""
    if found is None:
        return {"value": None, "numerator": None, "denominator": None}
    return {
        "value": rounded(found.value),
        "numerator": found.numerator,
        "denominator": found.denominator,
    }


def _value(series: dict[int, dict[str, indicators.Figure]], year: int, key: str) -> float | None:
    found = series.get(year, {}).get(key)
    return None if found is None else rounded(found.value)


def scope_label(*, zone: Zone | None, category: Category | None, lang: str) -> str:
    """Where a figure counts: the whole municipality, a district, a category, or both."""
    if zone is None and category is None:
        return _("Whole municipality")
    names = [n for n in (zone.name if zone else "", category.name(lang) if category else "") if n]
    return " · ".join(names)


def target_text(target: Target, unit: str) -> str:
    """The target in words: "at most -10 % against 2025", "at least 80 % within 14 days"."""
    word = _("at least") if target.direction.value == "at_least" else _("at most")
    if target.baseline_year is not None:
        number = f"{target.value:+g} %".replace("-", "\u2212")
        return _(
            "%(word)s %(number)s against %(year)s",
            word=word,
            number=number,
            year=target.baseline_year,
        )
    number = f"{target.value * 100:g} %" if unit == "share" else f"{target.value:g}"
    if target.within_days is not None:
        return _(
            "%(word)s %(number)s within %(days)s days",
            word=word,
            number=number,
            days=target.within_days,
        )
    return f"{word} {number}"


def targets_of(*, session: Session, settings: Settings, years: list[int]) -> list[dict[str, Any]]:
    """Every target set for a year of the period, with its outcome (targets.assess)."""
    lang = current_language()
    found = session.exec(
        select(Target)
        .where(col(Target.year).in_(years))
        .order_by(col(Target.year), col(Target.indicator), col(Target.id))
    ).all()
    zone_ids = {t.zone_id for t in found if t.zone_id is not None}
    category_ids = {t.category_id for t in found if t.category_id is not None}
    zones = {z.id: z for z in session.exec(select(Zone).where(col(Zone.id).in_(zone_ids)))}
    cats = {
        c.id: c for c in session.exec(select(Category).where(col(Category.id).in_(category_ids)))
    }
    outcomes = {"met": _("Met"), "not_met": _("Not met"), "no_data": _("No data")}
    rows = []
    for target in found:
        indicator = indicators.INDICATORS.get(target.indicator)
        if indicator is None:
            continue  # a key the indicators no longer know: nothing to assess it against
        assessed = targets.assess(session=session, settings=settings, target=target)
        rows.append(
            {
                "id": target.id,
                "indicator": target.indicator,
                "label": indicator.label(),
                "unit": "percent" if target.baseline_year is not None else indicator.unit,
                "year": target.year,
                "scope": scope_label(
                    zone=zones.get(target.zone_id), category=cats.get(target.category_id), lang=lang
                ),
                "direction": target.direction.value,
                "target": target.value,
                "baseline_year": target.baseline_year,
                "within_days": target.within_days,
                "text": target_text(target, indicator.unit),
                "note": target.note,
                "actual": rounded(assessed.actual),
                "outcome": assessed.outcome,
                "outcome_label": outcomes[assessed.outcome],
                "trend": [[year, rounded(value)] for year, value in assessed.trend],
            }
        )
    return rows


def indicator_rows(
    *,
    series: dict[int, dict[str, indicators.Figure]],
    years: list[int],
    assessed: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    """Every indicator of ours for each year of the period and the year before, with its
    definition and targets."""
    rows = []
    for key, indicator in indicators.INDICATORS.items():
        if indicator.external:
            continue  # shown beside ours in their own section, with their source
        per_year = []
        for year in years:
            found = figure(series.get(year, {}).get(key))
            per_year.append({"year": year, **found, "previous": _value(series, year - 1, key)})
        rows.append(
            {
                "key": key,
                "label": indicator.label(),
                "unit": indicator.unit,
                "better": indicator.better,
                "definition": indicator.definition(),
                "years": per_year,
                "targets": [t for t in assessed if t["indicator"] == key],
            }
        )
    return rows


def _move(before: float | None, after: float | None, step: float) -> str | None:
    """ "better" (lower), "worse" (higher), "same", or None without both years."""
    if before is None or after is None:
        return None
    change = round(after - before, 4)
    if change <= -step:
        return "better"
    if change >= step:
        return "worse"
    return "same"


def verdict(moves: list[str | None]) -> str:
    """improved, worsened, mixed, unchanged or no_data from the two measures' moves."""
    known = [m for m in moves if m is not None]
    if not known:
        return "no_data"
    if "better" in known and "worse" not in known:
        return "improved"
    if "worse" in known and "better" not in known:
        return "worsened"
    return "mixed" if "better" in known else "unchanged"


def zones_rule() -> str:
    return _(
        "A district has improved when, in the last year of the period against the year "
        "before, it had fewer problem reports or a lower average felt unsafety (by at least "
        "0.1 on the scale 1 to 5), and neither rose. It has worsened when one of them rose and "
        "neither fell. Where one fell and the other rose the district is shown as mixed; where "
        "nothing was reported in either year, as without data."
    )


def zones_compared(
    *, session: Session, settings: Settings, years: list[int]
) -> list[dict[str, Any]]:
    """Each district's reports and felt unsafety per year, judged on the last year against
    the year before it."""
    districts = session.exec(
        select(Zone).where(Zone.kind == ZoneKind.district).order_by(col(Zone.name))
    ).all()
    last = years[-1]
    verdicts = {
        "improved": _("Improved"),
        "worsened": _("Worsened"),
        "mixed": _("Mixed"),
        "unchanged": _("Unchanged"),
        "no_data": _("No data"),
    }
    rows = []
    for zone in districts:
        series = indicators.series(
            session=session,
            settings=settings,
            years=years,
            where=indicators.Where(zone_id=zone.id),
        )
        per_year = [
            {"year": y, **{k: figure(series.get(y, {}).get(k)) for k in ZONE_KEYS}} for y in years
        ]
        moves = [
            _move(_value(series, last - 1, "reports"), _value(series, last, "reports"), 1),
            _move(
                _value(series, last - 1, "felt_unsafety"),
                _value(series, last, "felt_unsafety"),
                UNSAFETY_STEP,
            ),
        ]
        # Nothing reported in either year: nothing to judge by (0 against 0 is no news).
        quiet = not _value(series, last - 1, "reports") and not _value(series, last, "reports")
        judged = "no_data" if quiet else verdict(moves)
        rows.append(
            {
                "id": zone.id,
                "slug": zone.slug,
                "name": zone.name,
                "years": per_year,
                "reports_move": moves[0],
                "felt_unsafety_move": moves[1],
                "verdict": judged,
                "verdict_label": verdicts[judged],
            }
        )
    return rows


def _trend_chart(
    series: dict[int, dict[str, indicators.Figure]], key: str, years: list[int]
) -> dict[str, Any]:
    indicator = indicators.INDICATORS[key]
    return {
        "key": key,
        "kind": "trend",
        "title": _("%(indicator)s per year", indicator=indicator.label()),
        "unit": indicator.unit,
        "rows": [[str(y), _value(series, y, key)] for y in years],
    }


def charts_data(
    *,
    session: Session,
    settings: Settings,
    series: dict[int, dict[str, indicators.Figure]],
    zones: list[dict[str, Any]],
    year: int,
) -> list[dict[str, Any]]:
    """What the charts draw: the trend per year of the main indicators, the last year's
    reports by category and by district."""
    years = sorted(series)
    charts = [_trend_chart(series, k, years) for k in TREND_KEYS + TREND_KEYS_WALKS]
    period = indicators.Period(year=year, quarter=None)
    by_category = []
    categories = session.exec(
        select(Category)
        .where(Category.kind == CategoryKind.problem)
        .order_by(col(Category.position), col(Category.id))
    ).all()
    for category in categories:
        found = indicators.compute(
            session=session,
            settings=settings,
            period=period,
            where=indicators.Where(category_id=category.id),
        )
        value = _value({year: found}, year, "reports")
        if value:  # a category nobody reported in this year is left out of the chart
            by_category.append([category.name(current_language()), value])
    charts.append(
        {
            "key": "reports_by_category",
            "kind": "category",
            "title": _("Reports by category, %(year)s", year=year),
            "unit": "count",
            "rows": by_category,
        }
    )
    by_zone = [[z["name"], z["years"][-1]["reports"]["value"]] for z in zones]
    charts.append(
        {
            "key": "reports_by_zone",
            "kind": "zone",
            "title": _("Reports by district, %(year)s", year=year),
            "unit": "count",
            "rows": by_zone,
        }
    )
    return charts


def external_beside(*, session: Session, years: list[int]) -> list[dict[str, Any]]:
    """The external figures entered for these years (with their source), one block per
    external indicator, naming our indicator to read beside it."""
    entered = session.exec(
        select(ExternalFigure)
        .where(col(ExternalFigure.year).in_(years))
        .order_by(col(ExternalFigure.year), col(ExternalFigure.zone_id))
    ).all()
    zone_names = dict(session.exec(select(Zone.id, Zone.name)).all())
    blocks = []
    for key in indicators.EXTERNAL:
        indicator = indicators.INDICATORS[key]
        rows = [
            {
                "year": f.year,
                "zone": zone_names.get(f.zone_id) if f.zone_id is not None else None,
                "value": rounded(f.value),
                "source": f.source,
            }
            for f in entered
            if f.indicator == key
        ]
        ours = BESIDE.get(key)
        blocks.append(
            {
                "key": key,
                "label": indicator.label(),
                "unit": indicator.unit,
                "definition": indicator.definition(),
                "beside": ours,
                "beside_label": indicators.INDICATORS[ours].label() if ours else None,
                "rows": rows,
            }
        )
    return blocks
