"""Staff moderating a report's photos on its page: approve, hide, blur a region, remove the
blur (services/photo_moderation). htmx gets the photo's card back; a plain form goes back to
the report page."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Form, HTTPException, Path, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from app.deps import (
    ObservationDep,
    SessionDep,
    SettingsDep,
    VisitorDep,
    require_csrf,
    require_role,
)
from app.i18n import gettext as _
from app.models import Observation, Photo, PhotoKind, Role
from app.services import photo_moderation, photo_public
from app.templating import is_htmx, render

# Guarded as the triage desk is; visibility decides per report (ObservationDep).
router = APIRouter(
    prefix="/triage",
    dependencies=[Depends(require_role(Role.triager, Role.unit_worker)), Depends(require_csrf)],
)
PhotoId = Annotated[int, Path(ge=1, le=2**31 - 1)]
Percent = Annotated[float, Form(ge=0, le=100, allow_inf_nan=False)]


@router.post("/{observation_id}/photos/{photo_id}/review")
def review_photo(
    request: Request,
    obs: ObservationDep,
    session: SessionDep,
    visitor: VisitorDep,
    photo_id: PhotoId,
    decision: Annotated[Literal["approve", "hide", "unblur"], Form()],
) -> Response:
    """Show the photo to the public, hide it, or forget its blurred copy."""
    photo = _photo(session, obs, photo_id)
    act = {
        "approve": photo_moderation.approve,
        "hide": photo_moderation.hide,
        "unblur": photo_moderation.unblur,
    }[decision]
    try:
        act(session=session, obs=obs, photo=photo, actor=visitor.user)
    except photo_moderation.ModerationRefused as exc:
        return _answer(request, obs, photo, error=exc.message, status_code=exc.status_code)
    return _answer(request, obs, photo)


@router.post("/{observation_id}/photos/{photo_id}/blur")
def blur_photo(
    request: Request,
    obs: ObservationDep,
    session: SessionDep,
    settings: SettingsDep,
    visitor: VisitorDep,
    photo_id: PhotoId,
    left: Percent,
    top: Percent,
    width: Percent,
    height: Percent,
) -> Response:
    """Blur a region (in per cent of the photo, from its top left) of what the public sees."""
    photo = _photo(session, obs, photo_id)
    try:
        region = photo_moderation.Region.checked(left / 100, top / 100, width / 100, height / 100)
        photo_moderation.blur(
            session=session,
            obs=obs,
            photo=photo,
            actor=visitor.user,
            region=region,
            settings=settings,
        )
    except photo_moderation.ModerationRefused as exc:
        return _answer(request, obs, photo, error=exc.message, status_code=exc.status_code)
    return _answer(request, obs, photo)


def _photo(session: SessionDep, obs: Observation, photo_id: int) -> Photo:
    try:
        return photo_moderation.photo_of(session=session, obs=obs, photo_id=photo_id)
    except photo_moderation.ModerationRefused as exc:
        raise HTTPException(exc.status_code, exc.message) from exc


def _answer(
    request: Request,
    obs: Observation,
    photo: Photo,
    *,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    if is_htmx(request):
        n = photo.position + 1
        alt = (
            _("The place after the fix, photo %(n)s", n=n)
            if photo.kind == PhotoKind.after
            else _("Photo %(n)s of the place", n=n)
        )
        return render(
            request,
            "triage/_photo_review.html",
            {
                "photo": photo,
                "obs_id": obs.id,
                "alt": alt,
                "moderation_error": error,
                "photo_url": photo_public.photo_url,
            },
            status_code=status_code,
        )
    if error is not None:
        raise HTTPException(status_code, error)
    target = request.url_for("observation_detail", observation_id=obs.id)
    return RedirectResponse(f"{target}#photo-{photo.id}", status_code=303)
