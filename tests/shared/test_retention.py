"""Retention (shared/retention.py, ``coop prune``): published events and old inbox records go,
what is still needed stays."""
import datetime as dt
import uuid

import pytest
from sqlalchemy import MetaData, insert, select

from shared.db import inbox_table, make_engine, outbox_table
from shared.retention import prune

NOW = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC)


def _outbox_row(created_days_ago, published_days_ago=None, unrouted=False, kind="kept"):
    created = NOW - dt.timedelta(days=created_days_ago)
    return {"event_id": str(uuid.uuid4()), "event_type": kind, "aggregate_id": None, "envelope": "{}",
            "created_at": created, "unrouted": unrouted,
            "published_at": None if published_days_ago is None else NOW - dt.timedelta(days=published_days_ago)}


@pytest.fixture
def engine(make_db):
    engine = make_engine(make_db("membership"))
    yield engine
    engine.dispose()


def test_prune_deletes_published_events_and_old_inbox_records_only(engine, backend):
    metadata = MetaData()
    outbox, inbox = outbox_table(metadata), inbox_table(metadata)
    rows = ([_outbox_row(30, 30, kind="gone") for _ in range(12)]
            + [_outbox_row(3, 3), _outbox_row(30)]  # published recently; never published
            + [_outbox_row(30, 30, unrouted=True)])  # unrouted: evidence for an operator
    handled = ([{"event_id": str(uuid.uuid4()), "handler": "svc.on_x", "handled_at": NOW - dt.timedelta(days=120)}
                for _ in range(7)]
               + [{"event_id": str(uuid.uuid4()), "handler": "svc.on_x", "handled_at": NOW - dt.timedelta(days=10)}])
    with engine.begin() as connection:
        connection.execute(insert(outbox), rows)
        connection.execute(insert(inbox), handled)

    deleted = prune(engine, outbox_days=7, inbox_days=90, batch=5, now=NOW)

    assert deleted == {"outbox": 12, "inbox": 7}
    with engine.connect() as connection:
        kinds = sorted(connection.execute(select(outbox.c.event_type)).scalars())
        kept_inbox = list(connection.execute(select(inbox.c.handled_at)).scalars())
    assert kinds == ["kept"] * 3
    assert len(kept_inbox) == 1
    assert prune(engine, now=NOW) == {"outbox": 0, "inbox": 0}


def test_a_retention_under_one_day_is_refused(engine, backend):
    with pytest.raises(ValueError):
        prune(engine, outbox_days=0)
