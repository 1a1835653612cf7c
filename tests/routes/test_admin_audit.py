"""/admin/audit as an administrator uses it: a change made on an admin page (units, outside
owners, canned replies) appears with its author and its old and new values; the filters, the
order and the pages work through the query string and htmx; other roles are refused; bad
filters are a 422, never a 500."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlmodel import select

from app import clock
from app.models import AuditEntry, CannedReply, OutsideOwner
from app.services import audit
from tests.factories import csrf_token, login_as, make_staff


@pytest.fixture
def admin(client, session):  # type: ignore[no-untyped-def]
    return login_as(client, session, "admin")


def numbers(page: str) -> list[str]:
    """The subject numbers in the table, top to bottom."""
    return re.findall(r'data-label="No\.">(\d+)<', page)


def add(session, count: int, **fields: object) -> None:  # type: ignore[no-untyped-def]
    start = clock.now() - timedelta(days=1)
    for n in range(count):
        session.add(
            AuditEntry(
                at=start + timedelta(minutes=n),
                subject_kind=fields.get("kind", "unit"),
                subject_id=int(fields.get("first", 1)) + n,  # type: ignore[call-overload]
                action=fields.get("action", "unit.update"),
                actor_id=fields.get("actor_id"),
                actor=fields.get("actor", audit.CLI),
                changes='{"name_en": ["Old", "New"]}',
            )
        )
    session.commit()


def test_a_change_on_an_admin_page_shows_who_and_what(client, admin, session):
    token = csrf_token(client, "/admin")
    answer = client.post(
        "/admin/units",
        data={"csrf_token": token, "slug": "lamps", "name_sv": "Belysning", "name_en": "Lamps"},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    page = client.get("/admin/audit")
    assert page.status_code == 200
    assert admin.email in page.text
    assert "Unit was created" in page.text
    assert "<code>slug</code>: \u2013 → lamps" in page.text  # an en dash: none before
    assert 'href="/admin/audit" aria-current="page"' in page.text  # in the admin menu
    assert 'href="/admin/audit"' in client.get("/admin").text


def test_the_page_is_newest_first_and_paged(client, admin, session):
    add(session, audit.PER_PAGE + 5)  # subjects 1 .. 55, 55 the newest
    first = client.get("/admin/audit")
    shown = numbers(first.text)
    assert len(shown) == audit.PER_PAGE
    assert shown[:3] == ["55", "54", "53"]
    assert "Page 1 of 2" in first.text and "page=2" in first.text
    second = client.get("/admin/audit?page=2")
    assert numbers(second.text) == ["5", "4", "3", "2", "1"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("kind=zone", ["22", "21", "11"]),
        ("action=zone.create", ["11"]),
        ("actor=cli", ["2", "1"]),
        ("kind=unit&actor=cli", ["2", "1"]),
        ("kind=api_key", []),
    ],
)
def test_each_filter_keeps_only_its_entries(client, admin, session, query, expected):
    other = make_staff(session, "admin")
    add(session, 2)  # 1, 2: units, command line
    add(
        session,
        1,
        kind="zone",
        action="zone.create",
        first=11,
        actor_id=admin.id,
        actor=admin.email,
    )
    add(
        session,
        2,
        kind="zone",
        action="zone.update",
        first=21,
        actor_id=other.id,
        actor=other.email,
    )
    page = client.get(f"/admin/audit?{query}")
    assert page.status_code == 200
    assert numbers(page.text) == expected


def test_the_actor_filter_offers_the_authors(client, admin, session):
    add(session, 1, actor_id=admin.id, actor=admin.email)
    add(session, 1, first=2)
    page = client.get(f"/admin/audit?actor={admin.id}").text
    assert numbers(page) == ["1"]
    assert f'<option value="{admin.id}" selected>{admin.email}</option>' in page
    assert '<option value="cli">command line</option>' in page


def test_htmx_gets_the_entries_alone(client, admin, session):
    add(session, 3)
    part = client.get("/admin/audit?kind=unit", headers={"HX-Request": "true"})
    assert part.status_code == 200
    assert part.text.lstrip().startswith('<div id="audit-entries"')
    assert "<html" not in part.text and numbers(part.text) == ["3", "2", "1"]


def test_true_and_false_read_as_yes_and_no(client, admin, session):
    add(session, 1)
    session.add(
        AuditEntry(
            subject_kind="unit",
            action="unit.update",
            actor=audit.CLI,
            subject_id=7,
            changes='{"active": [true, false]}',
        )
    )
    session.commit()
    page = client.get("/admin/audit").text
    assert "<code>active</code>: yes → no" in page
    assert "True" not in page and "False" not in page


def test_the_page_speaks_swedish(client, admin, session):
    add(session, 1)
    client.get("/lang/sv", follow_redirects=False)
    page = client.get("/admin/audit").text
    assert "Granskningslogg" in page
    assert "kommandoraden" in page


@pytest.mark.parametrize(
    "query",
    [
        "kind=nothing",
        "action=unit.explode",
        "actor=someone",
        "actor=0",
        "page=0",
        "kind=%00",
        "action=%00",
        "actor=99999999999999999999",
        "page=99999999999999999999",
    ],
)
def test_a_bad_filter_is_refused_not_a_500(client, admin, query):
    assert client.get(f"/admin/audit?{query}").status_code == 422


@pytest.mark.parametrize("role", ["triager", "planner", "unit_worker", "coordinator"])
def test_only_admins_read_the_log(client, session, role):
    login_as(client, session, role)
    assert client.get("/admin/audit").status_code == 403


def owner_and_reply_changed_on_their_pages(client, session) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """An outside owner created, readdressed and deactivated on /admin/owners, and a canned
    reply created and changed on /admin/replies; their ids."""
    token = csrf_token(client, "/admin")
    owner_form = {"csrf_token": token, "name": "Lampägarna AB", "language": "sv"}
    answer = client.post(
        "/admin/owners",
        data={**owner_form, "email": "lampor@agarna.example", "categories": ["dark-spot"]},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    owner = session.exec(select(OutsideOwner).where(OutsideOwner.name == "Lampägarna AB")).one()
    changed = client.post(
        f"/admin/owners/{owner.id}",
        data={**owner_form, "email": "elsewhere@other.example", "categories": ["signage"]},
        follow_redirects=False,
    )
    assert changed.status_code == 303
    off = client.post(
        f"/admin/owners/{owner.id}/active",
        data={"csrf_token": token, "active": "false"},
        follow_redirects=False,
    )
    assert off.status_code == 303
    reply_form = {
        "csrf_token": token,
        "category": "graffiti",
        "title_sv": "Klottret är borta",
        "title_en": "The graffiti is gone",
        "body_sv": "Sanerat.",
        "body_en": "Removed.",
        "position": "1",
    }
    assert client.post("/admin/replies", data=reply_form, follow_redirects=False).is_redirect
    new = select(CannedReply).where(CannedReply.title_en == reply_form["title_en"])
    reply = session.exec(new).one()
    changed = client.post(
        f"/admin/replies/{reply.id}",
        data={**reply_form, "category": "", "body_en": "Cleaned away.", "position": "3"},
        follow_redirects=False,
    )
    assert changed.status_code == 303
    assert owner.id is not None and reply.id is not None
    return owner.id, reply.id


def test_outside_owner_and_canned_reply_changes_show_who_and_before_and_after(
    client, admin, session
):
    owner_and_reply_changed_on_their_pages(client, session)
    page = client.get("/admin/audit").text
    assert re.findall(r'data-label="By">([^<]+)<', page) == [admin.email] * 5
    for said in (
        "Outside owner was created",
        "Outside owner was changed",
        "Outside owner was deactivated",
        "Canned reply was created",
        "Canned reply was changed",
    ):
        assert said in page
    # The address hand-offs go to, before and after: a redirect is visible.
    assert "<code>email</code>: lampor@agarna.example → elsewhere@other.example" in page
    assert "<code>categories</code>: dark-spot → signage" in page
    assert "<code>active</code>: yes → no" in page
    assert "<code>body_en</code>: Removed. → Cleaned away." in page
    assert "<code>category</code>: graffiti → \u2013" in page  # every category: none
    assert "<code>position</code>: 1 → 3" in page
    assert "<code>title_sv</code>: \u2013 → Klottret är borta" in page  # created


@pytest.mark.parametrize(
    ("kind", "actions"),
    [
        ("outside_owner", ["deactivated", "changed", "created"]),
        ("canned_reply", ["changed", "created"]),
    ],
)
def test_the_filter_by_the_new_kinds_keeps_only_theirs(client, admin, session, kind, actions):
    owner_id, reply_id = owner_and_reply_changed_on_their_pages(client, session)
    add(session, 1, first=owner_id)  # a unit change with the same number: filtered out
    page = client.get(f"/admin/audit?kind={kind}").text
    what = "Outside owner" if kind == "outside_owner" else "Canned reply"
    shown = re.findall(r'data-label="What changed">([^<]+)<', page)
    assert shown == [f"{what} was {verb}" for verb in actions]  # newest first
    assert numbers(page) == [str(owner_id if kind == "outside_owner" else reply_id)] * len(actions)
    assert f'<option value="{kind}" selected>{what}</option>' in page


def test_the_new_kinds_speak_swedish(client, admin, session):
    owner_and_reply_changed_on_their_pages(client, session)
    client.get("/lang/sv", follow_redirects=False)
    page = client.get("/admin/audit").text
    assert "Extern ansvarig ändrades" in page and "Färdigt svar skapades" in page
    assert "externa ansvariga och färdiga svar" in page  # the hint names them
