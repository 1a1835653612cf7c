"""Checking a submission: the capture form's and the API's fields, before anything is stored.

`validate` turns the raw fields into a `Submission` or raises `InvalidSubmission` with a message
per field (the form shows each beside its field; the API returns them as JSON).
"""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from babel.numbers import format_decimal
from sqlmodel import Session

from app import clock
from app.i18n import current_language
from app.i18n import gettext as _
from app.models import Category, CategoryKind, PositionSource
from app.services import categories, factors, text_input

EMAIL_RE = re.compile(r"^[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"']+$")
WALK_CODE_RE = re.compile(r"^[A-Za-z0-9-]{3,32}$")
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
# An observation kept offline may be sent days later; older claims are not believed.
OBSERVED_AT_MAX_AGE = timedelta(days=30)


class InvalidSubmission(Exception):
    """What is wrong, field by field, in words for the resident."""

    def __init__(self, errors: dict[str, str], status_code: int = 422) -> None:
        super().__init__(errors)
        self.errors = errors
        self.status_code = status_code


@dataclass(frozen=True)
class Submission:
    client_id: uuid.UUID
    category: Category
    lat: float | None
    lon: float | None
    accuracy_m: float | None
    position_source: PositionSource
    description: str
    unsafe_level: int | None
    dark: bool | None
    contact_email: str | None
    walk_code: str | None
    factors: str
    observed_at: datetime


def photo_message(reason: str, *, max_mb: float, max_mp: int) -> str:
    messages = {
        "empty": _("The photo is empty. Take it again or choose another one."),
        "too_big": _(
            "The photo is larger than %(mb)s MB. Choose a smaller one.",
            mb=format_decimal(max_mb, locale=current_language()),
        ),
        "too_many_pixels": _(
            "The photo has more than %(mp)s megapixels. Choose a smaller one.", mp=max_mp
        ),
        "not_an_image": _("That file is not a photo we can read. Use JPEG, PNG, WebP or HEIC."),
        "damaged": _("The photo is damaged or incomplete. Take it again or choose another one."),
    }
    return messages.get(reason, messages["damaged"])


def validate(
    raw: Mapping[str, str | None],
    *,
    session: Session,
    description_max: int,
    has_photos: bool = False,
    now: datetime | None = None,
) -> Submission:
    """Parse the submitted fields, or raise InvalidSubmission with a message for each bad one."""
    now = now or clock.now()
    errors: dict[str, str] = {}

    def text(name: str) -> str:
        # Control characters (NUL breaks PostgreSQL) are never meant: drop them, keep newlines.
        return text_input.clean(raw.get(name) or "")

    client_id: uuid.UUID | None = None
    try:
        client_id = uuid.UUID(text("client_id"))
    except ValueError:
        errors["client_id"] = _("The form is missing its id. Reload the page and try again.")

    category = categories.by_slug(session=session, slug=text("category") or "-")
    if category is None:
        errors["category"] = _("Choose what kind of place this is.")

    lat = _number(text("lat"))
    lon = _number(text("lon"))
    if (text("lat") or text("lon")) and (
        lat is None or lon is None or not (-90 <= lat <= 90) or not (-180 <= lon <= 180)
    ):
        errors["position"] = _("The position is not valid. Tap the map where the place is.")
        lat = lon = None

    elif lat is None and not has_photos:
        # With a photo, its EXIF position may still serve; that is checked once it is read.
        errors["position"] = _("Where is it? Use your position or tap the map to place the pin.")

    accuracy = _number(text("accuracy_m"))
    if text("accuracy_m") and (accuracy is None or not 0 <= accuracy <= 1_000_000):
        accuracy = None  # a nonsense accuracy is dropped, not held against the resident
    source_raw = text("position_source")
    if source_raw in (PositionSource.gps, PositionSource.map):
        source = PositionSource(source_raw)
    else:
        source = PositionSource.gps if accuracy is not None else PositionSource.map
    if source == PositionSource.map:
        accuracy = None  # a hand-placed pin has no measured accuracy

    description = text("description")
    if len(description) > description_max:
        errors["description"] = _(
            "The text is too long: at most %(n)s characters.", n=description_max
        )

    unsafe_level: int | None = None
    if text("unsafe_level"):
        try:
            unsafe_level = int(text("unsafe_level"))
        except ValueError:
            unsafe_level = 0
        if not 1 <= unsafe_level <= 5:
            errors["unsafe_level"] = _("Choose how unsafe it feels, from 1 to 5.")
            unsafe_level = None

    dark = {
        "dark": True,
        "1": True,
        "true": True,
        "daylight": False,
        "0": False,
        "false": False,
    }.get(text("dark").lower())
    if text("dark") and dark is None:
        errors["dark"] = _("Choose dark or daylight.")

    email = text("contact_email") or None
    if email and (len(email) > 320 or not EMAIL_RE.match(email)):
        errors["contact_email"] = _("That e-mail address does not look right.")

    walk_code = text("walk_code").upper() or None
    if walk_code and not WALK_CODE_RE.match(walk_code):
        errors["walk_code"] = _("That walk code is not valid.")

    observed_at = now
    if text("observed_at"):
        try:
            observed_at = datetime.fromisoformat(text("observed_at").replace("Z", "+00:00"))
            if observed_at.tzinfo is None:
                raise ValueError
            observed_at = min(observed_at.astimezone(UTC), now)
            if observed_at < now - OBSERVED_AT_MAX_AGE:
                observed_at = now
        except (ValueError, OverflowError):  # not a date, or a year at the edge of time
            observed_at = now

    if errors:
        raise InvalidSubmission(errors)
    assert client_id is not None and category is not None
    return Submission(
        client_id=client_id,
        category=category,
        lat=lat,
        lon=lon,
        accuracy_m=accuracy,
        position_source=source,
        description=description,
        unsafe_level=unsafe_level if category.kind == CategoryKind.problem else None,
        dark=dark,
        contact_email=email,
        walk_code=walk_code,
        factors=factors.parse_factors(text("factors").split(","))
        if category.kind == CategoryKind.problem
        else "",
        observed_at=observed_at,
    )


def _number(value: str) -> float | None:
    try:
        number = float(value.replace(",", "."))
    except ValueError:
        return None
    return number if math.isfinite(number) else None
