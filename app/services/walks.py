"""Safety walks: plan one, let participants join by code, take observations on the way, close it
with a protocol, and check its items on a follow-up walk a year later.

A walk's observations are ordinary observations (routed, triaged and fixed like any other) that
carry `walk_id`; the protocol reads their current status whenever it is opened. The life cycle is
`planned -> active -> closed`; only the walk's leader or an admin moves it. A closed walk takes no
new observations: one sent to it is still stored, without the walk, and the resident is told.
"""

from __future__ import annotations

import json
import re
import secrets
import statistics
import uuid
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from shapely.geometry import shape
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from app import clock
from app.config import Settings
from app.i18n import gettext as _
from app.models import (
    Category,
    CategoryKind,
    Observation,
    Photo,
    PhotoKind,
    Priority,
    Role,
    StaffUser,
    Status,
    Unit,
    Walk,
    WalkCheck,
    WalkParticipant,
    WalkStatus,
    Zone,
)
from app.services import deadlines, support

# What makes a place feel unsafe, as safety-audit methods rate it (stored as these codes).
FACTORS = ("lighting", "sightlines", "deserted", "no_way_out", "path", "traffic", "neglect")
# Unambiguous when read aloud or typed from a screen: no 0/O, 1/I/L.
JOIN_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
JOIN_CODE_LENGTH = 6
JOIN_CODE_RE = re.compile(r"^[A-Z0-9]{4,16}$")
LOCAL_TZ = ZoneInfo("Europe/Stockholm")
FIXED_STATES = frozenset({Status.fixed, Status.verified})
# A drawn area or route: thousands of corners at most, not megabytes.
GEOJSON_MAX_CHARS = 200_000


class WalkRefused(Exception):
    """A move or a change the walk does not allow, in words for the leader (409 or 403)."""

    def __init__(self, message: str, status_code: int = 409) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code


class InvalidWalk(Exception):
    """What is wrong with a walk's form, field by field."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors


# Planning


@dataclass(frozen=True)
class WalkFields:
    title: str
    description: str
    zone_id: int | None
    area: str | None
    route: str | None
    meeting_point: str
    meeting_lat: float | None
    meeting_lon: float | None
    starts_at: datetime
    organisations: str
    follow_up_of_id: int | None


def _geojson(value: str, kinds: tuple[str, ...]) -> str | None:
    """A GeoJSON geometry (or Feature) of one of `kinds`, valid, as compact text; else None."""
    if len(value) > GEOJSON_MAX_CHARS:
        return None
    try:
        data = json.loads(value)
        if data.get("type") == "Feature":
            data = data.get("geometry") or {}
        if data.get("type") not in kinds:
            return None
        geometry = shape(data)
        if geometry.is_empty or not geometry.is_valid:
            return None
        minx, miny, maxx, maxy = geometry.bounds
        if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
            return None
    except (ValueError, TypeError, AttributeError, KeyError, RecursionError):
        return None
    return json.dumps(data, separators=(",", ":"))


def validate(
    raw: Mapping[str, str], *, session: Session, now: datetime | None = None
) -> WalkFields:
    """The walk form's fields, or InvalidWalk with a message for each bad one."""
    now = now or clock.now()
    errors: dict[str, str] = {}

    def text(name: str, limit: int) -> str:
        value = (raw.get(name) or "").replace("\x00", "").strip()
        if len(value) > limit:
            errors[name] = _("Too long: at most %(n)s characters.", n=limit)
        return value[:limit]

    title = text("title", 200)
    if not title:
        errors["title"] = _("Give the walk a title.")
    description = text("description", 4000)
    meeting_point = text("meeting_point", 300)
    organisations = "\n".join(
        line.strip() for line in text("organisations", 1000).splitlines() if line.strip()
    )

    zone_id: int | None = None
    if raw.get("zone"):
        zone = session.exec(select(Zone).where(Zone.slug == raw["zone"])).first()
        if zone is None:
            errors["zone"] = _("Choose a district from the list.")
        else:
            zone_id = zone.id
    area = None
    if (raw.get("area") or "").strip():
        area = _geojson(raw["area"], ("Polygon",))
        if area is None:
            errors["area"] = _("The drawn area is not a valid polygon. Draw it again.")
    if zone_id is None and area is None and "zone" not in errors and "area" not in errors:
        errors["zone"] = _("Choose the district, or draw the area on the map.")
    route = None
    if (raw.get("route") or "").strip():
        route = _geojson(raw["route"], ("LineString",))
        if route is None:
            errors["route"] = _("The drawn route is not a valid line. Draw it again.")

    meeting_lat = meeting_lon = None
    if (raw.get("meeting_lat") or "").strip() or (raw.get("meeting_lon") or "").strip():
        try:
            meeting_lat = float(raw.get("meeting_lat") or "")
            meeting_lon = float(raw.get("meeting_lon") or "")
            if not (-90 <= meeting_lat <= 90 and -180 <= meeting_lon <= 180):
                raise ValueError
        except ValueError:
            errors["meeting_point"] = _("The meeting point's position is not valid.")
            meeting_lat = meeting_lon = None

    starts_at = now
    try:
        local = datetime.fromisoformat(f"{raw.get('date', '')}T{raw.get('time', '')}")
        if abs(local.year - now.year) > 3:
            raise OverflowError  # also keeps year 1 away from the time-zone arithmetic
        starts_at = local.replace(tzinfo=LOCAL_TZ).astimezone(UTC)
        if starts_at < now - timedelta(days=365) or starts_at > now + timedelta(days=3 * 365):
            errors["starts_at"] = _("Choose a date within three years.")
    except OverflowError:
        errors["starts_at"] = _("Choose a date within three years.")
    except ValueError:
        errors["starts_at"] = _("Give the date and time the walk starts.")

    follow_up_of_id: int | None = None
    if (raw.get("follow_up_of") or "").strip():
        earlier = None
        if re.fullmatch(r"[0-9]{1,9}", raw["follow_up_of"]):
            earlier = session.get(Walk, int(raw["follow_up_of"]))
        if earlier is None or earlier.status != WalkStatus.closed:
            errors["follow_up_of"] = _("A follow-up is of an earlier, closed walk.")
        else:
            follow_up_of_id = earlier.id

    if errors:
        raise InvalidWalk(errors)
    return WalkFields(
        title=title,
        description=description,
        zone_id=zone_id,
        area=area,
        route=route,
        meeting_point=meeting_point,
        meeting_lat=meeting_lat,
        meeting_lon=meeting_lon,
        starts_at=starts_at,
        organisations=organisations,
        follow_up_of_id=follow_up_of_id,
    )


