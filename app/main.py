"""The application factory."""

from __future__ import annotations

import logging
from http import HTTPStatus
from urllib.parse import urlencode, urlsplit

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.types import ASGIApp, Scope

from app import i18n, metrics, observability
from app.background import background
from app.config import Settings, get_settings
from app.db import make_engine
from app.deps import FORM_LIMITS, Forbidden, LoginRequired, check_text_input
from app.i18n import gettext as _
from app.middleware import (
    BodySizeLimit,
    DefaultFormat,
    GatherBody,
    HeadAsGet,
    SecurityHeaders,
)
from app.routes import (
    admin,
    admin_api_keys,
    admin_audit,
    admin_kinds,
    admin_replies,
    admin_zones,
    auth,
    capture,
    council,
    desk,
    follow_up,
    health,
    measures,
    media,
    my_reports,
    open311,
    owners,
    photo_review,
    plan_cases,
    planning,
    planning_exports,
    privacy,
    quarterly,
    site,
    triage,
    triage_actions,
    triage_report,
    walks_leaders,
    walks_protocol,
    walks_public,
    zones,
)
from app.services import notifications, open311_format, photos, text_input
from app.services.media_store import MediaStoreError, open_store
from app.templating import TEMPLATES_DIR, is_htmx, render, wants_json

log = logging.getLogger("safetywalk")
STATIC_DIR = TEMPLATES_DIR.parent / "static"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    settings.ensure_secret_key()
    photos.configure(settings.photo_workers)
    notifications.configure(settings.public_url)

    production = settings.environment == "production"
    app = FastAPI(
        lifespan=background,
        title="SafetyWalk",
        docs_url=None,  # Swagger UI would load from a CDN
        redoc_url=None,
        openapi_url=None if production else "/openapi.json",
        # One input rule for every route, before any service sees a value.
        dependencies=[Depends(check_text_input)],
        form_limits=FORM_LIMITS,  # type: ignore[arg-type]
    )
    app.state.settings = settings
    app.state.engine = make_engine(settings.sqlalchemy_url)
    app.state.media_store = open_store(settings)

    app.include_router(my_reports.router)
    app.include_router(capture.router)
    app.include_router(zones.router)
    app.include_router(site.router)
    app.include_router(health.router)
    app.include_router(privacy.router)
    app.include_router(auth.router)
    app.include_router(desk.staff)
    app.include_router(triage.router)
    app.include_router(desk.router)  # before triage_report: "filters" is not a report's number
    app.include_router(triage_report.router)  # after the queue's fixed paths (/triage/bulk …)
    app.include_router(triage_actions.router)  # a report's per-action endpoints
    app.include_router(quarterly.router)
    app.include_router(quarterly.staff)  # a fix's photos on the quarterly page: /triage/{id}/…
    app.include_router(photo_review.router)  # moderating a report's photos: /triage/{id}/photos/…
    # The public walk pages first: /walks/join is not a walk's number.
    app.include_router(walks_public.router)
    # Leaders' /walks/new before the staff's /walks/{walk_id}, which would take "new" for a number.
    app.include_router(walks_leaders.leaders)
    app.include_router(walks_leaders.staff)
    app.include_router(walks_protocol.router)
    # Planners' /planning/plans/new before the readers' /planning/plans/{plan_id}.
    app.include_router(plan_cases.planners)
    app.include_router(plan_cases.readers)
    app.include_router(planning.router)
    app.include_router(admin.router)
    app.include_router(admin_api_keys.router)  # before admin_kinds: "api-keys" is not a kind
    app.include_router(admin_audit.router)  # before admin_kinds: "audit" is not a kind
    app.include_router(admin_replies.router)  # before admin_kinds: "replies" is not a kind
    app.include_router(admin_zones.router)  # before admin_kinds: "zones" is not a kind
    app.include_router(owners.admin)  # before admin_kinds: "owners" is not a kind
    app.include_router(owners.desk)
    app.include_router(owners.public)
    app.include_router(admin_kinds.router)  # after admin: /admin/users is not a kind
    app.include_router(planning_exports.router)
    app.include_router(follow_up.router)
    # Editors first: /follow-up/measures/new is not a measure's number.
    app.include_router(measures.editors)
    app.include_router(measures.readers)
    app.include_router(council.issuers)  # before the readers: /new is not a report id
    app.include_router(council.readers)
    app.include_router(open311.router)
    app.include_router(media.router)  # photo files, from the media store
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    _add_error_pages(app)
    # Innermost, so both see the request as the router does (HEAD as GET, Open311's .xml).
    metrics.install(app, settings)
    app.add_middleware(observability.RouteNote)
    # Open311 without an extension: XML (the routes are written once, with theirs).
    app.add_middleware(DefaultFormat, prefix=open311_format.PREFIX + "v2/", extension=".xml")
    app.add_middleware(GatherBody)  # inside BodySizeLimit: the limit counts each read
    app.add_middleware(
        BodySizeLimit,
        max_bytes=settings.upload_body_max_bytes,
        on_too_large=_too_large,
        # An Open311 POST carries one photo at most.
        prefix_limits={open311_format.PREFIX: settings.open311_body_max_bytes},
    )
    app.add_middleware(SecurityHeaders, content_security_policy=_csp(settings))
    app.add_middleware(i18n.LanguageMiddleware, default=settings.default_language)
    app.add_middleware(HeadAsGet)
    # Outermost: every answer (a 413 too) carries the request id, every request one access line.
    app.add_middleware(observability.RequestContext, secret_key=settings.secret_key)
    return app


