"""Handing a report to an outside owner, and their one answer: the rules in services/handoff
and the one move an outside owner may make in lifecycle."""

from __future__ import annotations

import threading

import pytest
from sqlmodel import Session, select

from app.models import (
    EventKind,
    Handoff,
    HandoffAnswer,
    Observation,
    ObservationEvent,
    OutboxMail,
    OutsideOwner,
    Status,
)
from app.services import handoff, lifecycle, outside_owners
from tests.factories import CENTRUM, insert_observation, make_staff

SITE = "https://safetywalk.example.org"


def make_owner(session: Session, name: str = "Trafikverket", **fields: str) -> OutsideOwner:
    """An active owner who usually takes dark spots. (The demo's owners are there in a run's
    first test only: theirs is the same shape.)"""
    raw = {"name": name, "email": f"{name.lower()}@example.org", "language": "sv", **fields}
    existing = session.exec(select(OutsideOwner).where(OutsideOwner.name == name)).first()
    return outside_owners.save(session=session, raw=raw, categories=["dark-spot"], owner=existing)


def open_report(session: Session, **fields: object) -> Observation:
    fields.setdefault("contact_email", "resident@example.org")
    fields.setdefault("description", "The lamp by the underpass is out.")
    return insert_observation(session, lat=CENTRUM[0], lon=CENTRUM[1], **fields)


def handed(session: Session, **fields: object) -> tuple[Observation, OutsideOwner, str]:
    """A report handed to Trafikverket by a triager; with the link's secret."""
    obs, owner = open_report(session, **fields), make_owner(session)
    sent = handoff.send(
        session=session, obs=obs, owner=owner, by=make_staff(session, "triager"), base_url=SITE
    )
    return obs, owner, sent.secret


def history(session: Session, obs: Observation) -> list[ObservationEvent]:
    session.expire_all()
    return list(
        session.exec(
            select(ObservationEvent)
            .where(ObservationEvent.observation_id == obs.id)
            .order_by(ObservationEvent.id)
        ).all()
    )


def test_handing_over_moves_it_logs_it_and_stores_only_the_secrets_hash(session):
    obs, owner, secret = handed(session)
    assert obs.status == Status.not_ours and obs.handed_to == "Trafikverket"
    assert obs.outside_owner_id == owner.id
    stored = session.exec(select(Handoff)).one()
    assert stored.token_hash != secret and secret not in stored.token_hash
    assert len(stored.token_hash) == 64
    kinds = [(e.kind, e.public) for e in history(session, obs)]
    assert (EventKind.status, True) in kinds and (EventKind.handoff, False) in kinds
    move = next(e for e in history(session, obs) if e.kind == EventKind.status)
    # In the resident's language (they reported in Swedish).
    assert move.note == "Överlämnat till Trafikverket, som ansvarar för platsen."
    mails = {m.kind: m for m in session.exec(select(OutboxMail)).all()}
    assert mails["handoff"].to_address == owner.email
    assert mails["status_update"].to_address == "resident@example.org"


def test_a_closed_report_or_an_inactive_owner_is_refused_and_nothing_is_stored(session):
    obs, owner = open_report(session, status=Status.fixed), make_owner(session)
    triager = make_staff(session, "triager")
    with pytest.raises(handoff.Refused):
        handoff.send(session=session, obs=obs, owner=owner, by=triager, base_url=SITE)
    other = open_report(session)
    outside_owners.set_active(session=session, owner=owner, active=False)
    with pytest.raises(handoff.Refused) as refused:
        handoff.send(session=session, obs=other, owner=owner, by=triager, base_url=SITE)
    assert refused.value.status_code == 422
    assert session.exec(select(Handoff)).all() == []
    assert session.exec(select(OutboxMail)).all() == []


def test_a_unit_worker_may_not_hand_over(session):
    obs, owner = open_report(session), make_owner(session)
    worker = make_staff(session, "unit_worker", unit="street-lighting")
    with pytest.raises(handoff.Refused):
        handoff.send(session=session, obs=obs, owner=owner, by=worker, base_url=SITE)
    session.refresh(obs)
    assert obs.status == Status.new and session.exec(select(Handoff)).all() == []