def new_join_code() -> str:
    return "".join(secrets.choice(JOIN_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


def create(*, session: Session, fields: WalkFields, leader: StaffUser) -> Walk:
    for _attempt in range(5):  # a clash of two random codes is rare; try another
        walk = Walk(**fields.__dict__, leader_id=leader.id, join_code=new_join_code())  # type: ignore[arg-type]
        session.add(walk)
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
            continue
        session.refresh(walk)
        return walk
    raise RuntimeError("no free join code")  # pragma: no cover - 31^6 codes


def may_plan(user: StaffUser) -> bool:
    return user.role in (Role.walk_leader, Role.admin)


def may_manage(user: StaffUser, walk: Walk) -> bool:
    """The walk's leader runs it; an admin may stand in."""
    return user.role == Role.admin or (user.role == Role.walk_leader and walk.leader_id == user.id)


def _require_manager(user: StaffUser, walk: Walk) -> None:
    if not may_manage(user, walk):
        raise WalkRefused(_("Only the walk's leader may change this walk."), status_code=403)


def update(*, session: Session, walk: Walk, fields: WalkFields, actor: StaffUser) -> Walk:
    _require_manager(actor, walk)
    if walk.status == WalkStatus.closed:
        raise WalkRefused(_("The walk is closed; its protocol no longer changes."))
    if fields.follow_up_of_id == walk.id:
        raise WalkRefused(_("A walk cannot be its own follow-up."))
    if (
        fields.follow_up_of_id != walk.follow_up_of_id
        and session.exec(select(WalkCheck.id).where(WalkCheck.walk_id == walk.id)).first()
    ):
        raise WalkRefused(
            _("The earlier walk's items are already being checked; it can no longer change.")
        )
    for name, value in fields.__dict__.items():
        setattr(walk, name, value)
    session.add(walk)
    session.commit()
    session.refresh(walk)
    return walk


def _move(*, session: Session, walk: Walk, actor: StaffUser, to: WalkStatus) -> Walk:
    """planned -> active -> closed, by the walk's leader (or an admin); the time is noted."""
    _require_manager(actor, walk)
    now = clock.now()
    if to == WalkStatus.active and walk.status == WalkStatus.planned:
        walk.started_at = now
    elif to == WalkStatus.closed and walk.status == WalkStatus.active:
        walk.closed_at = now
    elif to == WalkStatus.active:
        raise WalkRefused(_("Only a planned walk can be started."))
    else:
        raise WalkRefused(_("Only a walk under way can be closed. Start it first."))
    walk.status = to
    session.add(walk)
    session.commit()
    session.refresh(walk)
    return walk


def start(*, session: Session, walk: Walk, actor: StaffUser) -> Walk:
    return _move(session=session, walk=walk, actor=actor, to=WalkStatus.active)


def close(*, session: Session, walk: Walk, actor: StaffUser) -> Walk:
    return _move(session=session, walk=walk, actor=actor, to=WalkStatus.closed)


# Finding walks


def by_id(*, session: Session, walk_id: int) -> Walk | None:
    return session.get(Walk, walk_id)


def normalise_code(code: str) -> str:
    """What a participant typed, as the stored code: case and spaces don't matter."""
    return re.sub(r"[\s-]", "", code or "").upper()[:16]


def by_code(*, session: Session, code: str) -> Walk | None:
    code = normalise_code(code)
    if not JOIN_CODE_RE.match(code):
        return None
    return session.exec(select(Walk).where(Walk.join_code == code)).first()


def upcoming(*, session: Session, now: datetime | None = None) -> Sequence[Walk]:
    """Walks residents can still come to: under way, or planned from today on."""
    now = now or clock.now()
    return session.exec(
        select(Walk)
        .where(
            col(Walk.status) != WalkStatus.closed,
            col(Walk.starts_at) >= now - timedelta(hours=12),
        )
        .order_by(col(Walk.starts_at))
        .limit(100)
    ).all()


def listed_for_staff(*, session: Session, limit: int = 200) -> Sequence[Walk]:
    return session.exec(select(Walk).order_by(col(Walk.starts_at).desc()).limit(limit)).all()


def closed_walks(*, session: Session) -> Sequence[Walk]:
    """Walks that a new walk may follow up."""
    return session.exec(
        select(Walk).where(Walk.status == WalkStatus.closed).order_by(col(Walk.starts_at).desc())
    ).all()


def zone_of(*, session: Session, walk: Walk) -> Zone | None:
    return session.get(Zone, walk.zone_id) if walk.zone_id else None


def leader_of(*, session: Session, walk: Walk) -> StaffUser | None:
    return session.get(StaffUser, walk.leader_id)


# Joining and capturing


def join(*, session: Session, walk: Walk, device_id: uuid.UUID) -> None:
    """Count this device as a participant, once however often it opens the link."""
    exists = session.exec(
        select(WalkParticipant.id).where(
            WalkParticipant.walk_id == walk.id, WalkParticipant.device_id == device_id
        )
    ).first()
    if exists is not None:
        return
    session.add(WalkParticipant(walk_id=walk.id, device_id=device_id))  # type: ignore[arg-type]
    try:
        session.commit()
    except IntegrityError:  # the same device, twice at once
        session.rollback()


def participant_count(*, session: Session, walk: Walk) -> int:
    return session.exec(
        select(func.count()).select_from(WalkParticipant).where(WalkParticipant.walk_id == walk.id)
    ).one()


def walk_for_observation(*, session: Session, code: str | None) -> tuple[Walk | None, bool]:
    """The walk an observation joins, and whether a walk was named but refused (closed)."""
    if not code:
        return None, False
    walk = by_code(session=session, code=code)
    if walk is None:
        return None, False
    if walk.status == WalkStatus.closed:
        return None, True
    return walk, False


def cosign(
    *,
    session: Session,
    walk: Walk,
    observation_id: int,
    device_id: uuid.UUID | None,
    unsafe_level: str,
    high_priority_at: int,
) -> bool:
    """A participant feels it too: one supporter per phone and item (a second tap counts
    once). True when counted now. `device_id` is None for a phone that never opened the walk."""
    if device_id is None:
        # Without the walk's cookie every post would count as a new person (and a form posted
        # from another site carries no SameSite cookie).
        raise WalkRefused(
            _("Open the walk's page on this phone first, then say so again."), status_code=403
        )
    if walk.status == WalkStatus.closed:
        raise WalkRefused(_("The walk is closed."))
    obs = session.get(Observation, observation_id)
    category = session.get(Category, obs.category_id) if obs else None
    # Only what participants are shown: problems, never a private category.
    if obs is None or obs.walk_id != walk.id or category is None or category.private:
        raise WalkRefused(_("That item is not on this walk."), status_code=404)
    if category.kind != CategoryKind.problem:
        raise WalkRefused(_("A good place is kept, not co-signed."))
    try:
        _obs, counted = support.add(
            session=session,
            observation_id=observation_id,
            client_id=str(uuid.uuid5(device_id, f"walk-item-{observation_id}")),
            unsafe_level=unsafe_level,
            high_priority_at=high_priority_at,
        )
    except support.SupportRefused as exc:
        raise WalkRefused(exc.message) from exc
    return counted


def parse_factors(values: Sequence[str]) -> str:
    """Known factor codes, in their fixed order; unknown ones are dropped."""
    chosen = set(values)
    return ",".join(f for f in FACTORS if f in chosen)


# Reading a walk: its items, the live page, the protocol


@dataclass(frozen=True)
class WalkItem:
    """One observation of a walk, as the leader and the protocol show it."""

    id: int
    token: str
    status: Status
    category: Category
    kind: CategoryKind
    unit_name: str | None
    priority: Priority
    due_at: datetime | None
    lat: float
    lon: float
    description: str
    unsafe_level: int | None
    dark: bool
    factors: list[str]
    felt_by: int  # the reporter and everyone who co-signed
    created_at: datetime
    photos: list[Photo]
    after_photos: list[Photo]

    @property
    def fixed(self) -> bool:
        return self.status in FIXED_STATES


def items(
    *, session: Session, walk_id: int, settings: Settings, lang: str, limit: int = 2000
) -> list[WalkItem]:
    """The walk's observations with what the protocol needs, in three queries."""
    rows = session.exec(
        select(Observation, Category, Unit)
        .join(Category, col(Category.id) == Observation.category_id)
        .outerjoin(Unit, col(Unit.id) == Observation.unit_id)
        .where(Observation.walk_id == walk_id)
        .order_by(col(Observation.created_at), col(Observation.id))
        .limit(limit)
    ).all()
    ids = [obs.id for obs, _c, _u in rows]
    by_obs: dict[int, list[Photo]] = {}
    if ids:
        for photo in session.exec(
            select(Photo)
            .where(col(Photo.observation_id).in_(ids))
            .order_by(col(Photo.kind), col(Photo.position))
        ).all():
            by_obs.setdefault(photo.observation_id, []).append(photo)
    found = []
    for obs, category, unit in rows:
        photos = by_obs.get(obs.id, [])  # type: ignore[arg-type]
        problem = category.kind == CategoryKind.problem
        found.append(
            WalkItem(
                id=obs.id,  # type: ignore[arg-type]
                token=obs.token,
                status=obs.status,
                category=category,
                kind=category.kind,
                unit_name=unit.name(lang) if unit else None,
                priority=obs.priority,
                due_at=deadlines.due_at(obs, settings) if problem else None,
                lat=obs.lat,
                lon=obs.lon,
                description=obs.description,
                unsafe_level=obs.unsafe_level,
                dark=obs.dark,
                factors=[f for f in obs.factors.split(",") if f],
                felt_by=1 + obs.supporters,
                created_at=obs.created_at,
                photos=[p for p in photos if p.kind == PhotoKind.report],
                after_photos=[p for p in photos if p.kind == PhotoKind.after],
            )
        )
    return found


def items_for_participants(
    *, session: Session, walk: Walk, settings: Settings, lang: str
) -> list[WalkItem]:
    """What participants see to co-sign, newest first: problems, never a private category."""
    found = items(session=session, walk_id=walk.id, settings=settings, lang=lang)  # type: ignore[arg-type]
    return [i for i in reversed(found) if i.kind == CategoryKind.problem and not i.category.private]


@dataclass(frozen=True)
class Summary:
    """How unsafe the area felt, from the walk's problem observations."""

    observations: int
    to_fix: int
    to_keep: int
    rated: int
    mean_unsafe: float | None
    by_level: dict[int, int]  # 1..5 -> how many
    in_dark: int
    factors: list[tuple[str, int]]  # most named first


def summarise(found: Sequence[WalkItem]) -> Summary:
    problems = [i for i in found if i.kind == CategoryKind.problem]
    levels = [i.unsafe_level for i in problems if i.unsafe_level]
    counted = Counter(f for i in problems for f in i.factors)
    return Summary(
        observations=len(found),
        to_fix=len(problems),
        to_keep=len(found) - len(problems),
        rated=len(levels),
        mean_unsafe=round(statistics.fmean(levels), 1) if levels else None,
        by_level={level: levels.count(level) for level in range(1, 6)},
        in_dark=sum(1 for i in problems if i.dark),
        factors=[(f, counted[f]) for f in sorted(FACTORS, key=lambda f: -counted[f]) if counted[f]],
    )


@dataclass(frozen=True)
class CheckedItem:
    """An earlier walk's item, with the follow-up walk's check of it on site."""

    item: WalkItem
    check: WalkCheck | None

    @property
    def fixed(self) -> bool:
        """Fixed as far as anyone knows: checked fixed on site, or set fixed by the unit."""
        if self.check is not None and self.check.fixed is not None:
            return self.check.fixed
        return self.item.fixed


@dataclass(frozen=True)
class Comparison:
    """A follow-up walk against the earlier one."""

    earlier: Walk
    earlier_items: int
    checked: int
    fixed: int
    still_open: int
    mean_unsafe_before: float | None
    mean_unsafe_now: float | None
    new_items: int

    @property
    def change(self) -> float | None:
        if self.mean_unsafe_before is None or self.mean_unsafe_now is None:
            return None
        return round(self.mean_unsafe_now - self.mean_unsafe_before, 1)


def earlier_items(
    *, session: Session, walk: Walk, settings: Settings, lang: str
) -> list[CheckedItem]:
    """The items to re-check on a follow-up walk (problems only: good places are not fixed)."""
    if walk.follow_up_of_id is None:
        return []
    found = [
        i
        for i in items(session=session, walk_id=walk.follow_up_of_id, settings=settings, lang=lang)
        if i.kind == CategoryKind.problem
    ]
    checks = {
        c.observation_id: c
        for c in session.exec(select(WalkCheck).where(WalkCheck.walk_id == walk.id)).all()
    }
    return [CheckedItem(i, checks.get(i.id)) for i in found]


def record_check(
    *,
    session: Session,
    walk: Walk,
    observation_id: int,
    fixed: str,
    unsafe_level: str,
    note: str,
    actor: StaffUser,
) -> WalkCheck:
    """The leader's on-site check of an earlier item; checking again replaces it."""
    _require_manager(actor, walk)
    if walk.follow_up_of_id is None:
        raise WalkRefused(_("This walk is not a follow-up of an earlier walk."))
    if walk.status == WalkStatus.closed:
        raise WalkRefused(_("The walk is closed; its protocol no longer changes."))
    obs = session.get(Observation, observation_id)
    if obs is None or obs.walk_id != walk.follow_up_of_id:
        raise WalkRefused(_("That item is not from the earlier walk."), status_code=404)
    level: int | None = None
    if unsafe_level:
        if not re.fullmatch(r"[1-5]", unsafe_level):
            raise WalkRefused(_("Choose how unsafe it feels, from 1 to 5."), status_code=422)
        level = int(unsafe_level)
    verdict = {"yes": True, "no": False, "unknown": None, "": None}.get(fixed, "bad")
    if verdict == "bad":
        raise WalkRefused(_("Choose fixed, not fixed or can't tell."), status_code=422)
    check = session.exec(
        select(WalkCheck).where(
            WalkCheck.walk_id == walk.id, WalkCheck.observation_id == observation_id
        )
    ).first() or WalkCheck(walk_id=walk.id, observation_id=observation_id)  # type: ignore[arg-type]
    check.fixed = verdict  # type: ignore[assignment]
    check.unsafe_level = level
    check.note = note.replace("\x00", "").strip()[:2000]
    check.checked_by_id = actor.id
    check.checked_at = clock.now()
    session.add(check)
    session.commit()
    session.refresh(check)
    return check


def compare(
    *, earlier: Walk, checked: Sequence[CheckedItem], own: Sequence[WalkItem]
) -> Comparison:
    # The same places then and now: only items rated on both walks are compared.
    pairs = [
        (c.item.unsafe_level, c.check.unsafe_level)
        for c in checked
        if c.item.unsafe_level and c.check and c.check.unsafe_level
    ]
    before = [then for then, _now in pairs]
    now = [now_ for _then, now_ in pairs]
    fixed = sum(1 for c in checked if c.fixed)
    return Comparison(
        earlier=earlier,
        earlier_items=len(checked),
        checked=sum(1 for c in checked if c.check is not None),
        fixed=fixed,
        still_open=len(checked) - fixed,
        mean_unsafe_before=round(statistics.fmean(before), 1) if before else None,
        mean_unsafe_now=round(statistics.fmean(now), 1) if now else None,
        new_items=sum(1 for i in own if i.kind == CategoryKind.problem),
    )


@dataclass(frozen=True)
class Protocol:
    walk: Walk
    leader_name: str
    zone_name: str | None
    participants: int
    to_fix: list[WalkItem]
    to_keep: list[WalkItem]
    summary: Summary
    comparison: Comparison | None = None
    checked: list[CheckedItem] = field(default_factory=list)
    generated_at: datetime = field(default_factory=lambda: clock.now())


def protocol(*, session: Session, walk: Walk, settings: Settings, lang: str) -> Protocol:
    """The walk's protocol, with every item's current status (read fresh each time)."""
    found = items(session=session, walk_id=walk.id, settings=settings, lang=lang)  # type: ignore[arg-type]
    leader = leader_of(session=session, walk=walk)
    zone = session.get(Zone, walk.zone_id) if walk.zone_id else None
    comparison = None
    checked: list[CheckedItem] = []
    if walk.follow_up_of_id is not None:
        earlier = session.get(Walk, walk.follow_up_of_id)
        checked = earlier_items(session=session, walk=walk, settings=settings, lang=lang)
        comparison = compare(earlier=earlier, checked=checked, own=found)  # type: ignore[arg-type]
    return Protocol(
        walk=walk,
        leader_name=leader.name if leader else "",
        zone_name=zone.name if zone else None,
        participants=participant_count(session=session, walk=walk),
        to_fix=[i for i in found if i.kind == CategoryKind.problem],
        to_keep=[i for i in found if i.kind == CategoryKind.good],
        summary=summarise(found),
        comparison=comparison,
        checked=checked,
    )


# Protocol exports

CSV_COLUMNS = (
    "id",
    "group",
    "category",
    "status",
    "unit",
    "priority",
    "due_date",
    "unsafe_level",
    "felt_by",
    "dark",
    "factors",
    "description",
    "lat",
    "lon",
    "reported_at",
    "status_url",
)


def protocol_rows(proto: Protocol, *, lang: str, base_url: str) -> list[dict[str, object]]:
    """One row per item, plain values (codes, ISO dates) so a spreadsheet can sort them."""
    rows = []
    for group, found in (("to_fix", proto.to_fix), ("to_keep", proto.to_keep)):
        for i in found:
            rows.append(
                {
                    "id": i.id,
                    "group": group,
                    "category": i.category.name(lang),
                    "status": i.status.value,
                    "unit": i.unit_name or "",
                    "priority": i.priority.value if group == "to_fix" else "",
                    "due_date": i.due_at.astimezone(LOCAL_TZ).date().isoformat()
                    if i.due_at
                    else "",
                    "unsafe_level": i.unsafe_level or "",
                    "felt_by": i.felt_by,
                    "dark": "yes" if i.dark else "no",
                    "factors": " ".join(i.factors),
                    "description": i.description,
                    "lat": round(i.lat, 6),
                    "lon": round(i.lon, 6),
                    "reported_at": i.created_at.astimezone(UTC).isoformat(timespec="seconds"),
                    "status_url": "" if i.category.private else f"{base_url}/reports/{i.id}",
                }
            )
    return rows


def protocol_geojson(proto: Protocol, *, lang: str, base_url: str) -> dict[str, object]:
    """The items as points, with the walk's area and route, for GIS."""
    features: list[dict[str, object]] = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [row["lon"], row["lat"]]},
            "properties": {k: v for k, v in row.items() if k not in ("lat", "lon")},
        }
        for row in protocol_rows(proto, lang=lang, base_url=base_url)
    ]
    walk = proto.walk
    meeting = None
    if walk.meeting_lat is not None and walk.meeting_lon is not None:
        meeting = json.dumps({"type": "Point", "coordinates": [walk.meeting_lon, walk.meeting_lat]})
    for role, geometry in (("area", walk.area), ("route", walk.route), ("meeting", meeting)):
        if geometry:
            features.append(
                {
                    "type": "Feature",
                    "geometry": json.loads(geometry),
                    "properties": {"walk": walk.title, "role": role, "name": walk.meeting_point}
                    if role == "meeting"
                    else {"walk": walk.title, "role": role},
                }
            )
    return {
        "type": "FeatureCollection",
        "name": walk.title,
        "properties": {
            "walk": walk.title,
            "starts_at": walk.starts_at.isoformat(timespec="minutes"),
            "status": walk.status.value,
            "participants": proto.participants,
        },
        "features": features,
    }
