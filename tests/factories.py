"""Test data made for real: photos encoded by Pillow (with EXIF), observation posts."""

from __future__ import annotations

import uuid
from io import BytesIO
from typing import Any

from fastapi.testclient import TestClient
from PIL import ExifTags, Image, ImageDraw
from sqlmodel import Session, func, select

CENTRUM = (65.8253, 21.6880)  # a point inside the demo zone "Centrum"
JSON = {"Accept": "application/json"}
# A post whose browser sent no position (none allowed, or none found).
NO_POSITION: dict[str, None] = {
    "lat": None,
    "lon": None,
    "accuracy_m": None,
    "position_source": None,
}


def count(session: Session, model: type) -> int:
    """Rows of a table as the database has them now."""
    session.expire_all()
    return session.exec(select(func.count()).select_from(model)).one()


def _rational_dms(value: float) -> tuple[float, float, float]:
    value = abs(value)
    degrees = int(value)
    minutes_full = (value - degrees) * 60
    minutes = int(minutes_full)
    seconds = round((minutes_full - minutes) * 60, 4)
    return (float(degrees), float(minutes), seconds)


def photo_exif(
    *,
    orientation: int | None = None,
    gps: tuple[float, float] | None = None,
    camera_serial: str | None = None,
) -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "TestPhone"
    exif[ExifTags.Base.Model] = "Model 12"
    if camera_serial:
        exif[ExifTags.Base.BodySerialNumber] = camera_serial
    if orientation:
        exif[ExifTags.Base.Orientation] = orientation
    if gps:
        lat, lon = gps
        exif[ExifTags.IFD.GPSInfo] = {
            ExifTags.GPS.GPSLatitudeRef: "N" if lat >= 0 else "S",
            ExifTags.GPS.GPSLatitude: _rational_dms(lat),
            ExifTags.GPS.GPSLongitudeRef: "E" if lon >= 0 else "W",
            ExifTags.GPS.GPSLongitude: _rational_dms(lon),
        }
    return exif


