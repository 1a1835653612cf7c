"""Admins keep the canned replies at /admin/replies: list, add, change, delete; per category or
for every category; Swedish and English; in order. Bad input is a 4xx, other roles get 403."""

from __future__ import annotations

import pytest
from sqlmodel import Session, col, select

from app.models import CannedReply, Category
from tests.factories import csrf_token, login_as

GOOD = {
    "category": "graffiti",
    "title_sv": "Klottret är sanerat",
    "title_en": "The graffiti is removed",
    "body_sv": "Klottret är sanerat.\n\nTack för att du hörde av dig!",
    "body_en": "The graffiti has been removed.\n\nThank you for telling us!",
    "position": "2",
}


def replies(session: Session) -> list[CannedReply]:
    session.expire_all()
    return list(session.exec(select(CannedReply).order_by(col(CannedReply.id))).all())


def post(client, path: str, data: dict[str, str]):  # type: ignore[no-untyped-def]
    return client.post(
        path, data={**data, "csrf_token": csrf_token(client)}, follow_redirects=False
    )


def test_an_admin_adds_changes_lists_and_deletes_a_reply(client, session):
    login_as(client, session, "admin")
    assert "Canned replies" in client.get("/admin").text  # in the admin menu
    assert "No canned replies yet." in client.get("/admin/replies").text

    answer = post(client, "/admin/replies", GOOD)
    assert answer.status_code == 303 and answer.headers["location"].endswith("notice=created")
    (reply,) = replies(session)
    graffiti = session.exec(select(Category).where(Category.slug == "graffiti")).one()
    assert reply.category_id == graffiti.id and reply.position == 2
    assert reply.body_sv == GOOD["body_sv"]  # paragraphs kept
    listed = client.get("/admin/replies").text
    assert "The graffiti is removed" in listed and "Graffiti" in listed
    swedish = client.get("/admin/replies", headers={"Accept-Language": "sv"}).text
    assert "Klottret är sanerat" in swedish

    # For every category: the empty choice.
    answer = post(client, f"/admin/replies/{reply.id}", {**GOOD, "category": ""})
    assert answer.status_code == 303
    assert replies(session)[0].category_id is None
    edit = client.get(f"/admin/replies/{reply.id}").text
    assert 'value="Klottret är sanerat"' in edit

    reply_id = reply.id
    answer = post(client, f"/admin/replies/{reply_id}/delete", {})
    assert answer.status_code == 303 and replies(session) == []
    assert client.get(f"/admin/replies/{reply_id}").status_code == 404


@pytest.mark.parametrize(
    ("changes", "status", "message"),
    [
        ({"category": "no-such-category"}, 422, "Choose a category from the list."),
        ({"category": "good-place"}, 422, "Choose a category from the list."),
        ({"title_sv": ""}, 422, "Fill in this field."),
        ({"body_en": "   "}, 422, "Fill in this field."),
        ({"title_en": "x" * 121}, 422, "At most 120 characters."),
        ({"body_sv": "x" * 2001}, 422, "At most 2000 characters."),
        ({"position": "first"}, 422, "A whole number from 0 to 9999."),
        ({"position": "-1"}, 422, "A whole number from 0 to 9999."),
        ({"title_sv": "Klotter\x00"}, 422, "control character"),
        ({"title_en": "x" * 401}, 422, ""),
        ({"body_en": "x" * 9000}, 422, ""),
    ],
)
def test_bad_input_is_refused_and_nothing_is_stored(client, session, changes, status, message):
    login_as(client, session, "admin")
    answer = post(client, "/admin/replies", {**GOOD, **changes})
    assert answer.status_code == status
    assert message in answer.text
    assert replies(session) == []


def test_a_refused_change_leaves_the_reply_as_it_was(client, session):
    login_as(client, session, "admin")
    post(client, "/admin/replies", GOOD)
    (reply,) = replies(session)
    answer = post(client, f"/admin/replies/{reply.id}", {**GOOD, "title_sv": "", "position": "7"})
    assert answer.status_code == 422 and "Fill in this field." in answer.text
    (after,) = replies(session)
    assert (after.title_sv, after.position) == (GOOD["title_sv"], 2)


def test_control_characters_in_a_reply_body_are_removed(client, session):
    login_as(client, session, "admin")
    answer = post(client, "/admin/replies", {**GOOD, "body_sv": "Klottret\x00 är sanerat."})
    assert answer.status_code == 303
    assert replies(session)[0].body_sv == "Klottret är sanerat."


@pytest.mark.parametrize("role", ["triager", "unit_worker", "planner", "walk_leader"])
def test_only_admins_manage_replies(client, session, role):
    reply = CannedReply(title_sv="a", title_en="a", body_sv="a", body_en="a")
    session.add(reply)
    session.commit()
    login_as(client, session, role, unit="parks" if role == "unit_worker" else None)
    token = csrf_token(client)
    assert client.get("/admin/replies").status_code == 403
    assert client.get(f"/admin/replies/{reply.id}").status_code == 403
    one = f"/admin/replies/{reply.id}"
    for path in ("/admin/replies", one, f"{one}/delete"):
        answer = client.post(path, data={**GOOD, "csrf_token": token}, follow_redirects=False)
        assert answer.status_code == 403
    assert [r.title_sv for r in replies(session)] == ["a"]
