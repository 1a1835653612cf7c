"""The demo's safety walks over two years: evening walks in the districts, each with the phones
that joined it and the reports made on the way (through the real capture, while the walk was
out), a follow-up walk a year later that checked the earlier walk's items on site, and walks to
come. Relative to today, like the rest of the demo's history; loading twice stores them once."""

from __future__ import annotations

import json
import random
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from shapely.geometry import shape
from sqlmodel import Session, select

from app import clock
from app.models import (
    Category,
    CategoryKind,
    Observation,
    Role,
    StaffUser,
    Walk,
    WalkCheck,
    WalkParticipant,
    WalkStatus,
    Zone,
)
from app.services import demo, observations, photos
from app.services.media_store import MediaStore

WALK_SEED = 2027
# The walks are led by the municipality's safety coordinator: a stored account (a walk needs
# a leader) that is inactive and has a random password nobody knows. Its hash is written out
# (of a secret thrown away when it was made): hashing one here would cost an argon2 run, 64 MB
# and half a second, on every `make run`.
LEADER_PASSWORD_HASH = "$argon2id$v=19$m=65536,t=3,p=4$hOEDWOWxRxDCqUdFufNKuw$NPS2tZQZGpx/Ugyy+ND77vUTG7xbO2dTqx+N1KrwoQw"  # noqa: E501
LEADER_EMAIL = "trygghetsvandring@boden.example"
LEADER_NAME = "Trygghetssamordnaren (demo)"
ORGANISATIONS = "Bodens kommun\nPolisen, lokalpolisområde Boden\nHyresgästföreningen"


@dataclass(frozen=True)
class DemoWalk:
    code: str
    days_ago: int  # negative: still to come
    hour: int  # local
    district: str
    title: str
    meeting_point: str
    follow_up_of: str | None = None


WALKS = (
    DemoWalk("BDNW2A", 600, 19, "savast", "Trygghetsvandring i Sävast", "Sävast skola"),
    DemoWalk("BDNW3C", 415, 18, "centrum", "Trygghetsvandring i Centrum", "Stadshuset"),
    DemoWalk("BDNW4S", 390, 18, "svartbyn", "Trygghetsvandring i Svartbyn", "Svartbyns centrum"),
    DemoWalk("BDNW5H", 260, 19, "heden", "Trygghetsvandring på Heden", "Hedens skola"),
    DemoWalk("BDNW6B", 200, 20, "bjorknas", "Trygghetsvandring i Björknäs", "Björknäsvallen"),
    DemoWalk("BDNW7E", 75, 19, "erikslund", "Trygghetsvandring i Erikslund", "Erikslunds torg"),
    DemoWalk(
        "BDNW8C",
        50,
        18,
        "centrum",
        "Uppföljande trygghetsvandring i Centrum",
        "Stadshuset",
        follow_up_of="BDNW3C",
    ),
    DemoWalk("BDNW9T", 28, 18, "torpgardan", "Trygghetsvandring på Torpgärdan", "Torpgärdsskolan"),
    DemoWalk("BDNX2F", -16, 18, "fagelberget", "Trygghetsvandring på Fågelberget", "Kvarnängen"),
    DemoWalk(
        "BDNX3S",
        -60,
        18,
        "svartbyn",
        "Uppföljande trygghetsvandring i Svartbyn",
        "Svartbyns centrum",
        follow_up_of="BDNW4S",
    ),
)


def leader(*, session: Session) -> StaffUser:
    """The demo walks' leader (made once)."""
    user = session.exec(select(StaffUser).where(StaffUser.email == LEADER_EMAIL)).first()
    if user is None:
        user = StaffUser(
            email=LEADER_EMAIL,
            name=LEADER_NAME,
            password_hash=LEADER_PASSWORD_HASH,
            role=Role.walk_leader,
            active=False,
        )
        session.add(user)
        session.flush()
    return user


def load(*, session: Session, store: MediaStore, limits: photos.PhotoLimits) -> int:
    """The demo's walks; returns how many were new."""
    today = clock.now().replace(minute=0, second=0, microsecond=0)
    districts = {z.slug: z for z in session.exec(select(Zone)).all()}
    made = 0
    for plan in WALKS:
        if session.exec(select(Walk.id).where(Walk.join_code == plan.code)).first() is not None:
            continue
        rng = random.Random(f"{WALK_SEED}-{plan.code}")
        _make(session, plan, districts[plan.district], rng, today, store, limits)
        session.commit()
        made += 1
    return made


