"""A triager hands a report to an outside owner on the report page; the owner's mail reaches a
real SMTP server with what they need and nothing of the resident's; the owner answers once
through the link, without an account; the resident sees it and is told."""

from __future__ import annotations

import re
from email.header import decode_header, make_header
from email.message import Message

import pytest
from sqlmodel import select

from app.models import (
    EventKind,
    Handoff,
    Observation,
    ObservationEvent,
    OutboxMail,
    OutsideOwner,
    Photo,
    Status,
)
from app.services import outbox, outside_owners, triage
from tests.conftest import make_settings
from tests.factories import JSON, csrf_token, jpeg_bytes, login_as, post_observation
from tests.mailserver import SmtpServer
from tests.services.test_handoff import make_owner

SECRET = re.compile(r"/handoff/([A-Za-z0-9_-]{43})")
DESCRIPTION = "The lamp by the underpass has been out for a week."


def report(client, session, **fields) -> Observation:  # type: ignore[no-untyped-def]
    fields.setdefault("contact_email", "resident.private@example.net")
    fields.setdefault("description", DESCRIPTION)
    photo = [("lamp.jpg", jpeg_bytes(), "image/jpeg")]
    token = post_observation(client, photos=photo, headers=JSON, **fields).json()["token"]
    session.expire_all()
    return session.exec(select(Observation).where(Observation.token == token)).one()


def hand_over(client, obs, owner, note="Please check the lamp post, it is yours.", **extra):  # type: ignore[no-untyped-def]
    token = csrf_token(client, f"/triage/{obs.id}")
    data = {"csrf_token": token, "owner": str(owner.id), "note": note, **extra}
    return client.post(f"/triage/{obs.id}/handoff", data=data, follow_redirects=False)


def deliver(session, database_url, tmp_path) -> list[Message]:  # type: ignore[no-untyped-def]
    """Run the outbox against a real SMTP server on loopback; the mails that arrived."""
    with SmtpServer() as server:
        settings = make_settings(
            database_url, tmp_path, smtp_host="127.0.0.1", smtp_port=server.port
        )
        settings.smtp_starttls = False
        outbox.deliver_due(session=session, settings=settings)
        return list(server.inbox.mails)


def subject(mail: Message) -> str:
    return str(make_header(decode_header(mail["Subject"])))


def body(mail: Message) -> str:
    part = mail.get_payload(decode=True) if not mail.is_multipart() else None
    return part.decode() if isinstance(part, bytes) else str(mail.get_payload())


@pytest.fixture
def handed(client, session, database_url, tmp_path):  # type: ignore[no-untyped-def]
    """A report (with a photo and the resident's address) handed to Trafikverket with an
    internal note on it; the mails delivered; returns the report, the owner's mail, the secret."""
    obs = report(client, session)
    triager = login_as(client, session, "triager")
    triage.move(
        session=session,
        obs=obs,
        to=Status.triaged,
        actor=triager,
        internal_note="Staff only: the caller sounded upset.",
    )
    owner = make_owner(session, language="en")
    answer = hand_over(client, obs, owner)
    assert answer.status_code == 303 and answer.headers["location"] == f"/triage/{obs.id}"
    mails = deliver(session, database_url, tmp_path)
    to_owner = [m for m in mails if m["To"] == owner.email]
    assert len(to_owner) == 1
    secret = SECRET.search(body(to_owner[0])).group(1)  # type: ignore[union-attr]
    client.cookies.clear()  # the owner has no account
    session.refresh(obs)
    return obs, to_owner[0], secret


def test_the_owners_mail_says_what_they_need_and_nothing_of_the_resident(session, handed):
    obs, mail, secret = handed
    text = body(mail)
    assert subject(mail) == f"Report #{obs.id} for Trafikverket: Dark spot / broken light"
    assert DESCRIPTION in text and "Dark spot / broken light" in text
    assert f"{obs.lat:.5f}, {obs.lon:.5f}" in text
    assert (
        f"https://www.openstreetmap.org/?mlat={obs.lat:.5f}&mlon={obs.lon:.5f}"
        f"#map=18/{obs.lat:.5f}/{obs.lon:.5f}"
    ) in text
    assert f"/handoff/{secret}" in text and f"/handoff/{secret}/photos/" in text
    assert "Please check the lamp post, it is yours." in text
    assert "resident.private" not in text and "example.net" not in text
    assert "caller sounded upset" not in text and obs.token not in text
    # Stored: only the secret's hash.
    assert secret not in session.exec(select(Handoff)).one().token_hash


