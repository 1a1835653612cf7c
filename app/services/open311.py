"""Open311 GeoReport v2, the read side: our categories as services, observations as service
requests, the discovery document. Only what a public page shows leaves here: no e-mail, no
token, no staff, no private category (README: "Open311")."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session

from app.config import Settings
from app.i18n import gettext as _
from app.services.open311_format import Open311Error


def check_jurisdiction(settings: Settings, value: str | None) -> None:
    """None or "" is fine (this endpoint serves one jurisdiction); another than ours is a 404."""
    if value and value.strip().lower() != settings.jurisdiction_id.lower():
        raise Open311Error(404, _("jurisdiction_id %(id)s is not served here.", id=value.strip()))


def discovery(settings: Settings) -> Mapping[str, Any]:
    raise NotImplementedError


def service_list(*, session: Session) -> list[Mapping[str, Any]]:
    raise NotImplementedError


def service_definition(*, session: Session, code: str) -> Mapping[str, Any]:
    raise NotImplementedError


@dataclass(frozen=True)
class RequestQuery:
    @classmethod
    def parse(
        cls,
        *,
        service_request_id: str | None,
        service_code: str | None,
        start_date: str | None,
        end_date: str | None,
        status: str | None,
        page: str | None,
        page_size: str | None,
        now: datetime,
        max_requests: int,
    ) -> RequestQuery:
        raise NotImplementedError


def find_requests(
    *, session: Session, settings: Settings, query: RequestQuery
) -> list[Mapping[str, Any]]:
    raise NotImplementedError


def request_by_id(*, session: Session, settings: Settings, text: str) -> list[Mapping[str, Any]]:
    raise NotImplementedError


def request_by_token(*, session: Session, token: str) -> list[Mapping[str, Any]]:
    raise NotImplementedError


__all__ = ["Open311Error"]
