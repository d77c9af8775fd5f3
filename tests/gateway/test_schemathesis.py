"""schemathesis against the served OpenAPI document: generated requests on every operation find
no server error and no response that breaks the documented schema (bounded for CI)."""
import re
import time
import uuid

import pytest

EXAMPLES = 6  # per operation and identity: about 90 operations, a minute or so in all
BUDGET_SECONDS = 150


def test_generated_requests_find_no_server_error_and_no_response_off_schema(sqlite_only, platform):
    schemathesis = pytest.importorskip(
        "schemathesis", reason="schemathesis is not installed (pip install 'schemathesis==4.32.5')")
    from hypothesis import HealthCheck, Phase, given, settings
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import response_schema_conformance

    base = platform.http.base
    schema = schemathesis.openapi.from_url(f"{base}/api/v1/openapi.json")
    _, member = platform.member("Fuzz")
    tokens = {"admin": platform.admin, "member": member}
    failures, tried, started = [], 0, time.monotonic()

    def check(case):
        nonlocal tried
        for who, token in tokens.items():
            response = case.call(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30)
            tried += 1
            try:
                case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])
            except Exception as failure:  # a FailureGroup of the checks that failed
                failures.append(f"{case.operation.label} as {who}: {str(failure)[:400]}\n"
                                f"  {case.formatted_path} query={case.query} body={case.body!r:.200}")

    for result in schema.get_all_operations():
        operation = result.ok()
        if time.monotonic() - started > BUDGET_SECONDS:
            failures.append(f"time budget spent before {operation.label}")
            break
        if "requestBody" not in operation.definition.raw:  # the bare request, no optional parameter
            names = re.findall(r"{([^}]+)}", operation.path)
            check(operation.Case(path_parameters={n: str(uuid.uuid4()) for n in names}))

        @settings(max_examples=EXAMPLES, deadline=None, database=None, phases=[Phase.explicit, Phase.generate],
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def exercise(case):
            check(case)

        exercise()

    print(f"{tried} requests, {len(failures)} failures")
    assert not failures, "\n".join(failures[:40])
    assert tried >= 500
