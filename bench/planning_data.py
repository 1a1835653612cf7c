"""Bench data for planning_bench.py: observations over Boden's demo districts, inserted fast
(COPY on PostgreSQL, executemany on SQLite's own driver), with status histories for a share.

Skewed: Centrum takes the largest share, each other district a smaller one, the rest anywhere in
Boden's box. Positions are uniform inside a district's polygon; the zone id comes from the
polygons (vectorised shapely, first match, as `zones.place` does for the demo districts, which do
not overlap). Categories: one in ten a good place, one in a hundred private (drug dealing), the
rest problems. Statuses are spread as in the triage bench; fixed and verified ones have fixed_at;
a share (`WITH_EVENTS`) has status rows in observation_event as the life cycle writes them. A few
percent belong to one of 40 walks. Fixed seed, fixed "now": every run makes the same rows.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import shapely
from shapely.geometry import shape

SEED = 20261201
NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)
DAYS_BACK = 3 * 365
BOX = (65.78, 65.86, 21.60, 21.78)  # Boden: min_lat, max_lat, min_lon, max_lon
LARGEST = "centrum"
SHARES = {LARGEST: 0.25}  # each other district: OTHER_SHARE; the rest: anywhere in BOX
OTHER_SHARE = 0.09
WITH_EVENTS = 0.3  # of the reports that left "new"
ON_A_WALK = 0.03
WALKS = 40
STATUSES = {
    "new": 30, "triaged": 12, "scheduled": 8, "in_progress": 8, "reopened": 2, "fixed": 14,
    "verified": 16, "duplicate": 4, "not_ours": 3, "wont_fix": 3,
}  # fmt: skip
# The moves the life cycle makes to reach each status from "new".
PATHS = {
    "triaged": ["triaged"],
    "scheduled": ["triaged", "scheduled"],
    "in_progress": ["triaged", "scheduled", "in_progress"],
    "fixed": ["triaged", "in_progress", "fixed"],
    "verified": ["triaged", "in_progress", "fixed", "verified"],
    "reopened": ["triaged", "fixed", "reopened"],
    "duplicate": ["duplicate"],
    "not_ours": ["triaged", "not_ours"],
    "wont_fix": ["triaged", "wont_fix"],
}
TEXTS = (
    "The lamp by the underpass is out.",
    "Bushes hide the path; nobody can see you here.",
    "Broken paving, people trip in the dark.",
    "Graffiti and broken glass at the bus stop.",
    "Nowhere to go if something happens.",
)
OBS_COLUMNS = (
    "id", "client_id", "token", "status", "category_id", "zone_id", "unit_id", "lat", "lon",
    "accuracy_m", "position_source", "description", "unsafe_level", "dark", "contact_email",
    "walk_code", "walk_id", "factors", "language", "created_at", "observed_at", "priority",
    "assignee_id", "routing_reason", "duplicate_of_id", "handed_to", "supporters",
    "status_changed_at", "fixed_at", "reminded_due_soon", "reminded_overdue", "priority_rank",
)  # fmt: skip
EVENT_COLUMNS = (
    "observation_id", "at", "kind", "actor", "actor_id", "from_status", "to_status", "note",
    "internal_note", "public",
)  # fmt: skip


class Reference:
    """What the rows point at: categories, districts, walks."""

    def __init__(self, engine: Any) -> None:
        from sqlmodel import Session, select

        from app.models import Category, CategoryKind, Zone

        with Session(engine) as session:
            cats = session.exec(select(Category).order_by(Category.id)).all()
            zones = session.exec(select(Zone).order_by(Zone.id)).all()
        self.good = [c.id for c in cats if c.kind == CategoryKind.good]
        self.private = [c.id for c in cats if c.private]
        self.problem = [c.id for c in cats if c.kind == CategoryKind.problem and not c.private]
        self.unit_of = {c.id: c.default_unit_id for c in cats}
        self.zones = [(z.id, z.slug, shape(json.loads(z.geometry))) for z in zones]
        self.walk_ids = make_walks(engine)


def make_walks(engine: Any) -> list[int]:
    from sqlalchemy import insert, select
    from sqlmodel import Session

    from app.models import Role, Walk
    from app.services import auth

    with Session(engine) as session:
        leader = auth.create_user(
            session=session,
            email=f"leader-{uuid.uuid4().hex[:6]}@bench.example",
            name="Bench leader",
            password="bench password, long enough",
            role=Role.walk_leader,
        )
        leader_id = leader.id
    rows = [
        {
            "title": f"Trygghetsvandring {i + 1}",
            "description": "",
            "status": "closed",
            "meeting_point": "",
            "starts_at": NOW - timedelta(days=20 * i + 5),
            "leader_id": leader_id,
            "organisations": "",
            "join_code": f"BENCH{i:03d}",
            "created_at": NOW - timedelta(days=20 * i + 30),
        }
        for i in range(WALKS)
    ]
    with engine.begin() as conn:
        conn.execute(insert(Walk.__table__), rows)
        return [r[0] for r in conn.execute(select(Walk.__table__.c.id)).all()]


def positions(ref: Reference, n: int, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    """n positions (lat, lon) and their zone ids (0 for none)."""
    slugs = [slug for _, slug, _ in ref.zones]
    weights = [SHARES.get(slug, OTHER_SHARE) for slug in slugs]
    where = rng.choice(len(slugs) + 1, size=n, p=[*weights, 1 - sum(weights)])
    lat, lon = np.empty(n), np.empty(n)
    for k in range(len(slugs) + 1):
        idx = np.flatnonzero(where == k)
        if k == len(slugs):  # anywhere in Boden
            lat[idx] = rng.uniform(BOX[0], BOX[1], idx.size)
            lon[idx] = rng.uniform(BOX[2], BOX[3], idx.size)
            continue
        polygon = ref.zones[k][2]
        shapely.prepare(polygon)
        min_x, min_y, max_x, max_y = polygon.bounds
        got_lat: list[np.ndarray] = []
        got = 0
        while got < idx.size:  # uniform inside the polygon: draw in its box, keep what is in
            x = rng.uniform(min_x, max_x, idx.size * 2)
            y = rng.uniform(min_y, max_y, idx.size * 2)
            inside = shapely.contains_xy(polygon, x, y)
            got_lat.append(np.stack([y[inside], x[inside]]))
            got += int(inside.sum())
        both = np.concatenate(got_lat, axis=1)[:, : idx.size]
        lat[idx], lon[idx] = both[0], both[1]
    zone = np.zeros(n, dtype=np.int64)
    for zone_id, _, polygon in ref.zones:
        free = zone == 0
        zone[free & shapely.intersects_xy(polygon, lon, lat)] = zone_id
    return lat, lon, zone


def _stamp(at: datetime, sqlite: bool) -> object:
    # SQLite keeps naive UTC text in SQLAlchemy's format; psycopg's COPY takes the datetime.
    return at.strftime("%Y-%m-%d %H:%M:%S.%f") if sqlite else at


def batch_rows(
    ref: Reference, first_id: int, n: int, rng: np.random.Generator, sqlite: bool
) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]], list[tuple[int, int]]]:
    """n observation rows with ids from first_id, the status rows of those with events, and
    their zone memberships (zone id, observation id)."""
    lat, lon, zone = positions(ref, n, rng)
    kind = rng.random(n)
    cat_choice = rng.integers(0, 1 << 30, n)
    names = list(STATUSES)
    status_idx = rng.choice(len(names), size=n, p=np.array(list(STATUSES.values())) / 100)
    age = rng.uniform(0, DAYS_BACK * 86400, n)
    steps = rng.uniform(3600, 20 * 86400, (n, 4))
    events_for = rng.random(n) < WITH_EVENTS
    walk_pick = rng.random(n) < ON_A_WALK
    unsafe = rng.integers(0, 6, n)
    dark = rng.random(n) < 0.55
    rows: list[tuple[object, ...]] = []
    events: list[tuple[object, ...]] = []
    # Plain ints: sqlite3 binds a numpy int64 as a blob, which no foreign key matches.
    members = [(int(zone[i]), first_id + int(i)) for i in np.flatnonzero(zone)]
    for i in range(n):
        obs_id = first_id + i
        if kind[i] < 0.10:
            category = ref.good[cat_choice[i] % len(ref.good)]
        elif kind[i] < 0.11:
            category = ref.private[cat_choice[i] % len(ref.private)]
        else:
            category = ref.problem[cat_choice[i] % len(ref.problem)]
        status = "new" if category in ref.good else names[status_idx[i]]
        created = NOW - timedelta(seconds=float(age[i]))
        moves, at, fixed_at = PATHS.get(status, []), created, None
        stamps = []
        for k, to in enumerate(moves):
            at = at + timedelta(seconds=float(steps[i, k]))
            stamps.append((to, at))
            if to == "fixed":
                fixed_at = at
        client = uuid.UUID(int=obs_id)
        rows.append(
            (
                obs_id, client.hex if sqlite else client, f"bench-{obs_id}", status, category,
                int(zone[i]) or None, ref.unit_of[category], float(lat[i]), float(lon[i]), None,
                "map", TEXTS[obs_id % len(TEXTS)], int(unsafe[i]) or None, bool(dark[i]), None,
                "bench-planning", ref.walk_ids[obs_id % WALKS] if walk_pick[i] else None, "", "sv",
                _stamp(created, sqlite), _stamp(created - timedelta(minutes=5), sqlite), "normal",
                None, "", None, None, 0, _stamp(at, sqlite),
                _stamp(fixed_at, sqlite) if fixed_at else None, False, False, 2,
            )
        )  # fmt: skip
        if events_for[i] and moves:
            before = None
            for to, when in [("new", created), *stamps]:
                events.append(
                    (
                        obs_id,
                        _stamp(when, sqlite),
                        "status",
                        "bench",
                        None,
                        before,
                        to,
                        "",
                        "",
                        True,
                    )
                )
                before = to
    return rows, events, members


def insert(engine: Any, ref: Reference, first_id: int, n: int, batch: int = 50_000) -> float:
    """Insert n observations (ids first_id...) and their status rows; returns seconds spent."""
    import time

    sqlite = engine.dialect.name == "sqlite"
    rng = np.random.default_rng([SEED, first_id])
    spent = 0.0
    for start in range(0, n, batch):
        rows, events, members = batch_rows(
            ref, first_id + start, min(batch, n - start), rng, sqlite
        )
        began = time.perf_counter()
        raw = engine.raw_connection()
        try:
            cursor = raw.cursor()
            if sqlite:
                marks = ",".join("?" * len(OBS_COLUMNS))
                cursor.executemany(
                    f"INSERT INTO observation ({','.join(OBS_COLUMNS)}) VALUES ({marks})", rows
                )
                marks = ",".join("?" * len(EVENT_COLUMNS))
                cursor.executemany(
                    f"INSERT INTO observation_event ({','.join(EVENT_COLUMNS)}) VALUES ({marks})",
                    events,
                )
                cursor.executemany(
                    "INSERT INTO observation_zone (zone_id, observation_id) VALUES (?, ?)", members
                )
            else:
                with cursor.copy(f"COPY observation ({','.join(OBS_COLUMNS)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                with cursor.copy(
                    f"COPY observation_event ({','.join(EVENT_COLUMNS)}) FROM STDIN"
                ) as copy:
                    for row in events:
                        copy.write_row(row)
                with cursor.copy(
                    "COPY observation_zone (zone_id, observation_id) FROM STDIN"
                ) as copy:
                    for member in members:
                        copy.write_row(member)
            raw.commit()
        finally:
            raw.close()
        spent += time.perf_counter() - began
    if not sqlite:  # ids were given: the sequence must not hand them out again
        with engine.begin() as conn:
            conn.exec_driver_sql(
                "SELECT setval(pg_get_serial_sequence('observation', 'id'), "
                "(SELECT max(id) FROM observation))"
            )
    return spent