def _make(
    session: Session,
    plan: DemoWalk,
    zone: Zone,
    rng: random.Random,
    today: datetime,
    store: MediaStore,
    limits: photos.PhotoLimits,
) -> None:
    starts_at = demo.local_time(today - timedelta(days=plan.days_ago), plan.hour)
    earlier = None
    if plan.follow_up_of:
        earlier = session.exec(select(Walk).where(Walk.join_code == plan.follow_up_of)).one()
    walk = Walk(
        title=plan.title,
        description="Vi går tillsammans genom området och noterar vad som känns otryggt "
        "och vad som är värt att behålla. Alla är välkomna.",
        zone_id=zone.id,
        meeting_point=plan.meeting_point,
        starts_at=starts_at,
        leader_id=leader(session=session).id,  # type: ignore[arg-type]
        organisations=ORGANISATIONS,
        join_code=plan.code,
        follow_up_of_id=earlier.id if earlier else None,
        created_at=starts_at - timedelta(days=30),
    )
    session.add(walk)
    session.flush()
    if starts_at >= today:
        return  # still to come: planned, nobody has joined yet
    walk.status, walk.started_at = WalkStatus.active, starts_at + timedelta(minutes=5)
    for n in range(rng.randint(8, 26)):
        session.add(
            WalkParticipant(
                walk_id=walk.id,  # type: ignore[arg-type]
                device_id=uuid.uuid5(demo.DEMO_NAMESPACE, f"walk-{plan.code}-{n}"),
                joined_at=starts_at + timedelta(minutes=rng.randint(0, 20)),
            )
        )
    outline = shape(json.loads(zone.geometry))
    month = starts_at.astimezone(demo.STOCKHOLM).month
    kinds = sorted(demo.PROBLEM_WEIGHTS)
    weights = [demo.PROBLEM_WEIGHTS[k] * demo.season_weight(k, month) for k in kinds]
    for n in range(3 if earlier else rng.randint(5, 9)):
        lat, lon = demo.random_point(rng, outline)
        category = "good-place" if n == 2 else rng.choices(kinds, weights=weights)[0]
        raw = {
            "client_id": str(uuid.uuid5(demo.DEMO_NAMESPACE, f"walk-{plan.code}-item-{n}")),
            "category": category,
            "lat": f"{lat:.6f}",
            "lon": f"{lon:.6f}",
            "position_source": "gps",
            "accuracy_m": str(rng.randint(4, 15)),
            "description": demo.TEXTS[category],
            "unsafe_level": "" if category == "good-place" else str(rng.choice((3, 4, 4, 5))),
            "walk_code": plan.code,
        }
        with clock.frozen(starts_at + timedelta(minutes=12 + 11 * n)):
            result = observations.capture(
                session=session,
                raw=raw,
                uploads=[],
                store=store,
                limits=limits,
                max_photos=3,
                description_max=2000,
            )
        if result.created and category != "good-place":
            demo.live_through(session, result.observation, rng, today, demo.municipality())
    if earlier:
        _check(session, walk, earlier, rng)
    walk.status, walk.closed_at = WalkStatus.closed, starts_at + timedelta(hours=2)
    session.add(walk)


def _check(session: Session, walk: Walk, earlier: Walk, rng: random.Random) -> None:
    """On the follow-up walk: each of the earlier walk's problems checked on site (fixed as the
    unit had it by then; most places feel safer when they are)."""
    items = session.exec(
        select(Observation).where(Observation.walk_id == earlier.id).order_by(Observation.id)
    ).all()
    for n, obs in enumerate(items):
        category = session.get(Category, obs.category_id)
        if obs.unsafe_level is None or category is None or category.kind != CategoryKind.problem:
            continue
        fixed = obs.fixed_at is not None and obs.fixed_at < walk.starts_at
        drop = rng.choice((1, 2, 2)) if fixed else rng.choice((0, 0, 1))
        session.add(
            WalkCheck(
                walk_id=walk.id,  # type: ignore[arg-type]
                observation_id=obs.id,  # type: ignore[arg-type]
                fixed=fixed,
                unsafe_level=max(1, obs.unsafe_level - drop),
                note="" if fixed else "Fortfarande inte åtgärdat.",
                checked_by_id=walk.leader_id,
                checked_at=walk.starts_at + timedelta(minutes=15 + 8 * n),
            )
        )
