"""Units, categories and routing rules: one cleaner for forms and CSV, all-or-nothing imports,
and no delete that a foreign key would have to refuse."""

from __future__ import annotations

import pytest
from sqlmodel import select

from app.models import Category, RoutingRule, Unit
from app.services import registry, registry_csv
from tests.factories import JSON, count, make_staff, post_observation

LAMPS = {
    "slug": "lamps-north",
    "name_sv": "Belysning norr",
    "name_en": "Lighting north",
    "department_sv": "Tekniska förvaltningen",
    "department_en": "Technical department",
    "email": "norr@boden.example",
}


def by_slug(session, model, slug):  # type: ignore[no-untyped-def]
    return session.exec(select(model).where(model.slug == slug)).one()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"slug": "Street Lighting"}, "slug"),
        ({"slug": ""}, "slug"),
        ({"slug": "-lamps"}, "slug"),
        ({"name_en": "  "}, "name_en"),
        ({"email": "nobody"}, "email"),
        ({"name_sv": "x" * 201}, "name_sv"),
    ],
)
def test_a_unit_needs_a_slug_names_and_a_valid_email(session, changes, field):
    with pytest.raises(registry.Invalid) as invalid:
        registry.save(session=session, kind="units", raw={**LAMPS, **changes})
    assert field in invalid.value.errors and not invalid.value.conflict


def test_a_unit_slug_is_unique_and_the_email_optional(session):
    unit = registry.save(session=session, kind="units", raw={**LAMPS, "email": ""})
    assert unit.email is None and unit.name("sv") == "Belysning norr"
    with pytest.raises(registry.Invalid) as invalid:
        registry.save(session=session, kind="units", raw=LAMPS)
    assert invalid.value.conflict
    renamed = registry.save(
        session=session, kind="units", raw={**LAMPS, "name_en": "North"}, row=unit
    )
    assert renamed.id == unit.id and renamed.name_en == "North"


def test_a_category_is_checked_field_by_field(session):
    raw = {
        "slug": "ice",
        "name_sv": "Halka",
        "name_en": "Ice",
        "icon": "no-such-icon",
        "kind": "bad",
        "position": "x",
        "active": "maybe",
        "private": "false",
        "default_unit": "nowhere",
    }
    with pytest.raises(registry.Invalid) as invalid:
        registry.save(session=session, kind="categories", raw=raw)
    assert set(invalid.value.errors) == {"icon", "kind", "position", "active", "default_unit"}
    fixed = {**raw, "icon": "path-cracked", "kind": "problem", "position": "20"}
    category = registry.save(
        session=session,
        kind="categories",
        raw={**fixed, "active": "true", "default_unit": "streets"},
    )
    assert category.default_unit_id == by_slug(session, Unit, "streets").id


def test_one_rule_per_category_and_district_including_any(session):
    rule = registry.save(
        session=session,
        kind="rules",
        raw={"category": "vegetation", "zone": "savast", "unit": "property-owner"},
    )
    with pytest.raises(registry.Invalid) as twin:
        registry.save(
            session=session,
            kind="rules",
            raw={"category": "vegetation", "zone": "savast", "unit": "parks"},
        )
    assert twin.value.conflict
    registry.save(
        session=session, kind="rules", raw={"category": "", "zone": "", "unit": "streets"}
    )
    with pytest.raises(registry.Invalid):  # NULL never equals NULL in SQL; the service knows
        registry.save(
            session=session, kind="rules", raw={"category": "", "zone": "", "unit": "parks"}
        )
    with pytest.raises(registry.Invalid) as unknown:
        registry.save(
            session=session, kind="rules", raw={"category": "nope", "zone": "", "unit": ""}
        )
    assert set(unknown.value.errors) == {"category", "unit"}
    registry.save(
        session=session,
        kind="rules",
        raw={"category": "vegetation", "zone": "savast", "unit": "parks"},
        row=rule,
    )
    assert session.get(RoutingRule, rule.id).unit_id == by_slug(session, Unit, "parks").id


def test_deleting_a_unit_in_use_is_refused_with_what_uses_it(client, session):
    parks = by_slug(session, Unit, "parks")
    make_staff(session, "unit_worker", unit="parks")
    post_observation(client, category="vegetation", headers=JSON)
    with pytest.raises(registry.InUse) as refused:
        registry.delete(session=session, kind="units", row=parks)
    message = refused.value.message
    assert "1 category" in message and "1 staff account" in message
    assert "1 open observation" in message
    assert session.get(Unit, parks.id) is not None

    spare = registry.save(session=session, kind="units", raw=LAMPS)
    registry.delete(session=session, kind="units", row=spare)
    assert count(session, Unit) == len(registry.units(session=session))
    assert session.exec(select(Unit).where(Unit.slug == "lamps-north")).first() is None


