"""Safety walks: plan one, let participants join by code, take observations on the way, close it
with a protocol, and check its items on a follow-up walk a year later.

A walk's observations are ordinary observations (routed, triaged and fixed like any other) that
carry `walk_id`; the protocol reads their current status whenever it is opened. The life cycle is
`planned -> active -> closed`; only the walk's leader or an admin moves it. A closed walk takes no
new observations: one sent to it is still stored, without the walk, and the resident is told.

This module holds the walk itself: planning, the life cycle, joining and co-signing. Its
neighbours: `walk_form` (the planning form), `walk_items` (the items and their summary),
`follow_up` (the checks a year later), `walk_protocol` (the protocol and its exports),
`factors` (why a place feels unsafe) and `geometry` (drawn areas and routes).
"""

from __future__ import annotations

import re
import secrets
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from app import clock
from app.config import Settings
from app.i18n import gettext as _
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
from app.services import support
from app.services.walk_form import WalkFields

# Unambiguous when read aloud or typed from a screen: no 0/O, 1/I/L.
JOIN_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
JOIN_CODE_LENGTH = 6
JOIN_CODE_RE = re.compile(r"^[A-Z0-9]{4,16}$")
# Link previews (chat apps, social sites, search engines) open a shared /w/CODE link without a
# person behind them: they never count as participants.
PREVIEW_AGENTS = re.compile(
    r"facebookexternalhit|facebookcatalog|meta-externalagent|slackbot|slack-imgproxy|twitterbot"
    r"|whatsapp|telegrambot|linkedinbot|discordbot|googlebot|google-inspectiontool|bingbot"
    r"|bingpreview|applebot|skypeuripreview|microsoftpreview|pinterest|redditbot|embedly|iframely"
    r"|mastodon|yandexbot|duckduckbot|bot/|crawler|spider|preview",
    re.IGNORECASE,
)


class WalkRefused(Exception):
    """A move or a change the walk does not allow, in words for the leader (409 or 403)."""

    def __init__(self, message: str, status_code: int = 409) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code


# Planning


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


def require_manager(user: StaffUser, walk: Walk) -> None:
    """WalkRefused (403) unless this person may run the walk."""
    if not may_manage(user, walk):
        raise WalkRefused(_("Only the walk's leader may change this walk."), status_code=403)


def update(*, session: Session, walk: Walk, fields: WalkFields, actor: StaffUser) -> Walk:
    require_manager(actor, walk)
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
    require_manager(actor, walk)
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


def join_url(*, walk: Walk, public_url: str) -> str:
    """The link the QR code and the leader's page give out (the site's public address, a
    setting: a printed QR code must not carry whatever Host header a request came with)."""
    return f"{public_url.rstrip('/')}/w/{walk.join_code}"


def leader_of(*, session: Session, walk: Walk) -> StaffUser | None:
    return session.get(StaffUser, walk.leader_id)


# Joining and capturing


def is_link_preview(user_agent: str) -> bool:
    """A chat app's or search engine's robot fetching a shared link, not a person."""
    return PREVIEW_AGENTS.search(user_agent) is not None


def join(
    *, session: Session, walk: Walk, device_id: uuid.UUID | None, user_agent: str = ""
) -> bool:
    """Count this device as a participant, once however often it opens the link; True when
    counted now.

    `device_id` is the id the device sent back in its cookie, None when it sent none: a device
    is counted only once its cookie has come back, so a browser that refuses cookies (or a
    script that drops them) never counts, however often it asks. Link previews and a closed
    walk never count."""
    if device_id is None or walk.status == WalkStatus.closed or is_link_preview(user_agent):
        return False
    exists = session.exec(
        select(WalkParticipant.id).where(
            WalkParticipant.walk_id == walk.id, WalkParticipant.device_id == device_id
        )
    ).first()
    if exists is not None:
        return False
    session.add(WalkParticipant(walk_id=walk.id, device_id=device_id))  # type: ignore[arg-type]
    try:
        session.commit()
    except IntegrityError:  # the same device, twice at once
        session.rollback()
        return False
    return True


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
    address: str,
    unsafe_level: str,
    settings: Settings,
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
        backing = support.back(
            session=session,
            observation_id=observation_id,
            device=device_id,
            address=address,
            unsafe_level=unsafe_level,
            settings=settings,
            walk_id=walk.id,
        )
    except support.SupportRefused as exc:
        raise WalkRefused(exc.message, status_code=exc.status_code) from exc
    return backing.counted
