"""The agreement's follow-up: its indicators, for coordinators (who manage it) and for
planners and triagers (who read it)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from app.deps import SessionDep, SettingsDep, require_csrf, require_follow_up_reader
from app.services import follow_up_page
from app.templating import render

router = APIRouter(
    prefix="/follow-up",
    dependencies=[Depends(require_follow_up_reader), Depends(require_csrf)],
)


@router.get("")
def page(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    view = follow_up_page.build(session=session, settings=settings)
    return render(request, "follow_up/index.html", {"view": view})
