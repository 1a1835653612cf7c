"""Bar charts: scaled to the largest value, no bar where there is no data, figures in the
visitor's language."""

from __future__ import annotations

from app import i18n
from app.services import charts


def test_bars_scale_to_the_largest_value_and_skip_missing_data() -> None:
    chart = charts.bars(
        title="Reports", rows=[("2025", 10), ("2026", 5), ("2027", None)], unit="count"
    )
    tallest, half, missing = chart.bars
    assert tallest.height == chart.baseline - charts.TOP
    assert half.height == tallest.height / 2
    assert half.y == chart.baseline - half.height
    assert missing.height == 0 and missing.text == "no data"


def test_values_are_written_in_the_visitors_language() -> None:
    with i18n.using("sv"):
        assert charts.format_value(0.8, "share") == "80\xa0%"
        assert charts.format_value(4.25, "points") == "4,2"
        assert charts.format_value(12345, "count") == "12\xa0345"
    with i18n.using("en"):
        assert charts.format_value(0.8, "share") == "80%"
        assert charts.format_value(4.25, "days") == "4.2"


def test_labels_are_cut_to_fit_under_their_bars() -> None:
    few = charts.bars(title="Years", rows=[("2025", 1), ("2026", 2)], unit="count")
    many = charts.bars(
        title="Categories", rows=[(f"Category {n}", n) for n in range(12)], unit="count"
    )
    assert few.label_chars == 14
    assert 3 <= many.label_chars < 8  # 12 slots of 52 units: seven characters of 7.5