def _csp(settings: Settings) -> str:
    tiles = ""
    if settings.tile_url:
        parts = urlsplit(settings.tile_url.replace("{s}", "a"))
        host = parts.netloc.replace("a.", "*.", 1) if "{s}" in settings.tile_url else parts.netloc
        tiles = f" {parts.scheme}://{host}"
    return (
        "default-src 'self'; "
        f"img-src 'self' data: blob:{tiles}; "
        "style-src 'self'; script-src 'self'; connect-src 'self'; "
        "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
    )


def _error_response(
    request: Request, status_code: int, message: str, *, field: str | None = None
) -> Response:
    """JSON for an API client, else the error page (its message block alone for htmx). The
    page reads no database row: base.html shows the visitor from plain values, and the
    visitor's rows may be gone with the failed request's session. Under /open311/ the spec's
    error document."""
    if open311_format.is_open311(request.url.path):
        # The spec knows 400 for any request it cannot fulfil, not 422.
        status_code = 400 if status_code == 422 else status_code
        return open311.error_answer(
            request.url.path, status_code, message, public=request.method in ("GET", "HEAD")
        )
    if wants_json(request):
        body = {"error": message} | ({"field": field} if field else {})
        return JSONResponse(body, status_code=status_code)
    return render(
        request,
        "errors/error.html",
        {"status_code": status_code, "message": message, "visitor": None},
        block="message",
        status_code=status_code,
    )


def _messages() -> dict[int, str]:
    return {
        400: _("The request could not be read. Reload the page and try again."),
        404: _("We could not find that page. The link may be mistyped or out of date."),
        405: _("That is not something this address can do."),
        413: _("The upload is too large. Send fewer or smaller photos."),
        422: _("Some of what was sent is not valid."),
        503: _("The service is not available just now. Please try again in a moment."),
    }


def _add_error_pages(app: FastAPI) -> None:
    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        login_url = "/login?" + urlencode({"next": target})
        if is_htmx(request):
            return Response(status_code=401, headers={"HX-Redirect": login_url})
        if request.method == "GET" and not wants_json(request):
            return RedirectResponse(login_url, status_code=303)
        return _error_response(request, 401, _("Please log in first."))

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Forbidden) -> Response:
        if exc.reason == "csrf":
            message = _("This form has expired. Reload the page and try again.")
        else:
            message = _("Your role does not give access to this page.")
        return _error_response(request, 403, message)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = _messages().get(exc.status_code) or str(exc.detail)
        if exc.status_code == 422 and exc.detail != HTTPStatus(422).phrase:
            message = f"{message} {exc.detail}"  # e.g. a planner's filter, naming its field
        response = _error_response(request, exc.status_code, message)
        if exc.headers:
            response.headers.update(exc.headers)
        return response

    @app.exception_handler(OperationalError)
    async def database_unavailable(request: Request, exc: OperationalError) -> Response:
        # The database is down or unreachable: "try again later" (503), which a load balancer
        # and /readyz's callers understand, rather than a 500 that blames the request.
        # The driver's first line ("connection refused"), not the whole text: that quotes the
        # statement and its parameters, which may be someone's data.
        log.error("database unavailable: %s", str(exc.orig or exc).splitlines()[0])
        response = _error_response(request, 503, _messages()[503])
        response.headers["Retry-After"] = "30"
        return response

    @app.exception_handler(MediaStoreError)
    async def media_unavailable(request: Request, exc: MediaStoreError) -> Response:
        # As for the database: the photo store is down, not the request at fault.
        # The route's template, never the path: a path may hold a tracking or hand-off secret.
        route = getattr(request.scope.get("route"), "path", "?")
        log.error("media store unavailable on %s %s: %s", request.method, route, exc)
        response = _error_response(request, 503, _messages()[503])
        response.headers["Retry-After"] = "30"
        return response

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        if open311_format.is_open311(request.url.path):
            # The spec: 404 for what does not exist (an unknown format), else 400.
            if any(tuple(error["loc"]) == ("path", "format") for error in exc.errors()):
                return open311.error_answer(
                    request.url.path, 404, _messages()[404], public=request.method == "GET"
                )
            return open311.error_answer(
                request.url.path, 400, _invalid_open311(exc), public=request.method == "GET"
            )
        return _error_response(request, 422, _messages()[422])

    @app.exception_handler(open311_format.Open311Error)
    async def open311_error(request: Request, exc: open311_format.Open311Error) -> Response:
        return open311.error_answer(
            request.url.path,
            exc.status_code,
            exc.description,
            exc.headers,
            public=request.method == "GET",
        )

    @app.exception_handler(text_input.Refused)
    async def refused_text(request: Request, exc: text_input.Refused) -> Response:
        return _error_response(request, 422, exc.message, field=exc.shown_field)

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error")  # with the request id; the access line has the route
        message = _("Something went wrong on our side. Please try again in a moment.")
        try:
            response = _error_response(request, 500, message)
        except Exception:  # the page itself failed: still an answer a person can read
            log.exception("the error page failed")
            response = PlainTextResponse(message, status_code=500)
        # Sent from outside every middleware (ServerErrorMiddleware): the id is added here.
        response.headers[observability.REQUEST_ID_HEADER] = observability.current_request_id() or ""
        return response


def _invalid_open311(exc: RequestValidationError) -> str:
    """The first invalid parameter, named, for a client developer."""
    for error in exc.errors():
        name = str(error["loc"][-1]) if error.get("loc") else ""
        if name:
            return _("%(name)s is not valid.", name=name)
    return _messages()[422]


def _too_large(scope: Scope) -> ASGIApp:
    async def answer(scope, receive, send):  # type: ignore[no-untyped-def]
        request = Request(scope, receive)
        response = _error_response(request, 413, _messages()[413])
        await response(scope, receive, send)

    return answer
