"""The reliable event handler entrypoints (the envelope and the event registry are the
contracts', in ``shared.contracts``).

``handle_event`` replaces Nameko's ``event_handler``, whose failures are acked and lost: a
handler that raises is retried through delay queues with backoff, then parked in the
service's dead-letter queue; a redelivered event whose effect is already recorded in the
inbox is acknowledged and skipped.

``handle_event_batch`` is the same contract for handlers that write the effects of many events
at once: the handler gets a list of events (up to ``batch``, as many as are ready) and writes
all their effects in one transaction, which records one inbox row per event; the messages are
acknowledged after it commits. If the batch fails, each of its events is handled alone, so that
only the event that fails goes through the retries and the dead-letter queue.

A handler names the fields of the event it takes (``takes=(...)``): ``event.load()`` gives them,
loaded by the publisher's contract, and a test loads every published example that way.
"""
import datetime as dt
import json
import logging
import time
import traceback
from collections.abc import Callable
from functools import partial
from typing import Any

import eventlet
import marshmallow as ma
from nameko.events import EventHandler
from nameko.messaging import QueueConsumer

from shared import topology
from shared.amqp import OutgoingMessage
from shared.contracts import Event, taking
from shared.db import unit_of_work_of
from shared.faults import failpoint
from shared.messaging import ServiceMessaging
from shared.metrics import counter

log = logging.getLogger(__name__)

EVENTS_HANDLED = counter("coop_events_handled_total", "Events handled", ["service", "event_type", "outcome"])
DEAD_LETTERED = counter("coop_dead_lettered_total", "Events parked in a dead-letter queue",
                        ["service", "event_type"])

ATTEMPT_HEADER = "x-coop-attempt"


class ReliableEventHandler(EventHandler):
    """An event handler whose failures are retried with backoff, then dead-lettered."""

    messaging = ServiceMessaging()

    def __init__(self, source_service: str, event_type: str, takes: tuple[str, ...] | None = None,
                 **kwargs: Any):
        super().__init__(source_service, event_type, requeue_on_error=False, **kwargs)
        self.takes = tuple(takes) if takes else None
        self.contract = taking(source_service, event_type, self.takes) if self.takes else None

    def setup(self) -> None:
        super().setup()
        config = self.container.config
        self.queue = topology.handler_queue(
            self.source_service, self.event_type, self.container.service_name,
            self.method_name, config)
        self.delays = topology.retry_delays(config)
        self.inbox = unit_of_work_of(self.container)

    @property
    def handler_key(self) -> str:
        return f"{self.container.service_name}.{self.method_name}"

    def handle_message(self, body: Any, message: Any) -> None:
        event = self._decode(body, message)
        if event is not None:
            self._handle_alone(event, message, (event,))

    def _decode(self, body: Any, message: Any) -> Event | None:
        """The message's event; a malformed envelope is parked (and acked) and gives None."""
        if isinstance(body, (bytes, str)):
            try:
                body = json.loads(body)
            except ValueError:
                body = {"undecodable": str(body)[:1000]}
        try:
            return Event.from_envelope(body, self.contract)
        except ma.ValidationError as exc:
            self._park(message, f"malformed envelope: {exc.messages}", attempt=0)
            self.queue_consumer.ack_message(message)
            return None

    def _handle_alone(self, event: Event, message: Any, args: tuple) -> None:
        """One event in its own worker (``args`` are the handler's), unless the inbox has it."""
        if self.inbox is not None and self.inbox.inbox_contains(event.event_id, self.handler_key):
            EVENTS_HANDLED.labels(self.container.service_name, event.event_type, "duplicate").inc()
            self.queue_consumer.ack_message(message)
            return
        context_data = self.unpack_message_headers(message)
        context_data["correlation_id"] = event.correlation_id
        context_data["event_id"] = event.event_id
        handle_result = partial(self.handle_result, message)
        try:
            self.container.spawn_worker(self, args, {}, context_data=context_data,
                                        handle_result=handle_result)
        except Exception:
            self.queue_consumer.requeue_message(message)

    def inbox_key(self, worker_ctx: Any) -> tuple[str, str]:
        return worker_ctx.args[0].event_id, self.handler_key

    def inbox_keys(self, worker_ctx: Any) -> list[tuple[str, str]]:
        """The inbox rows the worker's transaction records: one per event it handles."""
        return [self.inbox_key(worker_ctx)]

    def handle_result(self, message: Any, worker_ctx: Any, result: Any = None,
                      exc_info: Any = None) -> tuple[Any, Any]:
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

    def _retry(self, message: Any, attempt: int, error: str) -> None:
        headers = dict(message.headers or {})
        headers[ATTEMPT_HEADER] = attempt + 1
        headers["x-coop-last-error"] = error[:500]
        self.messaging.publish([OutgoingMessage(
            exchange=topology.retry_exchange_name(self.container.service_name, attempt),
            routing_key=self.queue.name, body=message.body,
            message_id=message.properties.get("message_id"), headers=headers,
        )], mandatory=False)

    def _park(self, message: Any, error: str, attempt: int) -> None:
        service = self.container.service_name
        DEAD_LETTERED.labels(service, self.event_type).inc()
        log.error("dead-lettering event from %s after %s attempts: %s", self.queue.name, attempt, error)
        headers = dict(message.headers or {})
        headers.update({
            "x-coop-queue": self.queue.name, "x-coop-handler": self.handler_key,
            "x-coop-error": error[:2000], ATTEMPT_HEADER: attempt,
            "x-coop-parked-at": dt.datetime.now(dt.UTC).isoformat(),
        })
        self.messaging.publish([OutgoingMessage(
            exchange=topology.dead_letter_exchange_name(service),
            routing_key=topology.dead_letter_queue_name(service), body=message.body,
            message_id=message.properties.get("message_id"), headers=headers,
        )], mandatory=True)


