"""Who hears about what, by e-mail (through the outbox).

- A reporter who left an address hears of every status move of their observation, and of a
  public note without one, with the note and the tracking link; reporters whose reports were
  merged into it hear too, with a link to its public page.
- Each unit with an address gets one digest of the observations newly routed to it, at most
  every `digest_minutes`, and a reminder of its open reports due soon and overdue.
- A member of staff hears when an observation is assigned to them.

Every mail is a template in `app/templates/mail/` (a `subject` and a `body` block) rendered
through gettext in the recipient's language: the language a reporter reported in, a staff
account's language, and for a unit's shared address the site's default language.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
from babel.dates import format_date
from sqlmodel import Session, col, select

from app import clock, i18n, labels
from app.config import Settings
from app.models import (
    Category,
    EventKind,
    Observation,
    ObservationEvent,
    StaffUser,
    Status,
    Unit,
)
from app.services import deadlines, outbox

MAIL_TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "mail"

_public_url = "http://127.0.0.1:8000"


def configure(public_url: str) -> None:
    """Where tracking links point (set at start-up from the settings)."""
    global _public_url
    _public_url = public_url.rstrip("/")


def tracking_url(obs: Observation) -> str:
    return f"{_public_url}/observations/{obs.token}"


def triage_url(obs_id: int | None) -> str:
    return f"{_public_url}/triage/{obs_id}"


@dataclass(frozen=True)
class Mail:
    subject: str
    body: str


def _date(value: datetime) -> str:
    # As on the pages: English is read in Sweden (day before month), dates in Swedish time.
    lang = i18n.current_language()
    day = value.astimezone(ZoneInfo("Europe/Stockholm"))
    return format_date(day, "medium", locale={"en": "en_GB"}.get(lang, lang))


@cache
def _environment() -> jinja2.Environment:
    """Plain text (no HTML escaping), with the app's gettext and labels."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(MAIL_TEMPLATES),
        autoescape=False,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    i18n.install_gettext(env)
    env.filters["date"] = _date
    env.globals.update(status_label=labels.status_label, priority_label=labels.priority_label)
    return env


def render(kind: str, *, lang: str, **context: Any) -> Mail:
    """The subject and body of mail `kind` in `lang`."""
    with i18n.using(lang):
        template = _environment().get_template(f"{kind}.txt")
        ctx = template.new_context(context)
        subject = "".join(template.blocks["subject"](ctx))
        body = "".join(template.blocks["body"](ctx))
    return Mail(subject=" ".join(subject.split()), body=body.strip() + "\n")


def _queue(
    *, session: Session, to: str, kind: str, mail: Mail, observation_id: int | None = None
) -> None:
    outbox.enqueue(
        session=session,
        to=to,
        kind=kind,
        subject=mail.subject,
        body=mail.body,
        observation_id=observation_id,
    )


def status_changed(*, session: Session, obs: Observation, event: ObservationEvent) -> None:
    """Tell the reporter (and the reporters merged into this one) about a status move, or a
    public note without one. A merged report's reporter is told which report it joined, with
    a link to that report's public page (never to its reporter's own tracking page)."""
    followers = [
        obs,
        *list(
            session.exec(
                select(Observation).where(
                    Observation.duplicate_of_id == obs.id,
                    col(Observation.contact_email).is_not(None),
                )
            ).all()
        ),
    ]
    joined = None
    if event.to_status == Status.duplicate and obs.duplicate_of_id:
        joined = session.get(Observation, obs.duplicate_of_id)
    category = session.get(Category, obs.category_id)
    kind = "status_update" if event.kind == EventKind.status else "public_note"
    for follower in followers:
        if not follower.contact_email:
            continue
        asks_if_fixed = event.to_status == Status.fixed and follower is obs
        mail = render(
            kind,
            lang=follower.language,
            category=category.name(follower.language) if category else "",
            status=event.to_status,
            note=event.note,
            fixed_url=f"{tracking_url(follower)}/fixed" if asks_if_fixed else "",
            follow_url=tracking_url(follower)
            if follower is obs
            else public_url(session, obs) or tracking_url(follower),
            joined_id=joined.id if joined else None,
            joined_url=public_url(session, joined) if joined else "",
        )
        _queue(
            session=session,
            to=follower.contact_email,
            kind=kind,
            mail=mail,
            observation_id=follower.id,
        )


