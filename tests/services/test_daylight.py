from datetime import UTC, datetime

import pytest

from app.services.daylight import is_dark

BODEN = {"lat": 65.8253, "lon": 21.6880}


@pytest.mark.parametrize(
    ("when", "dark"),
    [
        (datetime(2026, 12, 21, 22, 0, tzinfo=UTC), True),  # midwinter night
        (datetime(2026, 12, 21, 6, 0, tzinfo=UTC), True),  # midwinter morning, 07:00 local
        (datetime(2026, 6, 21, 10, 0, tzinfo=UTC), False),  # midsummer noon
        (datetime(2026, 6, 21, 22, 30, tzinfo=UTC), False),  # midsummer night: never dark here
        (datetime(2026, 9, 23, 21, 0, tzinfo=UTC), True),  # equinox, 23:00 local
        (datetime(2026, 9, 23, 10, 0, tzinfo=UTC), False),
    ],
)
def test_dark_follows_the_sun_in_boden(when, dark):
    assert is_dark(at=when, **BODEN) is dark