def test_a_category_with_reports_is_deactivated_not_deleted(client, session):
    post_observation(client, category="litter", headers=JSON)
    litter = by_slug(session, Category, "litter")
    with pytest.raises(registry.InUse) as refused:
        registry.delete(session=session, kind="categories", row=litter)
    assert "Make it inactive" in refused.value.message
    unused = by_slug(session, Category, "signage")
    registry.delete(session=session, kind="categories", row=unused)
    assert session.exec(select(Category).where(Category.slug == "signage")).first() is None


@pytest.mark.parametrize("kind", list(registry.KINDS))
def test_export_then_import_changes_nothing(session, kind):
    registry.save(
        session=session, kind="rules", raw={"category": "", "zone": "heden", "unit": "parks"}
    )
    registry.save(
        session=session, kind="rules", raw={"category": "graffiti", "zone": "", "unit": "police"}
    )
    text = registry_csv.export_csv(session=session, kind=kind)
    assert text.splitlines()[0] == ",".join(registry.KINDS[kind].columns)
    report = registry_csv.import_csv(session=session, kind=kind, data=text.encode())
    assert report.ok and (report.created, report.updated) == (0, 0)
    assert report.unchanged == len(text.splitlines()) - 1 > 0
    assert registry_csv.export_csv(session=session, kind=kind) == text


def test_an_import_creates_and_updates_by_slug(session):
    text = (
        "slug,name_sv,name_en,department_sv,department_en,email\n"
        "lamps-north,Belysning norr,Lighting north,,,\n"
        "police,Polisen,Police (local),Lokalpolisområde Boden,Boden local police district,"
        "lpo.boden@polisen.example\n"
    )
    report = registry_csv.import_csv(session=session, kind="units", data=text)
    assert (report.created, report.updated, report.unchanged, report.errors) == (1, 1, 0, [])
    assert report.applied
    assert by_slug(session, Unit, "police").name_en == "Police (local)"
    assert by_slug(session, Unit, "lamps-north").email is None


def test_a_bad_row_stops_the_whole_import_and_is_named_by_line(session):
    before = registry_csv.export_csv(session=session, kind="rules")
    text = (
        "\ufeffcategory,zone,unit\n"
        "vegetation,savast,property-owner\n"
        "\n"
        "vegetation,nowhere,parks\n"
        "graffiti,,no-such-unit\n"
        "vegetation,savast,parks\n"
        "litter,centrum,\n"
    )
    report = registry_csv.import_csv(session=session, kind="rules", data=text.encode())
    assert not report.ok and not report.applied
    by_line = {e.row: e.message for e in report.errors}
    assert set(by_line) == {4, 5, 6, 7}
    assert "nowhere" in by_line[4] and "no-such-unit" in by_line[5]
    assert "repeats line 2" in by_line[6] and "unit" in by_line[7]
    assert registry_csv.export_csv(session=session, kind="rules") == before


def test_a_dry_run_reports_but_changes_nothing(session):
    text = "category,zone,unit\nvegetation,savast,property-owner\n,,streets\n"
    report = registry_csv.import_csv(session=session, kind="rules", data=text, dry_run=True)
    assert report.ok and report.created == 2 and not report.applied
    assert count(session, RoutingRule) == 0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"\xff\xfe\x00bad", "UTF-8"),
        (b"slug,name\nx,y\n", "must name the columns"),
        (b"category,zone,unit\nvegetation,savast\n", "has 2 cells"),
    ],
)
def test_a_file_that_is_not_the_right_csv_says_why(session, data, message):
    report = registry_csv.import_csv(session=session, kind="rules", data=data)
    assert not report.ok and message in report.errors[0].message


def test_an_admin_marks_a_category_as_damage_to_municipal_property(session):
    category = by_slug(session, Category, "litter")
    assert not category.damage
    values = registry.row_values(session=session, kind="categories", row=category)
    marked = registry.save(
        session=session, kind="categories", raw={**values, "damage": "true"}, row=category
    )
    assert marked.damage
    assert registry.row_values(session=session, kind="categories", row=marked)["damage"] == "true"
