"""Dependencies as Annotated aliases, written once and used by every route."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Path, Request
from sqlmodel import Session
from starlette.datastructures import FormData
from starlette.responses import Response

from app.config import Settings
from app.i18n import gettext as _
from app.models import Observation, PlanCase, Role, SafetyBasis, Walk
from app.services import (
    area,
    auth,
    media_store,
    observations,
    plan_cases,
    planning_filters,
    safety_basis,
    text_input,
    visibility,
    walks,
)


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_session(request: Request) -> Iterator[Session]:
    with Session(request.app.state.engine) as session:
        yield session


# Every form is parsed once with these bounds (FastAPI's Form() parameters, FormDep and the
# input check share Starlette's parsed form). max_files is generous so that "too many photos"
# gets its own clear message from the service; max_fields lets a queue page's bulk form
# through; a part may be large enough for the services to say what is wrong with it (a drawn
# route's GeoJSON, an over-long text); the body size limit bounds what a request can carry.
FORM_LIMITS = {"max_files": 50, "max_fields": 1000, "max_part_size": 1024 * 1024}
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


async def get_form(request: Request) -> AsyncIterator[FormData]:
    """The parsed multipart form, bounded; its uploaded files are closed after the response."""
    async with request.form(**FORM_LIMITS) as form:
        yield form


async def check_text_input(request: Request) -> AsyncIterator[None]:
    """Every query, path and form value passes the one input rule before any service sees it
    (app.services.text_input); a value that breaks it raises text_input.Refused (422). Free
    text passes; the services clean it where they store it. Registered for the whole app."""
    text_input.check(request.query_params.multi_items())
    text_input.check((k, v) for k, v in request.path_params.items() if isinstance(v, str))
    if not request.headers.get("content-type", "").lower().startswith(FORM_TYPES):
        yield
        return
    # The parsed form is kept on the request: the route's Form() parameters read this same one.
    async with request.form(**FORM_LIMITS) as form:
        text_input.check((k, v) for k, v in form.multi_items() if isinstance(v, str))
        yield


def get_media_store(request: Request) -> media_store.MediaStore:
    """Where photo files are kept (opened once, at start-up: app.main)."""
    return request.app.state.media_store


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[Session, Depends(get_session)]
MediaStoreDep = Annotated[media_store.MediaStore, Depends(get_media_store)]
FormDep = Annotated[FormData, Depends(get_form)]


# Staff: sign-in, roles and CSRF. Guard whole routers with these, so a new route is guarded
# by default: APIRouter(dependencies=[Depends(require_role(Role.triager)), Depends(require_csrf)]).

SESSION_COOKIE = "sw_session"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"


class LoginRequired(Exception):
    """No valid staff session: pages redirect to the login page, htmx and API get 401."""


class Forbidden(Exception):
    """Signed in, but this role may not do this (403)."""

    def __init__(self, reason: str = "role") -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class SignedIn:
    """The signed-in staff member as plain values: what every page's header shows, readable
    after the database session has gone (the error page after a failed request)."""

    name: str
    role: str
    csrf_token: str


def optional_visitor(request: Request, session: SessionDep) -> auth.Visitor | None:
    """The signed-in staff member, if any (also made available to templates)."""
    found = auth.visitor(session=session, token=request.cookies.get(SESSION_COOKIE))
    request.state.visitor = found
    request.state.signed_in = (
        SignedIn(name=found.user.name, role=found.user.role.value, csrf_token=found.csrf_token)
        if found
        else None
    )
    return found


def current_visitor(
    visitor: Annotated[auth.Visitor | None, Depends(optional_visitor)],
) -> auth.Visitor:
    if visitor is None:
        raise LoginRequired
    return visitor


def require_role(*roles: Role):  # type: ignore[no-untyped-def]
    """Only these roles (admins may do everything)."""

    def check(visitor: Annotated[auth.Visitor, Depends(current_visitor)]) -> auth.Visitor:
        if visitor.user.role != Role.admin and visitor.user.role not in roles:
            raise Forbidden
        return visitor

    return check


async def require_csrf(
    request: Request, visitor: Annotated[auth.Visitor, Depends(current_visitor)]
) -> None:
    """A state-changing request must carry the session's CSRF token (header or form field)."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    given = request.headers.get(CSRF_HEADER)
    if given is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        given = value if isinstance(value, str) else None
    if not auth.csrf_matches(visitor.csrf_token, given):
        raise Forbidden("csrf")


VisitorDep = Annotated[auth.Visitor, Depends(current_visitor)]
OptionalVisitorDep = Annotated[auth.Visitor | None, Depends(optional_visitor)]


