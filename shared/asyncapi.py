"""The event catalogue (AsyncAPI 2.6) generated from the registry of event schemas and their examples."""
from collections.abc import Collection
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from apispec.ext.marshmallow.common import resolve_schema_cls

from shared.contracts import REGISTRY
from shared.schemas import Id, Instant, IsoDate, Money
from shared.topology import SUBSCRIPTIONS, events_exchange_name


def contract_name(schema: Any) -> str:
    """A schema's component name: ``billing.Invoice`` for a service's contract (``InvoiceOut``
    in ``shared.contracts.billing``), the class name for anything else."""
    cls: Any = resolve_schema_cls(schema)
    name = cls.__name__.removesuffix("Schema")
    if cls.__module__.startswith("shared.contracts."):
        return f"{cls.__module__.rsplit('.', 1)[1]}.{name.removesuffix('Out') or name}"
    return name


def openapi_plugin() -> MarshmallowPlugin:
    """A marshmallow→JSON-schema converter that knows the platform's own fields."""
    plugin = MarshmallowPlugin(schema_name_resolver=contract_name)
    APISpec("coop", "1", "3.0.3", plugins=[plugin])
    plugin.map_to_openapi_type(Money, "string", "decimal")
    plugin.map_to_openapi_type(Id, "string", "uuid")
    plugin.map_to_openapi_type(IsoDate, "string", "date")
    plugin.map_to_openapi_type(Instant, "string", "date-time")
    return plugin


def envelope_schema(data_schema: dict, event_type: str, version: int) -> dict:
    return {
        "type": "object",
        "required": ["event_id", "event_type", "schema_version", "occurred_at", "source", "data"],
        "properties": {
            "event_id": {"type": "string", "format": "uuid"},
            "event_type": {"type": "string", "const": event_type},
            "schema_version": {"type": "integer", "const": version},
            "occurred_at": {"type": "string", "format": "date-time"},
            "source": {"type": "string"},
            "correlation_id": {"type": ["string", "null"]},
            "data": data_schema,
        },
    }


def catalog(sources: Collection[str] | None = None, version: str = "1.0.0") -> dict:
    """The catalogue of the events of ``sources`` (every registered source when None)."""
    converter = openapi_plugin().converter
    assert converter is not None  # made by the plugin's init_spec
    channels: dict[str, dict] = {}
    messages: dict[str, dict[str, Any]] = {}
    for (source, name), registered in sorted(REGISTRY.items()):
        if sources is not None and source not in sources:
            continue
        key = f"{source}.{name}"
        data_schema = converter.schema2jsonschema(registered.schema)
        messages[key] = {
            "name": name,
            "title": f"{source}: {name}",
            "summary": registered.description or name,
            "contentType": "application/json",
            "headers": {"type": "object", "properties": {
                "event_type": {"type": "string"}, "source": {"type": "string"},
                "schema_version": {"type": "integer"}}},
            "payload": envelope_schema(data_schema, name, registered.version),
        }
        if registered.example is not None:
            messages[key]["examples"] = [{"name": name, "payload": {
                "event_id": "00000000-0000-4000-8000-000000000000", "event_type": name,
                "schema_version": registered.version, "occurred_at": "2026-12-01T09:00:00+00:00",
                "source": source, "correlation_id": None, "data": registered.example}}]
        subscribers = sorted(f"{s.service}.{s.handler}" for s in SUBSCRIPTIONS
                             if s.source == source and s.event_type == name)
        channels[f"{events_exchange_name(source)}/{name}"] = {
            "description": f"Topic exchange `{events_exchange_name(source)}`, routing key `{name}`."
                           + (f" Consumed by {', '.join(subscribers)}." if subscribers else ""),
            "bindings": {"amqp": {"is": "routingKey", "exchange": {
                "name": events_exchange_name(source), "type": "topic", "durable": True,
                "autoDelete": False, "vhost": "/"}, "bindingVersion": "0.2.0"}},
            "subscribe": {"operationId": f"{source}_{name}",
                          "message": {"$ref": f"#/components/messages/{key}"}},
        }
    return {
        "asyncapi": "2.6.0",
        "info": {
            "title": "Cooperative platform events",
            "version": version,
            "description": (
                "Every event is a persistent JSON message on the source service's topic exchange "
                "`<service>.events`, routing key = event type. Money is a decimal string with two "
                "places (EUR); dates are ISO dates, instants UTC ISO-8601. `data` carries ids and "
                "figures, never personal data. Delivery is at least once: deduplicate on event_id."),
        },
        "defaultContentType": "application/json",
        "servers": {"broker": {"url": "localhost:5672", "protocol": "amqp", "protocolVersion": "0.9.1"}},
        "channels": channels,
        "components": {"messages": messages},
    }
