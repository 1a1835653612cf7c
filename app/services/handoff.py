"""Handing a report to an outside owner, and their answer through a link, without an account.

A triager chooses a registered owner on the report page. In one transaction `send` moves the
report to "handed to another owner" (the resident sees "handed to <owner>" and is mailed as
for any move), stores a `Handoff` with the sha256 of a fresh secret, writes a staff-only
history line saying to whom, and puts the owner's mail in the outbox, in the owner's language:
what the resident wrote, the category, the position and a map link, links to the photos and to
the answer page. The resident never agreed to have their contact passed on, so the mail holds
none, and no internal note either.

The secret is the owner's only key: `/handoff/<secret>` shows the report and its photos, and
takes one answer (we will fix it / fixed / not ours either). It is looked up by its hash, so
the comparison is the database's equality on a hash, which tells a guesser nothing about the
secret. Showing never changes anything (mail scanners open links); answering is a POST, taken
once with an update that only succeeds while no answer is stored, so two answers at once
cannot both count. "Not ours either" gives the report back to the triagers (the one move an
outside owner may make in `lifecycle`).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from app import clock, i18n
from app.i18n import gettext as _
from app.models import (
    OPEN_STATES,
    Category,
    EventKind,
    Handoff,
    HandoffAnswer,
    Observation,
    OutsideOwner,
    Photo,
    PhotoKind,
    StaffUser,
    Status,
)
from app.services import lifecycle, notifications, observations, outbox, photo_public, text_input
from app.services.media_store import MediaMissing, MediaStore, photo_key

MAX_NOTE = 2000
# What `secrets.token_urlsafe(32)` makes (43 characters); anything else is not a secret of ours.
SECRET = re.compile(r"^[A-Za-z0-9_-]{43}$")


class Refused(Exception):
    """A hand-off or an answer that cannot be made, with the reason in words."""

    def __init__(self, message: str, status_code: int = 409) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code


@dataclass(frozen=True)
class Sent:
    handoff: Handoff
    secret: str  # only ever in the owner's mail; the database keeps its hash


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def answer_url(base_url: str, secret: str) -> str:
    return f"{base_url.rstrip('/')}/handoff/{secret}"


def map_url(lat: float, lon: float) -> str:
    return (
        f"https://www.openstreetmap.org/?mlat={lat:.5f}&mlon={lon:.5f}#map=18/{lat:.5f}/{lon:.5f}"
    )


def report_photos(*, session: Session, obs: Observation) -> list[Photo]:
    """The resident's photos the owner is shown: an outside owner is not staff, so only those
    staff let the public see (photo_public), and the blurred copy of a blurred one."""
    return [
        p
        for p in observations.photos_of(session=session, observation=obs)
        if p.kind == PhotoKind.report and photo_public.is_public(p)
    ]


def send(
    *,
    session: Session,
    obs: Observation,
    owner: OutsideOwner,
    by: StaffUser,
    note: str = "",
    base_url: str,
) -> Sent:
    """Hand `obs` to `owner`: the move, the hand-off, the history line and the owner's mail,
    all in one transaction (committed here). Refused when the report is not open, the owner
    inactive or the move not this person's to make."""
    note = text_input.clean(note)[:MAX_NOTE]
    if not owner.active:
        raise Refused(_("This owner is no longer in use. Choose another."), 422)
    if obs.status not in OPEN_STATES:
        raise Refused(_("Only an open report can be handed to an outside owner."))
    with i18n.using(obs.language):
        told = _("Handed to %(owner)s, who is responsible for this place.", owner=owner.name)
    try:
        lifecycle.transition(
            session=session,
            obs=obs,
            to=Status.not_ours,
            actor=lifecycle.Actor.staff(by),
            note=told,
            internal_note=note,
            handed_to=owner.name,
            commit=False,
        )
    except lifecycle.TransitionRefused as exc:
        session.rollback()
        raise Refused(exc.message) from exc
    obs.outside_owner_id = owner.id
    session.add(obs)
    secret = secrets.token_urlsafe(32)
    handoff = Handoff(
        observation_id=obs.id,  # type: ignore[arg-type]
        owner_id=owner.id,  # type: ignore[arg-type]
        token_hash=_hash(secret),
        sent_by_id=by.id,
        sent_at=clock.now(),
    )
    session.add(handoff)
    lifecycle.record(
        session=session,
        obs=obs,
        kind=EventKind.handoff,
        actor=lifecycle.Actor.staff(by),
        internal_note=f"{owner.name} <{owner.email}>",
    )
    _mail_owner(session=session, obs=obs, owner=owner, note=note, secret=secret, base_url=base_url)
    session.commit()
    session.refresh(handoff)
    session.refresh(obs)
    return Sent(handoff=handoff, secret=secret)


