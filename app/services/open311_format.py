"""Open311 GeoReport v2 documents in XML and JSON, and the spec's errors.

The spec's JSON is its XML mapped by the "Spark convention": the root element is dropped, and
an element whose children are all of one kind is an array (`<services><service>…` is `[…]`),
even with one child. So every document is built once, as plain Python values, and written both
ways here: a list becomes the repeated child element named in `CHILDREN`, None an empty element
(null in JSON), a boolean "true"/"false", a datetime W3C with its offset.

XML is the required format: UTF-8 with the declaration, no namespace, no foreign tags.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Literal
from xml.etree import ElementTree

Format = Literal["xml", "json"]
FORMATS: tuple[Format, ...] = ("xml", "json")
MEDIA_TYPES: dict[Format, str] = {
    "xml": "text/xml; charset=utf-8",
    "json": "application/json; charset=utf-8",
}
PREFIX = "/open311/"
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"

# The element each list's items are written as.
CHILDREN = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
}
# What XML 1.0 cannot hold at all (control characters other than tab, newline, return).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class Open311Error(Exception):
    """A request refused in the spec's terms: the HTTP status and a description for the user
    ("404 for resources that don't exist, 403 for errors because of wrong or missing api_key
    and basically 400 for any other error")."""

    def __init__(
        self, status_code: int, description: str, headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(description)
        self.status_code = status_code
        self.description = description
        self.headers = dict(headers or {})


def w3c(moment: datetime) -> str:
    """A W3C date-time with its time zone, to the second: 2026-12-02T13:15:30Z."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _scalar(value: Any) -> Any:
    if isinstance(value, datetime):
        return w3c(value)
    return value


def _json_ready(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {key: _json_ready(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json_ready(item) for item in value]
    return _scalar(value)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("", str(_scalar(value)))


def _fill(element: ElementTree.Element, name: str, value: Any) -> None:
    if isinstance(value, Mapping):
        for key, item in value.items():
            _fill(ElementTree.SubElement(element, key), key, item)
    elif isinstance(value, list | tuple):
        child = CHILDREN[name]
        for item in value:
            _fill(ElementTree.SubElement(element, child), child, item)
    else:
        element.text = _text(value)


def render(fmt: Format, root: str, data: Sequence[Any] | Mapping[str, Any]) -> tuple[bytes, str]:
    """The document `root` holding `data` (a list for the list documents, a mapping for the
    service definition and discovery), as (body, media type)."""
    if fmt == "json":
        body = json.dumps(_json_ready(data), ensure_ascii=False, separators=(",", ":"))
        return body.encode("utf-8"), MEDIA_TYPES["json"]
    element = ElementTree.Element(root)
    _fill(element, root, data)
    xml = ElementTree.tostring(element, encoding="unicode", short_empty_elements=False)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + xml).encode("utf-8"), MEDIA_TYPES["xml"]


def errors(fmt: Format, problems: Sequence[tuple[int, str]]) -> tuple[bytes, str]:
    """The spec's error document: one `error` (code, description) per problem."""
    return render(fmt, "errors", [{"code": code, "description": text} for code, text in problems])


def is_open311(path: str) -> bool:
    return path.startswith(PREFIX)


def format_of(path: str) -> Format:
    """The format a path asks for by its extension; XML, the required one, otherwise."""
    return "json" if path.endswith(".json") else "xml"
