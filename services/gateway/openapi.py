"""The OpenAPI 3 document of the HTTP API, generated from the routes and their schemas."""
import functools
import inspect
import re

from apispec import APISpec

from services.gateway.api import ApiRoute
from services.gateway.schemas import Error
from shared.asyncapi import openapi_plugin

ERRORS = {"401": "no or invalid token", "403": "not allowed for this role",
          "404": "unknown id, or not yours", "409": "conflicts with the current state",
          "412": "a precondition failed", "422": "invalid input (per-field messages)",
          "429": "rate limited", "504": "a service did not answer in time"}


def openapi_path(url: str) -> tuple[str, list[str]]:
    names = re.findall(r"<(?:[^:<>]+:)?([^<>]+)>", url)
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", url), names


def build_spec(service_cls) -> dict:
    plugin = openapi_plugin()
    spec = APISpec(title="Cooperative platform API", version="1.0.0", openapi_version="3.0.3",
                   plugins=[plugin], info={"description": (
                       "Members, shares, activities, invoices, payments, expenses, salaries, "
                       "declarations, resources and governance of the cooperative. Authenticate with "
                       "POST /api/v1/auth/token and send `Authorization: Bearer <token>`.")})
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"})
    spec.components.schema("Error", schema=Error)
    for code, text in ERRORS.items():
        spec.components.response(f"E{code}", {"description": text, "content": {
            "application/json": {"schema": "Error"}}})
    paths: dict[str, dict] = {}
    for name, method in inspect.getmembers(service_cls, inspect.isfunction):
        for route in getattr(method, "nameko_entrypoints", ()):
            if not isinstance(route, ApiRoute) or not route.url.startswith("/api/"):
                continue
            path, params = openapi_path(route.url)
            operation = {
                "operationId": name,
                "summary": route.summary or (method.__doc__ or name).strip().splitlines()[0],
                "tags": [route.tag or path.split("/")[3]],
                "parameters": [{"name": p, "in": "path", "required": True,
                                "schema": {"type": "string"}} for p in params],
                "responses": {},
            }
            if route.query_schema is not None:
                operation["parameters"] += [{"in": "query", "schema": route.query_schema}]
            if route.body_schema is not None:
                operation["requestBody"] = {"required": True, "content": {
                    "application/json": {"schema": route.body_schema}}}
            elif route.accepts != "application/json":
                operation["requestBody"] = {"required": True, "content": {
                    route.accepts: {"schema": {"type": "string"}}}}
            ok = {"description": "done"}
            if route.content_type != "application/json":
                ok["content"] = {route.content_type: {"schema": {"type": "string", "format": "binary"}}}
            elif route.response_schema is not None:
                ok["content"] = {"application/json": {"schema": route.response_schema}}
            operation["responses"][str(route.status)] = ok
            for code in ERRORS:
                if code == "401" and route.public:
                    continue
                operation["responses"][code] = f"E{code}"
            if not route.public:
                operation["security"] = [{"bearer": []}]
            for verb in route.method.split(","):
                paths.setdefault(path, {})[verb.lower()] = operation
    for path in sorted(paths):
        spec.path(path=path, operations=paths[path])
    return spec.to_dict()


@functools.cache
def served_spec(service_cls) -> dict:
    """The document as served: built once per process (the routes do not change at run time)."""
    return build_spec(service_cls)
