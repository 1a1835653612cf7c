"""The privacy page (what is kept, why, how long, who to ask; Swedish and English) and the
reporter's "forget my e-mail": it needs the tracking link and the form's token, works once,
says so, and no mail goes to the address after it."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from app.main import create_app
from app.models import Observation, ObservationEvent, OutboxMail, Role, Status
from app.services import lifecycle
from tests.conftest import make_settings
from tests.factories import JSON, make_staff, post_observation

EMAIL = "resident@example.org"


def reported(client, session, email: str | None = EMAIL) -> Observation:  # type: ignore[no-untyped-def]
    token = post_observation(client, headers=JSON, contact_email=email).json()["token"]
    return session.exec(select(Observation).where(Observation.token == token)).one()


def form_token(client, obs: Observation) -> str:  # type: ignore[no-untyped-def]
    page = client.get(f"/observations/{obs.token}").text
    return page.split('name="forget_token" value="')[1].split('"')[0]


def mails_to(session, address: str) -> list[OutboxMail]:  # type: ignore[no-untyped-def]
    session.expire_all()
    return list(session.exec(select(OutboxMail).where(OutboxMail.to_address == address)).all())


def test_forget_my_email_works_once_and_says_so(client, session):
    obs = reported(client, session)
    admin = lifecycle.Actor.staff(make_staff(session, Role.admin.value))
    lifecycle.transition(session=session, obs=obs, to=Status.triaged, actor=admin)
    assert len(mails_to(session, EMAIL)) == 1
    token = form_token(client, obs)

    answer = client.post(f"/observations/{obs.token}/forget-email", data={"forget_token": token})
    assert answer.status_code == 200
    assert "Your e-mail address has been removed from this report" in answer.text
    session.expire_all()
    assert session.get(Observation, obs.id).contact_email is None
    assert mails_to(session, EMAIL) == []
    notes = session.exec(select(ObservationEvent.internal_note)).all()
    assert "The reporter asked us to forget their e-mail address." in notes

    again = client.post(f"/observations/{obs.token}/forget-email", data={"forget_token": token})
    assert again.status_code == 409
    assert "nothing to remove" in again.text
    page = client.get(f"/observations/{obs.token}").text
    assert 'name="forget_token"' not in page
    assert "We have no e-mail address for this report." in page

    # No mail to the address after it: the next move tells no one.
    lifecycle.transition(
        session=session,
        obs=session.get(Observation, obs.id),
        to=Status.wont_fix,
        actor=admin,
        note="Not a municipal lamp.",
    )
    assert mails_to(session, EMAIL) == []


def test_forgetting_needs_the_tracking_link_and_the_forms_token(client, session):
    obs, other = reported(client, session), reported(client, session, email="other@example.org")
    token = form_token(client, obs)
    for path, data in [
        (f"/observations/{obs.token}/forget-email", {}),
        (f"/observations/{obs.token}/forget-email", {"forget_token": "forged"}),
        (f"/observations/{obs.token}/forget-email", {"forget_token": "é" * 64}),  # not ASCII
        # One report's form token does not open another's.
        (f"/observations/{other.token}/forget-email", {"forget_token": token}),
    ]:
        assert client.post(path, data=data).status_code == 403
    # Without the tracking link there is nothing to post to.
    missing = client.post("/observations/not-a-token/forget-email", data={"forget_token": token})
    assert missing.status_code == 404
    assert (
        client.post(
            f"/observations/{obs.id}/forget-email", data={"forget_token": token}
        ).status_code
        == 404
    )
    session.expire_all()
    assert session.get(Observation, obs.id).contact_email == EMAIL
    assert session.get(Observation, other.id).contact_email == "other@example.org"


def test_htmx_gets_the_section_and_a_plain_post_the_page(client, session):
    obs = reported(client, session)
    token = form_token(client, obs)
    part = client.post(
        f"/observations/{obs.token}/forget-email",
        data={"forget_token": token},
        headers={"HX-Request": "true"},
    )
    assert part.status_code == 200
    assert part.text.lstrip().startswith('<section id="forget-email"')
    assert "<html" not in part.text
    full = client.post(f"/observations/{obs.token}/forget-email", data={"forget_token": token})
    assert "<html" in full.text and f'href="/observations/{obs.token}"' in full.text


def test_the_public_page_offers_no_forgetting(client, session):
    obs = reported(client, session)
    page = client.get(f"/reports/{obs.id}").text
    assert "forget-email" not in page and EMAIL not in page


@pytest.mark.parametrize(
    ("lang", "texts"),
    [
        (
            "en",
            [
                "Privacy: what we keep and for how long",
                "45 days",
                "123 days",
                "1 day",
                "dpo@boden.example",
            ],
        ),
        (
            "sv",
            [
                "Integritet: vad vi sparar och hur länge",
                "45 dagar",
                "123 dagar",
                "1 dag",
                "dpo@boden.example",
            ],
        ),
    ],
)
def test_the_privacy_page_says_how_long_from_the_settings(database_url, tmp_path, lang, texts):
    settings = make_settings(
        database_url,
        tmp_path,
        retention_reporter_email_days=45,
        retention_private_photo_days=123,
        retention_login_address_days=1,
        privacy_contact="Boden municipality, dpo@boden.example",
    )
    app = create_app(settings)
    with TestClient(app, headers={"Accept-Language": lang}) as client:
        page = client.get("/privacy")
    app.state.engine.dispose()
    assert page.status_code == 200
    for text in texts:
        assert text in page.text, text


def test_the_capture_page_and_every_page_link_to_the_privacy_page(client):
    capture = client.get("/").text
    assert capture.count('href="/privacy"') == 2  # by the e-mail field, and in the footer
    assert 'href="/privacy"' in client.get("/observations").text
    assert "Contact the municipality that runs this service." in client.get("/privacy").text
