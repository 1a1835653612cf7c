"""The technical department's queue: filtered, sorted, as a list or a map, with bulk moves.
One report's page and its changes are in `triage_report`."""

from __future__ import annotations

import inspect
from datetime import date
from typing import Annotated
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse
from pydantic import BeforeValidator, Field, ValidationError, validate_call
from starlette.responses import Response

from app.deps import (
    SessionDep,
    SettingsDep,
    VisitorDep,
    require_csrf,
    require_role,
)
from app.i18n import gettext as _
from app.models import Priority, Role, Status
from app.services import (
    assignment,
    categories,
    fulltext,
    queue,
    queue_map,
    queue_order,
    text_input,
    triage,
    zones,
)
from app.templating import is_htmx, render

router = APIRouter(
    prefix="/triage",
    dependencies=[Depends(require_role(Role.triager, Role.unit_worker)), Depends(require_csrf)],
)
triagers_only = [Depends(require_role(Role.triager))]
# A filter form sends an untouched field as "": that means "any", not an error.
BLANK_IS_NONE = BeforeValidator(lambda value: None if value == "" else value)
Days = Annotated[int, Field(ge=1, le=3650)]
SORT_PATTERN = "^(" + "|".join(sorted({*queue_order.SORTS, *queue_order.ALIASES})) + ")?$"


def queue_filter(
    status: Annotated[list[Status] | None, Query()] = None,
    category: Annotated[str | None, Query(max_length=64)] = None,
    zone: Annotated[str | None, Query(max_length=64)] = None,
    unit: Annotated[str | None, Query(max_length=64)] = None,
    priority: Annotated[Priority | None, BLANK_IS_NONE, Query()] = None,
    overdue: Annotated[bool, Query()] = False,
    older_than: Annotated[Days | None, BLANK_IS_NONE, Query()] = None,
    assignee: Annotated[str | None, Query(pattern="^(me|none|[0-9]{1,9})?$")] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    since: Annotated[date | None, BLANK_IS_NONE, Query()] = None,
    photos_waiting: Annotated[bool, Query()] = False,
    sort: Annotated[str | None, Query(pattern=SORT_PATTERN)] = None,
    direction: Annotated[str | None, Query(alias="dir", pattern="^(asc|desc)?$")] = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> queue.QueueFilter:
    """The queue's filter from the query string (the same for the page and bulk actions)."""
    sort, direction = queue_order.resolve(sort or None, direction or None)  # sort=newest too
    return queue.QueueFilter(
        statuses=tuple(status) if status else queue.QueueFilter.statuses,
        category=category or None,
        zone=zone or None,
        unit=unit or None,
        priority=priority,
        overdue=overdue,
        older_than_days=older_than,
        assignee=assignee or None,
        text=(q or "").strip() or None,
        since=since,
        photos_waiting=photos_waiting,
        sort=sort,
        direction=direction,
        page=page,
    )


FilterDep = Annotated[queue.QueueFilter, Depends(queue_filter)]


# The queue's filter read from a query string kept elsewhere (a saved filter, the report
# page's `from`), by the very rules of `queue_filter`'s annotations.
_PARAMS = inspect.signature(queue_filter, eval_str=True).parameters
# The query keys (validate_call takes the aliases too: `dir`); the page is a place, not
# a filter.
_KEYS = [("dir" if name == "direction" else name) for name in _PARAMS if name != "page"]
_LISTS = {"status"}
_checked_filter = validate_call(queue_filter)
MAX_FIELDS = 100  # every status ticked is ten; more is not a filter someone made


class BadFilter(ValueError):
    """The queue would refuse this filter; the message says which part."""


def read_filter(raw: str) -> tuple[queue.QueueFilter, str]:
    """The filter a query string asks for, and the query as kept (only the filter's keys, in
    a fixed order, without the page); `BadFilter` when the queue's rules refuse a part,
    `text_input.Refused` for what no field may hold."""
    try:
        pairs = parse_qsl(raw.lstrip("?"), max_num_fields=MAX_FIELDS)
    except ValueError as exc:  # more fields than any filter has
        raise BadFilter(_("This filter has too many parts to be saved.")) from exc
    text_input.check(pairs)  # text_input.Refused: a control character, a value too long
    values: dict[str, list[str]] = {}
    for key, value in pairs:
        if key in _KEYS and value.strip():
            values.setdefault(key, []).append(value)
    args = {k: v if k in _LISTS else v[-1] for k, v in values.items()}
    try:
        flt = _checked_filter(**args)
    except ValidationError as exc:
        field = str(exc.errors()[0]["loc"][0])
        message = _(
            "This filter cannot be saved: “%(field)s” has a value the queue refuses.", field=field
        )
        raise BadFilter(message) from exc
    kept = [(k, values[k]) for k in _KEYS if k in values]
    return flt, urlencode([(k, v) for k, got in kept for v in (got if k in _LISTS else got[-1:])])


QueueView = Annotated[str, Query(pattern="^(list|map)$")]
# These leave the query string when a column header sets a new order.
_RESORT_DROPS = ("sort", "dir", "page")


def _sort_links(query: str, flt: queue.QueueFilter) -> dict[str, dict[str, str]]:
    """Each sortable column's link (its usual way first, the other way when already sorted by
    it) and its aria-sort."""
    pairs = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k not in _RESORT_DROPS]
    links = {}
    for key, usual in queue_order.SORTS.items():
        current = flt.sort == key
        way = ("desc" if flt.direction == "asc" else "asc") if current else usual
        links[key] = {
            "href": "?" + urlencode([*pairs, ("sort", key), ("dir", way)]),
            "aria": ("ascending" if flt.direction == "asc" else "descending") if current else "",
        }
    return links


