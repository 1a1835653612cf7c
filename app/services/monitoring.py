"""What an operator watches: figures read from the database when Prometheus scrapes /metrics,
and the photo pipeline's timing. Gauges come from the database, not from counters in memory,
so every app process reports the same backlog however many run."""

from __future__ import annotations

import ipaddress
import logging
from dataclasses import dataclass
from functools import lru_cache

from prometheus_client import Histogram
from sqlmodel import Session, func, select

from app import clock
from app.config import Settings
from app.models import Observation
from app.models.observation import Status
from app.services import outbox

log = logging.getLogger("safetywalk.metrics")

# Unregistered here: each app registers it on its own registry (tests build many apps). The
# buckets cover a thumbnail-sized PNG (tens of ms) to a 12 MP photo waiting for a decode slot.
PHOTO_INGEST_SECONDS = Histogram(
    "safetywalk_photo_ingest_seconds",
    "Time to check, clean and store one uploaded photo (waiting for a decode slot included)",
    buckets=(0.025, 0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1, 1.5, 2.5, 5, 10),
    registry=None,
)


@dataclass(frozen=True)
class Figures:
    outbox_waiting: int
    outbox_oldest_age_seconds: float  # 0 when nothing waits
    observations_by_status: dict[Status, int]  # every status, 0 included


def figures(*, session: Session, settings: Settings) -> Figures:
    """The outbox backlog and the observations per status, as they are now."""
    mail = outbox.status(session=session, settings=settings)
    oldest = 0.0
    if mail.oldest_waiting_at is not None:
        oldest = max(0.0, (clock.now() - mail.oldest_waiting_at).total_seconds())
    counts = dict.fromkeys(Status, 0)
    rows = session.exec(
        select(Observation.status, func.count()).group_by(Observation.status)  # type: ignore[call-overload]
    ).all()
    for status, count in rows:
        counts[Status(status)] = count
    return Figures(
        outbox_waiting=mail.waiting,
        outbox_oldest_age_seconds=oldest,
        observations_by_status=counts,
    )


def in_monitoring_network(address: str | None, networks: str) -> bool:
    """Whether a client at `address` may read /metrics and /readyz's details (`networks`: the
    metrics_networks setting). A client with no IP address (a test client, a Unix socket)
    may not."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return any(ip in network for network in _networks(networks))


@lru_cache(maxsize=4)
def _networks(text: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    # An entry that is not a network is skipped (and logged): the others still hold.
    found = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        try:
            found.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            log.error("SAFETYWALK_METRICS_NETWORKS: %r is not a network", part)
    return tuple(found)