def landscape_picture(width: int = 1200, height: int = 800) -> Image.Image:
    """A picture whose top-left is red and the rest blue, so orientation can be checked."""
    img = Image.new("RGB", (width, height), (30, 60, 200))
    draw = ImageDraw.Draw(img)
    draw.rectangle((0, 0, width // 3, height // 3), fill=(220, 20, 20))
    return img


def jpeg_bytes(
    width: int = 1200,
    height: int = 800,
    *,
    orientation: int | None = None,
    gps: tuple[float, float] | None = None,
    comment: bytes | None = None,
    camera_serial: str | None = None,
    quality: int = 90,
) -> bytes:
    out = BytesIO()
    params: dict[str, Any] = {
        "exif": photo_exif(orientation=orientation, gps=gps, camera_serial=camera_serial),
        "quality": quality,
    }
    if comment:
        params["comment"] = comment
    landscape_picture(width, height).save(out, "JPEG", **params)
    return out.getvalue()


def png_bytes(width: int = 64, height: int = 64) -> bytes:
    out = BytesIO()
    landscape_picture(width, height).save(out, "PNG")
    return out.getvalue()


def heic_bytes(
    width: int = 640, height: int = 480, *, gps: tuple[float, float] | None = None
) -> bytes:
    import pillow_heif

    pillow_heif.register_heif_opener()
    out = BytesIO()
    landscape_picture(width, height).save(out, "HEIF", exif=photo_exif(gps=gps).tobytes())
    return out.getvalue()


def observation_fields(**overrides: Any) -> dict[str, str]:
    fields = {
        "client_id": str(uuid.uuid4()),
        "category": "dark-spot",
        "lat": str(CENTRUM[0]),
        "lon": str(CENTRUM[1]),
        "accuracy_m": "12",
        "position_source": "gps",
        "description": "The lamp by the underpass is out.",
        "unsafe_level": "4",
        "dark": "dark",
    }
    fields.update({k: str(v) for k, v in overrides.items() if v is not None})
    for key in [k for k, v in overrides.items() if v is None]:
        fields.pop(key, None)
    return fields


def post_observation(
    client: TestClient,
    *,
    photos: list[tuple[str, bytes, str]] | None = None,
    headers: dict[str, str] | None = None,
    **overrides: Any,
):  # type: ignore[no-untyped-def]
    """POST /observations as the form does; `photos` are (filename, bytes, content type)."""
    files = [("photo", photo) for photo in (photos or [])]
    return client.post(
        "/observations",
        data=observation_fields(**overrides),
        files=files or None,
        headers=headers or {},
    )


STAFF_PASSWORD = "correct horse battery staple"


def make_staff(session: Session, role: str, *, unit: str | None = None, email: str | None = None):  # type: ignore[no-untyped-def]
    """A staff account of `role` (and, for unit staff, of the unit with slug `unit`)."""
    from app.models import Role, Unit
    from app.services import auth

    unit_id = None
    if unit:
        unit_id = session.exec(select(Unit).where(Unit.slug == unit)).one().id
    return auth.create_user(
        session=session,
        email=email or f"{role}-{uuid.uuid4().hex[:6]}@boden.example",
        name=f"Test {role}",
        password=STAFF_PASSWORD,
        role=Role(role),
        unit_id=unit_id,
    )


def login_form_token(client: TestClient) -> str:
    page = client.get("/login")
    return page.text.split('name="login_csrf" value="')[1].split('"')[0]


def log_in(client: TestClient, email: str, password: str = STAFF_PASSWORD):  # type: ignore[no-untyped-def]
    """Log in through the login form, as a person does."""
    return client.post(
        "/login",
        data={"email": email, "password": password, "login_csrf": login_form_token(client)},
        follow_redirects=False,
    )


def login_as(client: TestClient, session: Session, role: str, *, unit: str | None = None):  # type: ignore[no-untyped-def]
    """A new staff member of `role`, logged in on `client`; returns the user."""
    user = make_staff(session, role, unit=unit)
    answer = log_in(client, user.email)
    assert answer.status_code == 303, answer.text
    return user


def csrf_token(client: TestClient, page: str = "/staff") -> str:
    """The session's CSRF token, as the page gives it to its forms."""
    text = client.get(page).text
    return text.split('name="csrf_token" value="')[1].split('"')[0]


def insert_observation(
    session: Session,
    *,
    lat: float,
    lon: float,
    category: str = "dark-spot",
    created_at: Any = None,
    commit: bool = True,
    **fields: Any,
):  # type: ignore[no-untyped-def]
    """An observation written straight to the database (for figures over many reports, where
    posting each one through the capture form would only be slow): placed in its zones like a
    captured one, with its own token. Any Observation field can be given."""
    from app import clock
    from app.models import Category, Observation, PositionSource
    from app.services import zones

    category_id = session.exec(select(Category.id).where(Category.slug == category)).one()
    at = created_at or clock.now()
    obs = Observation(
        client_id=uuid.uuid4(),
        token=uuid.uuid4().hex,
        category_id=category_id,
        lat=lat,
        lon=lon,
        position_source=fields.pop("position_source", PositionSource.map),
        dark=fields.pop("dark", False),
        created_at=at,
        observed_at=fields.pop("observed_at", at),
        status_changed_at=fields.pop("status_changed_at", at),
        **fields,
    )
    found = zones.place(session=session, lat=lat, lon=lon)
    zone = zones.innermost(found)
    obs.zone_id = zone.id if zone else None
    session.add(obs)
    session.flush()  # its id, for its rows in each zone that contains it
    zones.link(session=session, observation_id=obs.id, found=found)  # type: ignore[arg-type]
    if commit:
        session.commit()
        session.refresh(obs)
    return obs


def sent_anew(answer) -> bool:  # type: ignore[no-untyped-def]
    """A plain form post (no htmx, no JSON), followed: it answered 303 to the report's tracking
    page with ?sent=1 (a new report; a replay gets "again"), and that page answered 200."""
    first = answer.history[0] if answer.history else None
    return (
        answer.status_code == 200
        and first is not None
        and first.status_code == 303
        and "?sent=1" in first.headers["location"]
    )
