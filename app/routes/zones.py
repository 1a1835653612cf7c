"""Zones for maps and GIS."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from app.deps import SessionDep
from app.services import zones

router = APIRouter()


@router.get("/zones.geojson")
def zone_outlines(session: SessionDep) -> JSONResponse:
    """Every district as GeoJSON (the capture map draws them when no tiles load)."""
    return JSONResponse(
        zones.feature_collection(session=session),
        media_type="application/geo+json",
        headers={"Cache-Control": "public, max-age=300"},
    )
