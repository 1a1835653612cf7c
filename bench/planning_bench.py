"""A planner's view with 1,000,000 observations over Boden: the history page and its SQL, and
the CSV export's time and peak memory as the rows grow.

    .venv/bin/python bench/planning_bench.py                   (a fresh SQLite file in a temp dir)
    scripts/with-postgres sh -c '.venv/bin/python bench/planning_bench.py \
        --database-url $SAFETYWALK_TEST_DATABASE_URL'           (a throwaway PostgreSQL)

Makes a database (migrations, Boden's demo data) and fills it in steps (a quarter, a half, all
of --rows; bench/planning_data.py says how the rows are made). After each step the largest
district (Centrum) is exported to CSV in a child process of its own: its time, and its peak
memory as the growth of ru_maxrss over the same process after a warm-up export that found
nothing (imports, pyproj's database and SQL caches are then already paid for). Recurring spots
are timed in a child too, with a time limit: they can take minutes. At full size it also
exports Centrum's GeoJSON and the whole town (a drawn area over all of Boden) as CSV, and times
the history page for Centrum and for a drawn area of a similar share: over HTTP as a logged-in
planner when the page route exists in this checkout, and always its services alone
(history.summary, history.points, recurring.spots) beside their SQL: every statement the
services ran, caught with SQLAlchemy's cursor events and replayed through the driver alone,
fully fetched (median of 5). No asserts: it prints what it measured.
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
for path in (str(ROOT), str(HERE)):
    if path not in sys.path:
        sys.path.insert(0, path)

ROWS = 1_000_000
RUNS = 20
WARMUP = 2
REPLAY = 5
SPOTS_TIMEOUT_S = 240
SPOTS_MEMORY = 6 * 1024**3  # address space of the spots child
PASSWORD = "bench password, long enough"
PLANNER = "planner-bench@bench.example"


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


def maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kB


def scope_of(session: Any, spec: str) -> Any:
    from app.services import area

    kind, _, value = spec.partition(":")
    found = area.of_zone_slug(session=session, slug=value) if kind == "zone" else None
    if kind == "key":
        found = area.by_key(session=session, key=value)
    if found is None:
        raise SystemExit(f"no such scope {spec}")
    return found


# --- children: one export or one spots run in a process of its own ----------------------------


def child(args: argparse.Namespace) -> None:
    from sqlmodel import Session

    from app.db import make_engine
    from app.services import planning_export, recurring
    from app.services.planning_filters import Filters

    engine = make_engine(args.database_url)
    with Session(engine) as session:
        scope = scope_of(session, args.scope)
        if args.child == "spots":
            # Neighbour pairs grow with the square of the density: stop at SPOTS_MEMORY, not
            # when the machine runs out.
            resource.setrlimit(resource.RLIMIT_AS, (SPOTS_MEMORY, SPOTS_MEMORY))
            began = time.perf_counter()
            try:
                found = recurring.spots(session=session, scope=scope, filters=Filters())
            except MemoryError:
                print(
                    json.dumps({"error": f"MemoryError after {time.perf_counter() - began:.0f} s"})
                )
                return
            took = time.perf_counter() - began
            print(json.dumps({"s": took, "spots": len(found), "rss_mb": maxrss_mb()}))
            return
        make = planning_export.csv_chunks if args.child == "csv" else planning_export.geojson_chunks
        nothing = Filters(date_from=date(2100, 1, 1))
        for _ in make(session=session, scope=scope, filters=nothing, lang="sv"):
            pass
        session.rollback()
        base = maxrss_mb()
        began = time.perf_counter()
        size = lines = 0
        for chunk in make(session=session, scope=scope, filters=Filters(), lang="sv"):
            size += len(chunk.encode())
            lines += chunk.count("\n")
        took = time.perf_counter() - began
        rows = lines - 1 if args.child == "csv" else lines - 2
        print(
            json.dumps(
                {"s": took, "rows": rows, "mb": size / 1e6, "base_mb": base, "peak_mb": maxrss_mb()}
            )
        )


def run_child(url: str, kind: str, scope: str, timeout: float = 3600) -> dict[str, Any] | None:
    command = [sys.executable, __file__, "--child", kind, "--scope", scope, "--database-url", url]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=True)
    except subprocess.TimeoutExpired:
        return None
    except subprocess.CalledProcessError as exc:
        raise SystemExit(f"{kind} {scope} failed:\n{exc.stderr}") from exc
    return json.loads(done.stdout.strip().splitlines()[-1])


def export_line(url: str, kind: str, scope: str, label: str) -> None:
    r = run_child(url, kind, scope)
    assert r is not None
    print(
        f"  {label:<34}{r['rows']:>9,} rows {r['s']:>7.1f} s {r['rows'] / r['s']:>9,.0f} rows/s "
        f"{r['mb']:>7.0f} MB out; peak memory +{r['peak_mb'] - r['base_mb']:.0f} MB "
        f"(process {r['peak_mb']:.0f} MB)"
    )


def spots_line(url: str, scope: str, label: str, timeout: float) -> None:
    r = run_child(url, "spots", scope, timeout)
    if r is None:
        print(f"  {label:<34}recurring.spots did not finish within {timeout:.0f} s")
    elif "error" in r:
        print(f"  {label:<34}recurring.spots stopped: {r['error']} (limit {SPOTS_MEMORY >> 30} GB)")
    else:
        print(
            f"  {label:<34}recurring.spots {r['s'] * 1000:>9.0f} ms, {r['spots']:,} spots, "
            f"process {r['rss_mb']:.0f} MB"
        )


# --- timing the page's services and their SQL -----------------------------------------------


class Statements:
    """Every statement run on the engine while on: replayed through the driver alone."""

    def __init__(self, engine: Any) -> None:
        from sqlalchemy import event

        self.engine = engine
        self.on = False
        self.caught: list[tuple[str, Any]] = []
        event.listen(engine, "after_cursor_execute", self._after)

    def _after(self, conn, cursor, statement, parameters, context, many) -> None:  # type: ignore[no-untyped-def]
        if self.on:
            self.caught.append((statement, parameters))

    def replay(self) -> list[tuple[float, str]]:
        """(median ms, statement) of each, fetched fully, on a raw connection."""
        out = []
        raw = self.engine.raw_connection()
        try:
            for statement, parameters in self.caught:
                times = []
                for _ in range(REPLAY):
                    began = time.perf_counter()
                    cursor = raw.cursor()
                    cursor.execute(statement, parameters)
                    cursor.fetchall()
                    cursor.close()
                    times.append((time.perf_counter() - began) * 1000)
                out.append((statistics.median(times), statement))
            raw.rollback()
        finally:
            raw.close()
        return out


def timed(
    run: Callable[[], Any], runs: int, statements: Statements | None = None
) -> dict[str, Any]:
    for _ in range(WARMUP):
        run()
    times = []
    for i in range(runs):
        if statements is not None and i == runs - 1:
            statements.caught, statements.on = [], True
        began = time.perf_counter()
        run()
        times.append((time.perf_counter() - began) * 1000)
        if statements is not None:
            statements.on = False
    found: dict[str, Any] = {"median": statistics.median(times), "p95": percentile(times, 95)}
    if statements is not None:
        replayed = statements.replay()
        found["sql"] = sum(ms for ms, _ in replayed)
        found["top"] = sorted(replayed, reverse=True)[:2]
    return found


def page_route_exists(app: Any) -> bool:
    from fastapi.routing import APIRoute

    def walk(routes, prefix: str = ""):  # type: ignore[no-untyped-def]
        for route in routes:
            if isinstance(route, APIRoute):
                yield prefix + route.path
            context = getattr(route, "include_context", None)
            if context is not None:
                yield from walk(context.included_router.routes, prefix + context.prefix)

    return "/planning/zones/{slug}" in set(walk(app.routes))


def grid_sql(session: Any, scope: Any, distance_m: float) -> Callable[[], Any]:
    """The proposed first step for recurring spots: reports counted per cell of distance_m in
    SQL (with their different months), so Python groups cells instead of rows."""
    from sqlalchemy import Integer, cast, func, select
    from sqlmodel import col

    from app.models import Category, CategoryKind, Observation
    from app.services import history

    cell_lat = distance_m / 111_320.0
    cell_lon = cell_lat / math.cos(math.radians(65.8))
    month = history.month_of(session, Observation.created_at)
    cy = cast(func.floor(Observation.lat / cell_lat), Integer)
    cx = cast(func.floor(Observation.lon / cell_lon), Integer)
    stmt = (
        select(cy, cx, func.count(), func.count(month.distinct()), func.avg(Observation.lat))
        .join(Category, Category.id == Observation.category_id)
        .where(scope.clause(), col(Category.kind) == CategoryKind.problem, ~col(Category.private))
        .group_by(cy, cx)
    )
    return lambda: session.exec(stmt).all()


def combined_sql(session: Any, scope: Any) -> Callable[[], Any]:
    """A proposed combined aggregate for history.summary: one pass grouped by category, status,
    darkness and month gives the totals, the category and status tables, dark vs daylight, the
    timeline and felt unsafety per year (three passes today)."""
    from sqlalchemy import func, select

    from app.models import Observation
    from app.services import history

    month = history.month_of(session, Observation.created_at)
    keys = (Observation.category_id, Observation.status, Observation.dark, month)
    stmt = (
        select(*keys, func.count(), func.sum(Observation.unsafe_level))
        .add_columns(func.count(Observation.unsafe_level))
        .where(scope.clause())
        .group_by(*keys)
    )
    return lambda: session.exec(stmt).all()


def page_figures(
    args: argparse.Namespace, app: Any, url: str, scopes: list[tuple[str, str]], spots: bool
) -> None:
    from fastapi.testclient import TestClient
    from sqlmodel import Session

    from app.services import history
    from app.services.planning_filters import Filters

    flt = Filters()
    engine = app.state.engine
    statements = Statements(engine)
    has_page = page_route_exists(app)
    print(f"\nThe history page, {args.runs} timed runs after {WARMUP} warm-ups, ms")
    print(f"  {'view':<16}{'what':<34}{'median':>8}{'p95':>8}{'its SQL':>9}  ratio")
    with TestClient(app, headers={"Accept-Language": "sv"}) as client, Session(engine) as session:
        page = client.get("/login")
        token = page.text.split('name="login_csrf" value="')[1].split('"')[0]
        client.post("/login", data={"email": PLANNER, "password": PASSWORD, "login_csrf": token})
        for label, spec in scopes:
            scope = scope_of(session, spec)
            cases: list[tuple[str, Callable[[], Any]]] = []
            if has_page:
                path = (
                    f"/planning/zones/{scope.zone_slug}"
                    if scope.zone_slug
                    else f"/planning/area/{scope.area_key}"
                )

                def get(path: str = path) -> None:
                    answer = client.get(path)
                    if answer.status_code != 200:
                        raise SystemExit(f"GET {path}: {answer.status_code}")

                cases.append((f"GET {path[:26]}", get))
            cases += [
                (
                    "history.summary",
                    lambda s=scope: history.summary(
                        session=session, scope=s, filters=flt, lang="sv"
                    ),
                ),
                (
                    "history.points (5,000)",
                    lambda s=scope: history.points(session=session, scope=s, filters=flt),
                ),
                ("proposed: one combined GROUP BY", combined_sql(session, scope)),
                ("proposed: spots' cells in SQL", grid_sql(session, scope, 25.0)),
            ]
            summary_top: list[tuple[float, str]] = []
            for what, run in cases:
                r = timed(run, args.runs, statements)
                if what == "history.summary":
                    summary_top = r["top"]
                ratio = r["median"] / r["sql"] if r.get("sql") else float("nan")
                print(
                    f"  {label:<16}{what:<34}{r['median']:>8.0f}{r['p95']:>8.0f}"
                    f"{r.get('sql', 0):>9.0f}  {ratio:.2f}x"
                )
            for ms, statement in summary_top:
                print(
                    f"  {'':<16}  slowest of summary: {ms:.0f} ms: "
                    + " ".join(statement.split())[:90]
                )
            if spots:
                spots_line(url, spec, label, args.spots_timeout)
    if not has_page:
        print("  (no /planning/zones/{slug} page in this checkout: its services are timed instead)")


def main(args: argparse.Namespace) -> None:
    import planning_data
    from shapely.geometry import Polygon, box
    from sqlalchemy import func, select
    from sqlmodel import Session

    from app.cli import migrate
    from app.config import Settings
    from app.db import make_engine, refresh_statistics
    from app.main import create_app
    from app.models import Observation, Role
    from app.services import area, auth, demo

    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="safetywalk-planning-") as folder:
        root = Path(folder)
        url = args.database_url or f"sqlite:///{root / 'planning.db'}"
        migrate(url)
        engine = make_engine(url)
        with Session(engine) as session:
            demo.load(session=session)
            centrum = area.of_zone_slug(session=session, slug=planning_data.LARGEST)
            assert centrum is not None
            min_x, min_y, max_x, max_y = centrum.geometry.bounds
            # A drawn octagon around Centrum's box: a similar share, 8 edges tested in SQL.
            cx, cy, rx, ry = (
                (min_x + max_x) / 2,
                (min_y + max_y) / 2,
                (max_x - min_x) / 2,
                (max_y - min_y) / 2,
            )
            octagon = Polygon(
                [
                    (
                        cx + rx * math.cos(a * math.pi / 4 + math.pi / 8) * 1.05,
                        cy + ry * math.sin(a * math.pi / 4 + math.pi / 8) * 1.05,
                    )
                    for a in range(8)
                ]
            )
            drawn_key = area.save(session=session, geometry=octagon, name="bench drawn area")
            town_key = area.save(
                session=session, geometry=box(21.55, 65.75, 21.85, 65.90), name="all of Boden"
            )
        refresh_statistics(engine)
        ref = planning_data.Reference(engine)
        version = ".".join(map(str, engine.dialect.server_version_info or ()))
        print(
            f"{engine.dialect.name} {version}, Python {sys.version.split()[0]}, "
            f"{args.rows:,} observations in steps"
        )
        if not args.page_only:
            print("\nThe CSV export of the largest district, in a child process per export:")
        inserted = 0
        for share in (0.25, 0.5, 1.0):
            target = int(args.rows * share)
            spent = planning_data.insert(engine, ref, inserted + 1, target - inserted)
            inserted = target
            analyze(engine)
            with Session(engine) as session:
                in_zone = session.exec(
                    select(func.count())
                    .select_from(Observation)
                    .where(Observation.zone_id == centrum.zone_id)
                ).scalar_one()
            print(
                f" {inserted:,} observations (inserted in {spent:.0f} s), {in_zone:,} in Centrum:"
            )
            if not args.page_only:
                export_line(url, "csv", "zone:centrum", "Centrum, CSV")
                spots_line(url, "zone:centrum", "Centrum", args.spots_timeout)
        if not args.page_only:
            export_line(url, "geojson", "zone:centrum", "Centrum, GeoJSON")
            export_line(url, "csv", f"key:{town_key}", "all of Boden (drawn), CSV")
        settings = Settings(
            database_url=url,
            data_dir=root / "data",
            media_dir=root / "media",
            secret_key="bench-secret-key-that-is-long-enough-00000",
            tile_url="",
            default_language="sv",
            outbox_interval_seconds=0,
        )  # type: ignore[call-arg]
        app = create_app(settings)
        try:
            with Session(engine) as session:
                auth.create_user(
                    session=session,
                    email=PLANNER,
                    name="Bench planner",
                    password=PASSWORD,
                    role=Role.planner,
                )
            views = [("Centrum", "zone:centrum"), ("drawn octagon", f"key:{drawn_key}")]
            page_figures(args, app, url, views, spots=not args.page_only)
            for spec in args.try_index:
                name, _, columns = spec.partition("=")
                began_index = time.perf_counter()
                with engine.begin() as conn:
                    conn.exec_driver_sql(f"CREATE INDEX {name} ON observation ({columns})")
                analyze(engine)
                print(
                    f"\n=== with index {name} ON observation ({columns}), "
                    f"made in {time.perf_counter() - began_index:.0f} s ==="
                )
                page_figures(args, app, url, views, spots=False)
        finally:
            app.state.engine.dispose()
            engine.dispose()
    print(f"\n(bench took {time.perf_counter() - began:.0f} s)")


def analyze(engine: Any) -> None:
    """What autovacuum (PostgreSQL) or `ANALYZE` after a load does: fresh statistics."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    else:
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="", help="a throwaway database (default: SQLite)")
    parser.add_argument("--rows", type=int, default=ROWS, help=f"observations (default {ROWS:,})")
    parser.add_argument("--runs", type=int, default=RUNS, help=f"timed runs (default {RUNS})")
    parser.add_argument("--spots-timeout", type=float, default=SPOTS_TIMEOUT_S)
    parser.add_argument(
        "--page-only", action="store_true", help="no exports, no recurring spots: the page's SQL"
    )
    parser.add_argument(
        "--try-index",
        action="append",
        default=[],
        metavar="NAME=COL,COL",
        help="then create this index on observation and time the page's services again",
    )
    parser.add_argument("--child", choices=("csv", "geojson", "spots"), help=argparse.SUPPRESS)
    parser.add_argument("--scope", default="", help=argparse.SUPPRESS)
    parsed = parser.parse_args()
    child(parsed) if parsed.child else main(parsed)
