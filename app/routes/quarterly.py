"""The public quarterly "what we did" (no login): the latest quarter that has ended, any earlier
one by its key ("2026-Q3"), and each as a short plain text for the web and the newsletter. And
the one staff action that feeds it: the owning unit shows a fix's before/after photos there."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Path, Query, Request
from fastapi.responses import PlainTextResponse, RedirectResponse
from starlette.responses import Response

from app import clock, i18n
from app.deps import (
    ObservationDep,
    SessionDep,
    SettingsDep,
    VisitorDep,
    require_csrf,
    require_role,
)
from app.models import Role
from app.services import quarterly, quarterly_photos, quarterly_text
from app.services.indicators import Period
from app.templating import render

router = APIRouter(prefix="/quarterly")
# Guarded as the triage desk is: the unit's staff and the desk (visibility decides per item).
staff = APIRouter(
    prefix="/triage",
    dependencies=[Depends(require_role(Role.triager, Role.unit_worker)), Depends(require_csrf)],
)
QuarterKey = Annotated[str, Path(max_length=16)]


def _period(key: str) -> Period:
    period = quarterly.by_key(key=key, now=clock.now())
    if period is None:
        raise HTTPException(status_code=404)
    return period


@router.get("")
def latest(request: Request, session: SessionDep) -> Response:
    """The latest quarter that has ended, with links to the earlier ones."""
    now = clock.now()
    page = quarterly.page(session=session, period=quarterly.latest_complete(now=now), now=now)
    return render(request, "quarterly/page.html", {"page": page})


@router.get("/{key}")
def one_quarter(request: Request, session: SessionDep, key: QuarterKey) -> Response:
    """One quarter that has ended; 404 for a quarter still running, to come, or no quarter."""
    page = quarterly.page(session=session, period=_period(key), now=clock.now())
    return render(request, "quarterly/page.html", {"page": page})


@router.get("/{key}/text")
def as_text(
    session: SessionDep,
    settings: SettingsDep,
    key: QuarterKey,
    lang: Annotated[str | None, Query(pattern="^(sv|en)$")] = None,
) -> PlainTextResponse:
    """The quarter as a few plain paragraphs, in the visitor's language or `?lang=`."""
    period = _period(key)
    chosen = lang or i18n.current_language()
    page_url = f"{settings.public_url.rstrip('/')}/quarterly/{period.key}"
    with i18n.using(chosen):
        body = quarterly_text.text(
            quarterly.build(session=session, period=period, now=clock.now()), page_url=page_url
        )
    return PlainTextResponse(body, headers={"Content-Language": chosen})


@staff.post("/{observation_id}/photos-published")
def publish_photos(
    request: Request,
    obs: ObservationDep,
    session: SessionDep,
    visitor: VisitorDep,
    published: Annotated[bool, Form()] = False,
) -> Response:
    """Show a fix's before/after photos on the quarterly page, or stop showing them (409 with
    the reason when that cannot be); back to the observation."""
    try:
        quarterly_photos.set_published(
            session=session, obs=obs, actor=visitor.user, published=published
        )
    except quarterly_photos.PublishRefused as exc:
        raise HTTPException(exc.status_code, exc.message) from exc
    return RedirectResponse(
        request.url_for("observation_detail", observation_id=obs.id), status_code=303
    )
