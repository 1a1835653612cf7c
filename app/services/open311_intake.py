"""Open311 GeoReport v2, POST requests: a client system's service request becomes an
observation through the same door as the capture form (observations.capture: routing,
duplicates, the photo pipeline, idempotency)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, BinaryIO

from sqlmodel import Session

from app.config import Settings

# The POST body for the OpenAPI schema (the route reads the form itself: attribute[...]).
REQUEST_BODY: dict[str, Any] = {}


def post(
    *,
    session: Session,
    settings: Settings,
    fields: Sequence[tuple[str, str]],
    media: Sequence[BinaryIO],
    idempotency_key: str | None,
) -> list[Mapping[str, Any]]:
    raise NotImplementedError
