"""A council report as its page and PDF read it: figures written out in the report's language,
the charts drawn from the stored chart data, the districts grouped by how they went, and the
PDF made with WeasyPrint (the charts are inline SVG, so the PDF needs no file at all)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from babel.numbers import format_decimal

from app.i18n import current_language
from app.i18n import gettext as _
from app.services import charts
from app.services.council_report import Report
from app.services.media_store import LocalStore

MINUS = "\u2212"
NO_DATA = "\u2013"


def shown(value: float | None, unit: str) -> str:
    """A stored value as the report prints it: 0.825 share as "82.5 %", a percent change with
    its sign (a true minus), days and points with one decimal, counts whole; a dash for no
    data."""
    if value is None:
        return NO_DATA
    lang = current_language()
    if unit == "share":
        text = format_decimal(value * 100, format="#,##0.#", locale=lang) + " %"
    elif unit == "percent":
        text = format_decimal(value, format="+#,##0.#;-#,##0.#", locale=lang) + " %"
    elif unit == "count":
        text = format_decimal(value, format="#,##0", locale=lang)
    else:
        text = format_decimal(value, format="#,##0.#", locale=lang)
    return text.replace("-", MINUS)  # a true minus sign reads better in print


class View:
    """What the report's templates need beyond the stored data."""

    def __init__(self, report: Report) -> None:
        self.report = report
        self.data: dict[str, Any] = report.data

    @staticmethod
    def fmt(value: float | None, unit: str) -> str:
        return shown(value, unit)

    def charts(self, kind: str | None = None) -> list[charts.Chart]:
        """The stored chart data drawn as charts (all, or those of one kind)."""
        return [
            charts.bars(
                title=c["title"],
                rows=[(label, value) for label, value in c["rows"]],
                unit=c["unit"],
                row_heading={
                    "trend": _("Year"),
                    "category": _("Category"),
                    "zone": _("District"),
                }.get(c["kind"], ""),
            )
            for c in self.data["charts"]
            if kind is None or c["kind"] == kind
        ]

    def zones(self, verdict: str) -> list[dict[str, Any]]:
        return [z for z in self.data["zones"] if z["verdict"] == verdict]

    def outcomes(self) -> dict[str, int]:
        """How many targets were met, not met, and could not be judged."""
        counted = {"met": 0, "not_met": 0, "no_data": 0}
        for target in self.data["targets"]:
            counted[target["outcome"]] += 1
        return counted

    def last_year(self, indicator: dict[str, Any]) -> dict[str, Any]:
        return indicator["years"][-1]


def pdf(*, html: str, base_url: str) -> bytes:
    """The report page's PDF; only our stylesheet is read, from /static/."""
    from app.services.protocol_pdf import render_pdf  # WeasyPrint loads only when asked

    with tempfile.TemporaryDirectory(prefix="council-") as folder:
        return render_pdf(html, store=LocalStore(Path(folder)), base_url=base_url)
