"""An administrator sets the language of a staff account's e-mails on the accounts pages; the
account's mails then come in that language."""

from __future__ import annotations

from sqlmodel import select

from app.models import Observation, OutboxMail, StaffUser
from app.services import assignment
from tests.factories import JSON, csrf_token, login_as, make_staff, post_observation


def post(client, token: str, url: str, **data: str):  # type: ignore[no-untyped-def]
    return client.post(url, data={"csrf_token": token, **data}, follow_redirects=False)


def test_a_new_account_gets_its_language_and_the_edit_form_changes_it(client, session):
    login_as(client, session, "admin")
    token = csrf_token(client, "/admin")
    assert 'name="language"' in client.get("/admin/users").text
    answer = post(
        client,
        token,
        "/admin/users",
        email="nils@boden.example",
        name="Nils",
        role="triager",
        unit="",
        language="en",
        password="long enough password",
    )
    assert answer.status_code == 303
    user = session.exec(select(StaffUser).where(StaffUser.email == "nils@boden.example")).one()
    assert user.language == "en"
    page = client.get(f"/admin/users/{user.id}").text
    assert '<option value="en" selected>English</option>' in page

    answer = post(
        client,
        token,
        f"/admin/users/{user.id}",
        name="Nils",
        role="triager",
        unit="",
        language="sv",
    )
    assert answer.status_code == 303
    session.expire_all()
    assert session.get(StaffUser, user.id).language == "sv"

    # Saving the form without the field (an older form) leaves the language as it is.
    post(client, token, f"/admin/users/{user.id}", name="Nils N", role="triager", unit="")
    session.expire_all()
    assert session.get(StaffUser, user.id).language == "sv"


def test_a_language_that_is_not_offered_is_refused_with_the_form_again(client, session):
    login_as(client, session, "admin")
    token = csrf_token(client, "/admin")
    worker = make_staff(session, "planner")
    answer = post(
        client, token, f"/admin/users/{worker.id}", name="P", role="planner", unit="", language="de"
    )
    assert answer.status_code == 422 and "Choose a language from the list." in answer.text
    answer = post(
        client,
        token,
        "/admin/users",
        email="new@boden.example",
        role="planner",
        language="xx",
        password="long enough password",
    )
    assert answer.status_code == 422 and "Choose a language from the list." in answer.text
    assert 'value="new@boden.example"' in answer.text  # what was typed is kept
    session.expire_all()
    assert session.get(StaffUser, worker.id).language == "sv"
    assert (
        session.exec(select(StaffUser).where(StaffUser.email == "new@boden.example")).first()
        is None
    )


def test_an_assignment_mail_follows_the_language_the_admin_chose(client, session):
    login_as(client, session, "admin")
    token = csrf_token(client, "/admin")
    worker = make_staff(session, "triager", email="worker@boden.example")
    post(
        client, token, f"/admin/users/{worker.id}", name="Worker", role="triager", unit="",
        language="en",
    )  # fmt: skip
    obs_token = post_observation(client, headers=JSON).json()["token"]
    obs = session.exec(select(Observation).where(Observation.token == obs_token)).one()
    session.expire_all()
    desk = make_staff(session, "triager")
    assignment.assign(
        session=session, obs=obs, assignee=session.get(StaffUser, worker.id), actor=desk
    )
    session.commit()
    mail = session.exec(select(OutboxMail).where(OutboxMail.kind == "assigned")).one()
    assert mail.subject == f"SafetyWalk: report #{obs.id} assigned to you"
