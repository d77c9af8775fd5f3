"""Dead-letter queues: list what was parked and replay it into the handler's queue."""
import json
from dataclasses import dataclass
from typing import Any

from kombu import Connection

from shared.amqp import ConfirmingPublisher, OutgoingMessage
from shared.events import ATTEMPT_HEADER
from shared.topology import dead_letter_queue_name


@dataclass
class ParkedMessage:
    service: str
    event_id: str | None
    event_type: str | None
    queue: str | None
    handler: str | None
    error: str | None
    attempts: int
    parked_at: str | None
    body: bytes
    headers: dict


def _parse(service: str, message: Any) -> ParkedMessage:
    headers = message.headers or {}
    try:
        envelope = json.loads(message.body)
    except ValueError:
        envelope = {}
    return ParkedMessage(
        service=service, event_id=envelope.get("event_id") if isinstance(envelope, dict) else None,
        event_type=envelope.get("event_type") if isinstance(envelope, dict) else None,
        queue=headers.get("x-coop-queue"), handler=headers.get("x-coop-handler"),
        error=headers.get("x-coop-error"), attempts=int(headers.get(ATTEMPT_HEADER, 0)),
        parked_at=headers.get("x-coop-parked-at"), body=message.body, headers=dict(headers),
    )


def list_parked(amqp_uri: str, service: str) -> list[ParkedMessage]:
    """Read the dead-letter queue without consuming it (messages go back unacknowledged)."""
    parked = []
    with Connection(amqp_uri) as connection:
        channel = connection.channel()
        queue_name = dead_letter_queue_name(service)
        channel.queue_declare(queue_name, passive=True)
        while True:
            message = channel.basic_get(queue_name, no_ack=False)
            if message is None:
                break
            parked.append(_parse(service, message))
        channel.close()  # unacknowledged messages return to the queue, in order
    return parked


def replay(amqp_uri: str, service: str, event_id: str | None = None) -> list[ParkedMessage]:
    """Send parked events back to their handler's queue with a fresh retry budget."""
    replayed = []
    publisher = ConfirmingPublisher(amqp_uri)
    try:
        with Connection(amqp_uri) as connection:
            channel = connection.channel()
            queue_name = dead_letter_queue_name(service)
            kept = []
            while True:
                message = channel.basic_get(queue_name, no_ack=False)
                if message is None:
                    break
                item = _parse(service, message)
                if (event_id and item.event_id != event_id) or not item.queue:
                    kept.append(message)
                    continue
                headers = {k: v for k, v in item.headers.items()
                           if not k.startswith("x-coop-") and k != "x-death"}
                headers["x-coop-replayed"] = True
                publisher.publish_batch([OutgoingMessage(
                    exchange="", routing_key=item.queue, body=item.body,
                    message_id=item.event_id, headers=headers)])
                channel.basic_ack(message.delivery_tag)
                replayed.append(item)
            channel.close()  # the ones kept go back to the dead-letter queue
    finally:
        publisher.close()
    return replayed