def _queue(
    request: Request, session, settings, visitor, flt, bulk_result=None, view="list"
) -> Response:  # type: ignore[no-untyped-def]
    result = queue.search(session=session, user=visitor.user, flt=flt, settings=settings)
    query = request.url.query
    return render(
        request,
        "triage/queue.html",
        {
            "result": result,
            "flt": flt,
            "query": query,
            "sort_links": _sort_links(query, flt),
            "select_all_cap": queue.SELECT_ALL_CAP,
            "categories": categories.active(session=session),
            "zones": zones.listed(session=session),
            "units": triage.units(session=session),
            "staff": assignment.staff(session=session),
            "statuses": list(Status),
            "priorities": list(Priority),
            "bulk_result": bulk_result,
            "view": view,
            "photos_waiting_query": PHOTOS_WAITING_QUERY,
            "photos_waiting": None
            if is_htmx(request)
            else queue.photos_waiting(session=session, user=visitor.user, settings=settings),
        },
        block="results",
    )


# The queue's link to what waits for moderation: every status, those with such a photo.
PHOTOS_WAITING_QUERY = urlencode(
    [*(("status", s.value) for s in Status), ("photos_waiting", "true")]
)


@router.get("")
def queue_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    visitor: VisitorDep,
    flt: FilterDep,
    view: QueueView = "list",
) -> Response:
    """Everything routed to this person's desk, filtered, as a list or a map; htmx swaps only
    the results. A search for the number of a report the visitor may see opens that report."""
    number = fulltext.jump_target(session=session, user=visitor.user, text=flt.text or "")
    if number is not None:  # htmx would swap the report's page into the list: it navigates
        url = f"/triage/{number}"
        return (
            Response(headers={"HX-Redirect": url})
            if is_htmx(request)
            else RedirectResponse(url, 303)
        )
    return _queue(request, session, settings, visitor, flt, view=view)


@router.get("/counts")
def queue_counts(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    visitor: VisitorDep,
    flt: FilterDep,
) -> Response:
    """The filter's counts alone: htmx asks again after each inline change in a row."""
    result = queue.counts(session=session, user=visitor.user, flt=flt, settings=settings)
    return render(
        request, "triage/_queue_counts.html", {"result": result, "statuses": list(Status)}
    )


@router.get("/map.geojson")
def queue_geojson(
    session: SessionDep, settings: SettingsDep, visitor: VisitorDep, flt: FilterDep
) -> JSONResponse:
    """The queue's filter as GeoJSON points (capped; `total` says how many matched). The map
    view itself reads the lighter /triage/map.json."""
    points = queue_map.map_points(session=session, user=visitor.user, flt=flt, settings=settings)
    return JSONResponse(
        {
            "type": "FeatureCollection",
            "features": points.features,
            "total": points.total,
            "labels": points.labels,
        },
        media_type="application/geo+json",
        headers={"Cache-Control": "no-store"},
    )


@router.get("/map.json")
def queue_map_points(
    session: SessionDep, settings: SettingsDep, visitor: VisitorDep, flt: FilterDep
) -> JSONResponse:
    """The map view's points, compact: [id, lat, lon, status, priority, overdue, category],
    the codes being places in the tables sent once (capped; `total` says how many matched)."""
    points = queue_map.map_points(session=session, user=visitor.user, flt=flt, settings=settings)
    return JSONResponse(
        {
            "fields": ["id", "lat", "lon", "status", "priority", "overdue", "category"],
            "points": points.points,
            "statuses": [str(s) for s in queue_map.STATUS_CODES],
            "priorities": [str(p) for p in queue_map.PRIORITY_CODES],
            "categories": points.categories,
            "labels": points.labels,
            "total": points.total,
        },
        headers={"Cache-Control": "no-store"},
    )


@router.post("/bulk")
def bulk_status(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    visitor: VisitorDep,
    flt: FilterDep,
    to: Annotated[Status, Form()],
    ids: Annotated[list[Annotated[int, Field(ge=1, le=2**31 - 1)]], Form(max_length=500)] = [],  # noqa: B006
    every: Annotated[bool, Form()] = False,
) -> Response:
    """One move for the selected rows, or for every row of the filter (`every`, up to
    SELECT_ALL_CAP); each row is checked on its own, refusals are listed."""
    result = triage.bulk_move(
        session=session,
        ids=queue.ordered_ids(
            session=session,
            user=visitor.user,
            flt=flt,
            settings=settings,
            limit=queue.SELECT_ALL_CAP,
        )
        if every
        else ids,
        to=to,
        actor=visitor.user,
    )
    return _queue(request, session, settings, visitor, flt, bulk_result=result)
