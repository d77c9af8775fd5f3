"""The broker topology: event exchanges, subscriber queues, retry and dead-letter queues.

Every known subscription is listed here once. Each service declares all of them when it
starts (and deploy/rabbitmq/definitions.json is generated from the same table), so an event
published while its consumer has never run yet waits in the consumer's queue.
"""
from dataclasses import dataclass
from typing import Any

from kombu import Exchange, Queue

from shared.standing import STANDING_EVENTS

PERSISTENT = 2


@dataclass(frozen=True)
class Subscription:
    source: str
    event_type: str
    service: str
    handler: str

    @property
    def queue(self) -> str:
        return handler_queue_name(self.source, self.event_type, self.service, self.handler)


# (source service, event type, consuming service, handler method)
SUBSCRIPTIONS: list[Subscription] = []


def subscribe(source: str, event_type: str, service: str, handler: str | None = None) -> None:
    """Record that ``service`` handles ``source``'s ``event_type`` (handler ``on_<event_type>``)."""
    SUBSCRIPTIONS.append(Subscription(source, event_type, service, handler or f"on_{event_type}"))


def subscribe_member_standing(service: str) -> None:
    """``service`` keeps the member-standing projection (``shared.standing_handlers``)."""
    for event_type in STANDING_EVENTS:
        subscribe("membership", event_type, service)


# billing
subscribe_member_standing("billing")
subscribe("resources", "usage_recorded", "billing")
# billing's own work queue: month-end chunks shared by every billing instance
subscribe("billing", "month_end_chunk_ready", "billing")

# declarations
for _event in ("invoice_issued", "credit_note_issued", "expense_approved",
               "salary_payout_approved", "salary_payout_cancelled", "month_closed"):
    subscribe("billing", _event, "declarations")

# resources
subscribe_member_standing("resources")
subscribe("billing", "activity_opened", "resources")
subscribe("billing", "activity_closed", "resources")

# governance (its dated roll history is kept on top of the projection's facts)
subscribe_member_standing("governance")


def events_exchange_name(service: str) -> str:
    return f"{service}.events"


def handler_queue_name(source: str, event_type: str, service: str, handler: str) -> str:
    return f"evt-{source}-{event_type}--{service}.{handler}"


def dead_letter_queue_name(service: str) -> str:
    return f"{service}.dlq"


def dead_letter_exchange_name(service: str) -> str:
    """The service's own way into its dead-letter queue (a fanout bound to it alone): parking
    through the nameless default exchange would need a write permission on it, which lets a
    broker user put messages in any queue of the vhost by name."""
    return f"{service}.dlx"


def retry_exchange_name(service: str, level: int) -> str:
    return f"{service}.retry.{level}"


def events_exchange(service: str) -> Exchange:
    # the same declaration Nameko uses, so plain Nameko handlers and ours agree
    return Exchange(events_exchange_name(service), type="topic", durable=True,
                    auto_delete=False, delivery_mode=PERSISTENT)


def queue_arguments(config: dict) -> dict:
    queue_type = (config or {}).get("EVENT_QUEUE_TYPE", "classic")
    return {"x-queue-type": "quorum"} if queue_type == "quorum" else {}


def handler_queue(source: str, event_type: str, service: str, handler: str, config: dict) -> Queue:
    return Queue(
        handler_queue_name(source, event_type, service, handler),
        exchange=events_exchange(source), routing_key=event_type, durable=True,
        auto_delete=False, exclusive=False, queue_arguments=queue_arguments(config),
    )


def retry_delays(config: dict) -> list[float]:
    return [float(d) for d in (config or {}).get("EVENT_RETRY_DELAYS", [1, 5, 30])]


def declare_service_topology(channel: Any, service: str, config: dict) -> None:
    """Declare what ``service`` needs and every known subscriber queue."""
    events_exchange(service)(channel).declare()
    # Locally every service declares every known subscriber queue. In a deployment the broker
    # definitions declare them and each service's broker user may touch only its own queues.
    everyone = str((config or {}).get("DECLARE_ALL_SUBSCRIBER_QUEUES", True)).lower() not in ("false", "0", "no")
    for sub in SUBSCRIPTIONS:
        if everyone or sub.service == service:
            handler_queue(sub.source, sub.event_type, sub.service, sub.handler, config)(channel).declare()
    dead_letters = Exchange(dead_letter_exchange_name(service), type="fanout", durable=True,
                            auto_delete=False)
    dead_letters(channel).declare()
    Queue(dead_letter_queue_name(service), exchange=dead_letters, durable=True, auto_delete=False,
          queue_arguments=queue_arguments(config))(channel).declare()
    for level, delay in enumerate(retry_delays(config)):
        name = retry_exchange_name(service, level)
        exchange = Exchange(name, type="fanout", durable=True, auto_delete=False)
        exchange(channel).declare()
        # expired messages go back through the default exchange, keyed by their original queue
        Queue(name, exchange=exchange, durable=True, auto_delete=False, queue_arguments={
            "x-message-ttl": int(delay * 1000), "x-dead-letter-exchange": "",
        })(channel).declare()
