"""Open311 GeoReport v2, the read side: our categories as services, observations as service
requests, the discovery document. Only what a public page shows leaves here: no e-mail, no
token, no staff, no private category (README: "Open311")."""

from __future__ import annotations

import re
from collections.abc import Mapping
from email.utils import parseaddr
from typing import Any

from sqlmodel import Session

from app.config import Settings
from app.i18n import current_language
from app.i18n import gettext as _
from app.models import Category, CategoryKind
from app.services import categories, observations, open311_attributes, open311_requests
from app.services.open311_format import SPECIFICATION, Open311Error
from app.services.open311_query import RequestQuery
from app.services.open311_requests import find_requests, request_by_id

# When this API's documents last changed in shape (discovery's "sortable" changeset).
CHANGESET = "2026-12-02T00:00:00Z"


def check_jurisdiction(settings: Settings, value: str | None) -> None:
    """None or "" is fine (this endpoint serves one jurisdiction); another than ours is a 404."""
    if value and value.strip() and value.strip().lower() != settings.jurisdiction_id.lower():
        raise Open311Error(404, _("jurisdiction_id %(id)s is not served here.", id=value.strip()))


def discovery(settings: Settings) -> Mapping[str, Any]:
    """The service discovery document: where the endpoint is, whom to ask, how to get a key."""
    return {
        "changeset": CHANGESET,
        "contact": settings.open311_contact.strip() or _default_contact(settings),
        "key_service": settings.open311_key_service.strip()
        or _(
            "API keys for posting service requests are made by the municipality's SafetyWalk "
            "administrator, one per client system. Reading needs no key."
        ),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": settings.public_url.rstrip("/") + "/open311/v2",
                "changeset": CHANGESET,
                "type": "production" if settings.environment == "production" else "test",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }


def _default_contact(settings: Settings) -> str:
    _name, address = parseaddr(settings.mail_from)
    return _(
        "The municipality that runs SafetyWalk at %(url)s (e-mail: %(address)s).",
        url=settings.public_url.rstrip("/"),
        address=address or settings.mail_from,
    )


def service_list(*, session: Session) -> list[Mapping[str, Any]]:
    """The active categories as services, in the order the form offers them."""
    lang = current_language()
    return [
        {
            "service_code": category.slug,
            "service_name": category.name(lang),
            "description": _service_description(category, lang),
            "metadata": bool(open311_attributes.attributes(category)),
            # A private category's requests are never readable: no id is given for them.
            "type": "blackbox" if category.private else "realtime",
            "keywords": _keywords(category, lang),
            "group": _("Good places") if category.kind == CategoryKind.good else _("Problems"),
        }
        for category in categories.active(session=session)
    ]


def _service_description(category: Category, lang: str) -> str:
    name = category.name(lang)
    if category.private:
        return _(
            "%(name)s: reports go to the municipality's staff only and are never published.",
            name=name,
        )
    if category.kind == CategoryKind.good:
        return _(
            "%(name)s: a place that feels safe and should stay so. Reports are public, "
            "without the reporter's contact details.",
            name=name,
        )
    return _(
        "%(name)s: a place that feels unsafe. The municipality follows reports up; they are "
        "public, without the reporter's contact details.",
        name=name,
    )


def _keywords(category: Category, lang: str) -> str:
    """Tags: the name in the other language, split at its commas, slashes and brackets, and
    the code's words."""
    other = category.name("en" if lang == "sv" else "sv")
    words = [w.strip() for w in re.split(r"[,/()]", other)] + category.slug.split("-")
    return ",".join(dict.fromkeys(w for w in words if w))


def service_definition(*, session: Session, code: str) -> Mapping[str, Any]:
    """A service's questions; a 404 for a code that is no active service."""
    category = categories.by_slug(session=session, slug=code)
    if category is None:
        raise Open311Error(404, _("service_code %(code)s not found.", code=code))
    return {"service_code": code, "attributes": open311_attributes.definition(category)}


def request_by_token(*, session: Session, token: str) -> list[Mapping[str, Any]]:
    """GET tokens/{token}: the service request id behind a resident's tracking token."""
    obs = observations.by_token(session=session, token=token)
    category = session.get(Category, obs.category_id) if obs else None
    return open311_requests.token_answer(obs, category)


__all__ = [
    "Open311Error",
    "RequestQuery",
    "check_jurisdiction",
    "discovery",
    "find_requests",
    "request_by_id",
    "request_by_token",
    "service_definition",
    "service_list",
]