handle_event = ReliableEventHandler.decorator


class BatchQueueConsumer(QueueConsumer):
    """The queue consumer of batch handlers. It has its own channel: a channel's prefetch applies
    to each of its consumers, and a batch handler needs a prefetch of a few batches."""

    @property
    def prefetch_count(self) -> int:
        return max([getattr(p, "prefetch", 0) for p in self._providers] + [self.container.max_workers])


class ReliableEventBatchHandler(ReliableEventHandler):
    """A reliable event handler whose method takes a list of events, handled in one worker.

    The messages that are ready (up to ``batch``) are gathered: a batch is handed over when it
    is full, or when no further message came in for ``linger`` seconds, or ``max_wait`` after
    its first message. Events already in the inbox are acknowledged and skipped (one query per
    batch), as are second copies of one event within a batch. The handler writes the effects of
    all the events in one transaction, which records one inbox row per event; on success every
    message is acknowledged. If the worker fails, each event of the batch is handled alone in
    a worker of its own (the method gets a list of one), through the usual retries and the
    dead-letter queue (a batch of one goes there at once); an event that failed before (a
    retry) is always handled alone.
    """

    queue_consumer = BatchQueueConsumer()

    def __init__(self, source_service: str, event_type: str, batch: int = 200, linger: float = 0.002,
                 max_wait: float = 0.05, takes: tuple[str, ...] | None = None, **kwargs: Any):
        super().__init__(source_service, event_type, takes=takes, **kwargs)
        if batch < 1:
            raise ValueError("a batch holds at least one event")
        self.batch, self.linger, self.max_wait = batch, linger, max_wait

    @property
    def prefetch(self) -> int:
        # the next batch gathers while one is handled
        return 2 * self.batch

    def setup(self) -> None:
        super().setup()
        self._pending: list[tuple[Event, object]] = []
        self._gathering = False
        self._stopping = False

    def stop(self) -> None:
        self._stopping = True
        super().stop()
        # gathered but never handed to a worker: back to the queue
        pending, self._pending = self._pending, []
        for _, message in pending:
            self.queue_consumer.requeue_message(message)

    def handle_message(self, body: Any, message: Any) -> None:
        event = self._decode(body, message)
        if event is None:
            return
        if int((message.headers or {}).get(ATTEMPT_HEADER, 0)) > 0:
            self._handle_alone(event, message, ([event],))
            return
        self._pending.append((event, message))
        if len(self._pending) >= self.batch:
            self._flush()
        elif not self._gathering:
            self._gathering = True
            self.container.spawn_managed_thread(self._gather, identifier=f"{self.handler_key}.gather")

    def _gather(self) -> None:
        """Wait while messages keep coming in, then hand over what was gathered."""
        deadline = time.monotonic() + self.max_wait
        try:
            seen = -1
            while seen != len(self._pending) and 0 < len(self._pending) < self.batch \
                    and time.monotonic() < deadline:
                seen = len(self._pending)
                eventlet.sleep(self.linger)
        finally:
            self._gathering = False
        if self._pending:
            self._flush()

    def _flush(self) -> None:
        taken, self._pending = self._pending[:self.batch], self._pending[self.batch:]
        if not taken:
            return
        if self._stopping:
            for _, message in taken:
                self.queue_consumer.requeue_message(message)
            return
        service = self.container.service_name
        try:
            done = self.inbox.inbox_handled([e.event_id for e, _ in taken], self.handler_key) \
                if self.inbox is not None else set()
        except Exception:
            log.exception("could not read the inbox; the batch goes back to the queue")
            for _, message in taken:
                self.queue_consumer.requeue_message(message)
            return
        batch: dict[str, tuple[Event, list]] = {}
        for event, message in taken:
            if event.event_id in done:
                EVENTS_HANDLED.labels(service, event.event_type, "duplicate").inc()
                self.queue_consumer.ack_message(message)
            elif event.event_id in batch:  # a second copy: settled with the first
                batch[event.event_id][1].append(message)
            else:
                batch[event.event_id] = (event, [message])
        if not batch:
            return
        items = list(batch.values())
        events = [event for event, _ in items]
        first_message = items[0][1][0]
        context_data = self.unpack_message_headers(first_message)
        correlations = {event.correlation_id for event in events}
        context_data["correlation_id"] = correlations.pop() if len(correlations) == 1 else None
        try:
            self.container.spawn_worker(self, (events,), {}, context_data=context_data,
                                        handle_result=partial(self._batch_result, items))
        except Exception:
            for _, messages in items:
                for message in messages:
                    self.queue_consumer.requeue_message(message)

    def _batch_result(self, items: list[tuple[Event, list]], worker_ctx: Any, result: Any = None,
                      exc_info: Any = None) -> tuple[Any, Any]:
        service = self.container.service_name
        if exc_info is None:
            failpoint("event_batch_before_ack")  # committed, not acknowledged: redelivered, skipped
            for event, messages in items:
                EVENTS_HANDLED.labels(service, event.event_type, "ok").inc()
                for message in messages:
                    self.queue_consumer.ack_message(message)
            return result, exc_info
        if len(items) == 1:  # a batch of one already was the event alone: the usual way on
            event, messages = items[0]
            for copy in messages[1:]:
                self.queue_consumer.ack_message(copy)
            return self.handle_result(messages[0], worker_ctx, result, exc_info)
        error = "".join(traceback.format_exception_only(exc_info[0], exc_info[1])).strip()
        log.warning("a batch of %s events failed (%s); handling them one by one", len(items), error)
        for event, messages in items:
            EVENTS_HANDLED.labels(service, event.event_type, "batch_failed").inc()
            # the first copy stays unacknowledged until its own worker is over: the others may go
            for copy in messages[1:]:
                self.queue_consumer.ack_message(copy)
            self.container.spawn_managed_thread(
                partial(self._handle_alone, event, messages[0], ([event],)),
                identifier=f"{self.handler_key}.alone")
        return result, exc_info

    def inbox_key(self, worker_ctx: Any) -> tuple[str, str]:
        raise TypeError("a batch handler records one inbox row per event: see inbox_keys")

    def inbox_keys(self, worker_ctx: Any) -> list[tuple[str, str]]:
        return [(event.event_id, self.handler_key) for event in worker_ctx.args[0]]


def handle_event_batch(source_service: str, event_type: str, batch: int = 200,
                       takes: tuple[str, ...] | None = None, **kwargs: Any) -> Callable[..., Any]:
    """``@handle_event_batch("billing", "invoice_issued", batch=200)``: the method takes a list
    of events and writes the effects of all of them in one unit of work."""
    return ReliableEventBatchHandler.decorator(source_service, event_type, batch=batch, takes=takes,
                                               **kwargs)
