"""Pages for everyone: the language switch, and what makes the capture side
an installable web app that works offline (the manifest and the service worker)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import JSONResponse, RedirectResponse, Response

from app.config import LANGUAGES
from app.deps import local_path
from app.i18n import LANGUAGE_COOKIE, current_language
from app.i18n import gettext as _
from app.services import offline
from app.templating import templates

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


@router.get("/sw.js", include_in_schema=False)
def service_worker() -> Response:
    """The service worker, from the site's root so that it may serve "/" and "/w/{code}"."""
    body = templates.env.get_template("pwa/sw.js").render(
        version=offline.version(), precache=list(offline.precache())
    )
    # Always asked afresh: a phone must learn of new assets the next time it is online.
    return Response(body, media_type="text/javascript", headers={"Cache-Control": "no-cache"})


@router.get("/manifest.webmanifest", include_in_schema=False)
def web_app_manifest() -> JSONResponse:
    """What a phone needs to put the capture page on its home screen."""
    return JSONResponse(
        {
            "name": "SafetyWalk",
            "short_name": "SafetyWalk",
            "description": _("Report a place that feels unsafe, or one worth keeping."),
            "lang": current_language(),
            "start_url": "/",
            "scope": "/",
            "display": "standalone",
            "background_color": "#ffffff",
            "theme_color": "#0a4a82",
            "icons": [
                {
                    "src": f"/static/icons/app-{size}.png",
                    "sizes": f"{size}x{size}",
                    "type": "image/png",
                    "purpose": "any maskable",
                }
                for size in (192, 512)
            ],
        },
        media_type="application/manifest+json",
    )
