"""What the service worker keeps for offline use: the resident's assets, and a version that
changes whenever one of them (or the worker itself) does, so phones fetch the new ones."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

APP_DIR = Path(__file__).resolve().parent.parent
STATIC_DIR = APP_DIR / "static"
WORKER_TEMPLATE = APP_DIR / "templates" / "pwa" / "sw.js"
# The capture side's assets; staff-only scripts (the queue's map, clusters) stay out.
OFFLINE_ASSETS = (
    "css/app.css",
    "js/capture.js",
    "js/capture-outbox.js",
    "js/outbox.js",
    "js/pin.js",
    "js/my-reports.js",
    "js/walk-distance.js",
    "js/site.js",
    "vendor/htmx/*.js",
    "vendor/leaflet/*.js",
    "vendor/leaflet/*.css",
    "vendor/leaflet/images/*.png",
    "icons/*",
)


@cache
def precache() -> tuple[str, ...]:
    """The URLs to keep offline: the capture page, the districts, and the assets."""
    files = sorted(
        {p for pattern in OFFLINE_ASSETS for p in STATIC_DIR.glob(pattern) if p.is_file()}
    )
    return (
        "/",
        "/zones.geojson",
        *(f"/static/{p.relative_to(STATIC_DIR).as_posix()}" for p in files),
    )


@cache
def version() -> str:
    digest = hashlib.sha256(WORKER_TEMPLATE.read_bytes())
    for url in precache():
        if url.startswith("/static/"):
            digest.update(url.encode())
            digest.update((STATIC_DIR / url.removeprefix("/static/")).read_bytes())
    return digest.hexdigest()[:16]
