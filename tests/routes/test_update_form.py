"""The report page's one update form through HTTP: a note alone changes no status; a refused
part saves nothing; each change writes exactly one history line; fields left as shown write
nothing."""

from __future__ import annotations

from collections import Counter

from sqlmodel import Session, col, select

from app.models import (
    CannedReply,
    Category,
    EventKind,
    Observation,
    ObservationEvent,
    OutboxMail,
    Photo,
    Priority,
    Status,
    Unit,
)
from app.services import lifecycle
from tests.factories import JSON, csrf_token, login_as, make_staff, post_observation

RESIDENT = "resident@example.org"


def report(client, session: Session, **fields) -> Observation:  # type: ignore[no-untyped-def]
    headers = {**JSON, **fields.pop("headers", {})}
    token = post_observation(client, headers=headers, **fields).json()["token"]
    return session.exec(select(Observation).where(Observation.token == token)).one()


def history(session: Session, obs: Observation) -> list[ObservationEvent]:
    session.expire_all()
    return list(
        session.exec(
            select(ObservationEvent)
            .where(ObservationEvent.observation_id == obs.id)
            .order_by(col(ObservationEvent.id))
        ).all()
    )


def mails(session: Session) -> list[OutboxMail]:
    return list(session.exec(select(OutboxMail).order_by(col(OutboxMail.id))).all())


def as_shown(session: Session, obs: Observation, **changes: str) -> dict[str, str]:
    """The form as the page sends it when nothing is touched (status "keep as it is", the
    current assignee, unit and priority), with `changes`."""
    session.refresh(obs)
    unit = session.get(Unit, obs.unit_id) if obs.unit_id else None
    return {
        "to": "",
        "note": "",
        "internal_note": "",
        "reply": "",
        "assignee": str(obs.assignee_id) if obs.assignee_id else "none",
        "unit": unit.slug if unit else "",
        "priority": str(obs.priority),
        "handed_to": "",
        "duplicate_of": "",
        **changes,
    }


def update(client, obs: Observation, data: dict[str, str], **kwargs):  # type: ignore[no-untyped-def]
    return client.post(
        f"/triage/{obs.id}/update",
        data={**data, "csrf_token": csrf_token(client)},
        follow_redirects=False,
        **kwargs,
    )


def test_the_page_shows_one_form_that_keeps_the_status_by_default(client, session):
    obs = report(client, session)
    login_as(client, session, "triager")
    page = client.get(f"/triage/{obs.id}").text
    assert page.count('action="/triage/') == 1  # the update form; no per-action forms
    assert f'action="/triage/{obs.id}/update"' in page
    assert '<option value="">Keep as it is (Received)</option>' in page
    assert "selected" not in page.split('id="to"')[1].split("</select>")[0]


def test_htmx_gets_the_page_block_with_its_form(client, session):
    """htmx renders the page's block alone: what the form uses must be defined inside it."""
    obs = report(client, session)
    login_as(client, session, "triager")
    answer = client.get(f"/triage/{obs.id}", headers={"HX-Request": "true"})
    assert answer.status_code == 200
    assert "<html" not in answer.text and f'action="/triage/{obs.id}/update"' in answer.text


def test_a_public_note_alone_changes_no_status_and_tells_the_reporter(client, session):
    obs = report(client, session, contact_email=RESIDENT)
    login_as(client, session, "triager")
    before = len(history(session, obs))
    answer = update(client, obs, as_shown(session, obs, note="We will look at it this week."))
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/triage/{obs.id}?notice=saved"
    session.refresh(obs)
    assert obs.status == Status.new
    added = history(session, obs)[before:]
    assert [(e.kind, e.public, e.note) for e in added] == [
        (EventKind.note, True, "We will look at it this week.")
    ]
    sent = mails(session)
    assert [(m.to_address, m.kind) for m in sent] == [(RESIDENT, "public_note")]
    assert "We will look at it this week." in sent[0].body
    assert f"/observations/{obs.token}" in sent[0].body
    public = client.get(f"/observations/{obs.token}").text
    assert "We will look at it this week." in public
    page = client.get(answer.headers["location"]).text
    assert "Saved." in page and "Note to the reporter" in page


def test_an_internal_note_alone_is_a_staff_only_line(client, session):
    obs = report(client, session, contact_email=RESIDENT)
    login_as(client, session, "triager")
    before = len(history(session, obs))
    answer = update(client, obs, as_shown(session, obs, internal_note="Call Ove about the cable"))
    assert answer.status_code == 303
    added = history(session, obs)[before:]
    assert [(e.kind, e.public, e.internal_note) for e in added] == [
        (EventKind.note, False, "Call Ove about the cable")
    ]
    session.refresh(obs)
    assert obs.status == Status.new and mails(session) == []
    assert "Call Ove" not in client.get(f"/observations/{obs.token}").text


