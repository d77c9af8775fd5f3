"""The outbox relay: publishes what committed transactions wrote to the ``outbox`` table.

It runs right after a commit (woken by the unit of work) and on a timer, so a crash between
commit and publish only delays an event. One relay per service publishes at a time (an
advisory lock on PostgreSQL; SQLite serialises writers anyway), which keeps events in commit
order. A crash after publishing and before marking rows sent republishes them; consumers'
inboxes make that harmless.
"""
import datetime as dt
import json
import logging
import zlib
from collections.abc import Callable, Sequence
from typing import Any

import eventlet
from eventlet.event import Event as GreenEvent
from sqlalchemy import Table, func, select, update
from sqlalchemy.engine import Connection, Engine, Row

from shared.amqp import OutgoingMessage
from shared.clock import utcnow
from shared.faults import failpoint
from shared.metrics import OUTBOX_AGE, OUTBOX_BACKLOG, OUTBOX_PUBLISHED, OUTBOX_UNROUTED
from shared.topology import events_exchange_name

log = logging.getLogger(__name__)


class OutboxRelay:
    def __init__(self, engine: Engine, table: Table, service: str,
                 publish: Callable[[list[OutgoingMessage]], list[str]], batch_size: int = 500,
                 interval: float = 1.0):
        self.engine = engine
        self.table = table
        self.service = service
        self.publish = publish
        self.batch_size = batch_size
        self.interval = interval
        self.exchange = events_exchange_name(service)
        self.lock_key = zlib.crc32(f"outbox:{service}".encode())
        self._wakeup = GreenEvent()
        self._running = True

    def wake(self) -> None:
        if not self._wakeup.ready():
            self._wakeup.send(True)

    def stop(self) -> None:
        self._running = False
        self.wake()

    def run(self) -> None:
        while self._running:
            # a fresh event before draining, so a commit during the drain wakes the next round
            self._wakeup = GreenEvent()
            try:
                while self._running and self.publish_pending() >= self.batch_size:
                    pass
            except Exception:
                log.exception("outbox relay failed; will retry")
                eventlet.sleep(self.interval)
            with eventlet.Timeout(self.interval, False):
                self._wakeup.wait()

    def publish_pending(self) -> int:
        """Publish one batch of unpublished events in order; returns how many."""
        t = self.table
        with self.engine.begin() as connection:
            if connection.dialect.name == "postgresql" and not connection.execute(
                    select(func.pg_try_advisory_xact_lock(self.lock_key))).scalar():
                return 0
            rows = connection.execute(
                select(t.c.id, t.c.event_id, t.c.event_type, t.c.envelope, t.c.created_at)
                .where(t.c.published_at.is_(None)).order_by(t.c.id).limit(self.batch_size)
            ).all()
            self._observe_backlog(connection, rows)
            if not rows:
                return 0
            failpoint("relay_before_publish")
            unrouted = set(self.publish([
                OutgoingMessage(exchange=self.exchange, routing_key=row.event_type,
                                body=row.envelope, message_id=row.event_id,
                                headers=_headers(row.envelope))
                for row in rows
            ]))
            now = utcnow()
            connection.execute(update(t).where(t.c.id.in_([r.id for r in rows]))
                               .values(published_at=now))
            if unrouted:
                connection.execute(update(t).where(t.c.event_id.in_(unrouted)).values(unrouted=True))
                OUTBOX_UNROUTED.labels(self.service).inc(len(unrouted))
        OUTBOX_PUBLISHED.labels(self.service).inc(len(rows))
        return len(rows)

    def _observe_backlog(self, connection: Connection, rows: Sequence[Row[Any]]) -> None:
        if len(rows) < self.batch_size:
            backlog = len(rows)
        else:
            backlog = connection.execute(select(func.count()).select_from(self.table)
                                         .where(self.table.c.published_at.is_(None))).scalar_one()
        OUTBOX_BACKLOG.labels(self.service).set(backlog)
        if rows:
            oldest = rows[0].created_at
            if oldest.tzinfo is None:
                oldest = oldest.replace(tzinfo=dt.UTC)
            OUTBOX_AGE.labels(self.service).set(
                (utcnow() - oldest).total_seconds())
        else:
            OUTBOX_AGE.labels(self.service).set(0)


def _headers(envelope_json: str) -> dict:
    envelope = json.loads(envelope_json)
    return {"event_type": envelope["event_type"], "source": envelope["source"],
            "schema_version": envelope["schema_version"]}
