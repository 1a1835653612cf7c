"""Merging from the report page asks to confirm, and the merged report's resident is told which
report it joined, with a link to that report's public page (mail and status page)."""

from __future__ import annotations

from sqlmodel import Session, col, select

from app.models import Observation, ObservationEvent, OutboxMail, Status
from tests.factories import CENTRUM, JSON, csrf_token, login_as, post_observation

RESIDENT = "second@example.org"


def report(client, session: Session, **fields) -> Observation:  # type: ignore[no-untyped-def]
    token = post_observation(client, headers=JSON, **fields).json()["token"]
    return session.exec(select(Observation).where(Observation.token == token)).one()


def lines(session: Session) -> int:
    return len(session.exec(select(ObservationEvent.id)).all())


def test_merging_asks_to_confirm_and_tells_the_resident_where_it_went(client, session):
    first = report(client, session)
    second = report(client, session, lat=CENTRUM[0] + 0.0002, contact_email=RESIDENT)
    login_as(client, session, "triager")
    page = client.get(f"/triage/{second.id}").text
    # The possible duplicates come before the form and the history.
    assert page.index("Possible duplicates") < page.index('id="h-update"')
    merge_link = f"/triage/{second.id}/merge?into={first.id}"
    assert merge_link in page
    assert f"Merge #{second.id} into #{first.id}" in page

    # The link shows both reports side by side and a button; nothing has changed yet.
    before = lines(session)
    confirm = client.get(merge_link)
    assert confirm.status_code == 200
    assert f"Merge #{second.id} into #{first.id}?" in confirm.text
    assert f'href="/triage/{first.id}"' in confirm.text
    assert f'href="/triage/{second.id}"' in confirm.text
    assert 'name="confirm_merge" value="yes"' in confirm.text
    session.refresh(second)
    assert second.status == Status.new and lines(session) == before

    # The update form asking for a merge without the confirmation merges nothing either: it
    # answers with the same confirmation, carrying what was typed.
    token = csrf_token(client)
    unconfirmed = client.post(
        f"/triage/{second.id}/update",
        data={
            "to": "duplicate",
            "duplicate_of": str(first.id),
            "note": "Someone reported this lamp before you.",
            "priority": "high",
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert unconfirmed.status_code == 200
    assert f"Merge #{second.id} into #{first.id}?" in unconfirmed.text
    assert "Someone reported this lamp before you." in unconfirmed.text
    assert 'name="priority" value="high"' in unconfirmed.text
    session.refresh(second)
    assert second.status == Status.new and lines(session) == before
    assert session.exec(select(OutboxMail)).all() == []

    # Confirmed: merged, and the survivor counts the merged report.
    merged = client.post(
        f"/triage/{second.id}/update",
        data={
            "to": "duplicate",
            "duplicate_of": str(first.id),
            "confirm_merge": "yes",
            "note": "Someone reported this lamp before you.",
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert merged.status_code == 303, merged.text
    session.refresh(second)
    session.refresh(first)
    assert second.status == Status.duplicate and second.duplicate_of_id == first.id
    assert first.supporters == 1

    # The resident: the mail and their status page name the report it joined and link to its
    # public page (never to its reporter's own tracking page).
    mail = session.exec(select(OutboxMail).where(OutboxMail.to_address == RESIDENT)).one()
    assert f"merged with report #{first.id}" in mail.body
    assert f"/reports/{first.id}" in mail.body and first.token not in mail.body
    status_page = client.get(f"/observations/{second.token}").text
    assert f"merged with report #{first.id}" in status_page
    assert f'href="/reports/{first.id}"' in status_page
    assert first.token not in status_page
    assert client.get(f"/reports/{first.id}").status_code == 200


def test_the_merge_page_refuses_what_cannot_be_merged(client, session):
    first = report(client, session)
    second = report(client, session, lat=CENTRUM[0] + 0.0002)
    login_as(client, session, "triager")
    assert client.get(f"/triage/{second.id}/merge?into={second.id}").status_code == 409
    assert client.get(f"/triage/{second.id}/merge?into=999999").status_code == 404
    assert client.get(f"/triage/{second.id}/merge?into=abc").status_code == 422
    assert client.get(f"/triage/{second.id}/merge").status_code == 422
    client.cookies.clear()
    login_as(client, session, "unit_worker", unit="street-lighting")
    answer = client.get(f"/triage/{second.id}/merge?into={first.id}")
    assert answer.status_code == 409 and "cannot be merged" in answer.text


def test_a_private_survivor_is_named_without_a_link(client, session):
    from app.models import Category

    private = session.exec(select(Category).where(col(Category.private).is_(True))).first()
    assert private is not None, "the demo data has a private category"
    first = report(client, session, category=private.slug)
    second = report(
        client, session, category=private.slug, lat=CENTRUM[0] + 0.0002, contact_email=RESIDENT
    )
    login_as(client, session, "triager")
    answer = client.post(
        f"/triage/{second.id}/update",
        data={
            "to": "duplicate",
            "duplicate_of": str(first.id),
            "confirm_merge": "yes",
            "csrf_token": csrf_token(client),
        },
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    mail = session.exec(select(OutboxMail).where(OutboxMail.to_address == RESIDENT)).one()
    assert f"/reports/{first.id}" not in mail.body and first.token not in mail.body
    assert f"/reports/{first.id}" not in client.get(f"/observations/{second.token}").text
