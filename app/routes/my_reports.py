"""The phone's "My reports": the statuses of the reports behind the links a phone has kept."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from app.deps import FORM_TYPES, FormDep, SessionDep
from app.i18n import gettext as _
from app.labels import status_label
from app.services import tracking

router = APIRouter()


@router.post("/observations/statuses")
def report_statuses(request: Request, form: FormDep, session: SessionDep) -> JSONResponse:
    """Number, status and last public change for each known token (a form field `tokens`,
    repeated); unknown ones get no answer. POST: the tokens stay out of the access logs."""
    content_type = request.headers.get("content-type", "").lower()
    if not content_type.startswith(FORM_TYPES):
        return JSONResponse({"error": _("Send the tokens as a form.")}, status_code=415)
    tokens = form.getlist("tokens")
    if not all(isinstance(token, str) for token in tokens):
        return JSONResponse({"error": _("A token is text, not a file.")}, status_code=422)
    try:
        found = tracking.statuses(session=session, tokens=[str(token) for token in tokens])
    except tracking.TooManyTokens:
        return JSONResponse(
            {"error": _("At most %(n)s reports at a time.", n=tracking.MAX_TOKENS)},
            status_code=422,
        )
    return JSONResponse(
        {
            "reports": [
                {
                    "token": s.token,
                    "number": s.number,
                    "status": s.status.value,
                    "status_label": status_label(s.status),
                    "updated": s.updated.isoformat(),
                }
                for s in found
            ]
        },
        headers={"Cache-Control": "no-store"},
    )
