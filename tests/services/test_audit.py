"""The audit log: every admin change to accounts, units, categories, rules, zones, API keys,
outside owners and canned replies leaves one entry with the changed fields (old → new), from
the services the pages and the command line share; never a password hash or a key. And the
log's filters, order and pages."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlmodel import Session, col, select

from app import clock
from app.models import AuditEntry, Role, Unit
from app.services import (
    accounts,
    audit,
    canned_replies,
    open311_keys,
    outside_owners,
    registry,
    registry_csv,
    zone_import,
)
from tests.factories import make_staff
from tests.zonedata import EAST, WEST, box, collection, feature

LAMPS = {
    "slug": "lamps",
    "name_sv": "Gatubelysning",
    "name_en": "Street lights",
    "department_sv": "",
    "department_en": "",
    "email": "",
}


def logged(session: Session, **where: object) -> list[AuditEntry]:
    session.expire_all()
    query = select(AuditEntry).order_by(col(AuditEntry.id))
    for name, value in where.items():
        query = query.where(getattr(AuditEntry, name) == value)
    return list(session.exec(query))


def changes(entry: AuditEntry) -> dict[str, list[object]]:
    return json.loads(entry.changes)


def test_accounts_log_create_update_deactivate_and_password_without_the_hash(session):
    admin = make_staff(session, "admin")
    user = accounts.create(
        session=session,
        email="Lamps@Boden.example",
        name="Lamp crew",
        role=Role.triager,
        password="a long enough password",
        actor=admin,
    )
    lamps = session.exec(select(Unit).where(Unit.slug == "street-lighting")).one()
    accounts.update(
        session=session,
        user=user,
        actor=admin,
        name="Lamp crew",
        role=Role.unit_worker,
        unit_id=lamps.id,
    )
    accounts.update(  # nothing changes: no entry
        session=session,
        user=user,
        actor=admin,
        name="Lamp crew",
        role=Role.unit_worker,
        unit_id=lamps.id,
    )
    accounts.set_active(session=session, user=user, actor=admin, active=False)
    accounts.reset_password(
        session=session, user=user, password="another long password", actor=admin
    )
    entries = logged(session, subject_id=user.id, subject_kind="account")
    assert [e.action for e in entries] == [
        "account.create",
        "account.update",
        "account.deactivate",
        "account.password",
    ]
    assert all(e.actor_id == admin.id and e.actor == admin.email for e in entries)
    created, updated, deactivated, password = map(changes, entries)
    assert created["email"] == [None, "lamps@boden.example"]
    assert created["role"] == [None, "triager"]
    assert updated == {"role": ["triager", "unit_worker"], "unit": [None, "street-lighting"]}
    assert deactivated == {"active": [True, False]}
    assert password == {}
    session.refresh(user)
    everything = " ".join(e.changes for e in logged(session))
    assert user.password_hash not in everything and "argon2" not in everything
    assert "password" not in created


def test_a_refused_change_leaves_no_entry(session):
    admin = make_staff(session, "admin")
    with pytest.raises(accounts.AccountRefused):
        accounts.set_active(session=session, user=admin, actor=admin, active=False)
    with pytest.raises(registry.Invalid):
        registry.save(session=session, kind="units", raw={**LAMPS, "slug": ""}, actor=admin)
    session.rollback()
    assert logged(session) == []


def test_units_categories_and_rules_log_old_and_new_values_and_deletes(session):
    admin = make_staff(session, "admin")
    unit = registry.save(session=session, kind="units", raw=LAMPS, actor=admin)
    registry.save(
        session=session, kind="units", raw={**LAMPS, "name_en": "Lighting"}, row=unit, actor=admin
    )
    rule = registry.save(
        session=session,
        kind="rules",
        raw={"category": "", "zone": "centrum", "unit": "lamps"},
        actor=admin,
    )
    registry.save(
        session=session,
        kind="rules",
        raw={"category": "", "zone": "centrum", "unit": "parks"},
        row=rule,
        actor=admin,
    )
    registry.delete(session=session, kind="rules", row=rule, actor=admin)
    registry.delete(session=session, kind="units", row=unit, actor=admin)
    entries = logged(session)
    assert [(e.action, e.subject_id) for e in entries] == [
        ("unit.create", unit.id),
        ("unit.update", unit.id),
        ("routing_rule.create", rule.id),
        ("routing_rule.update", rule.id),
        ("routing_rule.delete", rule.id),
        ("unit.delete", unit.id),
    ]
    assert changes(entries[0])["slug"] == [None, "lamps"]
    assert changes(entries[1]) == {"name_en": ["Street lights", "Lighting"]}
    assert changes(entries[2]) == {"zone": [None, "centrum"], "unit": [None, "lamps"]}
    assert changes(entries[3]) == {"unit": ["lamps", "parks"]}
    assert changes(entries[4]) == {"zone": ["centrum", None], "unit": ["parks", None]}
    assert changes(entries[5])["name_en"] == ["Lighting", None]
    category = registry.save(
        session=session,
        kind="categories",
        raw={
            "slug": "ice",
            "name_sv": "Is",
            "name_en": "Ice",
            "icon": "path-cracked",
            "kind": "problem",
            "position": "3",
            "active": "true",
            "private": "false",
            "damage": "false",
            "default_unit": "",
        },
    )
    last = logged(session)[-1]
    assert (last.action, last.subject_id, last.actor, last.actor_id) == (
        "category.create",
        category.id,
        audit.CLI,
        None,
    )


def test_a_csv_import_logs_one_entry_per_row_it_changes(session):
    admin = make_staff(session, "admin")
    registry.save(session=session, kind="units", raw=LAMPS, actor=admin)
    text = (
        "slug,name_sv,name_en,department_sv,department_en,email\n"
        "lamps,Gatubelysning,Street lamps,,,\n"
        "snow,Snöröjning,Snow clearing,,,\n"
    )
    before = len(logged(session))
    assert registry_csv.import_csv(session=session, kind="units", data=text, dry_run=True).ok
    assert len(logged(session)) == before  # a dry run changes nothing and logs nothing
    report = registry_csv.import_csv(session=session, kind="units", data=text, actor=admin)
    assert (report.created, report.updated) == (1, 1)
    entries = logged(session)[before:]
    assert sorted((e.action, e.actor_id) for e in entries) == [
        ("unit.create", admin.id),
        ("unit.update", admin.id),
    ]
    update = next(e for e in entries if e.action == "unit.update")
    assert changes(update) == {"name_en": ["Street lights", "Street lamps"]}
    again = registry_csv.import_csv(session=session, kind="units", data=text, actor=admin)
    assert again.unchanged == 2 and len(logged(session)) == before + 2


def test_a_zone_import_logs_created_and_changed_zones(session):
    planner = make_staff(session, "planner")
    first = collection(feature(box(WEST), "audit-west", "Väst"), feature(box(EAST), "audit-east"))
    assert zone_import.run(session=session, data=first, dry_run=False, actor=planner).ok
    second = collection(
        feature(box(WEST), "audit-west", "Västra"), feature(box(EAST), "audit-east")
    )
    assert zone_import.run(session=session, data=second, dry_run=False, actor=planner).ok
    entries = logged(session, subject_kind="zone")
    assert [e.action for e in entries] == ["zone.create", "zone.create", "zone.update"]
    assert all(e.actor_id == planner.id for e in entries)
    assert changes(entries[2]) == {"name": ["Väst", "Västra"]}
    assert changes(entries[0])["kind"] == [None, "district"]
    assert changes(entries[0])["area_m2"][1] > 0


def test_api_keys_log_create_and_revoke_but_never_the_key(session):
    admin = make_staff(session, "admin")
    client, key = open311_keys.create(
        session=session, name="Civic app", contact="ops@civic.example", by=admin
    )
    open311_keys.revoke(session=session, client_id=client.id, by=admin)
    open311_keys.revoke(session=session, client_id=client.id, by=admin)  # again: no entry
    entries = logged(session, subject_kind="api_key")
    assert [e.action for e in entries] == ["api_key.create", "api_key.revoke"]
    assert changes(entries[0]) == {
        "name": [None, "Civic app"],
        "contact": [None, "ops@civic.example"],
    }
    assert changes(entries[1])["revoked_at"][0] is None
    session.refresh(client)
    for entry in entries:
        assert key not in entry.changes and client.key_hash not in entry.changes
        assert client.key_hint not in entry.changes


def test_record_drops_secret_fields_whatever_the_caller_passes(session):
    admin = make_staff(session, "admin")
    audit.record(
        session,
        admin,
        "update",
        admin,
        {"password_hash": ("a", "b"), "key": ("c", "d"), "token": ("e", "f"), "name": ("x", "y")},
    )
    session.commit()
    assert changes(logged(session)[-1]) == {"name": ["x", "y"]}


def _entries(session: Session, count: int, **fields: object) -> list[AuditEntry]:
    """`count` entries a minute apart, the last one the newest."""
    start = clock.now() - timedelta(hours=1)
    made = []
    for n in range(count):
        entry = AuditEntry(
            at=start + timedelta(minutes=n),
            subject_kind=str(fields.get("subject_kind", "unit")),
            subject_id=n + 1,
            action=str(fields.get("action", "unit.update")),
            actor_id=fields.get("actor_id"),  # type: ignore[arg-type]
            actor=str(fields.get("actor", audit.CLI)),
            changes="{}",
        )
        session.add(entry)
        made.append(entry)
    session.commit()
    return made


def test_the_log_filters_by_kind_action_and_actor(session):
    admin = make_staff(session, "admin")
    other = make_staff(session, "admin")
    _entries(session, 2, subject_kind="unit", action="unit.update")
    _entries(
        session, 3, subject_kind="zone", action="zone.create", actor_id=admin.id, actor=admin.email
    )
    _entries(
        session, 1, subject_kind="zone", action="zone.update", actor_id=other.id, actor=other.email
    )

    def found(**flt: str) -> set[tuple[str, str]]:
        page = audit.entries(session=session, flt=audit.Filter(**flt))
        assert page.total == len(page.entries)
        return {(e.action, e.actor) for e in page.entries}

    assert audit.entries(session=session, flt=audit.Filter()).total == 6
    assert found(kind="zone") == {("zone.create", admin.email), ("zone.update", other.email)}
    assert audit.entries(session=session, flt=audit.Filter(kind="zone")).total == 4
    assert found(action="zone.update") == {("zone.update", other.email)}
    assert found(actor=str(admin.id)) == {("zone.create", admin.email)}
    assert found(actor=audit.CLI) == {("unit.update", audit.CLI)}
    assert found(kind="unit", actor=str(admin.id)) == set()
    # The filter offers the command line first, then the accounts by e-mail.
    options = audit.actors(session=session)
    assert options[0] == (audit.CLI, audit.CLI)
    assert [label for _v, label in options[1:]] == sorted([admin.email, other.email])


def test_the_log_is_newest_first_and_paged(session):
    made = _entries(session, 7)
    page = audit.entries(session=session, flt=audit.Filter(), page=1, per_page=3)
    assert (page.total, page.pages, page.page) == (7, 3, 1)
    assert [e.id for e in page.entries] == [made[6].id, made[5].id, made[4].id]
    last = audit.entries(session=session, flt=audit.Filter(), page=3, per_page=3)
    assert [e.id for e in last.entries] == [made[0].id]
    beyond = audit.entries(session=session, flt=audit.Filter(), page=99, per_page=3)
    assert beyond.page == 3 and [e.id for e in beyond.entries] == [made[0].id]
    assert len(audit.entries(session=session, flt=audit.Filter()).entries) == 7 <= audit.PER_PAGE


OWNER = {"name": "Lampägarna AB", "email": "lampor@agarna.example", "language": "sv"}
REPLY = {
    "category": "graffiti",
    "title_sv": "Klottret är borta",
    "title_en": "The graffiti is gone",
    "body_sv": "Sanerat.",
    "body_en": "Removed.",
    "position": "1",
}


def test_outside_owners_log_create_update_and_deactivate_with_the_address(session):
    admin = make_staff(session, "admin")
    owner = outside_owners.save(
        session=session, raw={**OWNER, "note": "Belysning"}, categories=["dark-spot"], actor=admin
    )
    outside_owners.save(  # the address hand-offs go to changes: the log shows both
        session=session,
        raw={**OWNER, "email": "Elsewhere@Other.example"},
        categories=["signage", "dark-spot"],
        owner=owner,
        actor=admin,
    )
    outside_owners.save(  # nothing changes: no entry
        session=session,
        raw={**OWNER, "email": "elsewhere@other.example"},
        categories=["dark-spot", "signage"],
        owner=owner,
        actor=admin,
    )
    outside_owners.set_active(session=session, owner=owner, active=False, actor=admin)
    outside_owners.set_active(session=session, owner=owner, active=False, actor=admin)  # no-op
    outside_owners.set_active(session=session, owner=owner, active=True)  # the command line
    entries = logged(session, subject_kind="outside_owner")
    assert [(e.action, e.subject_id) for e in entries] == [
        ("outside_owner.create", owner.id),
        ("outside_owner.update", owner.id),
        ("outside_owner.deactivate", owner.id),
        ("outside_owner.activate", owner.id),
    ]
    assert [e.actor for e in entries] == [admin.email] * 3 + [audit.CLI]
    created, updated, deactivated, activated = map(changes, entries)
    assert created == {
        "name": [None, "Lampägarna AB"],
        "email": [None, "lampor@agarna.example"],
        "note": [None, "Belysning"],
        "language": [None, "sv"],
        "categories": [None, "dark-spot"],
        "active": [None, True],
    }
    assert updated == {
        "email": ["lampor@agarna.example", "elsewhere@other.example"],
        "note": ["Belysning", ""],
        "categories": ["dark-spot", "dark-spot, signage"],
    }
    assert deactivated == {"active": [True, False]}
    assert activated == {"active": [False, True]}


def test_a_refused_owner_or_reply_leaves_no_entry(session):
    admin = make_staff(session, "admin")
    owner = outside_owners.save(session=session, raw=OWNER, categories=[], actor=admin)
    other = outside_owners.save(
        session=session, raw={**OWNER, "name": "Andra AB"}, categories=[], actor=admin
    )
    with pytest.raises(outside_owners.Invalid):  # the name is taken
        outside_owners.save(session=session, raw=OWNER, categories=[], owner=other, actor=admin)
    session.rollback()
    with pytest.raises(canned_replies.Invalid):
        canned_replies.save(session=session, raw={**REPLY, "title_en": ""}, actor=admin)
    session.rollback()
    assert [e.subject_id for e in logged(session)] == [owner.id, other.id]


def test_canned_replies_log_create_update_and_delete(session):
    admin = make_staff(session, "admin")
    reply = canned_replies.save(session=session, raw=REPLY, actor=admin)
    reply_id = reply.id
    long = "Ett långt svar. " * 100  # 1600 characters: the log keeps the first 500
    canned_replies.save(
        session=session,
        raw={**REPLY, "category": "", "body_sv": long, "position": "3"},
        reply=reply,
        actor=admin,
    )
    canned_replies.save(  # nothing changes: no entry
        session=session,
        raw={**REPLY, "category": "", "body_sv": long, "position": "3"},
        reply=reply,
        actor=admin,
    )
    canned_replies.delete(session=session, reply=reply, actor=admin)
    entries = logged(session, subject_kind="canned_reply")
    assert [(e.action, e.subject_id, e.actor_id) for e in entries] == [
        ("canned_reply.create", reply_id, admin.id),
        ("canned_reply.update", reply_id, admin.id),
        ("canned_reply.delete", reply_id, admin.id),
    ]
    created, updated, deleted = map(changes, entries)
    assert created == {
        **{name: [None, value] for name, value in REPLY.items()},
        "position": [None, 1],
    }
    assert updated.keys() == {"category", "body_sv", "position"}
    assert updated["category"] == ["graffiti", ""]
    assert updated["position"] == [1, 3]
    old, new = updated["body_sv"]
    assert old == "Sanerat." and len(new) == audit.MAX_VALUE and new.endswith("…")
    assert deleted["title_en"] == ["The graffiti is gone", None]
    assert deleted["position"] == [3, None]
    assert "category" not in deleted  # for every category: nothing to show