def test_fields_left_as_shown_write_nothing(client, session):
    obs = report(client, session, contact_email=RESIDENT)
    login_as(client, session, "triager")
    before = len(history(session, obs))
    answer = update(client, obs, as_shown(session, obs))
    assert answer.status_code == 303 and answer.headers["location"].endswith("notice=unchanged")
    assert len(history(session, obs)) == before and mails(session) == []
    assert "Nothing was changed" in client.get(answer.headers["location"]).text


def test_status_priority_assignee_and_unit_in_one_save_write_four_lines(client, session):
    obs = report(client, session, contact_email=RESIDENT)
    triager = login_as(client, session, "triager")
    before = len(history(session, obs))
    data = as_shown(
        session,
        obs,
        to="triaged",
        note="Handed to the parks team.",
        internal_note="Wrong category, really a bush",
        priority="high",
        assignee=str(triager.id),
        unit="parks",
    )
    answer = update(client, obs, data)
    assert answer.status_code == 303, answer.text
    added = history(session, obs)[before:]
    assert Counter(e.kind for e in added) == {
        EventKind.status: 1,
        EventKind.priority: 1,
        EventKind.assign: 1,
        EventKind.route: 1,
    }
    status_line = next(e for e in added if e.kind == EventKind.status)
    assert status_line.note == "Handed to the parks team."  # the notes go with the move
    assert status_line.internal_note == "Wrong category, really a bush"
    session.refresh(obs)
    parks = session.exec(select(Unit).where(Unit.slug == "parks")).one()
    assert (obs.status, obs.priority, obs.assignee_id, obs.unit_id) == (
        Status.triaged,
        Priority.high,
        triager.id,
        parks.id,
    )
    assert [m.kind for m in mails(session)] == ["status_update"]  # one mail to the reporter


def test_a_refused_move_saves_nothing_not_even_the_valid_assignee(client, session):
    obs = report(client, session, contact_email=RESIDENT)
    triager = login_as(client, session, "triager")
    before = len(history(session, obs))
    data = as_shown(
        session, obs, to="verified", assignee=str(triager.id), priority="urgent", note="Done!"
    )
    answer = update(client, obs, data)
    assert answer.status_code == 409
    assert "Nothing was saved." in answer.text
    assert "cannot go from this status to that one" in answer.text
    assert "Done!" in answer.text  # what was typed is still in the form
    session.refresh(obs)
    assert (obs.status, obs.assignee_id, obs.priority) == (Status.new, None, Priority.normal)
    assert len(history(session, obs)) == before and mails(session) == []


def test_each_refused_part_answers_409_with_its_reason_and_saves_nothing(client, session):
    obs = report(client, session, contact_email=RESIDENT)
    login_as(client, session, "triager")
    lifecycle.transition(
        session=session,
        obs=obs,
        to=Status.triaged,
        actor=lifecycle.Actor.staff(make_staff(session, "triager")),
    )
    session.exec(select(OutboxMail)).all()
    for row in mails(session):
        session.delete(row)
    session.commit()
    parks_worker = make_staff(session, "unit_worker", unit="parks")
    inactive = make_staff(session, "triager")
    inactive.active = False
    session.add(inactive)
    session.commit()
    refusals = {
        "Say why it will not be fixed": {"to": "wont_fix", "priority": "high"},
        "Say who it was handed to": {"to": "not_ours", "priority": "high"},
        "does not work for the unit": {"assignee": str(parks_worker.id), "priority": "high"},
        "Choose a person from the list": {"assignee": str(inactive.id), "priority": "high"},
        "Choose a person from the list.": {"assignee": "999999", "priority": "high"},
        "Choose a unit from the list": {"unit": "no-such-unit", "priority": "high"},
        "Choose a reply from the list": {"reply": "999999", "priority": "high"},
        "only with the status “merged": {"duplicate_of": "1", "priority": "high"},
        "only with the status “handed to": {"handed_to": "Trafikverket", "priority": "high"},
        "No report has this number": {"to": "duplicate", "duplicate_of": "999999"},
        "when the report is marked fixed": {"priority": "high", "_photo": "yes"},
    }
    before = len(history(session, obs))
    for reason, changes in refusals.items():
        files = None
        if changes.pop("_photo", None):
            from tests.factories import jpeg_bytes

            files = {"after_photo": ("after.jpg", jpeg_bytes(), "image/jpeg")}
        answer = update(client, obs, as_shown(session, obs, **changes), files=files)
        assert answer.status_code == 409, (reason, answer.status_code)
        assert reason in answer.text, reason
        session.refresh(obs)
        assert (obs.status, obs.priority, obs.assignee_id) == (
            Status.triaged,
            Priority.normal,
            None,
        ), reason
    assert len(history(session, obs)) == before and mails(session) == []
    assert session.exec(select(Photo).where(Photo.observation_id == obs.id)).all() == []


def test_a_bad_photo_is_refused_with_the_photo_rule_and_nothing_saved(client, session):
    obs = report(client, session, contact_email=RESIDENT)
    login_as(client, session, "triager")
    lifecycle.transition(
        session=session,
        obs=obs,
        to=Status.triaged,
        actor=lifecycle.Actor.staff(make_staff(session, "triager")),
    )
    before = len(history(session, obs))
    answer = update(
        client,
        obs,
        as_shown(session, obs, to="fixed", note="New lamp."),
        files={"after_photo": ("after.jpg", b"not a photo at all", "image/jpeg")},
    )
    assert answer.status_code == 415 and "not a photo we can read" in answer.text
    session.refresh(obs)
    assert obs.status == Status.triaged and len(history(session, obs)) == before


