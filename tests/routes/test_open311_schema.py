"""Schemathesis over the Open311 endpoints: generated and schema-breaking requests (with a real
API key half of the time, so POSTs get past the key) never get a server error, and every answer
is one the schema documents: its status code, its content type, and in JSON the spec's fields
(app/routes/open311_docs.py). The rest of the schema is fuzzed by tests/test_fuzz.py."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlmodel import select

from app.models import Observation
from app.services import open311_keys
from tests.factories import JSON, post_observation
from tests.test_fuzz import EXAMPLES

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def aimed(raw: dict[str, Any], ids: list[int], tokens: list[str]) -> dict[str, Any]:
    """Only the Open311 paths, their ids and tokens offered the ones that exist (and not)."""
    raw = {**raw, "paths": {p: o for p, o in raw["paths"].items() if p.startswith("/open311/")}}
    choices = {
        "service_request_id": [*(str(i) for i in ids), "999999", "abc"],
        "token": [*tokens, "x" * 20],
        "service_code": ["dark-spot", "good-place", "nope"],
    }
    for operations in raw["paths"].values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path" and parameter["name"] in choices:
                    parameter["schema"] = {"enum": choices[parameter["name"]]}
    return raw


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_open311_answers_match_the_schema_and_never_fail(app, client, session, mode):
    tokens = [
        post_observation(client, headers=JSON, **extra).json()["token"]
        for extra in ({}, {"category": "good-place"})
    ]
    ids = [obs.id for obs in session.exec(select(Observation)).all()]
    _api_client, key = open311_keys.create(
        session=session, name="Fuzzer", contact="", posts_per_hour=100_000, by=None
    )
    schema = schemathesis.openapi.from_dict(aimed(app.openapi(), ids, tokens))
    schema.config.generation.update(allow_x00=True)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.method.upper() for op in operations} == {"GET", "POST"}
    failures: dict[str, str] = {}
    for operation in operations:

        @settings(
            max_examples=EXAMPLES * 3,
            derandomize=True,
            database=None,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            phases=[Phase.explicit, Phase.generate],
        )
        @given(case=operation.as_strategy(generation_mode=mode), data=st.data())
        def run(case: Any, data: st.DataObject) -> None:
            if isinstance(case.body, dict) and data.draw(st.booleans(), label="real key"):
                case.body["api_key"] = key
            response = case.call(app=app)
            case.validate_response(response, checks=CHECKS)

        try:
            run()
        except Unsatisfiable:
            pass
        except Exception as exc:  # collected, so one run names every failure
            failures[f"{operation.method.upper()} {operation.path}"] = str(exc)[:2000]
    assert not failures, "\n\n".join(f"{op}: {why}" for op, why in failures.items())
