"""Retention of the outbox and the inbox: both grow by a row per event, for ever, unless pruned.

- Outbox rows are needed until they are published; afterwards they are only a short audit of
  what went out. Published rows older than ``outbox_days`` go. Rows flagged ``unrouted`` (no
  queue was bound when they were published) are kept: they are evidence of a subscription
  missing from the topology, for an operator to look at.
- Inbox rows stop a redelivered event from having a second effect. The broker redelivers within
  seconds or minutes, a retry within the longest retry delay and a replay from a dead-letter
  queue concerns events that were never handled (so have no row); ``inbox_days`` (90 by
  default) keeps a wide margin over all three.

Rows are deleted in batches of ``batch`` by primary key, each batch its own short transaction,
so a large backlog never holds a long lock against the relay or the handlers.
"""
import datetime as dt

from sqlalchemy import MetaData, delete, select, tuple_
from sqlalchemy.engine import Engine

from shared.clock import utcnow
from shared.db import inbox_table, outbox_table

DEFAULT_OUTBOX_DAYS = 7
DEFAULT_INBOX_DAYS = 90


def prune(engine: Engine, outbox_days: int = DEFAULT_OUTBOX_DAYS, inbox_days: int = DEFAULT_INBOX_DAYS,
          batch: int = 5000, now: dt.datetime | None = None) -> dict:
    """Delete what the retention allows; returns the number of rows deleted per table."""
    if outbox_days < 1 or inbox_days < 1:
        raise ValueError("retention is at least one day")
    now = now or utcnow()
    metadata = MetaData()
    outbox, inbox = outbox_table(metadata), inbox_table(metadata)
    deleted = {"outbox": 0, "inbox": 0}
    old_outbox = (select(outbox.c.id)
                  .where(outbox.c.published_at < now - dt.timedelta(days=outbox_days),
                         outbox.c.unrouted.is_(False))
                  .limit(batch))
    while True:
        with engine.begin() as connection:
            ids: list[int] = list(connection.execute(old_outbox).scalars())
            if ids:
                connection.execute(delete(outbox).where(outbox.c.id.in_(ids)))
        deleted["outbox"] += len(ids)
        if len(ids) < batch:
            break
    old_inbox = (select(inbox.c.event_id, inbox.c.handler)
                 .where(inbox.c.handled_at < now - dt.timedelta(days=inbox_days)).limit(batch))
    while True:
        with engine.begin() as connection:
            keys = [tuple(row) for row in connection.execute(old_inbox)]
            if keys:
                connection.execute(delete(inbox).where(
                    tuple_(inbox.c.event_id, inbox.c.handler).in_(keys)))
        deleted["inbox"] += len(keys)
        if len(keys) < batch:
            break
    return deleted
