"""The batch consumer (``handle_event_batch``) keeps DESIGN.md's delivery guarantees: the events
that are ready are handled in one transaction with one inbox row each, a redelivered event has
one effect, and a poison event is retried and dead-lettered alone while the others of its batch
are recorded once. Real broker, real databases."""
import uuid
from collections import Counter

import eventlet
from kombu import Connection
from sqlalchemy import func, select

from services.membership.models import Base
from shared import topology
from shared.db import inbox_table, make_engine, outbox_table
from shared.dlq import list_parked
from shared.testing import wait_until
from tests.shared.batch_probe import BatchProbeService, batch_probe_config

HANDLER = "batch_probe.on_member_applied"
QUEUE = topology.handler_queue_name("membership", "member_applied", "batch_probe", "on_member_applied")


def applied(n: int, member_class: str = "A") -> dict:
    return {"member_id": str(uuid.uuid4()), "number": n, "member_class": member_class,
            "applied_on": "2026-11-02"}


def declare_queue(amqp_uri: str) -> None:
    """The probe's queue, bound before it starts: what is published now waits there, ready."""
    with Connection(amqp_uri) as connection:
        channel = connection.default_channel
        topology.events_exchange("membership")(channel).declare()
        topology.handler_queue("membership", "member_applied", "batch_probe", "on_member_applied",
                               {})(channel).declare()


def queue_depth(amqp_uri: str, name: str = QUEUE) -> int:
    with Connection(amqp_uri) as connection:
        return connection.default_channel.queue_declare(name, passive=True).message_count


def inbox_rows(db_uri: str) -> list:
    """Read while the probe runs in this process: a read takes no SQLite write lock, so it never
    waits (blocking the hub) on a transaction of the probe."""
    engine = make_engine(db_uri)
    inbox = inbox_table(Base.metadata)
    try:
        with engine.connect().execution_options(read_only=True) as connection:  # no write lock
            return connection.execute(select(inbox.c.event_id, inbox.c.handled_at)
                                      .where(inbox.c.handler == HANDLER)).all()
    finally:
        engine.dispose()


def outbox_count(db_uri: str) -> int:
    engine = make_engine(db_uri)
    try:
        with engine.connect().execution_options(read_only=True) as connection:  # no write lock
            return connection.execute(select(func.count()).select_from(outbox_table(Base.metadata))).scalar()
    finally:
        engine.dispose()


def handled_ids(recorder) -> Counter:
    return Counter(e["data"]["source_event_id"] for e in recorder.of_type("probe_handled"))


def test_ready_events_are_handled_in_one_transaction_with_one_inbox_row_each(
        start_service, make_db, publish_event, record_events, rabbit_config, backend, monkeypatch):
    monkeypatch.setattr(BatchProbeService, "committed", [])
    amqp_uri = rabbit_config["AMQP_URI"]
    recorder = record_events("batch_probe")
    declare_queue(amqp_uri)
    sent = [publish_event("membership", "member_applied", applied(n))["event_id"] for n in range(30)]
    db_uri = make_db("membership")
    container = start_service(BatchProbeService, db_uri=db_uri, **batch_probe_config())
    recorder.wait_for("probe_handled", 30, timeout=20)
    assert BatchProbeService.committed == [sent]  # one worker, one unit of work, in queue order
    rows = inbox_rows(db_uri)
    assert sorted(event_id for event_id, _ in rows) == sorted(sent)  # one inbox row per event
    assert len({handled_at for _, handled_at in rows}) == 1  # written together
    assert outbox_count(db_uri) == 30
    container.stop()  # an unacknowledged message would go back to the queue now
    assert queue_depth(amqp_uri) == 0


def test_redelivered_events_have_one_effect(
        start_service, make_db, publish_event, record_events, rabbit_config, backend, monkeypatch):
    monkeypatch.setattr(BatchProbeService, "committed", [])
    amqp_uri = rabbit_config["AMQP_URI"]
    recorder = record_events("batch_probe")
    declare_queue(amqp_uri)
    twice, thrice = applied(1), applied(2)
    first = publish_event("membership", "member_applied", twice)
    publish_event("membership", "member_applied", twice, event_id=first["event_id"])  # in the same batch
    second = publish_event("membership", "member_applied", thrice)
    others = [publish_event("membership", "member_applied", applied(n))["event_id"] for n in range(3, 8)]
    db_uri = make_db("membership")
    start_service(BatchProbeService, db_uri=db_uri, **batch_probe_config())
    recorder.wait_for("probe_handled", 7, timeout=20)
    # redelivered after their batch committed: found in the inbox, acknowledged and skipped
    publish_event("membership", "member_applied", twice, event_id=first["event_id"])
    publish_event("membership", "member_applied", thrice, event_id=second["event_id"])
    publish_event("membership", "member_applied", thrice, event_id=second["event_id"])
    last = publish_event("membership", "member_applied", applied(9))
    recorder.wait_for("probe_handled", 8, timeout=20)
    eventlet.sleep(1.0)  # a second effect would show up in this window
    expected = [first["event_id"], second["event_id"], *others, last["event_id"]]
    assert handled_ids(recorder) == Counter(expected)
    assert sorted(event_id for event_id, _ in inbox_rows(db_uri)) == sorted(expected)
    assert sorted(i for batch in BatchProbeService.committed for i in batch) == sorted(expected)
    wait_until(lambda: queue_depth(amqp_uri) == 0, timeout=5)