def test_the_owners_mail_has_the_address_when_there_is_one(client, session, database_url, tmp_path):
    obs = report(client, session)
    obs.address = "Kungsgatan 12, Boden"
    session.add(obs)
    session.commit()
    login_as(client, session, "triager")
    owner = make_owner(session, "BodenBo", language="sv")  # their mails are in Swedish
    assert hand_over(client, obs, owner).status_code == 303
    mails = deliver(session, database_url, tmp_path)
    mail = next(m for m in mails if m["To"] == owner.email)
    assert subject(mail) == f"Ärende #{obs.id} till BodenBo: Mörk plats / trasig belysning"
    assert "Adress: Kungsgatan 12, Boden" in body(mail)


def test_the_resident_sees_whom_it_was_handed_to_and_is_told(client, session, handed):
    obs, _mail, _secret = handed
    page = client.get(f"/observations/{obs.token}").text
    assert "Handed to another owner" in page
    assert "Handed to Trafikverket, who is responsible for this place." in page
    told = session.exec(
        select(OutboxMail).where(OutboxMail.to_address == "resident.private@example.net")
    ).all()
    assert any("Handed to Trafikverket" in m.body for m in told)


def test_looking_at_the_link_changes_nothing(client, session, handed):
    obs, _mail, secret = handed
    for _ in range(3):
        page = client.get(f"/handoff/{secret}")
        assert page.status_code == 200
    assert DESCRIPTION in page.text and "We will fix it" in page.text
    assert "resident.private" not in page.text and "caller sounded upset" not in page.text
    assert page.headers["cache-control"] == "no-store"
    session.expire_all()
    assert session.exec(select(Handoff)).one().answer is None
    assert session.get(Observation, obs.id).status == Status.not_ours


def test_the_answer_is_taken_once_recorded_shown_and_mailed(client, session, handed):
    obs, _mail, secret = handed
    answer = client.post(f"/handoff/{secret}", data={"answer": "will_fix", "note": "Week 50."})
    assert answer.status_code == 200 and "Your answer is recorded" in answer.text
    again = client.post(f"/handoff/{secret}", data={"answer": "not_ours"})
    assert again.status_code == 409 and "answered already" in again.text
    shown = client.get(f"/handoff/{secret}").text
    assert "We will fix it" in shown and "Week 50." in shown and 'type="radio"' not in shown
    session.expire_all()
    line = session.exec(
        select(ObservationEvent).where(ObservationEvent.kind == EventKind.owner_answer)
    ).one()
    assert line.public and line.note == "Trafikverket: we will fix it."
    status_page = client.get(f"/observations/{obs.token}").text
    assert "Trafikverket: we will fix it." in status_page and "Week 50." not in status_page
    mail = session.exec(select(OutboxMail).where(OutboxMail.kind == "owner_answer")).one()
    assert mail.to_address == "resident.private@example.net"
    assert "Trafikverket: we will fix it." in mail.body
    assert session.get(Observation, obs.id).status == Status.not_ours


def test_not_ours_either_puts_it_back_in_the_triagers_queue(client, session, handed):
    obs, _mail, secret = handed
    answer = client.post(f"/handoff/{secret}", data={"answer": "not_ours", "note": "Municipal."})
    assert answer.status_code == 200
    session.expire_all()
    assert session.get(Observation, obs.id).status == Status.triaged
    login_as(client, session, "triager")
    page = client.get(f"/triage/{obs.id}").text
    assert "Trafikverket: not ours either." in page and "Municipal." in page
    assert f"/triage/{obs.id}" in client.get("/triage?status=triaged").text


def test_a_forged_or_malformed_link_is_404(client, session, handed):
    _obs, _mail, secret = handed
    forged = ("A" if secret[0] != "A" else "B") + secret[1:]
    for path in (f"/handoff/{forged}", "/handoff/x", f"/handoff/{secret}x"):
        assert client.get(path).status_code == 404
        assert client.post(path, data={"answer": "fixed"}).status_code == 404
    session.expire_all()
    assert session.exec(select(Handoff)).one().answer is None


def test_a_bad_answer_or_an_overlong_note_is_refused(client, session, handed):
    _obs, _mail, secret = handed
    assert client.post(f"/handoff/{secret}", data={"answer": "maybe"}).status_code == 422
    assert client.post(f"/handoff/{secret}", data={}).status_code == 422
    long_note = {"answer": "fixed", "note": "x" * 2001}
    assert client.post(f"/handoff/{secret}", data=long_note).status_code == 422
    session.expire_all()
    assert session.exec(select(Handoff)).one().answer is None


