"""Words for enum values, in the visitor's language (the enums themselves stay English)."""

from __future__ import annotations

from dataclasses import dataclass

from app.i18n import gettext as _
from app.models import (
    EventKind,
    ObservationEvent,
    PlanDecision,
    PlanStage,
    PositionSource,
    Priority,
    Role,
    Status,
)


def status_label(status: Status | str) -> str:
    labels = {
        Status.new: _("Received"),
        Status.triaged: _("Being looked at"),
        Status.scheduled: _("Scheduled"),
        Status.in_progress: _("In progress"),
        Status.fixed: _("Fixed"),
        Status.verified: _("Fixed and checked"),
        Status.reopened: _("Reopened"),
        Status.duplicate: _("Merged with another report"),
        Status.not_ours: _("Handed to another owner"),
        Status.wont_fix: _("Will not be fixed"),
    }
    return labels.get(Status(status), str(status))


def position_source_label(source: PositionSource | str) -> str:
    labels = {
        PositionSource.gps: _("from the phone's location"),
        PositionSource.map: _("placed on the map"),
        PositionSource.photo: _("taken from the photo"),
    }
    return labels.get(PositionSource(source), str(source))


def unsafe_labels() -> list[tuple[int, str]]:
    return [
        (1, _("Not at all")),
        (2, _("A little")),
        (3, _("Somewhat")),
        (4, _("Quite")),
        (5, _("Very")),
    ]


def role_label(role: Role | str) -> str:
    labels = {
        Role.admin: _("administrator"),
        Role.triager: _("triager (technical department)"),
        Role.unit_worker: _("unit staff"),
        Role.walk_leader: _("walk leader"),
        Role.planner: _("planner"),
        Role.coordinator: _("follow-up coordinator"),
    }
    return labels.get(Role(role), str(role))


@dataclass(frozen=True)
class Link:
    href: str
    label: str


def staff_links(role: Role | str) -> list[Link]:
    """The staff pages a role can open, in the order they are used most."""
    links: list[tuple[str, str, set[Role]]] = [
        ("/triage", _("Queue"), {Role.triager, Role.unit_worker}),
        ("/planning", _("Planning"), {Role.planner, Role.triager, Role.walk_leader}),
        ("/follow-up", _("Follow-up"), {Role.coordinator, Role.planner, Role.triager}),
        ("/walks/manage", _("Safety walks"), set(Role)),
        ("/observations", _("Recent reports"), set(Role)),
        ("/admin", _("Administration"), set()),  # admins only
    ]
    role = Role(role)
    return [
        Link(href, label) for href, label, roles in links if role == Role.admin or role in roles
    ]


def start_page(role: Role | str) -> str:
    """Where a role lands after login when it was heading nowhere in particular: planners on
    their plan cases and districts, coordinators on the follow-up, everyone else on the staff
    page."""
    return {Role.planner: "/planning", Role.coordinator: "/follow-up"}.get(Role(role), "/staff")


def priority_label(priority: Priority | str) -> str:
    labels = {
        Priority.low: _("Low"),
        Priority.normal: _("Normal"),
        Priority.high: _("High"),
        Priority.urgent: _("Urgent"),
    }
    return labels.get(Priority(priority), str(priority))


def routing_reason_label(reason: str) -> str:
    labels = {
        "rule": _("a rule for this category in this district"),
        "category_default": _("the category's default unit"),
        "zone_rule": _("a rule for every category in this district"),
        "catch_all": _("the catch-all rule"),
        "no_rule": _("no rule matched"),
        "by_hand": _("re-routed by hand"),
        "keep": _("a good place: nothing to fix"),
    }
    return labels.get(reason, reason)


def event_label(event: ObservationEvent) -> str:
    """One history line's headline, for staff."""
    if event.kind == EventKind.status:
        return status_label(event.to_status)
    labels = {
        EventKind.route: _("Re-routed"),
        EventKind.assign: _("Assigned"),
        EventKind.priority: _("Priority changed"),
        EventKind.merge: _("Another report merged in"),
        EventKind.support: _("A resident said: me too"),
        EventKind.note: _("Note"),
        EventKind.handoff: _("Sent to an outside owner"),
        EventKind.owner_answer: _("The outside owner answered"),
    }
    return labels.get(EventKind(event.kind), str(event.kind))


def actor_label(actor: str) -> str:
    """Who made a history line: a staff member's name as stored, else the resident or the
    system in the reader's language (the row stores the code, never words)."""
    labels = {"resident": _("resident"), "system": _("system"), "": _("resident")}
    return labels.get(actor, actor)


def walk_status_label(status: str) -> str:
    labels = {
        "planned": _("Planned"),
        "active": _("Under way"),
        "closed": _("Closed"),
    }
    return labels.get(str(status), str(status))


def factor_label(factor: str) -> str:
    """Why a place feels unsafe, in the words the walk's participants tick."""
    labels = {
        "lighting": _("Poor lighting"),
        "sightlines": _("Can't see far / hidden corners"),
        "deserted": _("No people around"),
        "no_way_out": _("No way out"),
        "path": _("The walking path"),
        "traffic": _("Traffic"),
        "neglect": _("Signs of neglect"),
    }
    return labels.get(factor, factor)


def plan_stage_label(stage: PlanStage | str) -> str:
    labels = {
        PlanStage.planning_start: _("Planning start"),
        PlanStage.consultation: _("Consultation (samråd)"),
        PlanStage.review: _("Review (granskning)"),
        PlanStage.adopted: _("Adopted"),
    }
    return labels.get(PlanStage(stage), str(stage))


def plan_decision_label(decision: PlanDecision | str | None) -> str:
    labels = {
        PlanDecision.addressed: _("Addressed in the plan"),
        PlanDecision.not_relevant: _("Not relevant"),
        PlanDecision.outside_plan: _("To handle outside the plan"),
    }
    if not decision:
        return _("Not decided yet")
    return labels.get(PlanDecision(decision), str(decision))
