"""Event envelope, the registry of event schemas, and the reliable event handler entrypoint.

``handle_event`` replaces Nameko's ``event_handler``, whose failures are acked and lost: a
handler that raises is retried through delay queues with backoff, then parked in the
service's dead-letter queue; a redelivered event whose effect is already recorded in the
inbox is acknowledged and skipped.
"""
import datetime as dt
import json
import logging
import traceback
import uuid
from dataclasses import dataclass
from functools import partial

import marshmallow as ma
from nameko.events import EventHandler

from shared import topology
from shared.amqp import OutgoingMessage
from shared.messaging import ServiceMessaging
from shared.metrics import counter

log = logging.getLogger(__name__)

SCHEMA_VERSION_DEFAULT = 1


@dataclass(frozen=True)
class EventType:
    source: str
    name: str
    schema: type
    version: int
    description: str


REGISTRY: dict[tuple[str, str], EventType] = {}


def event_schema(source: str, name: str, version: int = SCHEMA_VERSION_DEFAULT):
    """Class decorator: register a marshmallow schema as the ``data`` of an event type."""

    def register(schema_cls):
        REGISTRY[(source, name)] = EventType(
            source, name, schema_cls, version, (schema_cls.__doc__ or "").strip())
        schema_cls._event_instance = schema_cls()
        return schema_cls

    return register


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


def make_envelope(source: str, event_type: str, data: dict, correlation_id=None,
                  occurred_at: dt.datetime | None = None) -> dict:
    """Build the wire envelope; ``data`` is dumped and checked by the registered schema."""
    registered = REGISTRY.get((source, event_type))
    if registered is None:
        raise LookupError(f"event type {source}.{event_type} has no registered schema")
    schema = registered.schema._event_instance
    body = schema.dump(data)
    errors = schema.validate(body)
    if errors:
        raise ValueError(f"{source}.{event_type} data does not match its schema: {errors}")
    return {
        "event_id": str(uuid.uuid4()),
        "event_type": event_type,
        "schema_version": registered.version,
        "occurred_at": (occurred_at or dt.datetime.now(dt.timezone.utc)).isoformat(),
        "source": source,
        "correlation_id": correlation_id,
        "data": body,
    }


@dataclass(frozen=True)
class Event:
    """What a handler receives: the envelope's fields, ``data`` as published."""

    event_id: str
    event_type: str
    schema_version: int
    occurred_at: dt.datetime
    source: str
    correlation_id: str | None
    data: dict

    @classmethod
    def from_envelope(cls, body: dict) -> "Event":
        loaded = _envelope_schema.load(body)
        return cls(
            event_id=str(loaded["event_id"]), event_type=loaded["event_type"],
            schema_version=loaded["schema_version"], occurred_at=loaded["occurred_at"],
            source=loaded["source"], correlation_id=loaded["correlation_id"],
            data=loaded["data"],
        )


EVENTS_HANDLED = counter("coop_events_handled_total", "Events handled", ["service", "event_type", "outcome"])
DEAD_LETTERED = counter("coop_dead_lettered_total", "Events parked in a dead-letter queue",
                        ["service", "event_type"])

ATTEMPT_HEADER = "x-coop-attempt"


class ReliableEventHandler(EventHandler):
    """An event handler whose failures are retried with backoff, then dead-lettered."""

    messaging = ServiceMessaging()

    def __init__(self, source_service, event_type, **kwargs):
        super().__init__(source_service, event_type, requeue_on_error=False, **kwargs)

    def setup(self):
        super().setup()
        config = self.container.config
        self.queue = topology.handler_queue(
            self.source_service, self.event_type, self.container.service_name,
            self.method_name, config)
        self.delays = topology.retry_delays(config)
        self.inbox = next((d for d in self.container.dependencies
                           if hasattr(d, "inbox_contains")), None)

    @property
    def handler_key(self) -> str:
        return f"{self.container.service_name}.{self.method_name}"

    def handle_message(self, body, message):
        if isinstance(body, (bytes, str)):
            try:
                body = json.loads(body)
            except ValueError:
                body = {"undecodable": str(body)[:1000]}
        try:
            event = Event.from_envelope(body)
        except ma.ValidationError as exc:
            self._park(message, f"malformed envelope: {exc.messages}", attempt=0)
            self.queue_consumer.ack_message(message)
            return
        if self.inbox is not None and self.inbox.inbox_contains(event.event_id, self.handler_key):
            EVENTS_HANDLED.labels(self.container.service_name, event.event_type, "duplicate").inc()
            self.queue_consumer.ack_message(message)
            return
        context_data = self.unpack_message_headers(message)
        context_data["correlation_id"] = event.correlation_id
        context_data["event_id"] = event.event_id
        handle_result = partial(self.handle_result, message)
        try:
            self.container.spawn_worker(self, (event,), {}, context_data=context_data,
                                        handle_result=handle_result)
        except Exception:
            self.queue_consumer.requeue_message(message)

    def inbox_key(self, worker_ctx):
        return worker_ctx.args[0].event_id, self.handler_key

    def handle_result(self, message, worker_ctx, result=None, exc_info=None):
        service = self.container.service_name
        if exc_info is None:
            EVENTS_HANDLED.labels(service, self.event_type, "ok").inc()
            self.queue_consumer.ack_message(message)
            return result, exc_info
        attempt = int((message.headers or {}).get(ATTEMPT_HEADER, 0))
        error = "".join(traceback.format_exception_only(exc_info[0], exc_info[1])).strip()
        try:
            if attempt < len(self.delays):
                EVENTS_HANDLED.labels(service, self.event_type, "retried").inc()
                self._retry(message, attempt, error)
            else:
                self._park(message, error, attempt)
        except Exception:
            # the broker could not take the retry: give the message back rather than lose it
            log.exception("could not schedule a retry; requeueing")
            self.queue_consumer.requeue_message(message)
            return result, exc_info
        self.queue_consumer.ack_message(message)
        return result, exc_info

    def _retry(self, message, attempt, error):
        headers = dict(message.headers or {})
        headers[ATTEMPT_HEADER] = attempt + 1
        headers["x-coop-last-error"] = error[:500]
        self.messaging.publish([OutgoingMessage(
            exchange=topology.retry_exchange_name(self.container.service_name, attempt),
            routing_key=self.queue.name, body=message.body,
            message_id=message.properties.get("message_id"), headers=headers,
        )], mandatory=False)

    def _park(self, message, error, attempt):
        service = self.container.service_name
        DEAD_LETTERED.labels(service, self.event_type).inc()
        log.error("dead-lettering event from %s after %s attempts: %s", self.queue.name, attempt, error)
        headers = dict(message.headers or {})
        headers.update({
            "x-coop-queue": self.queue.name, "x-coop-handler": self.handler_key,
            "x-coop-error": error[:2000], ATTEMPT_HEADER: attempt,
            "x-coop-parked-at": dt.datetime.now(dt.timezone.utc).isoformat(),
        })
        self.messaging.publish([OutgoingMessage(
            exchange="", routing_key=topology.dead_letter_queue_name(service), body=message.body,
            message_id=message.properties.get("message_id"), headers=headers,
        )], mandatory=True)


handle_event = ReliableEventHandler.decorator
