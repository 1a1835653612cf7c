"""Open311 GeoReport v2, POST requests: a client system's service request becomes an
observation through the same door as the capture form (observations.capture: routing,
duplicates, the photo pipeline, idempotency).

Every POST with a known key is counted against the key's hourly limit and logged (an ApiPost
row, and a line in the log with the key's name), whatever its outcome."""

from __future__ import annotations

import logging
import math
import re
import uuid
from collections.abc import Mapping, Sequence
from io import BytesIO
from typing import Any, BinaryIO

from sqlmodel import Session

from app import clock
from app.config import Settings
from app.i18n import gettext as _
from app.models import ApiClient, Category, Observation
from app.services import (
    categories,
    deadlines,
    geocoding_search,
    media_fetch,
    observations,
    open311,
    open311_attributes,
    open311_keys,
    photo_moderation,
    photos,
    submission,
)
from app.services.media_store import MediaStore
from app.services.open311_format import Open311Error

log = logging.getLogger("safetywalk")

DESCRIPTION_MAX_CHARS = 4000  # the spec's limit, and Observation.description's
# A client's retries with one Idempotency-Key are one observation: its client_id is derived
# from the key (and the client system, so two systems' keys never meet).
IDEMPOTENCY_NAMESPACE = uuid.UUID("5b0c3f52-7a1e-4c8e-9a53-0f3a1d6e2b71")
ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]+)\](\[\])?$")
NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
# Control characters other than tab, newline and CR: never meant in a description.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
GEOCODER_RETRY_AFTER = 60  # seconds, when the geocoder gave no hint of its own

_TEXT = {"type": "string", "maxLength": 2000}
_PROPERTIES: dict[str, Any] = {
    "api_key": {**_TEXT, "description": "The client system's API key"},
    "jurisdiction_id": {**_TEXT, "maxLength": 200},
    "service_code": {**_TEXT, "maxLength": 64, "description": "A service's code"},
    "lat": {"type": "number", "minimum": -90, "maximum": 90},
    "long": {"type": "number", "minimum": -180, "maximum": 180},
    "address_string": {**_TEXT, "description": "Geocoded near the municipality"},
    "address_id": {**_TEXT, "description": "Not supported: no address register"},
    "email": {**_TEXT, "maxLength": 320, "description": "The reporter's, for replies"},
    "device_id": _TEXT,
    "account_id": _TEXT,
    "first_name": _TEXT,
    "last_name": _TEXT,
    "phone": _TEXT,
    "description": {"type": "string", "maxLength": 4000},
    "media_url": {**_TEXT, "description": "A photo, fetched from the hosts the operator lists"},
}
# The POST body for the OpenAPI schema (the route reads the form itself: attribute[...]).
REQUEST_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "properties": _PROPERTIES,
                    "required": ["api_key", "service_code"],
                }
            },
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        **_PROPERTIES,
                        "media": {"type": "string", "format": "binary"},
                    },
                    "required": ["api_key", "service_code"],
                }
            },
        },
    }
}
# What capture calls a field, as the spec calls it (a refusal names the client's parameter).
_PARAMETERS = {
    "contact_email": "email",
    "category": "service_code",
    "description": "description",
    "photo": "media",
    "unsafe_level": "attribute[unsafe_level]",
    "dark": "attribute[dark]",
}


def check_content_type(content_type: str | None, content_length: str | None) -> None:
    """The body must be a form (the spec's urlencoded, or multipart for `media`); a POST with
    no body at all may carry its parameters in the query."""
    kind = (content_type or "").split(";", 1)[0].strip().lower()
    if kind in FORM_TYPES or (not kind and (content_length or "0").strip() in ("", "0")):
        return
    raise Open311Error(
        400,
        _(
            "Send the parameters as application/x-www-form-urlencoded (or multipart/form-data "
            "with a media file), not %(type)s.",
            type=kind[:100] or "?",
        ),
    )


