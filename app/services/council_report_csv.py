"""Every figure of an issued council report as CSV rows, read from its stored content only.

One row per figure: the indicator (key and name), where it counts (scope), the period, the
value and its unit, the year before where the report shows it, the target and its outcome
where one was set, how it was computed, and the source of an external figure. Shares are
fractions 0..1, as stored. The file is written by csvfile (formula-safe)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from app.i18n import gettext as _
from app.services import csvfile
from app.services.council_report import Report

COLUMNS = (
    "section",
    "indicator",
    "label",
    "scope",
    "period",
    "value",
    "unit",
    "previous",
    "target",
    "outcome",
    "definition",
    "source",
)


def header() -> list[str]:
    return [
        _("Section"),
        _("Indicator"),
        _("Name"),
        _("Scope"),
        _("Period"),
        _("Value"),
        _("Unit"),
        _("The year before"),
        _("Target"),
        _("Outcome"),
        _("How it was computed"),
        _("Source"),
    ]


def rows(report: Report) -> Iterator[dict[str, Any]]:
    """The report's figures, section by section, in the order the page shows them."""
    data = report.data
    whole = _("Whole municipality")
    definitions = {i["key"]: i["definition"] for i in data["indicators"]}
    labels = {i["key"]: i["label"] for i in data["indicators"]}
    units = {i["key"]: i["unit"] for i in data["indicators"]}
    for row in data["indicators"]:
        for y in row["years"]:
            yield {
                "section": "indicator",
                "indicator": row["key"],
                "label": row["label"],
                "scope": whole,
                "period": str(y["year"]),
                "value": y["value"],
                "unit": row["unit"],
                "previous": y["previous"],
                "definition": row["definition"],
            }
    for t in data["targets"]:
        yield {
            "section": "target",
            "indicator": t["indicator"],
            "label": t["label"],
            "scope": t["scope"],
            "period": str(t["year"]),
            "value": t["actual"],
            "unit": t["unit"],
            "target": t["text"],
            "outcome": t["outcome_label"],
            "definition": definitions.get(t["indicator"], ""),
        }
    for zone in data["zones"]:
        for y in zone["years"]:
            for key in ("reports", "felt_unsafety"):
                yield {
                    "section": "district",
                    "indicator": key,
                    "label": labels.get(key, key),
                    "scope": zone["name"],
                    "period": str(y["year"]),
                    "value": y[key]["value"],
                    "unit": units.get(key, ""),
                    "outcome": zone["verdict_label"] if y["year"] == data["last_year"] else "",
                    "definition": definitions.get(key, ""),
                }
    for chart in data["charts"]:
        if chart["kind"] != "category":
            continue
        for name, value in chart["rows"]:
            yield {
                "section": "category",
                "indicator": "reports",
                "label": labels.get("reports", "reports"),
                "scope": name,
                "period": str(data["last_year"]),
                "value": value,
                "unit": "count",
                "definition": definitions.get("reports", ""),
            }
    for measure in data["measures"]:
        for covered in measure["figures"]:
            for figure in covered["rows"]:
                for y in figure["years"]:
                    yield {
                        "section": "measure",
                        "indicator": figure["key"],
                        "label": figure["label"],
                        "scope": f"{measure['title']}: {covered['scope']}",
                        "period": str(y["year"]),
                        "value": y["value"],
                        "unit": figure["unit"],
                        "definition": definitions.get(figure["key"], ""),
                    }
    for block in data["external"]:
        for r in block["rows"]:
            yield {
                "section": "external",
                "indicator": block["key"],
                "label": block["label"],
                "scope": r["zone"] or whole,
                "period": str(r["year"]),
                "value": r["value"],
                "unit": block["unit"],
                "definition": block["definition"],
                "source": r["source"],
            }


def text(report: Report) -> str:
    """The whole CSV (a report is small), with a BOM for Excel."""
    return csvfile.text(COLUMNS, rows(report), header=header(), bom=True)