def _mail_owner(
    *,
    session: Session,
    obs: Observation,
    owner: OutsideOwner,
    note: str,
    secret: str,
    base_url: str,
) -> None:
    link = answer_url(base_url, secret)
    category = session.get(Category, obs.category_id)
    # Deliberately no contact_email (nor anything else about the reporter): residents have not
    # agreed to their address being passed on. No internal notes either: only `note`, written
    # by the triager for the owner.
    mail = notifications.render(
        "handoff",
        lang=owner.language,
        owner=owner.name,
        number=obs.id,
        category=category.name(owner.language) if category else "",
        reported_at=obs.created_at,
        description=obs.description,
        lat=f"{obs.lat:.5f}",
        lon=f"{obs.lon:.5f}",
        address=obs.address or "",
        map_url=map_url(obs.lat, obs.lon),
        photo_urls=[f"{link}/photos/{p.id}" for p in report_photos(session=session, obs=obs)],
        note=note,
        answer_url=link,
    )
    outbox.enqueue(
        session=session,
        to=owner.email,
        kind="handoff",
        subject=mail.subject,
        body=mail.body,
        observation_id=obs.id,
    )


def by_secret(*, session: Session, secret: str) -> Handoff | None:
    """The hand-off whose link carries `secret`, or None (unknown, forged, malformed)."""
    if not SECRET.match(secret):
        return None
    return session.exec(select(Handoff).where(Handoff.token_hash == _hash(secret))).first()


def of_report(*, session: Session, obs: Observation) -> list[tuple[Handoff, OutsideOwner]]:
    """The report's hand-offs, newest first, with their owners (for staff)."""
    return list(
        session.exec(
            select(Handoff, OutsideOwner)
            .join(OutsideOwner, col(OutsideOwner.id) == Handoff.owner_id)
            .where(Handoff.observation_id == obs.id)
            .order_by(col(Handoff.sent_at).desc(), col(Handoff.id).desc())
        ).all()
    )


def answer_text(answer: HandoffAnswer | str, owner: str) -> str:
    """ "Trafikverket: we will fix it." in the current language."""
    texts = {
        HandoffAnswer.will_fix: _("%(owner)s: we will fix it.", owner=owner),
        HandoffAnswer.fixed: _("%(owner)s: fixed.", owner=owner),
        HandoffAnswer.not_ours: _("%(owner)s: not ours either.", owner=owner),
    }
    return texts[HandoffAnswer(answer)]


