"""Publishing with confirms, in batches: one round of broker acknowledgements per batch.

Nameko's publisher waits for the broker's confirm after every message; the outbox relay and
the retry path publish many messages at a time, so they pipeline them on a confirm-mode
channel and wait once for the acknowledgements of the whole batch.
"""
import contextlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import amqp
from kombu import Connection, Producer

log = logging.getLogger(__name__)

PERSISTENT = 2


class PublishFailed(Exception):
    """The broker refused (nacked) a message or did not confirm it in time."""


@dataclass
class OutgoingMessage:
    exchange: str
    routing_key: str
    body: bytes | str | dict
    message_id: str | None = None
    headers: dict = field(default_factory=dict)
    expiration: str | None = None


class ConfirmingPublisher:
    """A persistent, confirm-mode channel; ``publish_batch`` returns the ids that were unroutable."""

    def __init__(self, amqp_uri: str, confirm_timeout: float = 30.0):
        self.amqp_uri = amqp_uri
        self.confirm_timeout = confirm_timeout
        self._connection: Connection | None = None
        self._channel: Any = None

    def _ensure_channel(self) -> Any:
        if self._channel is not None and self._connection is not None and self._connection.connected:
            return self._channel
        self.close()
        connection = self._connection = Connection(self.amqp_uri, heartbeat=0)
        connection.connect()
        channel = connection.channel()
        channel.confirm_select()
        self._pending: set[int] = set()
        self._nacked: set[int] = set()
        self._returned: list[str] = []
        self._tag = 0
        channel.events["basic_ack"].add(self._on_ack)
        channel.events["basic_nack"].add(self._on_nack)
        channel.events["basic_return"].add(self._on_return)
        self._channel = channel
        return channel

    def _settle(self, tag: int, multiple: bool) -> set[int]:
        settled = {t for t in self._pending if t <= tag} if multiple else {tag}
        self._pending -= settled
        return settled

    def _on_ack(self, tag: int, multiple: bool) -> None:
        self._settle(tag, multiple)

    def _on_nack(self, tag: int, multiple: bool) -> None:
        self._nacked |= self._settle(tag, multiple)

    def _on_return(self, exc: Exception, exchange: str, routing_key: str, message: Any) -> None:
        self._returned.append(message.properties.get("message_id"))

    def declare(self, declare_fn: Callable[[Any], object]) -> None:
        """Run ``declare_fn(channel)`` on the publishing channel (exchanges and queues)."""
        declare_fn(self._ensure_channel())

    def publish_batch(self, messages: list[OutgoingMessage], mandatory: bool = True) -> list[str]:
        try:
            return self._publish_batch(messages, mandatory)
        except (OSError, amqp.exceptions.AMQPError, PublishFailed):
            self.close()
            raise

    def _publish_batch(self, messages: list[OutgoingMessage], mandatory: bool) -> list[str]:
        channel = self._ensure_channel()
        self._nacked.clear()
        self._returned.clear()
        for item in messages:
            body = item.body
            if isinstance(body, dict):
                body = json.dumps(body)
            properties = {
                "content_type": "application/json",
                "content_encoding": "utf-8",
                "delivery_mode": PERSISTENT,
                "application_headers": item.headers,
            }
            if item.message_id:
                properties["message_id"] = item.message_id
            if item.expiration:
                properties["expiration"] = item.expiration
            message = amqp.Message(body, **properties)
            channel._basic_publish(
                message, exchange=item.exchange, routing_key=item.routing_key,
                mandatory=mandatory,
            )
            self._tag += 1
            self._pending.add(self._tag)
        connection = self._connection
        assert connection is not None  # _ensure_channel opened it
        while self._pending:
            try:
                connection.drain_events(timeout=self.confirm_timeout)
            except TimeoutError:
                raise PublishFailed(f"{len(self._pending)} messages not confirmed in time") from None
        if self._nacked:
            raise PublishFailed(f"broker refused {len(self._nacked)} messages")
        return list(self._returned)

    def close(self) -> None:
        if self._connection is not None:
            try:
                self._connection.release()
            except Exception:  # closing a broken connection must not mask the first error
                log.debug("closing publisher connection failed", exc_info=True)
        self._connection = None
        self._channel = None


class ReplyPublisher:
    """RPC replies on one long-lived channel per service process, without publisher confirms.

    Nameko's responder built a publisher, a kombu connection object and a producer-pool lookup
    for every reply, serialised the result twice and waited for the broker's confirm. A reply
    is worth nothing once its caller has gone, and the caller already has the guard that
    matters, its timeout; a confirm that failed after the work had been committed made the
    request go back to the queue, so the work could run twice. Replies are transient, as the
    caller's exclusive reply queue is. One green thread publishes at a time (a semaphore keeps
    the frames of two replies from interleaving); a lost connection is reopened once."""

    def __init__(self, amqp_uri: str, ssl: Any = None, login_method: str | None = None):
        from eventlet.semaphore import Semaphore

        self.amqp_uri = amqp_uri
        self.ssl = ssl
        self.login_method = login_method
        self._lock = Semaphore()
        self._connection: Connection | None = None
        self._producer: Producer | None = None

    def _ensure_producer(self) -> Producer:
        if self._producer is not None and self._connection is not None and self._connection.connected:
            return self._producer
        self.close()
        connection = self._connection = Connection(self.amqp_uri, heartbeat=0, ssl=self.ssl,
                                                   login_method=self.login_method)
        connection.connect()
        producer = self._producer = Producer(connection.channel())
        return producer

    def publish(self, body: Any, content_type: str, content_encoding: str, exchange: str,
                routing_key: str, correlation_id: str | None) -> None:
        with self._lock:
            for attempt in (1, 2):
                try:
                    self._ensure_producer().publish(
                        body, exchange=exchange, routing_key=routing_key, content_type=content_type,
                        content_encoding=content_encoding, correlation_id=correlation_id,
                        delivery_mode=1, retry=False)
                    return
                except (OSError, amqp.exceptions.AMQPError, amqp.exceptions.ConnectionError):
                    self.close()
                    if attempt == 2:
                        raise
                    log.warning("the reply channel was lost; reopening it", exc_info=True)

    def close(self) -> None:
        connection, self._connection, self._producer = self._connection, None, None
        if connection is not None:
            with contextlib.suppress(Exception):  # closing a broken connection: nothing left to save
                connection.release()
