"""PostgreSQL plans every statement for its own values: a prepared statement's generic plan
made a drawn area's history three times slower than its SQL (bench/README.md)."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine


def test_each_statement_is_planned_for_its_values(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no plan cache to tune")
    with engine.connect() as conn:
        assert conn.execute(text("SHOW plan_cache_mode")).scalar_one() == "force_custom_plan"