def local_path(target: str | None, default: str = "/") -> str:
    """`target` when it is a path on this site, else `default` (no open redirects)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return default


def current_observation(
    observation_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    session: SessionDep,
    visitor: VisitorDep,
) -> Observation:
    """The observation in the path, or 404; 403 when the visitor may not see it (a unit's
    staff reach only their unit's items: `visibility`)."""
    obs = session.get(Observation, observation_id)
    if obs is None:
        raise HTTPException(status_code=404)
    if not visibility.can_see(visitor.user, obs):
        raise Forbidden
    return obs


ObservationDep = Annotated[Observation, Depends(current_observation)]


def observation_by_token(
    token: Annotated[str, Path(max_length=64)], session: SessionDep
) -> Observation:
    """The observation behind a reporter's tracking link, or 404."""
    obs = observations.by_token(session=session, token=token)
    if obs is None:
        raise HTTPException(status_code=404)
    return obs


TrackedObservationDep = Annotated[Observation, Depends(observation_by_token)]


# Walks: by number (staff pages) and by join code (participants' pages).


def walk_by_id(walk_id: Annotated[int, Path(ge=1, le=2**31 - 1)], session: SessionDep) -> Walk:
    """The walk in the path, or 404."""
    walk = walks.by_id(session=session, walk_id=walk_id)
    if walk is None:
        raise HTTPException(status_code=404)
    return walk


def walk_by_code(code: Annotated[str, Path(max_length=32)], session: SessionDep) -> Walk:
    """The walk behind a join code (typed in any case, with spaces), or 404."""
    walk = walks.by_code(session=session, code=code)
    if walk is None:
        raise HTTPException(status_code=404, detail=_("No walk has this code."))
    return walk


WalkDep = Annotated[Walk, Depends(walk_by_id)]
WalkByCodeDep = Annotated[Walk, Depends(walk_by_code)]


# Planners' views: the area (a zone by slug, or a kept drawn/uploaded area by key) and the
# filters from the query string, refused with 422 naming the field.


def view_filters(request: Request) -> planning_filters.Filters:
    try:
        return planning_filters.Filters.parse(request.query_params)
    except planning_filters.InvalidFilter as exc:
        raise HTTPException(status_code=422, detail=f"{exc.field}: {exc.message}") from exc


def zone_scope(slug: Annotated[str, Path(max_length=64)], session: SessionDep) -> area.Scope:
    scope = area.of_zone_slug(session=session, slug=slug)
    if scope is None:
        raise HTTPException(status_code=404, detail=_("No zone has this name."))
    return scope


def area_scope(key: Annotated[str, Path(max_length=16)], session: SessionDep) -> area.Scope:
    scope = area.by_key(session=session, key=key)
    if scope is None:
        raise HTTPException(status_code=404, detail=_("This area is not kept here."))
    return scope


FiltersDep = Annotated[planning_filters.Filters, Depends(view_filters)]
ZoneScopeDep = Annotated[area.Scope, Depends(zone_scope)]
AreaScopeDep = Annotated[area.Scope, Depends(area_scope)]


# A resident's phone, anonymous: "me too" and a walk's participants count it once. (Staff
# browsers have a cookie of their own for the login limit: routes/auth.LOGIN_DEVICE_COOKIE.)
PHONE_COOKIE = "sw_device"


def phone_id(request: Request) -> uuid.UUID | None:
    """The anonymous id this phone sent back in its cookie, None if it sent none (or junk)."""
    try:
        return uuid.UUID(request.cookies.get(PHONE_COOKIE, ""))
    except ValueError:
        return None


def remember_phone(response: Response, phone: uuid.UUID, settings: Settings) -> None:
    """Give the phone its id for a year (Secure where the site is served over HTTPS)."""
    response.set_cookie(
        PHONE_COOKIE,
        str(phone),
        max_age=365 * 24 * 3600,
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
    )


# Plan cases: the case in the path (404), readable by this visitor (403: a walk leader reads
# only the cases whose planner lets walk leaders follow them), and one of its frozen bases.


def plan_case_by_id(
    plan_id: Annotated[int, Path(ge=1, le=2**31 - 1)], session: SessionDep, visitor: VisitorDep
) -> PlanCase:
    case = plan_cases.by_id(session=session, plan_id=plan_id)
    if case is None:
        raise HTTPException(status_code=404)
    if not plan_cases.may_read(visitor.user, case):
        raise Forbidden
    return case


PlanCaseDep = Annotated[PlanCase, Depends(plan_case_by_id)]
# The roles that read planners' pages (the rule lives in services/plan_cases).
require_planning_reader = require_role(*plan_cases.PLANNING_ROLES)
# The agreement's follow-up: coordinators (and admins) manage it; planners and triagers read it.
require_coordinator = require_role(Role.coordinator)
require_follow_up_reader = require_role(Role.coordinator, Role.planner, Role.triager)


def plan_scope(case: PlanCaseDep, session: SessionDep) -> area.Scope:
    """Where a plan case's views look (its area), for someone who may read the case."""
    return plan_cases.scope_of(session=session, case=case)


PlanScopeDep = Annotated[area.Scope, Depends(plan_scope)]


def safety_basis_by_id(
    basis_id: Annotated[int, Path(ge=1, le=2**31 - 1)], session: SessionDep, case: PlanCaseDep
) -> SafetyBasis:
    basis = safety_basis.by_id(session=session, case=case, basis_id=basis_id)
    if basis is None:
        raise HTTPException(status_code=404)
    return basis


SafetyBasisDep = Annotated[SafetyBasis, Depends(safety_basis_by_id)]
