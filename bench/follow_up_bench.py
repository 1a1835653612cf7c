"""The follow-up's figures with 1,000,000 observations over Boden, on SQLite and PostgreSQL in
one run: `indicators.compute` for one year (the whole municipality, the largest district, one
category) beside the plain SQL it runs.

    .venv/bin/python bench/follow_up_bench.py                          (SQLite only)
    scripts/with-postgres sh -c '.venv/bin/python bench/follow_up_bench.py \
        --postgres-url $SAFETYWALK_TEST_DATABASE_URL'                   (SQLite, then PostgreSQL)

Each engine gets a fresh database (migrations, Boden's demo data, where vandalism and graffiti are
damage) filled by bench/planning_data.py (3 years back from 1 Dec 2026), every report that
left "new" with its status history. On top: the 40 walks are placed in the districts,
each with 8-15 participants, and the newer half are follow-up walks of one a year earlier, with
half of the earlier walk's items checked on site. Then, for each view, `indicators.compute` runs
--runs times after warm-ups (median and p95), and every statement it ran is replayed through
the driver alone, fully fetched (median of 5): "its SQL" is their sum; the slowest are named.
The plain aggregates are also timed alone: counting the year's rows, and one GROUP BY pass over
them. No asserts: it prints what it measured.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
for path in (str(ROOT), str(HERE)):
    if path not in sys.path:
        sys.path.insert(0, path)

ROWS = 1_000_000
RUNS = 10
YEAR = 2025  # a whole year inside the bench data (which ends on 1 December 2026)


def prepare(url: str, rows: int) -> dict[str, Any]:
    """A database with `rows` observations and the walks' extras; the views to time."""
    import planning_bench
    import planning_data
    from sqlmodel import Session, select

    from app.cli import migrate
    from app.db import make_engine
    from app.models import Category, Zone
    from app.services import demo

    migrate(url)
    engine = make_engine(url)
    with Session(engine) as session:
        demo.load(session=session)  # marks vandalism and graffiti as damage
        centrum = session.exec(select(Zone.id).where(Zone.slug == planning_data.LARGEST)).one()
        dark_spot = session.exec(select(Category.id).where(Category.slug == "dark-spot")).one()
    ref = planning_data.Reference(engine)
    # Every report's history, as the life cycle writes it: the open count at a period's end is
    # read from it (planning_data gives it to a share only).
    planning_data.WITH_EVENTS = 1.0
    began = time.perf_counter()
    planning_data.insert(engine, ref, 1, rows)
    walks_extras(engine, ref)
    planning_bench.analyze(engine)
    return {
        "engine": engine,
        "insert_s": time.perf_counter() - began,
        "centrum": centrum,
        "dark_spot": dark_spot,
    }


def walks_extras(engine: Any, ref: Any) -> None:
    """Zones, participants, follow-ups and on-site checks for the bench's walks."""
    import uuid

    import numpy as np
    from sqlalchemy import insert, select, update

    from app.models import Observation, Walk, WalkCheck, WalkParticipant

    rng = np.random.default_rng(20261202)
    zones = [zone_id for zone_id, _, _ in ref.zones]
    walk_ids = sorted(ref.walk_ids)  # made newest first: the 1st starts 5 days before NOW
    with engine.begin() as conn:
        participants = []
        for i, walk_id in enumerate(walk_ids):
            earlier = walk_ids[i + 18] if i + 18 < len(walk_ids) else None  # ~a year before
            conn.execute(
                update(Walk)
                .where(Walk.id == walk_id)  # type: ignore[arg-type]
                .values(zone_id=zones[i % len(zones)], follow_up_of_id=earlier)
            )
            participants += [
                {"walk_id": walk_id, "device_id": uuid.uuid4()}
                for _ in range(int(rng.integers(8, 16)))
            ]
            if earlier is None:
                continue
            items = conn.execute(
                select(Observation.id).where(Observation.walk_id == earlier)  # type: ignore[arg-type]
            ).scalars()
            checks = [
                {"walk_id": walk_id, "observation_id": obs_id, "fixed": bool(rng.random() < 0.6)}
                for k, obs_id in enumerate(items)
                if k % 2 == 0
            ]
            if checks:
                conn.execute(insert(WalkCheck.__table__), checks)
        conn.execute(insert(WalkParticipant.__table__), participants)


