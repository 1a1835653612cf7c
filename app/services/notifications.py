"""Who hears about what, by e-mail (through the outbox).

- A reporter who left an address hears of every status move of their observation, with the
  public note and the tracking link; reporters whose reports were merged into it hear too.
- Each unit with an address gets one digest of the observations newly routed to it, at most
  every `digest_minutes`.
Mails are written in the reporter's language; unit digests in Swedish and English.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from app import clock, i18n
from app.config import Settings
from app.i18n import gettext as _
from app.labels import status_label
from app.models import Category, Observation, ObservationEvent, StaffUser, Status, Unit
from app.services import outbox

_public_url = "http://127.0.0.1:8000"


def configure(public_url: str) -> None:
    """Where tracking links point (set at start-up from the settings)."""
    global _public_url
    _public_url = public_url.rstrip("/")


def tracking_url(obs: Observation) -> str:
    return f"{_public_url}/observations/{obs.token}"


def status_changed(*, session: Session, obs: Observation, event: ObservationEvent) -> None:
    """Tell the reporter (and the reporters merged into this one) about a status move."""
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
    target = obs
    if event.to_status == Status.duplicate and obs.duplicate_of_id:
        target = session.get(Observation, obs.duplicate_of_id) or obs
    category = session.get(Category, obs.category_id)
    for follower in followers:
        if not follower.contact_email:
            continue
        with i18n.using(follower.language):
            name = category.name(i18n.current_language()) if category else ""
            lines = [
                _(
                    "Your report \u201c%(category)s\u201d has a new status: %(status)s.",
                    category=name,
                    status=status_label(event.to_status),
                ),
            ]
            if event.note:
                lines += ["", event.note]
            if event.to_status == Status.fixed and target is obs:
                lines += [
                    "",
                    _("Is it really fixed? Tell us here, no login needed:"),
                    f"{tracking_url(follower)}/fixed",
                ]
            lines += [
                "",
                _("Follow it here:"),
                tracking_url(target),
                "",
                _("You get this e-mail because you left your address with the report."),
            ]
            outbox.enqueue(
                session=session,
                to=follower.contact_email,
                kind="status_update",
                subject=_("Your report: %(status)s", status=status_label(event.to_status)),
                body="\n".join(lines),
                observation_id=follower.id,
            )


def unit_digests(*, session: Session, every: timedelta, now: datetime | None = None) -> int:
    """Queue one digest per unit of what was routed to it since its last one; returns how many."""
    now = now or clock.now()
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
        lines = [f"{len(new)} nya observationer / new observations — {unit.name_sv}", ""]
        for obs, category in new:
            lines.append(
                f"#{obs.id} {category.name_sv} / {category.name_en}: {_public_url}/triage/{obs.id}"
            )
        outbox.enqueue(
            session=session,
            to=unit.email or "",
            kind="unit_digest",
            subject=f"SafetyWalk: {len(new)} nya / new — {unit.name_sv}",
            body="\n".join(lines),
        )
        unit.digest_last_observation_id = max(obs.id for obs, _c in new)  # type: ignore[type-var]
        unit.digest_sent_at = now
        session.add(unit)
        queued += 1
    session.commit()
    return queued


def due_reminders(*, session: Session, settings: Settings, now: datetime | None = None) -> int:
    """Remind each unit, once per report, of its open reports due soon and of those overdue;
    returns how many reminder mails were queued."""
    from app.services import deadlines

    now = now or clock.now()
    soon = now + timedelta(days=settings.remind_days_before_due)
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
        lines = [f"{unit.name_sv} / {unit.name_en}", ""]
        if overdue:
            lines.append(f"Försenade / overdue ({len(overdue)}):")
            lines += [f"  #{o.id}: {_public_url}/triage/{o.id}" for o in overdue]
        if due_soon:
            lines.append(f"Ska vara klara snart / due soon ({len(due_soon)}):")
            lines += [f"  #{o.id}: {_public_url}/triage/{o.id}" for o in due_soon]
        outbox.enqueue(
            session=session,
            to=unit.email or "",
            kind="unit_reminder",
            subject=f"SafetyWalk: {len(overdue)} försenade / overdue, "
            f"{len(due_soon)} snart / soon — {unit.name_sv}",
            body="\n".join(lines),
        )
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
    """Tell a member of staff that an observation was given to them (the caller commits)."""
    category = session.get(Category, obs.category_id)
    names = f"{category.name_sv} / {category.name_en}" if category else ""
    outbox.enqueue(
        session=session,
        to=assignee.email,
        kind="assigned",
        observation_id=obs.id,
        subject=f"SafetyWalk: #{obs.id} till dig / assigned to you",
        body="\n".join(
            [
                f"{by.name} gav dig / assigned to you #{obs.id} {names}.",
                "",
                f"{_public_url}/triage/{obs.id}",
            ]
        ),
    )