def public_url(session: Session, obs: Observation) -> str:
    """The report's public page by number ("" for a private category, which has none)."""
    category = session.get(Category, obs.category_id)
    if category is None or category.private:
        return ""
    return f"{_public_url}/reports/{obs.id}"


@dataclass(frozen=True)
class _Listed:
    """One report as a unit's mail lists it."""

    id: int | None
    category: str
    url: str
    due: datetime | None = None


def _with_due_dates(
    found: Sequence[Observation], names: dict[int | None, str], settings: Settings
) -> list[_Listed]:
    return [
        _Listed(o.id, names.get(o.category_id, ""), triage_url(o.id), deadlines.due_at(o, settings))
        for o in found
    ]


def unit_digests(*, session: Session, settings: Settings, now: datetime | None = None) -> int:
    """Queue one digest per unit of what was routed to it since its last one; returns how many."""
    now = now or clock.now()
    every = timedelta(minutes=settings.digest_minutes)
    lang = settings.default_language
    queued = 0
    for unit in session.exec(select(Unit).where(col(Unit.email).is_not(None))).all():
        if unit.digest_sent_at and unit.digest_sent_at > now - every:
            continue
        new = session.exec(
            select(Observation, Category)
            .join(Category, col(Category.id) == Observation.category_id)
            .where(
                Observation.unit_id == unit.id,
                col(Observation.id) > unit.digest_last_observation_id,
            )
            .order_by(col(Observation.id))
        ).all()
        if not new:
            continue
        reports = [
            _Listed(obs.id, category.name(lang), triage_url(obs.id)) for obs, category in new
        ]
        mail = render(
            "unit_digest",
            lang=lang,
            unit=unit.name(lang),
            reports=reports,
            minutes=settings.digest_minutes,
        )
        _queue(session=session, to=unit.email or "", kind="unit_digest", mail=mail)
        unit.digest_last_observation_id = max(obs.id for obs, _c in new)  # type: ignore[type-var]
        unit.digest_sent_at = now
        session.add(unit)
        queued += 1
    session.commit()
    return queued


def due_reminders(*, session: Session, settings: Settings, now: datetime | None = None) -> int:
    """Remind each unit, once per report, of its open reports due soon and of those overdue;
    returns how many reminder mails were queued."""
    now = now or clock.now()
    soon = now + timedelta(days=settings.remind_days_before_due)
    lang = settings.default_language
    queued = 0
    for unit in session.exec(select(Unit).where(col(Unit.email).is_not(None))).all():
        mine = select(Observation).where(Observation.unit_id == unit.id)
        overdue = session.exec(
            mine.where(
                deadlines.overdue_clause(settings, now),
                col(Observation.reminded_overdue).is_(False),
            )
        ).all()
        due_soon = session.exec(
            mine.where(
                deadlines.overdue_clause(settings, soon),
                ~deadlines.overdue_clause(settings, now),
                col(Observation.reminded_due_soon).is_(False),
            )
        ).all()
        if not overdue and not due_soon:
            continue
        names = {c.id: c.name(lang) for c in session.exec(select(Category)).all()}
        mail = render(
            "unit_reminder",
            lang=lang,
            unit=unit.name(lang),
            overdue=_with_due_dates(overdue, names, settings),
            due_soon=_with_due_dates(due_soon, names, settings),
        )
        _queue(session=session, to=unit.email or "", kind="unit_reminder", mail=mail)
        for obs in overdue:
            obs.reminded_overdue = obs.reminded_due_soon = True
            session.add(obs)
        for obs in due_soon:
            obs.reminded_due_soon = True
            session.add(obs)
        queued += 1
    session.commit()
    return queued


def assigned(*, session: Session, obs: Observation, assignee: StaffUser, by: StaffUser) -> None:
    """Tell a member of staff, in their language, that an observation was given to them (the
    caller commits)."""
    category = session.get(Category, obs.category_id)
    mail = render(
        "assigned",
        lang=assignee.language,
        by=by.name,
        id=obs.id,
        category=category.name(assignee.language) if category else "",
        priority=obs.priority,
        url=triage_url(obs.id),
    )
    _queue(session=session, to=assignee.email, kind="assigned", mail=mail, observation_id=obs.id)