def test_a_poison_event_is_retried_and_dead_lettered_alone_and_its_batch_recorded_once(
        start_service, make_db, publish_event, record_events, rabbit_config, backend, monkeypatch):
    monkeypatch.setattr(BatchProbeService, "committed", [])
    monkeypatch.setattr(BatchProbeService, "failing", {"B"})
    amqp_uri = rabbit_config["AMQP_URI"]
    recorder = record_events("batch_probe")
    declare_queue(amqp_uri)
    fine = [publish_event("membership", "member_applied", applied(n))["event_id"] for n in range(4)]
    poison = publish_event("membership", "member_applied", applied(4, "B"))["event_id"]
    fine += [publish_event("membership", "member_applied", applied(n))["event_id"] for n in range(5, 10)]
    db_uri = make_db("membership")
    start_service(BatchProbeService, db_uri=db_uri, **batch_probe_config())

    def dead_letters():
        with Connection(amqp_uri) as connection:
            return connection.default_channel.queue_declare("batch_probe.dlq", passive=True).message_count

    wait_until(lambda: dead_letters() == 1, timeout=20, message="the poison event was not dead-lettered")
    recorder.wait_for("probe_handled", 9, timeout=10)
    eventlet.sleep(1.0)
    [parked] = list_parked(amqp_uri, "batch_probe")
    assert parked.event_id == poison
    assert parked.attempts == 2 and "cannot handle class B" in parked.error
    assert parked.handler == HANDLER
    # the batch failed as a whole; each of its events was then handled alone, once
    assert handled_ids(recorder) == Counter(fine)
    assert sorted(BatchProbeService.committed) == sorted([i] for i in fine)
    assert sorted(event_id for event_id, _ in inbox_rows(db_uri)) == sorted(fine)
    assert queue_depth(amqp_uri) == 0


def test_events_keep_coming_in_batches_no_larger_than_asked(
        start_service, make_db, publish_event, record_events, rabbit_config, backend, monkeypatch):
    monkeypatch.setattr(BatchProbeService, "committed", [])
    amqp_uri = rabbit_config["AMQP_URI"]
    recorder = record_events("batch_probe")
    declare_queue(amqp_uri)
    sent = [publish_event("membership", "member_applied", applied(n))["event_id"] for n in range(120)]
    db_uri = make_db("membership")
    start_service(BatchProbeService, db_uri=db_uri, **batch_probe_config())
    recorder.wait_for("probe_handled", 120, timeout=30)
    sizes = [len(batch) for batch in BatchProbeService.committed]
    assert sum(sizes) == 120 and max(sizes) <= 50 and len(sizes) < 10
    assert handled_ids(recorder) == Counter(sent)
    assert len(inbox_rows(db_uri)) == 120


def test_stopping_lets_the_running_batch_finish_and_nothing_is_redone(
        start_service, make_db, publish_event, record_events, rabbit_config, backend, monkeypatch):
    monkeypatch.setattr(BatchProbeService, "committed", [])
    monkeypatch.setattr(BatchProbeService, "started", [])
    monkeypatch.setattr(BatchProbeService, "delay", 1.0)
    amqp_uri = rabbit_config["AMQP_URI"]
    recorder = record_events("batch_probe")
    declare_queue(amqp_uri)
    sent = [publish_event("membership", "member_applied", applied(n))["event_id"] for n in range(12)]
    db_uri = make_db("membership")
    container = start_service(BatchProbeService, db_uri=db_uri, **batch_probe_config())
    wait_until(lambda: BatchProbeService.started, timeout=10)
    container.stop()  # what SIGTERM does under `nameko run`: the running worker finishes first
    assert BatchProbeService.committed == [sent]
    assert queue_depth(amqp_uri) == 0  # its messages were acknowledged before the process went
    monkeypatch.setattr(BatchProbeService, "delay", 0.0)
    start_service(BatchProbeService, db_uri=db_uri, **batch_probe_config())  # publishes what was committed
    recorder.wait_for("probe_handled", 12, timeout=20)
    eventlet.sleep(1.0)
    assert handled_ids(recorder) == Counter(sent)
    assert BatchProbeService.started == [sent]  # nothing handled twice
