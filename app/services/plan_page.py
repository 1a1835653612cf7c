"""What a plan case's page shows, gathered in one call: the case, its key figures, its
checklist (brought up to date with the area first), its frozen bases and who follows it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from app.models import PlanCase, PlanChecklistLine, SafetyBasis, StaffUser
from app.services import history, plan_cases, plan_checklist, planning_view, recurring, walks
from app.services.area import Scope
from app.services.planning_filters import Filters


@dataclass(frozen=True)
class CasePage:
    case: PlanCase
    scope: Scope
    figures: history.History
    lines: list[PlanChecklistLine]
    undecided: int
    bases: list[SafetyBasis]
    following: bool
    followers: int
    may_edit: bool
    may_follow: bool
    may_plan_walk: bool
    filters: Filters
    names: dict[str, str]  # category names by slug
    view: planning_view.View  # the plan area's history, narrowed by the page's filters


def path_of(case: PlanCase) -> str:
    return f"/planning/plans/{case.id}"


def history_view(
    *,
    session: Session,
    case: PlanCase,
    filters: Filters,
    lang: str,
    distance_m: int = planning_view.DEFAULT_DISTANCE,
    scope: Scope | None = None,
) -> planning_view.View:
    """The plan area's history as on a district's page, its filter form sending to the case."""
    return planning_view.build(
        session=session,
        scope=scope or plan_cases.scope_of(session=session, case=case),
        filters=filters,
        lang=lang,
        distance_m=distance_m,
        base_path=path_of(case),
    )


def page(
    *,
    session: Session,
    case: PlanCase,
    user: StaffUser,
    lang: str,
    filters: Filters | None = None,
    distance_m: int = planning_view.DEFAULT_DISTANCE,
) -> CasePage:
    scope = plan_cases.scope_of(session=session, case=case)
    everything = Filters()
    view = history_view(
        session=session,
        case=case,
        filters=filters or everything,
        lang=lang,
        distance_m=distance_m,
        scope=scope,
    )
    # The checklist follows the whole area's spots: the view's, when it is not narrowed.
    whole = not view.filters.active and view.distance_m == recurring.DEFAULT_DISTANCE_M
    lines = plan_checklist.sync(session=session, case=case, spots=view.spots if whole else None)
    return CasePage(
        case=case,
        scope=scope,
        # The key figures are the whole area's, whatever the history below is narrowed to.
        figures=view.history
        if not view.filters.active
        else history.summary(session=session, scope=scope, filters=everything, lang=lang),
        lines=lines,
        undecided=sum(1 for line in lines if line.in_area and line.decision is None),
        bases=plan_cases.bases(session=session, case=case),
        following=plan_cases.is_following(session=session, case=case, user=user),
        followers=plan_cases.follower_count(session=session, case=case),
        may_edit=plan_cases.may_edit(user),
        may_follow=plan_cases.may_follow(user, case),
        may_plan_walk=walks.may_plan(user),
        filters=everything,
        names=plan_checklist.category_names(session=session, lang=lang),
        view=view,
    )
