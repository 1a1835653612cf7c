"""The extra questions of a service (a category) in Open311 terms, in one place: the service
definition lists them, and a POST's `attribute[code]` values are read against them.

They are the capture form's questions: how unsafe it feels (problems only), why (problems),
dark or daylight, and when it was seen (a report kept offline or forwarded later). None is
required, as on the form."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from app.i18n import gettext as _
from app.labels import factor_label, unsafe_labels
from app.models import Category, CategoryKind
from app.services.factors import FACTORS
from app.services.open311_format import Open311Error


@dataclass(frozen=True)
class Attribute:
    code: str
    datatype: str  # the spec's: string, number, datetime, text, singlevaluelist, multivaluelist
    description: str
    values: Sequence[tuple[str, str]] = field(default_factory=tuple)  # (key, name)
    # The capture form's field the answer goes to.
    form_field: str = ""


def attributes(category: Category) -> list[Attribute]:
    """The questions asked for this category, in the order the form asks them."""
    problem = category.kind == CategoryKind.problem
    found: list[Attribute] = []
    if problem:
        found.append(
            Attribute(
                "unsafe_level",
                "singlevaluelist",
                _("How unsafe does it feel?"),
                [(str(level), f"{level}: {word}") for level, word in unsafe_labels()],
                "unsafe_level",
            )
        )
        found.append(
            Attribute(
                "factors",
                "multivaluelist",
                _("Why does it feel unsafe here?"),
                [(code, factor_label(code)) for code in FACTORS],
                "factors",
            )
        )
    found.append(
        Attribute(
            "dark",
            "singlevaluelist",
            _("Dark or daylight?"),
            [("dark", _("Dark")), ("daylight", _("Daylight"))],
            "dark",
        )
    )
    found.append(
        Attribute(
            "observed_at",
            "datetime",
            _("When was it seen? (W3C date and time with its time zone; default: now)"),
            form_field="observed_at",
        )
    )
    return found


def definition(category: Category) -> list[dict[str, Any]]:
    """The service definition's `attributes`, as the spec lists their fields."""
    return [
        {
            "variable": True,
            "code": attribute.code,
            "datatype": attribute.datatype,
            "required": False,
            "datatype_description": None,
            "order": order,
            "description": attribute.description,
            **(
                {"values": [{"key": key, "name": name} for key, name in attribute.values]}
                if attribute.values
                else {}
            ),
        }
        for order, attribute in enumerate(attributes(category), start=1)
    ]


def form_fields(category: Category, given: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """The capture form's fields for the `attribute[code]` values a POST sent (`given`: code →
    values; a multivaluelist's several). An unknown code, or a value that is not one of the
    list's keys, is a 400 Open311Error naming it."""
    known = {attribute.code: attribute for attribute in attributes(category)}
    fields: dict[str, str] = {}
    for code, values in given.items():
        attribute = known.get(code)
        if attribute is None:
            raise Open311Error(
                400, _("attribute[%(code)s] is not a question of this service.", code=code)
            )
        values = [value.strip() for value in values if value.strip()]
        if not values:
            continue
        keys = {key for key, _name in attribute.values}
        if attribute.datatype != "multivaluelist" and len(values) > 1:
            raise Open311Error(400, _("attribute[%(code)s] takes one value.", code=code))
        if keys and any(value not in keys for value in values):
            raise Open311Error(
                400,
                _(
                    "attribute[%(code)s] must be one of: %(keys)s.",
                    code=code,
                    keys=", ".join(key for key, _name in attribute.values),
                ),
            )
        if attribute.datatype == "datetime" and not _is_w3c(values[0]):
            raise Open311Error(
                400,
                _("attribute[%(code)s] must be a date and time with its time zone.", code=code),
            )
        fields[attribute.form_field] = ",".join(values)
    return fields


def _is_w3c(value: str) -> bool:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return False
    return "T" in value.upper() and moment.tzinfo is not None