def test_a_private_categorys_photos_open_only_with_the_secret(
    client, session, database_url, tmp_path
):
    obs = report(client, session, category="drug-dealing")
    login_as(client, session, "triager")
    polisen = make_owner(session, "Polisen")
    assert hand_over(client, obs, polisen).status_code == 303
    mails = deliver(session, database_url, tmp_path)
    text = body(next(m for m in mails if m["To"] == polisen.email))
    photo_url = re.search(r"/handoff/[A-Za-z0-9_-]{43}/photos/\d+", text).group(0)  # type: ignore[union-attr]
    client.cookies.clear()
    full = client.get(photo_url)
    assert full.status_code == 200 and full.headers["content-type"] == "image/jpeg"
    assert client.get(photo_url + "?thumb=true").status_code == 200
    secret = SECRET.search(photo_url).group(1)  # type: ignore[union-attr]
    forged = ("A" if secret[0] != "A" else "B") + secret[1:]
    assert client.get(photo_url.replace(secret, forged)).status_code == 404
    assert client.get(f"/reports/{obs.id}").status_code == 404  # still not public
    # The link opens its own report's photos and no other's.
    other = report(client, session)
    theirs = session.exec(select(Photo).where(Photo.observation_id == other.id)).one()
    assert client.get(f"/handoff/{secret}/photos/{theirs.id}").status_code == 404


def test_refusals_on_the_report_page(client, session):
    obs = report(client, session)
    login_as(client, session, "triager")
    owner = make_owner(session)
    token = csrf_token(client, f"/triage/{obs.id}")
    none = client.post(f"/triage/{obs.id}/handoff", data={"csrf_token": token, "owner": ""})
    assert none.status_code == 422 and "Choose an owner" in none.text
    unknown = client.post(
        f"/triage/{obs.id}/handoff", data={"csrf_token": token, "owner": "424242"}
    )
    assert unknown.status_code == 422
    assert hand_over(client, obs, owner).status_code == 303
    twice = hand_over(client, obs, owner)
    assert twice.status_code == 409 and "Only an open report" in twice.text
    assert len(session.exec(select(Handoff)).all()) == 1


def test_the_report_page_offers_the_usual_owners_first(client, session):
    obs = report(client, session)
    login_as(client, session, "triager")
    make_owner(session, "Trafikverket")
    other = make_owner(session, "BodenBo")
    outside_owners.save(
        session=session,
        raw={"name": "BodenBo", "email": other.email, "language": "sv"},
        categories=["litter"],
        owner=other,
    )
    assert 'hx-get="/triage/' in client.get(f"/triage/{obs.id}").text
    part = client.get(f"/triage/{obs.id}/handoff", headers={"HX-Request": "true"}).text
    assert "<html" not in part
    assert part.index("Trafikverket") < part.index("BodenBo")
    assert "Usually take this category" in part


def test_unit_workers_do_not_hand_over(client, session):
    obs = report(client, session)
    login_as(client, session, "unit_worker", unit="street-lighting")
    owner = make_owner(session)
    token = csrf_token(client)
    answer = client.post(
        f"/triage/{obs.id}/handoff", data={"csrf_token": token, "owner": str(owner.id)}
    )
    assert answer.status_code == 403
    assert 'hx-get="/triage/' not in client.get(f"/triage/{obs.id}").text
    assert session.exec(select(OutsideOwner)).first() is not None


def test_the_owners_note_is_cleaned_of_control_characters(client, session, handed):
    _obs, _mail, secret = handed
    note = "Week\x00 50,\x1b next\r\nMonday."
    answer = client.post(f"/handoff/{secret}", data={"answer": "fixed", "note": note})
    assert answer.status_code == 200
    session.expire_all()
    assert session.exec(select(Handoff)).one().answer_note == "Week 50, next\r\nMonday."


def test_a_closed_report_never_handed_over_shows_no_hand_off(client, session):
    obs = report(client, session)
    triager = login_as(client, session, "triager")
    triage.move(session=session, obs=obs, to=Status.wont_fix, actor=triager, note="Private land.")
    part = client.get(f"/triage/{obs.id}/handoff", headers={"HX-Request": "true"})
    assert part.status_code == 200 and "hidden" in part.text and "<select" not in part.text
    page = client.get(f"/triage/{obs.id}/handoff").text
    assert "Only an open report can be handed to an outside owner." in page
