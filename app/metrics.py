"""/metrics for Prometheus: requests and latency per route (prometheus-fastapi-instrumentator),
the photo pipeline's timing, and figures read from the database at scrape time (outbox
backlog and its oldest mail's age, observations per status).

Each app has a registry of its own. With several app processes, scrape each one (each has its
own port in `make cluster` and in docker-compose): request counters are per process; the
database figures are the same from every process."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

from fastapi import FastAPI
from prometheus_client import CollectorRegistry
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from prometheus_fastapi_instrumentator import Instrumentator, metrics
from prometheus_fastapi_instrumentator.metrics import Info
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from app.config import Settings
from app.observability import UNMATCHED
from app.services import monitoring

log = logging.getLogger("safetywalk.metrics")


def install(app: FastAPI, settings: Settings) -> None:
    """Count every request by route template; keep the registry on app.state for /metrics.
    Call before the other middleware is added: the instrumentation then sits innermost and
    sees the request as the router does."""
    registry = CollectorRegistry()
    instrumentator = Instrumentator(
        registry=registry,
        should_group_untemplated=True,  # an unknown path is "none", never a label of its own
        excluded_handlers=["^/metrics$"],
    )
    instrumentator.add(_templated_only(metrics.requests(registry=registry)))
    instrumentator.add(_templated_only(metrics.latency(registry=registry)))
    instrumentator.instrument(app)
    registry.register(monitoring.PHOTO_INGEST_SECONDS)
    registry.register(DatabaseFigures(app.state.engine, settings))
    app.state.metrics_registry = registry


def _templated_only(
    instrumentation: Callable[[Info], None] | None,
) -> Callable[[Info], None]:
    """The library names a trailing-slash path that would redirect by its raw path (a token in
    a label, and a label per path): such a name becomes "none" (see route_template)."""
    assert instrumentation is not None  # the library returns None only for no labels at all

    def apply(info: Info) -> None:
        handler = info.modified_handler
        if handler != "/" and handler.endswith("/"):
            info.modified_handler = UNMATCHED
        instrumentation(info)

    return apply


class DatabaseFigures(Collector):
    """Gauges read from the database when Prometheus scrapes, not counted in memory."""

    def __init__(self, engine: Engine, settings: Settings) -> None:
        self.engine = engine
        self.settings = settings

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily(
            "safetywalk_database_up", "1 when the database answered this scrape, else 0"
        )
        try:
            with Session(self.engine) as session:
                figures = monitoring.figures(session=session, settings=self.settings)
        except SQLAlchemyError as exc:
            log.warning("metrics: the database did not answer (%s)", type(exc).__name__)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield GaugeMetricFamily(
            "safetywalk_outbox_waiting",
            "E-mails in the outbox not sent yet",
            value=figures.outbox_waiting,
        )
        yield GaugeMetricFamily(
            "safetywalk_outbox_oldest_age_seconds",
            "Age of the oldest e-mail not sent yet (0 when none waits)",
            value=figures.outbox_oldest_age_seconds,
        )
        by_status = GaugeMetricFamily(
            "safetywalk_observations", "Observations by status", labels=["status"]
        )
        for status, count in figures.observations_by_status.items():
            by_status.add_metric([status.value], count)
        yield by_status