@pytest.mark.parametrize("secret", ["", "x" * 43, "short", "a" * 64, "../../etc/passwd"])
def test_an_unknown_or_malformed_secret_finds_nothing(session, secret):
    handed(session)
    assert handoff.by_secret(session=session, secret=secret) is None


def test_will_fix_is_public_in_the_residents_language_and_mailed_to_them(session):
    obs, _owner, secret = handed(session, language="sv")
    found = handoff.by_secret(session=session, secret=secret)
    handoff.answer(session=session, handoff=found, given=HandoffAnswer.will_fix, note="Vecka 50.")
    line = history(session, obs)[-1]
    assert line.kind == EventKind.owner_answer and line.public
    assert line.note == "Trafikverket: vi åtgärdar det."
    assert line.internal_note == "Vecka 50." and line.actor == "Trafikverket"
    mail = session.exec(select(OutboxMail).where(OutboxMail.kind == "owner_answer")).one()
    assert mail.to_address == "resident@example.org"
    assert "Trafikverket: vi åtgärdar det." in mail.body and obs.token in mail.body
    session.refresh(obs)
    assert obs.status == Status.not_ours  # the municipality's part is done


def test_the_link_takes_one_answer(session):
    obs, _owner, secret = handed(session)
    found = handoff.by_secret(session=session, secret=secret)
    handoff.answer(session=session, handoff=found, given=HandoffAnswer.fixed)
    with pytest.raises(handoff.Refused) as refused:
        handoff.answer(session=session, handoff=found, given=HandoffAnswer.not_ours)
    assert refused.value.status_code == 409
    session.refresh(found)
    session.refresh(obs)
    assert found.answer == HandoffAnswer.fixed and obs.status == Status.not_ours


def test_two_answers_at_once_count_once(engine, session):
    _obs, _owner, secret = handed(session)
    results: list[str] = []
    start = threading.Barrier(2)

    def answer(given: HandoffAnswer) -> None:
        with Session(engine) as own:
            found = handoff.by_secret(session=own, secret=secret)
            start.wait()
            try:
                handoff.answer(session=own, handoff=found, given=given)
                results.append("taken")
            except handoff.Refused:
                results.append("refused")
            except Exception as exc:  # SQLite: the second writer may find the database locked
                results.append(type(exc).__name__)

    threads = [
        threading.Thread(target=answer, args=(g,))
        for g in (HandoffAnswer.fixed, HandoffAnswer.not_ours)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert results.count("taken") == 1
    answers = session.exec(select(ObservationEvent).where(ObservationEvent.kind == "owner_answer"))
    assert len(answers.all()) == 1


def test_not_ours_either_gives_it_back_to_the_triagers(session):
    obs, _owner, secret = handed(session)
    found = handoff.by_secret(session=session, secret=secret)
    handoff.answer(session=session, handoff=found, given=HandoffAnswer.not_ours, note="Kommunens.")
    session.refresh(obs)
    assert obs.status == Status.triaged
    assert obs.outside_owner_id is None and obs.handed_to is None
    lines = history(session, obs)
    assert [e.kind for e in lines[-2:]] == [EventKind.owner_answer, EventKind.status]
    assert lines[-2].internal_note == "Kommunens." and not lines[-2].public
    assert lines[-1].note.startswith("Trafikverket: inte vårt heller.")
    assert lines[-1].actor == "Trafikverket"


def test_an_outside_owner_makes_no_other_move(session):
    owner = lifecycle.Actor.owner("Trafikverket")
    obs = open_report(session, status=Status.not_ours)
    assert lifecycle.allowed_moves(obs, owner) == [Status.triaged]
    for status in Status:
        if status == Status.not_ours:
            continue
        elsewhere = open_report(session, status=status)
        assert lifecycle.allowed_moves(elsewhere, owner) == [], status
    # The resident and the system still may not take a hand-off back.
    assert lifecycle.allowed_moves(obs, lifecycle.RESIDENT) == []
    assert lifecycle.allowed_moves(obs, lifecycle.SYSTEM) == []