def figures(prepared: dict[str, Any], runs: int) -> list[dict[str, Any]]:
    """compute() per view, timed, with its SQL replayed; then the plain aggregates."""
    import planning_bench
    from sqlalchemy import func, select
    from sqlmodel import Session

    from app.config import Settings
    from app.models import Observation
    from app.services import indicators
    from app.services.indicators import Period, Where

    engine = prepared["engine"]
    settings = Settings(
        database_url=str(engine.url),
        secret_key="bench-secret-key-that-is-long-enough-00000",
        tile_url="",
    )  # type: ignore[call-arg]
    period = Period.parse(str(YEAR))
    views = [
        ("municipality", Where()),
        ("Centrum (zone)", Where(zone_id=prepared["centrum"])),
        ("dark-spot (category)", Where(category_id=prepared["dark_spot"])),
    ]
    statements = planning_bench.Statements(engine)
    out = []
    with Session(engine) as session:
        for label, where in views:
            result = planning_bench.timed(
                lambda w=where: indicators.compute(
                    session=session, settings=settings, period=period, where=w
                ),
                runs,
                statements,
            )
            found = indicators.compute(
                session=session, settings=settings, period=period, where=where
            )
            slowest = sorted(statements.replay(), reverse=True)[:3]
            out.append(
                {
                    "what": f"compute, {label}",
                    **result,
                    "statements": len(statements.caught),
                    "slowest": slowest,
                    "reports": found["reports"].value,
                    "open": found["open_at_end"].value,
                }
            )
        year = and_year(period)
        plain = [
            (
                "plain: count(*) of the year",
                select(func.count()).select_from(Observation).where(year),
            ),
            (
                "plain: one GROUP BY pass",
                select(
                    Observation.category_id,
                    Observation.status,
                    Observation.dark,
                    func.count(),
                    func.sum(Observation.unsafe_level),
                )
                .where(year)
                .group_by(Observation.category_id, Observation.status, Observation.dark),
            ),
        ]
        for what, statement in plain:
            out.append(
                {
                    "what": what,
                    **planning_bench.timed(lambda s=statement: session.exec(s).all(), runs),
                }
            )
    return out


def and_year(period: Any) -> Any:
    from sqlalchemy import and_
    from sqlmodel import col

    from app.models import Observation

    return and_(
        col(Observation.created_at) >= period.start, col(Observation.created_at) < period.end
    )


def engine_line(engine: Any) -> str:
    version = ".".join(map(str, engine.dialect.server_version_info or ()))
    return f"{engine.dialect.name} {version}"


def main(args: argparse.Namespace) -> None:
    began = time.perf_counter()
    results: dict[str, list[dict[str, Any]]] = {}
    with tempfile.TemporaryDirectory(prefix="safetywalk-follow-up-") as folder:
        urls = [("SQLite", f"sqlite:///{Path(folder) / 'follow_up.db'}")]
        if args.postgres_url:
            urls.append(("PostgreSQL", args.postgres_url))
        for name, url in urls:
            prepared = prepare(url, args.rows)
            print(
                f"{engine_line(prepared['engine'])}: {args.rows:,} observations inserted in "
                f"{prepared['insert_s']:.0f} s",
                flush=True,
            )
            results[name] = figures(prepared, args.runs)
            for r in results[name]:
                for ms, statement in r.get("slowest", []):
                    print(f"  {name} {r['what']}: {ms:.0f} ms " + " ".join(statement.split())[:110])
            prepared["engine"].dispose()
    print(
        f"\nThe follow-up's figures for {YEAR}, {args.rows:,} observations, "
        f"{args.runs} timed runs after warm-ups, ms"
    )
    header = f"  {'what':<36}"
    for name in results:
        header += f"{name + ' median':>18}{'p95':>7}{'its SQL':>9}"
    print(header)
    first = next(iter(results.values()))
    for i, row in enumerate(first):
        line = f"  {row['what']:<36}"
        for rows in results.values():
            r = rows[i]
            sql = f"{r['sql']:>9.0f}" if "sql" in r else f"{'':>9}"
            line += f"{r['median']:>18.0f}{r['p95']:>7.0f}{sql}"
        print(line)
    for row in first:
        if "reports" in row:
            print(
                f"  ({row['what']}: {row['reports']:,.0f} reports, "
                f"{row['open']:,.0f} open at the end)"
            )
    print(f"\n(bench took {time.perf_counter() - began:.0f} s)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres-url", default="", help="a throwaway PostgreSQL, after SQLite")
    parser.add_argument("--rows", type=int, default=ROWS, help=f"observations (default {ROWS:,})")
    parser.add_argument("--runs", type=int, default=RUNS, help=f"timed runs (default {RUNS})")
    main(parser.parse_args())
