"""The JSON API against its contract, ``web/openapi.yaml``, with Schemathesis (issue 15, item 12).

Every operation of the document is called with generated valid and invalid parameters, as a
secretary with a read token, on the CSRF-enabled application and the real database; Schemathesis'
checks: no 5xx, documented status codes, content types and headers, responses matching their
schemas, invalid input refused. Bounded: a few examples per operation (about a minute in all).
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from security_helpers import build_secure_app

from web.extensions import db
from workflow.tokens import create_api_token


@pytest.fixture(scope="module")
def contract_app(app: Flask, tmp_path_factory: pytest.TempPathFactory) -> Any:
    application = build_secure_app(app, tmp_path_factory.mktemp("contract"))
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture
def bearer(opened: Any, people: Any) -> dict[str, str]:
    _token, secret = create_api_token(people.secretary, "schemathesis")
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


def _run(operation: Any, mode: GenerationMode, bearer: dict[str, str], failures: list[str],
         ids: dict[str, int]) -> int:
    """Check ``operation`` with generated cases of ``mode``; returns how many calls were made."""
    calls: list[int] = []

    known = {p.name: ids[p.name] for p in operation.path_parameters if p.name in ids}
    strategy = operation.as_strategy(generation_mode=mode, path_parameters=known or None)

    @settings(max_examples=12, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(case=strategy)
    def check(case: Any) -> None:
        calls.append(1)
        try:
            case.call_and_validate(headers=bearer)
        except Exception as exc:  # a failed check (or an exception the testing app propagates)
            failures.append(f"{operation.label} [{mode.value}] {case.path_parameters} {case.query}: "
                            f"{type(exc).__name__}: {str(exc)[:300]}")
            raise

    try:
        check()
    except Unsatisfiable:  # no invalid input exists (an operation without parameters)
        return 1
    except Exception as exc:  # collected: every operation is checked before the test fails
        if not calls or not failures:
            failures.append(f"{operation.label} [{mode.value}]: {type(exc).__name__}: {str(exc)[:300]}")
    return len(calls)


def test_the_api_keeps_its_openapi_contract(contract_app: Flask, bearer: dict[str, str], opened: Any) -> None:
    """Path ids are those of the world (a closed and an open round, their plan), so the calls get
    past the 404 and the query parameters are what varies."""
    ids = {"round_id": opened.id, "plan_id": opened.plan_id}
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", contract_app)
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 8
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            assert _run(operation, mode, bearer, failures, ids) > 0 or failures, operation.label
    assert not failures, "\n".join(failures)
