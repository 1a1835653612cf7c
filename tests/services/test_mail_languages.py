"""Every mail speaks its recipient's language: the language a resident reported in, a staff
account's language, the site's default language for a unit's shared address. Each kind, subject
and body, in English and in Swedish, and the Swedish one with no English left in it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlmodel import select

from app import clock
from app.models import Observation, OutboxMail, Priority, Role, Status, Unit
from app.services import accounts, assignment, lifecycle, notifications
from tests.conftest import make_settings
from tests.factories import JSON, post_observation

# Words of the English mails that Swedish does not have (so "status" and "per" are not here).
ENGLISH = {
    "the", "your", "you", "report", "reports", "new", "has", "here", "follow", "fixed", "assigned",
    "to", "of", "for", "due", "soon", "overdue", "past", "priority", "open", "that", "need",
    "needs", "attention", "reminder", "because", "this", "get", "e-mail", "unit", "routed", "were",
    "was", "really", "tell", "us", "login", "needed", "minutes", "summary", "account", "staff",
    "left", "address", "with", "and", "date", "their", "one", "more", "when", "before", "most",
    "every", "it", "is", "received", "being", "looked", "at", "high",
}  # fmt: skip
PASSWORD = "correct horse battery staple"


def english_left(text: str) -> set[str]:
    """The English words in a text, links aside."""
    words = re.findall(r"[a-z][a-z-]*", re.sub(r"\S+://\S+", " ", text).lower())
    return set(words) & ENGLISH


def sentences(text: str) -> set[str]:
    """The lines with words in them (not only a link or a number)."""
    return {
        line.strip()
        for line in text.splitlines()
        if re.search(r"[A-Za-z]{3}", re.sub(r"\S+://\S+", "", line))
    }


def assert_swedish(sv: OutboxMail, en: OutboxMail) -> None:
    for text in (sv.subject, sv.body):
        assert english_left(text) == set(), text
    assert not sentences(en.subject + "\n" + en.body) & sentences(sv.subject + "\n" + sv.body)


def mails(session, kind: str) -> list[OutboxMail]:  # type: ignore[no-untyped-def]
    session.expire_all()
    return list(
        session.exec(select(OutboxMail).where(OutboxMail.kind == kind).order_by(OutboxMail.id))
    )


def report(client, session, lang: str, **fields) -> Observation:  # type: ignore[no-untyped-def]
    headers = {**JSON, "Accept-Language": lang}
    token = post_observation(client, headers=headers, **fields).json()["token"]
    return session.exec(select(Observation).where(Observation.token == token)).one()


def staff(session, role: Role, email: str, language: str, unit_id=None):  # type: ignore[no-untyped-def]
    return accounts.create(
        session=session,
        email=email,
        name="Kim Lind",
        role=role,
        password=PASSWORD,
        unit_id=unit_id,
        language=language,
    )


def test_a_resident_hears_of_a_fix_in_the_language_they_reported_in(client, session):
    triager = lifecycle.Actor.staff(staff(session, Role.triager, "desk@boden.example", "en"))
    by_lang = {}
    notes = {"sv": "Lampan är bytt.", "en": "New lamp fitted."}  # the staff's own words
    for lang in ("sv", "en"):
        obs = report(client, session, lang, contact_email=f"{lang}@example.org")
        lifecycle.transition(session=session, obs=obs, to=Status.triaged, actor=triager)
        lifecycle.transition(
            session=session, obs=obs, to=Status.fixed, actor=triager, note=notes[lang]
        )
        by_lang[lang] = [
            m for m in mails(session, "status_update") if m.to_address.startswith(lang)
        ]
        assert len(by_lang[lang]) == 2
    en_triaged, en_fixed = by_lang["en"]
    sv_triaged, sv_fixed = by_lang["sv"]
    assert en_triaged.subject == "Your report: Being looked at"
    assert sv_triaged.subject == "Din rapport: Granskas"
    assert en_fixed.subject == "Your report: Fixed"
    assert "“Dark spot / broken light” has a new status: Fixed." in en_fixed.body
    assert "Is it really fixed? Tell us here" in en_fixed.body
    assert "”Mörk plats / trasig belysning” har fått ny status: Åtgärdad." in sv_fixed.body
    assert "Är det verkligen åtgärdat?" in sv_fixed.body and "Lampan är bytt." in sv_fixed.body
    assert_swedish(sv_triaged, en_triaged)
    assert_swedish(sv_fixed, en_fixed)


def test_staff_are_told_of_an_assignment_in_their_accounts_language(client, session):
    desk = staff(session, Role.triager, "desk@boden.example", "sv")
    obs = report(client, session, "en")
    obs.priority = Priority.high
    session.add(obs)
    session.commit()
    for lang in ("sv", "en"):
        worker = staff(session, Role.triager, f"{lang}-worker@boden.example", lang)
        assignment.assign(session=session, obs=obs, assignee=worker, actor=desk)
        session.commit()
    sv, en = mails(session, "assigned")
    assert sv.to_address == "sv-worker@boden.example"
    assert en.subject == f"SafetyWalk: report #{obs.id} assigned to you"
    assert f"Kim Lind assigned report #{obs.id} (Dark spot / broken light) to you." in en.body
    assert "Priority: High" in en.body
    assert sv.subject == f"SafetyWalk: rapport #{obs.id} har tilldelats dig"
    assert f"rapport #{obs.id} (Mörk plats / trasig belysning)" in sv.body
    assert "Prioritet: Hög" in sv.body and f"/triage/{obs.id}" in sv.body
    assert_swedish(sv, en)


@pytest.fixture
def two_reports(client, session) -> list[Observation]:
    return [report(client, session, "en"), report(client, session, "sv")]


def unit_mails_in(lang: str, session, database_url, tmp_path):  # type: ignore[no-untyped-def]
    """The digest and the reminder the street lighting unit gets when the site speaks `lang`."""
    settings = make_settings(database_url, tmp_path, default_language=lang)
    notifications.unit_digests(session=session, settings=settings)
    in_three_weeks = clock.now() + timedelta(days=21)  # both reports overdue by then
    notifications.due_reminders(session=session, settings=settings, now=in_three_weeks)
    digest, reminder = mails(session, "unit_digest")[-1], mails(session, "unit_reminder")[-1]
    # Forget that they were sent, so the next language gets its own.
    for unit in session.exec(select(Unit)).all():
        unit.digest_last_observation_id, unit.digest_sent_at = 0, None
        session.add(unit)
    for obs in session.exec(select(Observation)).all():
        obs.reminded_overdue = obs.reminded_due_soon = False
        session.add(obs)
    session.commit()
    return digest, reminder


def test_a_units_digest_and_reminder_are_in_the_sites_language(
    two_reports, session, database_url, tmp_path
):
    first, second = two_reports
    en_digest, en_reminder = unit_mails_in("en", session, database_url, tmp_path)
    sv_digest, sv_reminder = unit_mails_in("sv", session, database_url, tmp_path)
    for mail in (en_digest, sv_digest, en_reminder, sv_reminder):
        assert mail.to_address == "gatubelysning@boden.example"
        assert f"#{first.id}: " in mail.body and f"#{second.id}: " in mail.body

    assert en_digest.subject == "SafetyWalk: 2 new reports for Street lighting"
    assert "2 new reports were routed to Street lighting:" in en_digest.body
    assert sv_digest.subject == "SafetyWalk: 2 nya rapporter till Gatubelysning"
    assert "2 nya rapporter har fördelats till Gatubelysning:" in sv_digest.body
    assert f"#{first.id}: Mörk plats / trasig belysning" in sv_digest.body
    assert_swedish(sv_digest, en_digest)

    assert en_reminder.subject == ("SafetyWalk reminder for Street lighting: overdue 2, due soon 0")
    assert "Past their due date (2):" in en_reminder.body
    assert sv_reminder.subject == (
        "Påminnelse från SafetyWalk för Gatubelysning: försenade 2, förfaller snart 0"
    )
    assert "Försenade (2):" in sv_reminder.body and "ska vara klar" in sv_reminder.body
    assert_swedish(sv_reminder, en_reminder)


def test_a_single_new_report_is_counted_in_the_singular(client, session, database_url, tmp_path):
    report(client, session, "sv")
    settings = make_settings(database_url, tmp_path, default_language="sv")
    notifications.unit_digests(session=session, settings=settings)
    (digest,) = mails(session, "unit_digest")
    assert digest.subject == "SafetyWalk: 1 ny rapport till Gatubelysning"
