"""Privacy for residents: the page that says what is kept, why and how long, and the
reporter's "forget my e-mail" behind their tracking link."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import Response

from app.deps import Forbidden, SessionDep, SettingsDep, TrackedObservationDep
from app.services import retention
from app.templating import render

router = APIRouter()


@router.get("/privacy")
def privacy_page(request: Request) -> Response:
    """What personal data is kept, why, how long (from the retention settings), who to ask."""
    return render(request, "privacy/privacy.html")


@router.post("/observations/{token}/forget-email")
def forget_email(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    obs: TrackedObservationDep,
    forget_token: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    """Forget the reporter's e-mail address now; a second time says there is none left."""
    if not retention.forget_form_token_matches(
        secret_key=settings.ensure_secret_key(), tracking_token=obs.token, given=forget_token
    ):
        raise Forbidden("csrf")
    forgotten = retention.forget_email(session=session, obs=obs)
    return render(
        request,
        "privacy/forgotten.html",
        {"token": obs.token, "forgotten": forgotten},
        block="forget",
        status_code=200 if forgotten else 409,
    )
