"""Open311 GeoReport v2 at /open311/v2/: the standard door for other municipal systems and
civic apps (README: "Open311"). Each resource answers in XML (the spec's required format) or
JSON by its extension; without one, XML. Errors are the spec's `<errors>` documents
(main._error_response sends every error under /open311/ through `error_answer`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from starlette.datastructures import UploadFile
from starlette.responses import Response

from app import clock
from app.deps import FormDep, MediaStoreDep, SessionDep, SettingsDep
from app.routes import open311_docs
from app.services import open311, open311_format, open311_intake
from app.services.open311_format import Format

router = APIRouter(prefix="/open311/v2", tags=["open311"])

FormatPath = Annotated[Format, Path(alias="format", description="xml or json")]
Jurisdiction = Annotated[
    str | None, Query(max_length=200, description="Accepted when it names this jurisdiction")
]
# What each route answers, for the OpenAPI schema (the spec's fields; errors it may give).
COMMON = open311_docs.COMMON


def answer(fmt: Format, root: str, data: object, *, public: bool = True) -> Response:
    """The document; a public one (every GET: nothing personal, no cookie needed) may be read
    by a civic web app on another site, as FixMyStreet's Open311 answers may."""
    body, media_type = open311_format.render(fmt, root, data)  # type: ignore[arg-type]
    headers = {"Access-Control-Allow-Origin": "*"} if public else None
    return Response(body, media_type=media_type, headers=headers)


def error_answer(
    path: str,
    status_code: int,
    description: str,
    headers: dict[str, str] | None = None,
    *,
    public: bool = False,
) -> Response:
    """The spec's error document for a request to `path`, in the format it asked for (a GET's
    readable by web apps elsewhere, as its answers are)."""
    body, media_type = open311_format.errors(
        open311_format.format_of(path), [(status_code, description)]
    )
    headers = {**(headers or {}), **({"Access-Control-Allow-Origin": "*"} if public else {})}
    return Response(body, status_code=status_code, media_type=media_type, headers=headers)


@router.get(
    "/discovery.{format}", responses=open311_docs.responses(open311_docs.DISCOVERY, 400, 404)
)
def discovery(settings: SettingsDep, fmt: FormatPath) -> Response:
    """The service discovery document: where the endpoint is, its formats, whom to ask."""
    return answer(fmt, "discovery", open311.discovery(settings))


@router.get("/services.{format}", responses=open311_docs.responses(open311_docs.SERVICES, *COMMON))
def service_list(
    session: SessionDep,
    settings: SettingsDep,
    fmt: FormatPath,
    jurisdiction_id: Jurisdiction = None,
) -> Response:
    """Our categories as services."""
    open311.check_jurisdiction(settings, jurisdiction_id)
    return answer(fmt, "services", open311.service_list(session=session))


@router.get(
    "/services/{service_code}.{format}",
    responses=open311_docs.responses(open311_docs.SERVICE_DEFINITION, *COMMON),
)
def service_definition(
    session: SessionDep,
    settings: SettingsDep,
    service_code: Annotated[str, Path(max_length=64)],
    fmt: FormatPath,
    jurisdiction_id: Jurisdiction = None,
) -> Response:
    """A service's extra questions (attributes)."""
    open311.check_jurisdiction(settings, jurisdiction_id)
    definition = open311.service_definition(session=session, code=service_code)
    return answer(fmt, "service_definition", definition)


@router.post(
    "/requests.{format}",
    responses=open311_docs.responses(open311_docs.CREATED, *COMMON, 403, 413, 429),
    openapi_extra=open311_intake.REQUEST_BODY,
)
def post_request(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    store: MediaStoreDep,
    form: FormDep,
    fmt: FormatPath,
) -> Response:
    """Create a service request (an observation) for a client system with an API key."""
    open311_intake.check_content_type(
        request.headers.get("content-type"), request.headers.get("content-length")
    )
    fields = [(k, v) for k, v in form.multi_items() if isinstance(v, str)]
    media = [
        upload.file  # read inside a decode slot, as the capture form's photos
        for upload in form.getlist("media")
        if isinstance(upload, UploadFile) and (upload.filename or upload.size)
    ]
    created = open311_intake.post(
        session=session,
        settings=settings,
        fields=fields,
        query=list(request.query_params.multi_items()),
        media=media,
        store=store,
        idempotency_key=request.headers.get("Idempotency-Key"),
    )
    return answer(fmt, "service_requests", created, public=False)


@router.get(
    "/requests.{format}", responses=open311_docs.responses(open311_docs.SERVICE_REQUESTS, *COMMON)
)
def request_list(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    fmt: FormatPath,
    jurisdiction_id: Jurisdiction = None,
    service_request_id: Annotated[str | None, Query(max_length=2000)] = None,
    service_code: Annotated[str | None, Query(max_length=2000)] = None,
    start_date: Annotated[str | None, Query(max_length=64)] = None,
    end_date: Annotated[str | None, Query(max_length=64)] = None,
    status: Annotated[str | None, Query(max_length=64)] = None,
    page: Annotated[str | None, Query(max_length=12)] = None,
    page_size: Annotated[str | None, Query(max_length=12)] = None,
) -> Response:
    """Service requests: by id, or by service, date range (90 days at most) and status."""
    open311.check_jurisdiction(settings, jurisdiction_id)
    query = open311.RequestQuery.parse(
        service_request_id=service_request_id,
        service_code=service_code,
        start_date=start_date,
        end_date=end_date,
        status=status,
        page=page,
        page_size=page_size,
        now=clock.now(),
        max_requests=settings.open311_max_requests,
    )
    found = open311.find_requests(session=session, settings=settings, query=query)
    return answer(fmt, "service_requests", found)


@router.get(
    "/requests/{service_request_id}.{format}",
    responses=open311_docs.responses(open311_docs.SERVICE_REQUESTS, *COMMON),
)
def one_request(
    session: SessionDep,
    settings: SettingsDep,
    service_request_id: Annotated[str, Path(max_length=20)],
    fmt: FormatPath,
    jurisdiction_id: Jurisdiction = None,
) -> Response:
    """One service request (as a list of one, as the spec has it)."""
    open311.check_jurisdiction(settings, jurisdiction_id)
    found = open311.request_by_id(session=session, settings=settings, text=service_request_id)
    return answer(fmt, "service_requests", found)


@router.get(
    "/tokens/{token}.{format}", responses=open311_docs.responses(open311_docs.TOKENS, *COMMON)
)
def token(
    session: SessionDep,
    settings: SettingsDep,
    token: Annotated[str, Path(max_length=64)],
    fmt: FormatPath,
    jurisdiction_id: Jurisdiction = None,
) -> Response:
    """The service request id behind a token (a resident's tracking link's token)."""
    open311.check_jurisdiction(settings, jurisdiction_id)
    return answer(fmt, "service_requests", open311.request_by_token(session=session, token=token))