def test_a_fix_with_its_after_photo_in_one_save(client, session):
    from tests.factories import jpeg_bytes

    obs = report(client, session)
    login_as(client, session, "triager")
    lifecycle.transition(
        session=session,
        obs=obs,
        to=Status.triaged,
        actor=lifecycle.Actor.staff(make_staff(session, "triager")),
    )
    answer = update(
        client,
        obs,
        as_shown(session, obs, to="fixed", note="New lamp."),
        files={"after_photo": ("after.jpg", jpeg_bytes(), "image/jpeg")},
    )
    assert answer.status_code == 303, answer.text
    session.refresh(obs)
    assert obs.status == Status.fixed
    assert len(session.exec(select(Photo).where(Photo.observation_id == obs.id)).all()) == 1


def test_unit_staff_may_not_set_the_unit_or_the_priority(client, session):
    obs = report(client, session)
    lifecycle.transition(
        session=session,
        obs=obs,
        to=Status.triaged,
        actor=lifecycle.Actor.staff(make_staff(session, "triager")),
    )
    login_as(client, session, "unit_worker", unit="street-lighting")
    page = client.get(f"/triage/{obs.id}").text
    assert 'name="unit"' not in page and 'name="priority"' not in page
    before = len(history(session, obs))
    for changes, reason in (
        ({"unit": "parks", "to": "scheduled"}, "Only the triage desk can route"),
        ({"priority": "urgent", "to": "scheduled"}, "Only the triage desk can set the priority"),
    ):
        answer = update(client, obs, {"to": "", "assignee": "none", **changes})
        assert answer.status_code == 409 and reason in answer.text
    session.refresh(obs)
    assert obs.status == Status.triaged and len(history(session, obs)) == before
    # What a unit worker may do goes through: a move of their own.
    answer = update(client, obs, {"to": "scheduled", "assignee": "none"})
    assert answer.status_code == 303
    session.refresh(obs)
    assert obs.status == Status.scheduled


def test_malformed_input_is_a_422(client, session):
    obs = report(client, session)
    login_as(client, session, "triager")
    for bad in (
        {"to": "nonsense"},
        {"priority": "sky-high"},
        {"assignee": "someone"},
        {"reply": "-3"},
        {"unit": "parks\x00"},
        {"confirm_merge": "maybe"},
    ):
        answer = update(client, obs, bad)
        assert answer.status_code == 422, bad
    session.refresh(obs)
    assert obs.status == Status.new


def test_a_canned_reply_without_script_is_sent_in_the_reporters_language(client, session):
    obs = report(client, session, contact_email=RESIDENT, headers={"Accept-Language": "sv"})
    dark_spot = session.exec(select(Category).where(Category.slug == "dark-spot")).one()
    vegetation = session.exec(select(Category).where(Category.slug == "vegetation")).one()
    lamp = CannedReply(
        category_id=dark_spot.id,
        title_sv="Lampan är bytt",
        title_en="The lamp is replaced",
        body_sv="Lampan är bytt. Tack för att du hörde av dig!",
        body_en="The lamp has been replaced. Thank you for telling us!",
    )
    bush = CannedReply(
        category_id=vegetation.id,
        title_sv="Buskarna är klippta",
        title_en="The bushes are cut",
        body_sv="Buskarna är klippta.",
        body_en="The bushes have been cut.",
    )
    everyone = CannedReply(
        title_sv="Mottagen",
        title_en="Received",
        body_sv="Vi har tagit emot din anmälan.",
        body_en="We have received your report.",
    )
    session.add_all([lamp, bush, everyone])
    session.commit()
    login_as(client, session, "triager")
    page = client.get(f"/triage/{obs.id}").text  # an English-speaking triager
    assert "The lamp is replaced" in page and "Received" in page
    assert "The bushes are cut" not in page  # another category's reply is not offered
    assert 'data-body="Lampan är bytt. Tack för att du hörde av dig!"' in page
    answer = update(client, obs, as_shown(session, obs, to="triaged", reply=str(lamp.id)))
    assert answer.status_code == 303, answer.text
    line = history(session, obs)[-1]
    assert line.kind == EventKind.status and line.note == lamp.body_sv
    assert lamp.body_sv in mails(session)[0].body
    # A note that was written (or filled in by the script) is kept as it is.
    answer = update(
        client, obs, as_shown(session, obs, reply=str(everyone.id), note="Vi kommer i morgon.")
    )
    assert history(session, obs)[-1].note == "Vi kommer i morgon."
    # Another category's reply is refused.
    answer = update(client, obs, as_shown(session, obs, reply=str(bush.id)))
    assert answer.status_code == 409 and "Choose a reply from the list" in answer.text
