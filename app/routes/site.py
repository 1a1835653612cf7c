"""Pages for everyone: the language switch and the health check."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import JSONResponse, RedirectResponse
from sqlalchemy import text

from app.config import LANGUAGES
from app.deps import SessionDep, local_path
from app.i18n import LANGUAGE_COOKIE

router = APIRouter()
ONE_YEAR = 365 * 24 * 3600


@router.get("/lang/{lang}")
def switch_language(
    lang: Annotated[str, Path(max_length=8)], next: Annotated[str, Query(max_length=500)] = "/"
) -> RedirectResponse:
    """Set the language, then go back to the page the visitor came from (on this site only)."""
    response = RedirectResponse(local_path(next), status_code=303)
    if lang in LANGUAGES:
        response.set_cookie(LANGUAGE_COOKIE, lang, max_age=ONE_YEAR, samesite="lax", httponly=True)
    return response


@router.get("/healthz", include_in_schema=False)
def health(session: SessionDep) -> JSONResponse:
    session.exec(text("SELECT 1"))  # type: ignore[call-overload]
    return JSONResponse({"status": "ok"})