class _Given:
    """The POST's parameters, query and body together; an empty value is no value (the spec:
    a null parameter is a parameter not declared)."""

    def __init__(self, fields: Sequence[tuple[str, str]]) -> None:
        self.fields = fields

    def one(self, name: str) -> str:
        return next((v.strip() for k, v in self.fields if k == name and v.strip()), "")

    def all(self, name: str) -> list[str]:
        return [v.strip() for k, v in self.fields if k == name and v.strip()]

    def attributes(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for key, value in self.fields:
            if match := ATTRIBUTE.match(key):
                found.setdefault(match.group(1), []).append(value)
        return found


def post(
    *,
    session: Session,
    settings: Settings,
    fields: Sequence[tuple[str, str]],
    media: Sequence[BinaryIO],
    store: MediaStore,
    idempotency_key: str | None,
    query: Sequence[tuple[str, str]] = (),
) -> list[Mapping[str, Any]]:
    """Store one service request for the client whose api_key came with it (`fields`: the
    body; `query`: the address's parameters, which may carry all but the key); the answer's
    service_request_id is the observation's number."""
    given = _Given([*query, *fields])
    try:
        if any(name == "api_key" for name, _value in query):
            # An address ends up in access logs and proxies' logs: the key would with it.
            raise Open311Error(
                403, _("Send api_key in the body, not in the address (addresses are logged).")
            )
        client = open311_keys.authenticate(session=session, key=_Given(fields).one("api_key"))
    except Open311Error as exc:
        log.info("open311 POST refused (%s): %s", exc.status_code, exc.description)
        raise
    service_code = given.one("service_code")
    try:
        open311.check_jurisdiction(settings, given.one("jurisdiction_id"))
        post_id = open311_keys.take_post(
            session=session,
            client=client,
            default_per_hour=settings.open311_posts_per_hour,
            service_code=service_code,
            now=clock.now(),
        )
    except Open311Error as exc:
        log.info("open311 POST by %s: %s %s", client.name, exc.status_code, exc.description)
        raise
    try:
        observation = _store(
            session=session,
            settings=settings,
            client=client,
            given=given,
            media=media,
            store=store,
            idempotency_key=idempotency_key,
        )
    except Open311Error as exc:
        open311_keys.finish_post(
            session=session, post_id=post_id, status_code=exc.status_code, error=exc.description
        )
        log.info("open311 POST by %s: %s %s", client.name, exc.status_code, exc.description)
        raise
    except Exception:
        open311_keys.finish_post(
            session=session, post_id=post_id, status_code=500, error="server error"
        )
        log.exception("open311 POST by %s failed", client.name)
        raise
    open311_keys.finish_post(
        session=session, post_id=post_id, status_code=200, observation_id=observation.id
    )
    log.info("open311 POST by %s: 200 service request %s", client.name, observation.id)
    category = session.get(Category, observation.category_id)
    if category is not None and category.private:
        # A "blackbox" service (open311.service_list): its requests are never readable, so
        # no id is given to look for; the reporter hears from the staff by e-mail.
        return [
            {"service_notice": _notice(observation, settings, public=False), "account_id": None}
        ]
    return [
        {
            "service_request_id": observation.id,
            "service_notice": _notice(observation, settings, public=True),
            "account_id": None,
        }
    ]


def _notice(observation: Observation, settings: Settings, *, public: bool) -> str:
    days = deadlines.due_days(settings)[observation.priority]
    if not public:
        return _(
            "Received. It goes to the municipality's staff only and is never published.",
        )
    # The public page, not the reporter's tracking link: a client may show this notice to
    # anyone, and the tracking link is the reporter's alone (it comes in their e-mails).
    link = f"{settings.public_url.rstrip('/')}/reports/{observation.id}"
    return _(
        "Received. The municipality aims to deal with it within %(days)s days. Follow it at "
        "%(link)s",
        days=days,
        link=link,
    )


def _store(
    *,
    session: Session,
    settings: Settings,
    client: ApiClient,
    given: _Given,
    media: Sequence[BinaryIO],
    store: MediaStore,
    idempotency_key: str | None,
) -> Observation:
    key = (idempotency_key or "").strip()
    if key:
        client_id = uuid.uuid5(IDEMPOTENCY_NAMESPACE, f"{client.id}:{key}")
        replayed = observations.by_client_id(session=session, client_id=client_id)
        if replayed is not None:  # a retry: not fetched, geocoded or checked again
            return replayed
    else:
        client_id = uuid.uuid4()

    code = given.one("service_code")
    category = categories.by_slug(session=session, slug=code) if code else None
    if not code:
        raise Open311Error(400, _("service_code is required."))
    if category is None:
        raise Open311Error(404, _("service_code %(code)s was not found.", code=code[:64]))
    answers = open311_attributes.form_fields(category, given.attributes())

    description = given.one("description")
    if _CONTROL.search(description):
        raise Open311Error(400, _("description may not hold control characters (such as NUL)."))
    # first_name, last_name, phone, device_id and account_id are accepted and dropped: we keep
    # no names or numbers of residents, only an e-mail address for replies when one is given.
    raw: dict[str, str | None] = {
        "client_id": str(client_id),
        "category": category.slug,
        "description": description,
        "contact_email": given.one("email"),
        **answers,
    }
    media_urls = given.all("media_url")
    if len(media_urls) > 1:  # the spec has one; each fetch holds a worker for its deadline
        raise Open311Error(400, _("Send one media_url (or the photos as media files)."))
    if len(media) + len(media_urls) > settings.photos_per_observation:
        raise Open311Error(
            400, _("At most %(n)s photos per service request.", n=settings.photos_per_observation)
        )
    address = given.one("address_string")
    raw["lat"], raw["lon"] = _position(
        given, settings, address, has_media=bool(media or media_urls)
    )
    raw["position_source"] = "map"
    uploads: list[bytes | BinaryIO] = list(media)
    for url in media_urls:
        try:
            uploads.append(BytesIO(media_fetch.fetch(url, settings=settings)))
        except media_fetch.MediaRefused as exc:
            raise Open311Error(400, exc.description) from None
    try:
        result = observations.capture(
            session=session,
            raw=raw,
            uploads=uploads,
            store=store,
            limits=photos.limits(settings),
            max_photos=settings.photos_per_observation,
            # The spec's limit (the column's too); the form's own may be lower.
            description_max=DESCRIPTION_MAX_CHARS,
            api_client_id=client.id,
            photo_review=photo_moderation.initial_review(settings),
        )
    except submission.InvalidSubmission as exc:
        raise _refusal(exc) from None
    # address_string only finds the place: it is "human entered" and may name people, so it
    # is not published as the address (the background pass finds the street's).
    return result.observation


def _position(
    given: _Given, settings: Settings, address: str, *, has_media: bool
) -> tuple[str, str]:
    """lat and long as capture reads them: sent, else found for address_string; ("", "") when
    a photo's EXIF position may still serve."""
    lat_text, lon_text = given.one("lat"), given.one("long")
    if lat_text or lon_text:
        lat, lon = _number(lat_text), _number(lon_text)
        if lat is None or lon is None:
            raise Open311Error(400, _("lat and long must both be sent, as decimal degrees."))
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise Open311Error(
                400, _("lat must lie within -90 and 90, long within -180 and 180 (WGS84).")
            )
        return repr(lat), repr(lon)
    if address:
        return _geocoded(settings, address)
    if given.one("address_id"):
        raise Open311Error(
            400,
            _(
                "address_id is not supported: we keep no register of addresses. Send lat and "
                "long, or address_string."
            ),
        )
    if has_media:
        return "", ""
    raise Open311Error(400, _("A location is required: lat and long, or address_string."))


def _geocoded(settings: Settings, address: str) -> tuple[str, str]:
    try:
        found = geocoding_search.find(settings, address)
    except geocoding_search.NoGeocoder:
        raise Open311Error(
            400, _("address_string needs a geocoder, and none is set up here: send lat and long.")
        ) from None
    except geocoding_search.Unavailable as exc:
        log.warning("open311: the geocoder did not answer for an address_string: %s", exc)
        raise Open311Error(
            503,
            _("The geocoder is not available just now: try again later, or send lat and long."),
            headers={"Retry-After": str(exc.retry_after or GEOCODER_RETRY_AFTER)},
        ) from None
    if found is None:  # the address is not repeated: the answer is logged
        raise Open311Error(
            400, _("address_string was not found in the municipality: send lat and long.")
        )
    return repr(found[0]), repr(found[1])


def _number(text: str) -> float | None:
    if not NUMBER.match(text):
        return None
    number = float(text)
    return number if math.isfinite(number) else None


def _refusal(exc: submission.InvalidSubmission) -> Open311Error:
    """capture's refusal in the spec's terms: 400 naming the parameter (413 stays 413)."""
    field, message = next(iter(exc.errors.items()))
    if field == "position":  # no lat/long and no position in the photo's EXIF
        return Open311Error(
            400,
            _(
                "A location is required: lat and long, or address_string (the photo carries "
                "no position)."
            ),
        )
    status_code = 413 if exc.status_code == 413 else 400
    return Open311Error(status_code, f"{_PARAMETERS.get(field, field)}: {message}")
