"""What the operator's tools ask: /healthz (is the process alive?), /readyz (may it take
requests: database, media store, migrations at head?) and /metrics (Prometheus).

/healthz touches nothing outside the process, so a database outage does not make an
orchestrator restart every app server; /readyz is what a load balancer asks. /metrics and the
details of /readyz's failures are only for clients in `metrics_networks`."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from app.config import Settings
from app.db import migration_heads
from app.i18n import gettext as _
from app.services import media_store, monitoring, readiness

router = APIRouter(include_in_schema=False)
NO_STORE = {"Cache-Control": "no-store"}


@router.get("/healthz")
def health() -> JSONResponse:
    """Alive: the process answers (no database, no storage)."""
    return JSONResponse({"status": "ok"})


@router.get("/readyz")
def ready(request: Request) -> JSONResponse:
    """Ready: 200 when every check passes, else 503 naming the failing ones."""
    settings: Settings = request.app.state.settings
    results = readiness.check(
        engine=request.app.state.engine,
        store=media_store.open_store(settings),
        heads=migration_heads(),
    )
    if readiness.ready(results):
        return JSONResponse({"status": "ready", "checks": results}, headers=NO_STORE)
    if not _from_monitoring(request):
        results = readiness.without_details(results)
    return JSONResponse(
        {"status": "unavailable", "checks": results},
        status_code=503,
        headers={"Retry-After": "30", **NO_STORE},
    )


@router.get("/metrics")
def prometheus_metrics(request: Request) -> Response:
    """Prometheus's text format, for the monitoring network only."""
    if not _from_monitoring(request):
        raise HTTPException(403, _("Metrics are served to the monitoring network only."))
    body = generate_latest(request.app.state.metrics_registry)
    return Response(body, media_type=CONTENT_TYPE_LATEST, headers=NO_STORE)


def _from_monitoring(request: Request) -> bool:
    settings: Settings = request.app.state.settings
    host = request.client.host if request.client else None
    return monitoring.in_monitoring_network(host, settings.metrics_networks)
