"""The Open311 documents described for the OpenAPI schema: each route's answers in JSON (with
the field lists of the GeoReport v2 spec) and XML, and the spec's error document for the
codes it may answer. The routes write the documents themselves (services/open311_format);
this only tells a client, and schemathesis, what to expect."""

from __future__ import annotations

from typing import Any


def _nullable(kind: str, **more: Any) -> dict[str, Any]:
    return {"type": [kind, "null"], **more}


def _object(properties: dict[str, Any], optional: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": [name for name in properties if name not in optional],
    }


def _array(item: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": item}


ERRORS = _array(_object({"code": {"type": "integer"}, "description": {"type": "string"}}))

SERVICES = _array(
    _object(
        {
            "service_code": {"type": "string"},
            "service_name": {"type": "string"},
            "description": _nullable("string"),
            "metadata": {"type": "boolean"},
            "type": {"enum": ["realtime", "batch", "blackbox"]},
            "keywords": _nullable("string"),
            "group": _nullable("string"),
        }
    )
)

SERVICE_DEFINITION = _object(
    {
        "service_code": {"type": "string"},
        "attributes": _array(
            _object(
                {
                    "variable": {"type": "boolean"},
                    "code": {"type": "string"},
                    "datatype": {
                        "enum": [
                            "string",
                            "number",
                            "datetime",
                            "text",
                            "singlevaluelist",
                            "multivaluelist",
                        ]
                    },
                    "required": {"type": "boolean"},
                    "datatype_description": _nullable("string"),
                    "order": {"type": "integer", "minimum": 1},
                    "description": {"type": "string"},
                    "values": _array(
                        _object({"key": {"type": "string"}, "name": {"type": "string"}})
                    ),
                },
                optional=("values",),
            )
        ),
    }
)

W3C = {"type": "string", "format": "date-time"}
SERVICE_REQUESTS = _array(
    _object(
        {
            "service_request_id": {"type": "integer"},
            "status": {"enum": ["open", "closed"]},
            "status_notes": _nullable("string"),
            "service_name": {"type": "string"},
            "service_code": {"type": "string"},
            "description": _nullable("string"),
            "agency_responsible": _nullable("string"),
            "service_notice": _nullable("string"),
            "requested_datetime": W3C,
            "updated_datetime": {**W3C, "type": ["string", "null"]},
            "expected_datetime": {**W3C, "type": ["string", "null"]},
            "address": _nullable("string"),
            "address_id": _nullable("string"),
            "zipcode": _nullable("string"),
            "lat": {"type": "number", "minimum": -90, "maximum": 90},
            "long": {"type": "number", "minimum": -180, "maximum": 180},
            "media_url": _nullable("string"),
        }
    )
)

CREATED = _array(
    _object(
        {
            "service_request_id": {"type": "integer"},
            "service_notice": _nullable("string"),
            "account_id": _nullable("string"),
        },
        optional=("service_request_id",),  # none for a blackbox (private) service
    )
)

TOKENS = _array(_object({"service_request_id": {"type": "integer"}, "token": {"type": "string"}}))

DISCOVERY = _object(
    {
        "changeset": {"type": "string"},
        "contact": {"type": "string"},
        "key_service": {"type": "string"},
        "endpoints": _array(
            _object(
                {
                    "specification": {"type": "string"},
                    "url": {"type": "string"},
                    "changeset": {"type": "string"},
                    "type": {"enum": ["production", "test"]},
                    "formats": _array({"type": "string"}),
                }
            )
        ),
    }
)

_XML = {"text/xml": {"schema": {"type": "string"}}}
_ERROR = {"content": {**_XML, "application/json": {"schema": ERRORS}}}


def responses(document: dict[str, Any], *codes: int) -> dict[int | str, dict[str, Any]]:
    """A route's answers: the document (200), and the spec's error document for `codes`."""
    answers: dict[int | str, dict[str, Any]] = {
        200: {
            "description": "The document, in XML or JSON by the extension",
            "content": {**_XML, "application/json": {"schema": document}},
        }
    }
    for code in codes:
        answers[code] = {"description": "The spec's error document", **_ERROR}
    return answers


# Every route may meet these: a bad parameter, an unknown jurisdiction or format, the database
# down (503, as the rest of the app).
COMMON = (400, 404, 503)
