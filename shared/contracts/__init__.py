"""The platform's contracts, written once: the event envelope, the registry of event schemas,
and (one module per service) each service's published events and RPC outputs.

The publisher dumps with a contract, every consumer loads with the same class (taking only the
fields it needs, see ``taking``), and the gateway documents its responses with it.
"""
import datetime as dt
import importlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import marshmallow as ma

from shared.schemas import load

SCHEMA_VERSION_DEFAULT = 1
SERVICES = ("membership", "billing", "declarations", "resources", "governance")


@dataclass(frozen=True)
class EventType:
    source: str
    name: str
    schema: type
    version: int
    description: str
    example: dict | None = None


REGISTRY: dict[tuple[str, str], EventType] = {}


def event_schema(source: str, name: str, version: int = SCHEMA_VERSION_DEFAULT,
                 example: dict | None = None) -> Callable[[type], type]:
    """Class decorator: register a marshmallow schema as the ``data`` of an event type, with an
    example of that data (every consumer's test loads it)."""

    def register(schema_cls: type) -> type:
        REGISTRY[(source, name)] = EventType(
            source, name, schema_cls, version, (schema_cls.__doc__ or "").strip(), example)
        schema_cls._event_instance = schema_cls()  # type: ignore[attr-defined]
        return schema_cls

    return register


def load_all() -> None:
    """Import every service's contract so that the registry is complete."""
    for service in SERVICES:
        importlib.import_module(f"shared.contracts.{service}")
    importlib.import_module("shared.contracts.parameters")  # parameter_changed, for every owner


def registered(source: str, event_type: str) -> EventType:
    """The registered event type; the source's contract module is imported when needed."""
    if (source, event_type) not in REGISTRY and source in SERVICES:
        importlib.import_module(f"shared.contracts.{source}")
        importlib.import_module("shared.contracts.parameters")
    try:
        return REGISTRY[(source, event_type)]
    except KeyError:
        raise LookupError(f"event type {source}.{event_type} has no registered schema") from None


def taking(source: str, event_type: str, fields: tuple[str, ...] | None = None) -> ma.Schema:
    """The publisher's contract as a consumer loads it: only ``fields`` (all when None), and
    fields a later version adds are ignored."""
    schema_cls = registered(source, event_type).schema
    return schema_cls(only=tuple(fields) if fields else None, unknown=ma.EXCLUDE)


class EnvelopeSchema(ma.Schema):
    event_id = ma.fields.UUID(required=True)
    event_type = ma.fields.String(required=True)
    schema_version = ma.fields.Integer(required=True)
    occurred_at = ma.fields.AwareDateTime(required=True)
    source = ma.fields.String(required=True)
    correlation_id = ma.fields.String(allow_none=True, load_default=None)
    data = ma.fields.Dict(required=True)

    class Meta:
        unknown = ma.EXCLUDE


_envelope_schema = EnvelopeSchema()


def make_envelope(source: str, event_type: str, data: dict, correlation_id: str | None = None,
                  occurred_at: dt.datetime | None = None) -> dict:
    """Build the wire envelope; ``data`` is dumped and checked by the registered schema."""
    schema = registered(source, event_type).schema._event_instance  # type: ignore[attr-defined]
    body = schema.dump(data)
    errors = schema.validate(body)
    if errors:
        raise ValueError(f"{source}.{event_type} data does not match its schema: {errors}")
    return {
        "event_id": str(uuid.uuid4()),
        "event_type": event_type,
        "schema_version": REGISTRY[(source, event_type)].version,
        "occurred_at": (occurred_at or dt.datetime.now(dt.UTC)).isoformat(),
        "source": source,
        "correlation_id": correlation_id,
        "data": body,
    }


@dataclass(frozen=True)
class Event:
    """What a handler receives: the envelope's fields, ``data`` as published. A handler that
    declared the fields it takes gets them loaded by the publisher's contract from ``load()``."""

    event_id: str
    event_type: str
    schema_version: int
    occurred_at: dt.datetime
    source: str
    correlation_id: str | None
    data: dict
    contract: ma.Schema | None = field(default=None, compare=False, repr=False)

    @classmethod
    def from_envelope(cls, body: dict, contract: ma.Schema | None = None) -> "Event":
        loaded = _envelope_schema.load(body)
        return cls(
            event_id=str(loaded["event_id"]), event_type=loaded["event_type"],
            schema_version=loaded["schema_version"], occurred_at=loaded["occurred_at"],
            source=loaded["source"], correlation_id=loaded["correlation_id"],
            data=loaded["data"], contract=contract,
        )

    def load(self) -> dict:
        """``data`` loaded by the publisher's contract (the fields this consumer takes); a
        mismatch raises the typed ValidationError, so the event is retried, then parked."""
        if self.contract is None:
            raise TypeError(f"the handler of {self.source}.{self.event_type} declared no fields (takes=)")
        return load(self.contract, self.data)
