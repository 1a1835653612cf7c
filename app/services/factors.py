"""What makes a place feel unsafe, as safety-audit methods rate it: stored on an observation as
these codes, comma-separated, in this fixed order."""

from __future__ import annotations

from collections.abc import Sequence

FACTORS = ("lighting", "sightlines", "deserted", "no_way_out", "path", "traffic", "neglect")


def parse_factors(values: Sequence[str]) -> str:
    """Known factor codes, in their fixed order; unknown ones are dropped."""
    chosen = set(values)
    return ",".join(f for f in FACTORS if f in chosen)
