"""Observations as Open311 service requests: what the public page by number shows, in the
spec's fields, and nothing more (no e-mail, token, assignee, actor, internal note, walk code or
client system).

Dates are published to the day, as the public page shows them ("the date, not the minute"):
the page hides the minute so that a report cannot be tied to whoever was seen at the place
then, and this document reaches the same public with no key, in bulk. Each is the local
midnight that begins its day, with its offset (2026-12-01T00:00:00+01:00); the date filters
work on the same days (open311_query), so no window reveals more.

A page is five queries whatever its size: the requests with their categories, then their units,
first photos, latest public notes and merged reports' survivors, each by the
page's ids.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from app.config import Settings
from app.i18n import current_language
from app.i18n import gettext as _
from app.labels import status_label
from app.models import (
    OPEN_STATES,
    Category,
    CategoryKind,
    Observation,
    ObservationEvent,
    Photo,
    PhotoKind,
    Status,
    Unit,
)
from app.services import deadlines, photo_public
from app.services.open311_format import Open311Error
from app.services.open311_query import MAX_ID, RequestQuery, local_day, midnight


def find_requests(
    *, session: Session, settings: Settings, query: RequestQuery
) -> list[dict[str, Any]]:
    """The requests a GET requests asks for, newest first."""
    category_ids = _category_ids(session, query.codes) if query.ids is None else []
    return _documents(session, settings, session.exec(statement(query, category_ids)).all())


def statement(query: RequestQuery, category_ids: Sequence[int]) -> Select:
    """The page of public requests `query` asks for (`category_ids`: its service codes')."""
    found = (
        select(Observation, Category)
        .join(Category, col(Category.id) == Observation.category_id)
        .where(col(Category.private).is_(False))
        .order_by(col(Observation.created_at).desc(), col(Observation.id).desc())
    )
    if query.ids is not None:
        return found.where(col(Observation.id).in_(query.ids))
    found = found.where(
        col(Observation.created_at) >= query.since, col(Observation.created_at) < query.before
    )
    # Walk the created_at index (newest first, stopping after a page) within the window:
    # written as expressions, status and category cannot lure SQLite, which has no
    # statistics, onto their own indexes and a sort of every open report of all time.
    if category_ids:
        found = found.where((col(Observation.category_id) + 0).in_(category_ids))
    if query.statuses:
        found = found.where(col(Observation.status).op("||")("").in_(sorted(query.statuses)))
    return found.limit(query.page_size).offset((query.page - 1) * query.page_size)


def request_by_id(*, session: Session, settings: Settings, text: str) -> list[dict[str, Any]]:
    """One request, as a list of one; a 404 for what is not a public request's number."""
    number = text.strip()
    found: Sequence[tuple[Observation, Category]] = []
    if number.isascii() and number.isdigit() and 0 < int(number) <= MAX_ID:
        found = session.exec(
            select(Observation, Category)
            .join(Category, col(Category.id) == Observation.category_id)
            .where(Observation.id == int(number), col(Category.private).is_(False))
        ).all()
    if not found:
        raise Open311Error(404, _("service_request_id %(id)s not found.", id=number))
    return _documents(session, settings, found)


def _category_ids(session: Session, codes: Sequence[str]) -> list[int]:
    """The categories of these service codes; an unknown (or private) one is a 404. A retired
    category stays a code its earlier requests are found by."""
    if not codes:
        return []
    known = {
        category.slug: category.id
        for category in session.exec(
            select(Category).where(col(Category.slug).in_(codes), col(Category.private).is_(False))
        ).all()
    }
    for code in codes:
        if code not in known:
            raise Open311Error(404, _("service_code %(code)s not found.", code=code))
    return [known[code] for code in codes]  # type: ignore[misc]


def published(moment: datetime) -> str:
    """A date as published: the local midnight that begins its day, with its offset."""
    return midnight(local_day(moment)).isoformat()


@dataclass(frozen=True)
class _Around:
    """What a page of requests shows beside their own rows, loaded once for the page."""

    units: Mapping[int, Unit]
    first_photo: Mapping[int, str]  # its URL path
    latest_note: Mapping[int, tuple[datetime, str]]  # the latest public note, and when
    public_ids: frozenset[int]  # of the reports merged ones joined: those with a public page


def _around(session: Session, rows: Sequence[tuple[Observation, Category]]) -> _Around:
    ids = [obs.id for obs, _c in rows]
    unit_ids = {obs.unit_id for obs, _c in rows if obs.unit_id}
    merged_into = {obs.duplicate_of_id for obs, _c in rows if obs.duplicate_of_id}
    first_photo: dict[int, str] = {}
    for photo in session.exec(
        select(Photo)
        .where(
            col(Photo.observation_id).in_(ids),
            Photo.kind == PhotoKind.report,
            photo_public.clause(),
        )
        .order_by(col(Photo.position), col(Photo.id))
    ).all():
        shown = photo_public.shown(photo)
        if shown is not None:
            first_photo.setdefault(photo.observation_id, shown.url)
    latest_note: dict[int, tuple[datetime, str]] = {}
    for observation_id, at, note in session.exec(
        select(ObservationEvent.observation_id, ObservationEvent.at, ObservationEvent.note)
        .where(
            col(ObservationEvent.observation_id).in_(ids),
            col(ObservationEvent.public).is_(True),
            ObservationEvent.note != "",
        )
        .order_by(col(ObservationEvent.at), col(ObservationEvent.id))
    ).all():
        latest_note[observation_id] = (at, note)
    return _Around(
        units={u.id: u for u in session.exec(select(Unit).where(col(Unit.id).in_(unit_ids)))},  # type: ignore[misc]
        first_photo=first_photo,
        latest_note=latest_note,
        public_ids=frozenset(
            session.exec(
                select(Observation.id)
                .join(Category, col(Category.id) == Observation.category_id)
                .where(col(Observation.id).in_(merged_into), col(Category.private).is_(False))
            ).all()  # type: ignore[arg-type]
        ),
    )


def _documents(
    session: Session, settings: Settings, rows: Sequence[tuple[Observation, Category]]
) -> list[dict[str, Any]]:
    if not rows:
        return []
    around = _around(session, rows)
    lang = current_language()
    return [_document(obs, category, around, settings, lang) for obs, category in rows]


def _document(
    obs: Observation, category: Category, around: _Around, settings: Settings, lang: str
) -> dict[str, Any]:
    """One request, in the spec's fields and order."""
    is_open = obs.status in OPEN_STATES
    joined = obs.duplicate_of_id if obs.duplicate_of_id in around.public_ids else None
    noted = around.latest_note.get(obs.id)  # type: ignore[arg-type]
    unit = around.units.get(obs.unit_id)  # type: ignore[arg-type]
    updated = obs.status_changed_at
    if is_open and noted and noted[0] > updated:
        updated = noted[0]  # a later public note says more about it
    photo = around.first_photo.get(obs.id)  # type: ignore[arg-type]
    return {
        "service_request_id": obs.id,
        "status": "open" if is_open else "closed",
        "status_notes": _status_notes(obs.status, joined, noted[1] if noted else ""),
        "service_name": category.name(lang),
        "service_code": category.slug,
        "description": obs.description or None,
        # The unit only, as the public page: an outside owner may be a private person.
        "agency_responsible": unit.name(lang) if unit else None,
        "service_notice": _notice(category, joined),
        "requested_datetime": published(obs.created_at),
        "updated_datetime": published(updated),
        # A good place is kept, not fixed: no work is expected of anyone.
        "expected_datetime": (
            published(deadlines.due_at(obs, settings))
            if is_open and category.kind == CategoryKind.problem
            else None
        ),
        "address": obs.address or None,
        "address_id": None,
        "zipcode": None,
        "lat": obs.lat,
        "long": obs.lon,
        "media_url": settings.public_url.rstrip("/") + photo if photo else None,
    }


def _status_notes(status: Status, joined: int | None, note: str) -> str:
    """The detailed status in words, and the latest note the public page shows."""
    words = [status_label(status) + "."]
    if joined is not None:
        words.append(_("It is handled with request %(id)s.", id=joined))
    if note:
        words.append(note)
    return " ".join(words)


def _notice(category: Category, joined: int | None) -> str | None:
    if joined is not None:
        return _("Follow request %(id)s: this one was merged with it.", id=joined)
    if category.kind == CategoryKind.good:
        return _("A good place to keep: it is recorded, not fixed.")
    return None


def token_answer(obs: Observation | None, category: Category | None) -> list[Mapping[str, Any]]:
    """GET tokens/{token}: the request's id and the token asked about; 404 for no public one."""
    if obs is None or category is None or category.private:
        raise Open311Error(404, _("No service request has this token."))
    return [{"service_request_id": obs.id, "token": obs.token}]