def answer(*, session: Session, handoff: Handoff, given: HandoffAnswer, note: str = "") -> None:
    """Take the owner's one answer: recorded in the history, shown to and mailed to the
    resident; "not ours either" gives the report back to the triagers. Refused (409) when
    the link was answered already."""
    note = text_input.clean(note)[:MAX_NOTE]
    now = clock.now()
    taken = session.exec(  # type: ignore[call-overload]
        update(Handoff)
        .where(col(Handoff.id) == handoff.id, col(Handoff.answer).is_(None))
        .values(answer=given, answer_note=note, answered_at=now)
    )
    if taken.rowcount != 1:
        session.rollback()
        raise Refused(_("This link has been answered already. Thank you."))
    owner = session.get(OutsideOwner, handoff.owner_id)
    obs = session.get(Observation, handoff.observation_id)
    assert owner is not None and obs is not None
    actor = lifecycle.Actor.owner(owner.name)
    with i18n.using(obs.language):
        said = answer_text(given, owner.name)
        back = _("The report is back with the municipality, who will look at it again.")
    if given == HandoffAnswer.not_ours:
        lifecycle.record(
            session=session, obs=obs, kind=EventKind.owner_answer, actor=actor, internal_note=note
        )
        if obs.status == Status.not_ours and obs.outside_owner_id == owner.id:
            # The move mails the resident (with these words) and puts it back in the queue.
            obs.outside_owner_id, obs.handed_to = None, None
            lifecycle.transition(
                session=session,
                obs=obs,
                to=Status.triaged,
                actor=actor,
                note=f"{said} {back}",
                commit=False,
            )
    else:
        lifecycle.record(
            session=session,
            obs=obs,
            kind=EventKind.owner_answer,
            actor=actor,
            note=said,
            internal_note=note,
            public=True,
        )
        _mail_resident(session=session, obs=obs, said=said)
    session.commit()
    session.refresh(handoff)


def _mail_resident(*, session: Session, obs: Observation, said: str) -> None:
    if not obs.contact_email:
        return
    category = session.get(Category, obs.category_id)
    mail = notifications.render(
        "owner_answer",
        lang=obs.language,
        category=category.name(obs.language) if category else "",
        said=said,
        follow_url=notifications.tracking_url(obs),
    )
    outbox.enqueue(
        session=session,
        to=obs.contact_email,
        kind="owner_answer",
        subject=mail.subject,
        body=mail.body,
        observation_id=obs.id,
    )


def photo_content(
    *, session: Session, handoff: Handoff, photo_id: int, store: MediaStore, thumb: bool
) -> bytes | None:
    """The file of one of the report's photos, for the owner's link; None when the photo is
    not this report's (a link opens its own report's photos and nothing else)."""
    photo = session.get(Photo, photo_id)
    if photo is None or photo.observation_id != handoff.observation_id:
        return None
    shown = photo_public.shown(photo)
    if shown is None:
        return None
    try:
        return store.get(photo_key(shown.sha256, thumb=thumb))
    except MediaMissing:
        return None


@dataclass(frozen=True)
class PhotoLink:
    id: int
    width: int
    height: int


@dataclass(frozen=True)
class OwnerView:
    """What the owner's page shows: the report as their mail describes it (no contact, no
    internal note, no token), and their answer once given."""

    owner: str
    number: int
    category: Category
    description: str
    reported_at: datetime
    lat: float
    lon: float
    address: str | None
    map_url: str
    photos: list[PhotoLink]
    answer: HandoffAnswer | None
    answer_note: str
    answered_at: datetime | None


def owner_view(*, session: Session, handoff: Handoff) -> OwnerView:
    obs = session.get(Observation, handoff.observation_id)
    owner = session.get(OutsideOwner, handoff.owner_id)
    assert obs is not None and owner is not None
    return OwnerView(
        owner=owner.name,
        number=obs.id,  # type: ignore[arg-type]
        category=session.get(Category, obs.category_id),  # type: ignore[arg-type]
        description=obs.description,
        reported_at=obs.created_at,
        lat=obs.lat,
        lon=obs.lon,
        address=obs.address,
        map_url=map_url(obs.lat, obs.lon),
        photos=[
            PhotoLink(id=p.id, width=p.width, height=p.height)  # type: ignore[arg-type]
            for p in report_photos(session=session, obs=obs)
        ],
        answer=handoff.answer,
        answer_note=handoff.answer_note,
        answered_at=handoff.answered_at,
    )
