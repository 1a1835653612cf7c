"""/admin/api-keys as an administrator uses it: the key shown once, revoking after a question
(with htmx and without), a client's recent posts; only admins, CSRF on every POST, never a 500."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlmodel import select

from app.models import ApiClient, ApiPost
from app.services import open311_keys
from app.services.open311_format import Open311Error
from tests.factories import csrf_token, insert_observation, login_as

KEY = re.compile(r"sw311_[A-Za-z0-9_-]{40,}")


@pytest.fixture
def token(client, session) -> str:  # type: ignore[no-untyped-def]
    login_as(client, session, "admin")
    return csrf_token(client, "/admin/api-keys")


def post(client, token: str, url: str, **data: str):  # type: ignore[no-untyped-def]
    return client.post(url, data={"csrf_token": token, **data}, follow_redirects=False)


def test_anonymous_visitors_are_sent_to_log_in(client, session):
    made, _ = open311_keys.create(session=session, name="Civic app")
    for url in ("/admin/api-keys", f"/admin/api-keys/{made.id}"):
        answer = client.get(url, follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"].startswith("/login")
    assert client.post(
        "/admin/api-keys", data={"name": "x"}, follow_redirects=False
    ).status_code in (
        303,
        401,
    )
    assert session.exec(select(ApiClient)).all() == [made]


@pytest.mark.parametrize("role", ["triager", "planner"])
def test_other_staff_may_not_see_or_make_keys(client, session, role):
    made, _ = open311_keys.create(session=session, name="Civic app")
    login_as(client, session, role)
    token = csrf_token(client)
    assert client.get("/admin/api-keys").status_code == 403
    assert client.get(f"/admin/api-keys/{made.id}").status_code == 403
    assert post(client, token, "/admin/api-keys", name="Mine").status_code == 403
    assert post(client, token, f"/admin/api-keys/{made.id}/revoke").status_code == 403
    session.refresh(made)
    assert made.revoked_at is None and len(session.exec(select(ApiClient)).all()) == 1
    assert "/admin/api-keys" not in client.get("/staff").text


def test_a_post_without_the_csrf_token_is_refused(client, session, token):
    made, _ = open311_keys.create(session=session, name="Civic app")
    assert client.post("/admin/api-keys", data={"name": "New"}).status_code == 403
    revoke = client.post(f"/admin/api-keys/{made.id}/revoke", data={"csrf_token": "wrong"})
    assert revoke.status_code == 403
    session.refresh(made)
    assert made.revoked_at is None and len(session.exec(select(ApiClient)).all()) == 1


def test_the_key_is_shown_once_and_works(client, session, token):
    page = post(
        client,
        token,
        "/admin/api-keys",
        name="FixMyStreet",
        contact="ops@mysociety.example",
        posts_per_hour="30",
    )
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    keys = set(KEY.findall(page.text))
    assert len(keys) == 1
    key = keys.pop()
    assert "it is not shown again" in page.text and "Copy the key" in page.text
    made = session.exec(select(ApiClient)).one()
    assert open311_keys.authenticate(session=session, key=key).id == made.id
    assert (made.name, made.contact, made.posts_per_hour) == (
        "FixMyStreet",
        "ops@mysociety.example",
        30,
    )
    # Never again: not on the list, not on the client's page.
    listed = client.get("/admin/api-keys").text
    assert key not in listed and not KEY.search(listed)
    assert f"{made.key_hint}…" in listed and "ops@mysociety.example" in listed
    assert key not in client.get(f"/admin/api-keys/{made.id}").text
    # Sending the form again (a reload of the answer) makes no second key.
    again = post(client, token, "/admin/api-keys", name="FixMyStreet")
    assert again.status_code == 409 and not KEY.search(again.text)


def test_the_list_shows_limit_use_and_state(client, session, token, stopped_clock):
    busy, _ = open311_keys.create(session=session, name="Busy system", posts_per_hour=7)
    gone, _ = open311_keys.create(session=session, name="Gone system")
    open311_keys.revoke(session=session, client_id=gone.id)
    session.add(ApiPost(client_id=busy.id, at=stopped_clock - timedelta(hours=2)))
    session.add(ApiPost(client_id=busy.id, at=stopped_clock - timedelta(hours=30)))
    session.commit()
    page = client.get("/admin/api-keys").text
    busy_row = page.split("Busy system")[1].split("</tr>")[0]
    gone_row = page.split("Gone system")[1].split("</tr>")[0]
    assert ">7<" in busy_row and ">1<" in busy_row and "active" in busy_row and "never" in busy_row
    assert "120" in gone_row and "the setting" in gone_row and "revoked" in gone_row
    assert page.index("Busy system") < page.index("Gone system")
    assert 'href="/admin/api-keys" aria-current="page"' in page


BAD_INPUT = [
    ({"name": ""}, 422, "This field is required."),
    ({"name": "a" * 201}, 422, "at most 200 characters"),
    ({"name": "a" * 401}, 422, "name"),
    ({"name": "bad\x00name"}, 422, "not allowed"),
    ({"name": "Civic\napp"}, 422, "not allowed"),
    ({"contact": "nobody"}, 422, "Write a valid e-mail address."),
    ({"posts_per_hour": "0"}, 422, "whole number"),
    ({"posts_per_hour": "many"}, 422, "whole number"),
    ({"name": "civic APP"}, 409, "exists already"),
]


def test_bad_input_gets_a_clear_answer(client, session, token):
    open311_keys.create(session=session, name="Civic app")
    for data, status, message in BAD_INPUT:  # one login for all: a login costs a password hash
        answer = post(client, token, "/admin/api-keys", **{"name": "Other", **data})
        assert answer.status_code == status, (data, answer.text[:500])
        assert message in answer.text and not KEY.search(answer.text), data
    assert len(session.exec(select(ApiClient)).all()) == 1


def test_the_form_keeps_what_was_typed_after_a_refusal(client, token):
    answer = post(client, token, "/admin/api-keys", name="Works", contact="bad", posts_per_hour="9")
    assert answer.status_code == 422
    assert 'value="Works"' in answer.text and 'value="9"' in answer.text
    assert 'aria-invalid="true"' in answer.text


def test_revoking_without_javascript_asks_first(client, session, token):
    made, key = open311_keys.create(session=session, name="Work orders")
    page = client.get(f"/admin/api-keys/{made.id}").text
    assert f'href="/admin/api-keys/{made.id}/revoke"' in page and "Yes, revoke" not in page
    question = client.get(f"/admin/api-keys/{made.id}/revoke")
    assert question.status_code == 200 and "<html" in question.text
    assert (
        "Revoke the key of Work orders?" in question.text and "Yes, revoke the key" in question.text
    )
    session.refresh(made)
    assert made.revoked_at is None  # asking changes nothing
    answer = post(client, token, f"/admin/api-keys/{made.id}/revoke")
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/admin/api-keys/{made.id}?notice=revoked"
    after = client.get(answer.headers["location"]).text
    assert "every request with it is refused from now on" in after and "revoked" in after
    session.refresh(made)
    assert made.revoked_at is not None
    with pytest.raises(Open311Error):
        open311_keys.authenticate(session=session, key=key)
    # Revoking again: the same answer, the first time kept.
    first = made.revoked_at
    assert post(client, token, f"/admin/api-keys/{made.id}/revoke").status_code == 303
    session.refresh(made)
    assert made.revoked_at == first


def test_revoking_with_htmx_swaps_the_question_and_then_the_page(client, session, token):
    made, _ = open311_keys.create(session=session, name="Work orders")
    htmx = {"HX-Request": "true"}
    question = client.get(f"/admin/api-keys/{made.id}/revoke", headers=htmx)
    assert question.status_code == 200 and "<html" not in question.text
    assert question.text.lstrip().startswith('<section class="card" id="revoke"')
    assert f'hx-post="/admin/api-keys/{made.id}/revoke"' in question.text
    answer = client.post(
        f"/admin/api-keys/{made.id}/revoke", headers={**htmx, "X-CSRF-Token": token}
    )
    assert answer.status_code == 200 and "<html" not in answer.text
    assert "every request with it is refused from now on" in answer.text
    assert "<h1>Work orders</h1>" in answer.text
    session.refresh(made)
    assert made.revoked_at is not None


def test_a_clients_page_lists_its_recent_posts(client, session, token, stopped_clock):
    made, _ = open311_keys.create(session=session, name="Work orders")
    other, _ = open311_keys.create(session=session, name="Other system")
    obs = insert_observation(session, lat=65.8253, lon=21.6880)
    session.add(
        ApiPost(
            client_id=made.id,
            at=stopped_clock - timedelta(minutes=5),
            service_code="dark-spot",
            status_code=200,
            observation_id=obs.id,
        )
    )
    session.add(
        ApiPost(
            client_id=made.id,
            at=stopped_clock,
            service_code="nope",
            status_code=400,
            error="service_code nope is not known.",
        )
    )
    session.add(ApiPost(client_id=made.id, at=stopped_clock, service_code="waiting"))
    session.add(ApiPost(client_id=other.id, at=stopped_clock, service_code="not-mine"))
    session.commit()
    page = client.get(f"/admin/api-keys/{made.id}").text
    assert f'href="/triage/{obs.id}"' in page and f"Report #{obs.id}" in page
    assert "service_code nope is not known." in page and ">400<" in page and ">200<" in page
    assert "being handled" in page and "not-mine" not in page
    assert page.index("nope") < page.index("dark-spot")  # newest first
    assert client.get("/admin/api-keys/999999").status_code == 404
    assert client.get("/admin/api-keys/0").status_code in (404, 422)
    assert client.get("/admin/api-keys/abc").status_code in (404, 422)


def test_a_key_made_here_posts_through_open311_is_logged_here_and_stops_when_revoked(
    client, session, token
):
    """The whole round: the admin page's key, a service request with it, the client's page and
    the report page naming the client, then revoking."""
    made = post(client, token, "/admin/api-keys", name="Work orders", posts_per_hour="5")
    key = KEY.search(made.text).group(0)
    fields = {
        "api_key": key,
        "service_code": "dark-spot",
        "lat": "65.8253",
        "long": "21.6880",
        "description": "The lamp by the underpass is out.",
    }
    answer = client.post("/open311/v2/requests.json", data=fields)
    assert answer.status_code == 200, answer.text
    obs_id = answer.json()[0]["service_request_id"]
    refused = client.post("/open311/v2/requests.json", data={**fields, "service_code": "nope"})
    assert refused.status_code in (400, 404)
    row = session.exec(select(ApiClient)).one()
    page = client.get(f"/admin/api-keys/{row.id}").text
    assert f'href="/triage/{obs_id}"' in page and "dark-spot" in page and "nope" in page
    assert f">{refused.status_code}<" in page and page.index("nope") < page.index("dark-spot")
    listed = client.get("/admin/api-keys").text.split("Work orders")[1].split("</tr>")[0]
    assert ">2<" in listed and "never" not in listed  # two posts in 24 h, used just now
    assert "Posted through Open311 by Work orders" in client.get(f"/triage/{obs_id}").text
    assert post(client, token, f"/admin/api-keys/{row.id}/revoke").status_code == 303
    after = client.post("/open311/v2/requests.json", data=fields)
    assert after.status_code == 403
