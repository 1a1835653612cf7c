"""The values a new capture form starts with, built once for the plain capture page and for a
walk's capture page (which adds the walk, its factors and how many have joined)."""

from __future__ import annotations

import uuid

from sqlmodel import Session

from app import clock
from app.config import Settings
from app.models import Walk
from app.services import categories, daylight, walks
from app.services.factors import FACTORS


def walk_context(*, session: Session, code: str | None) -> dict[str, object]:
    """What the capture page shows on an open walk (nothing for no walk, or a closed one)."""
    walk, _closed = walks.walk_for_observation(session=session, code=code)
    if walk is None:
        return {}
    return {
        "walk": walk,
        "factors": FACTORS,
        "participants": walks.participant_count(session=session, walk=walk),
    }


def new(*, session: Session, settings: Settings, walk: Walk | None = None) -> dict[str, object]:
    """A fresh form: the active categories, a new client id (re-sending this same form is stored
    once) and dark or daylight preset for the map's centre now."""
    dark = daylight.is_dark(
        lat=settings.map_center_lat, lon=settings.map_center_lon, at=clock.now()
    )
    values = {"client_id": str(uuid.uuid4()), "dark": "dark" if dark else "daylight"}
    context: dict[str, object] = {
        "categories": categories.active(session=session),
        "values": values,
        "errors": {},
    }
    if walk is not None:
        values["walk_code"] = walk.join_code
        context.update(walk_context(session=session, code=walk.join_code))
    return context
