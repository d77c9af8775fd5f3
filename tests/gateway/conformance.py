"""Every JSON answer of the gateway checked against the OpenAPI document it serves: a field a
service returns that its contract does not declare (or a value of the wrong type) fails the
test that received it, whichever test that is."""
import functools
import json
import re

import jsonschema_rs


def _json_schema(node):
    """OpenAPI 3.0's ``nullable`` as JSON Schema's null type, recursively."""
    if isinstance(node, list):
        return [_json_schema(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: _json_schema(v) for k, v in node.items() if k != "nullable"}
    if node.get("nullable"):
        if "type" in out:
            out["type"] = [out["type"], "null"]
        else:
            out = {"anyOf": [out, {"type": "null"}]}
    return out


@functools.cache
def _document() -> dict:
    from services.gateway.openapi import build_spec
    from services.gateway.service import GatewayService

    return build_spec(GatewayService)


@functools.cache
def _operations() -> list[tuple[re.Pattern, str, dict]]:
    operations = []
    for path, verbs in _document()["paths"].items():
        pattern = re.compile("^" + re.sub(r"\\{[^}]+\\}", "[^/]+", re.escape(path)) + "$")
        for verb, operation in verbs.items():
            operations.append((pattern, verb.upper(), operation))
    # a literal segment beats a parameter: /payments/unmatched before /payments/{payment_id}
    return sorted(operations, key=lambda o: o[0].pattern.count("[^/]+"))


@functools.cache
def _validator(schema_json: str):
    schema = _json_schema(json.loads(schema_json))
    components = _json_schema(_document()["components"])
    return jsonschema_rs.Draft4Validator({**schema, "components": components}, validate_formats=False)


def response_schema(method: str, path: str, status: int) -> dict | None:
    """The documented schema of an answer (a ``$ref`` or an inline schema), None if undocumented."""
    path = path.split("?", 1)[0]
    for pattern, verb, operation in _operations():
        if verb == method.upper() and pattern.match(path):
            response = operation["responses"].get(str(status))
            if response is None:
                return None
            if isinstance(response, str):  # a shared error response
                response = _document()["components"]["responses"][response]
            if "$ref" in response:
                response = _document()["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
            return response.get("content", {}).get("application/json", {}).get("schema")
    return None


def check(method: str, path: str, response) -> None:
    """Raise AssertionError when a JSON answer breaks the schema documented for it."""
    if not response.headers.get("Content-Type", "").startswith("application/json"):
        return
    schema = response_schema(method, path, response.status_code)
    if schema is None:
        return
    validator = _validator(json.dumps(schema, sort_keys=True))
    errors = [f"{'/'.join(map(str, e.instance_path))}: {e.message}"
              for e in validator.iter_errors(response.json())]
    assert not errors, (f"{method} {path} answered {response.status_code} off its documented schema: "
                        + "; ".join(errors[:5]))
