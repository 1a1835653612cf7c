"""One Jinja environment (with i18n) and `render`: the whole page, or one block for htmx."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode
from zoneinfo import ZoneInfo

import jinja2
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal
from fastapi import Request
from jinja2_fragments.fastapi import Jinja2Blocks
from starlette.responses import Response

from app import i18n, labels

TEMPLATES_DIR = Path(__file__).parent / "templates"


def _format_time(value: datetime, fmt: str = "medium") -> str:
    # English here is read in Sweden: day before month, 24-hour clock (en_GB), Swedish time.
    locale = {"en": "en_GB"}.get(i18n.current_language(), i18n.current_language())
    return format_datetime(value, fmt, tzinfo="Europe/Stockholm", locale=locale)


def _format_date(value: datetime) -> str:
    locale = {"en": "en_GB"}.get(i18n.current_language(), i18n.current_language())
    return format_date(value.astimezone(ZoneInfo("Europe/Stockholm")), "medium", locale=locale)


def _number(value: float) -> str:
    """4.5 as "4.5" in English and "4,5" in Swedish; 4.0 as "4"."""
    return format_decimal(value, format="#,##0.#", locale=i18n.current_language())


def _page_query(query: str, page: int) -> str:
    """The current query string with another page number."""
    pairs = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k != "page"]
    return urlencode([*pairs, ("page", str(page))])


def build_environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=jinja2.select_autoescape(("html", "xml")),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    i18n.install_gettext(env)
    env.filters["datetime"] = _format_time
    env.filters["date"] = _format_date
    env.filters["number"] = _number
    env.globals.update(
        status_label=labels.status_label,
        position_source_label=labels.position_source_label,
        unsafe_labels=labels.unsafe_labels,
        role_label=labels.role_label,
        staff_links=labels.staff_links,
        priority_label=labels.priority_label,
        routing_reason_label=labels.routing_reason_label,
        event_label=labels.event_label,
        actor_label=labels.actor_label,
        page_query=_page_query,
        walk_status_label=labels.walk_status_label,
        factor_label=labels.factor_label,
        plan_stage_label=labels.plan_stage_label,
        plan_decision_label=labels.plan_decision_label,
    )
    return env


templates = Jinja2Blocks(env=build_environment())


def is_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    block: str | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    """The page for a normal request; only `block` when htmx asks (and a block is named)."""
    ctx = {
        "lang": i18n.current_language(),
        "settings": request.app.state.settings,
        "htmx": is_htmx(request),
        "visitor": getattr(request.state, "visitor", None),
        # Plain values for base.html, so that even the error page renders without the database.
        "signed_in": getattr(request.state, "signed_in", None),
    }
    ctx.update(context or {})
    block_name = block if block and is_htmx(request) else None
    if ctx["signed_in"] is not None:
        # A page made for a member of staff: no cache keeps it (the service worker neither).
        headers = {"Cache-Control": "no-store", **(headers or {})}
    return templates.TemplateResponse(
        request, template, ctx, status_code=status_code, headers=headers, block_name=block_name
    )


def wants_json(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept
