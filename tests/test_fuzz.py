"""Fuzzing the HTTP API from its own OpenAPI document (schemathesis over the WSGI app).

Schemathesis reads /v1/openapi.json, generates valid (positive) and invalid (negative) requests
for every operation, and checks each response: never a 5xx, the status code is one the document
lists, the content type is the documented one, and the body validates against the schema the
document gives for that status. A failure means either a bug in the service or a contract that
does not say what the service does. (schemathesis' pytest plugin does not run under pytest 9,
so the operations are driven through its Python API, one hypothesis run per operation.)
"""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import (content_type_conformance, not_a_server_error,
                                 response_schema_conformance, status_code_conformance)

from tests.stores import app_on_store

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
EXAMPLES_PER_OPERATION = 25


@pytest.fixture(scope="module")
def fuzz_app(app, tmp_path_factory):
    """The session's app over a fresh SQLite store, with a read+write token for the fuzzer."""
    url = f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'fuzz.sqlite3'}"
    with app_on_store(app, url, RATE_LIMIT_PER_MINUTE=1_000_000) as store:
        app.config["FUZZ_TOKEN"] = store.create_token("fuzzer", ["read", "write"])[0]
        yield app


@pytest.fixture(scope="module")
def api_schema(fuzz_app):
    """The contract as the running app serves it (the store and the page extend it)."""
    return schemathesis.openapi.from_wsgi("/v1/openapi.json", fuzz_app)


def _fuzz(operation, mode: GenerationMode, headers: dict) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=True,
              database=None, suppress_health_check=list(HealthCheck))
    def run(case):
        case.call_and_validate(checks=CHECKS, headers=headers)

    run()


@pytest.mark.slow
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
                         ids=["valid", "invalid"])
def test_every_operation_answers_within_its_contract(api_schema, fuzz_app, mode):
    headers = {"Authorization": f"Bearer {fuzz_app.config['FUZZ_TOKEN']}"}
    failures = []
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 10
    for operation in operations:
        try:
            _fuzz(operation, mode, headers)
        except Unsatisfiable:  # no parameters, or none that can be made invalid
            assert mode is GenerationMode.NEGATIVE, operation.label
        except Exception as exc:  # collect every operation's failure, then report them all
            failures.append(f"{operation.label}: {type(exc).__name__}: {str(exc)[:1500]}")
    assert not failures, "\n\n".join(failures)
