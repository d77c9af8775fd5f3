"""DESIGN.md "Delivery guarantees", each proved against the real broker and databases."""
import json

import eventlet
from kombu import Connection
from sqlalchemy import func, select

from coop.cli import app
from services.membership.models import Base, Member
from services.membership.service import MembershipService
from shared import topology
from shared.db import make_engine, outbox_table
from shared.testing import wait_until
from tests.shared.probe import ProbeService, probe_config

APPLICANT = {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.org", "member_class": "A"}


def applicant(n, member_class="A"):
    return dict(APPLICANT, email=f"member{n}@example.org", member_class=member_class)


def outbox_counts(db_uri):
    engine = make_engine(db_uri)
    outbox = outbox_table(Base.metadata)
    try:
        with engine.connect() as connection:
            pending = connection.execute(select(func.count()).select_from(outbox)
                                         .where(outbox.c.published_at.is_(None))).scalar()
            total = connection.execute(select(func.count()).select_from(outbox)).scalar()
            members = connection.execute(select(func.count()).select_from(Member)).scalar()
        return pending, total, members
    finally:
        engine.dispose()


def test_event_written_in_the_transaction_survives_a_kill_before_publish(
        make_db, service_process, cluster, record_events, backend):
    recorder = record_events("membership")
    db_uri = make_db("membership")
    doomed = service_process("membership", db_uri, {"COOP_FAILPOINTS": "relay_before_publish"}).wait_ready()
    cluster.membership.apply.call_async(APPLICANT)  # the reply may never come: the process dies
    assert doomed.wait_exit(20) == -9
    pending, total, members = outbox_counts(db_uri)
    assert (pending, total, members) == (1, 1, 1)  # committed, not published
    assert recorder.of_type("member_applied") == []

    service_process("membership", db_uri).wait_ready()
    [event] = recorder.wait_for("member_applied")
    eventlet.sleep(1.0)  # a duplicate publish would arrive in this window
    assert len(recorder.of_type("member_applied")) == 1
    assert outbox_counts(db_uri)[0] == 0
    assert event["source"] == "membership"


def test_redelivered_event_has_one_effect(start_service, make_db, publish_event, record_events, backend):
    recorder = record_events("probe")
    start_service(ProbeService, db_uri=make_db("membership"), **probe_config())
    data = {"member_id": "6f1f8c52-7e0b-4b8e-9d7e-0a4b0c3f1e11", "number": 1,
            "member_class": "A", "applied_on": "2026-11-02"}
    first = publish_event("membership", "member_applied", data)
    publish_event("membership", "member_applied", data, event_id=first["event_id"])
    publish_event("membership", "member_applied", data, event_id=first["event_id"])
    recorder.wait_for("probe_handled")
    eventlet.sleep(1.0)
    assert len(recorder.of_type("probe_handled")) == 1


def test_failing_handler_is_retried_then_dead_lettered_and_replayed(
        start_service, make_db, publish_event, record_events, rabbit_config, backend, monkeypatch):
    recorder = record_events("probe")
    monkeypatch.setattr(ProbeService, "failing", {"B"})
    start_service(ProbeService, db_uri=make_db("membership"), **probe_config())
    poison = publish_event("membership", "member_applied", {
        "member_id": "0d5b6a7c-1111-4a2b-9c3d-5e6f7a8b9c0d", "number": 2,
        "member_class": "B", "applied_on": "2026-11-02"})
    fine = publish_event("membership", "member_applied", {
        "member_id": "0d5b6a7c-2222-4a2b-9c3d-5e6f7a8b9c0d", "number": 3,
        "member_class": "A", "applied_on": "2026-11-02"})
    # the service goes on handling other events while the poison one is retried
    [handled] = recorder.wait_for("probe_handled")
    assert handled["data"]["source_event_id"] == fine["event_id"]

    def dead_letters():
        with Connection(rabbit_config["AMQP_URI"]) as connection:
            return connection.default_channel.queue_declare("probe.dlq", passive=True).message_count

    wait_until(lambda: dead_letters() == 1, timeout=15, message="the poison event was not dead-lettered")
    from shared.dlq import list_parked

    [parked] = list_parked(rabbit_config["AMQP_URI"], "probe")
    assert parked.event_id == poison["event_id"]
    assert parked.attempts == 2 and "cannot handle class B" in parked.error
    assert parked.handler == "probe.on_member_applied"
    assert dead_letters() == 1  # listing does not consume

    monkeypatch.setattr(ProbeService, "failing", set())
    from typer.testing import CliRunner

    result = CliRunner().invoke(app, ["dlq", "replay", "--service", "probe"],
                                env={"AMQP_URI": rabbit_config["AMQP_URI"]})
    assert result.exit_code == 0, result.output
    assert "1 event(s) replayed" in result.output
    recorder.wait_for("probe_handled", count=2)
    assert {e["data"]["source_event_id"] for e in recorder.of_type("probe_handled")} == {
        fine["event_id"], poison["event_id"]}
    assert dead_letters() == 0


def test_event_published_while_its_subscriber_is_stopped_waits_for_it(
        start_service, make_db, cluster, record_events, backend, monkeypatch, container_factory):
    # the probe is a known subscriber: membership declares its queue when membership starts
    monkeypatch.setattr(topology, "SUBSCRIPTIONS", topology.SUBSCRIPTIONS + [
        topology.Subscription("membership", "member_applied", "probe", "on_member_applied")])
    recorder = record_events("probe")
    start_service(MembershipService)
    member = cluster.membership.apply(applicant(7))
    eventlet.sleep(0.5)  # published and routed to the probe's queue while no probe runs
    start_service(ProbeService, db_uri=make_db("membership"), **probe_config())
    [handled] = recorder.wait_for("probe_handled")
    assert handled["data"]["member_id"] == member["id"]


def test_plain_amqp_subscriber_receives_the_full_envelope(start_service, cluster, rabbit_config, backend):
    with Connection(rabbit_config["AMQP_URI"]) as connection:
        channel = connection.channel()
        topology.events_exchange("membership")(channel).declare()
        channel.queue_declare("crm-sync", durable=True, auto_delete=False)
        channel.queue_bind("crm-sync", "membership.events", routing_key="#")
        start_service(MembershipService)
        member = cluster.membership.apply(APPLICANT)
        message = wait_until(lambda: channel.basic_get("crm-sync", no_ack=True), timeout=10)
    envelope = json.loads(message.body)
    assert set(envelope) == {"event_id", "event_type", "schema_version", "occurred_at", "source",
                             "correlation_id", "data"}
    assert envelope["event_type"] == "member_applied" and envelope["source"] == "membership"
    assert envelope["schema_version"] == 1 and envelope["occurred_at"].endswith("+00:00")
    assert envelope["data"] == {"member_id": member["id"], "number": member["number"],
                                "member_class": "A", "applied_on": member["applied_on"]}
    assert message.properties["delivery_mode"] == 2
    assert message.delivery_info["routing_key"] == "member_applied"


def test_stopping_lets_the_running_handler_finish_and_nothing_is_redone(
        start_service, make_db, publish_event, record_events, rabbit_config, backend, monkeypatch):
    monkeypatch.setattr(ProbeService, "delay", 1.0)
    monkeypatch.setattr(ProbeService, "started", [])
    recorder = record_events("probe")
    db_uri = make_db("membership")
    container = start_service(ProbeService, db_uri=db_uri, **probe_config())
    sent = publish_event("membership", "member_applied", {
        "member_id": "0d5b6a7c-3333-4a2b-9c3d-5e6f7a8b9c0d", "number": 4,
        "member_class": "A", "applied_on": "2026-11-02"})
    wait_until(lambda: ProbeService.started, timeout=10)
    container.stop()  # what SIGTERM does under `nameko run`: in-flight workers finish first
    queue = topology.handler_queue_name("membership", "member_applied", "probe", "on_member_applied")
    with Connection(rabbit_config["AMQP_URI"]) as connection:
        assert connection.default_channel.queue_declare(queue, passive=True).message_count == 0
    monkeypatch.setattr(ProbeService, "delay", 0.0)
    start_service(ProbeService, db_uri=db_uri, **probe_config())  # publishes what was committed
    [handled] = recorder.wait_for("probe_handled")
    assert handled["data"]["source_event_id"] == sent["event_id"]
    eventlet.sleep(1.0)
    assert len(recorder.of_type("probe_handled")) == 1 and len(ProbeService.started) == 1


def test_a_read_only_transaction_does_not_mark_the_event_handled(
        start_service, make_db, publish_event, record_events, backend, monkeypatch):
    monkeypatch.setattr(ProbeService, "fail_once_after_reading", {"A"})
    recorder = record_events("probe")
    start_service(ProbeService, db_uri=make_db("membership"), **probe_config())
    sent = publish_event("membership", "member_applied", {
        "member_id": "0d5b6a7c-4444-4a2b-9c3d-5e6f7a8b9c0d", "number": 5,
        "member_class": "A", "applied_on": "2026-11-02"})
    # the first attempt read, then failed: the retry must run, not be skipped as a duplicate
    [handled] = recorder.wait_for("probe_handled")
    assert handled["data"]["source_event_id"] == sent["event_id"]


def test_every_membership_event_reaches_a_plain_amqp_subscriber(start_service, cluster, rabbit_config, backend):
    """A system outside the platform binds a durable queue to membership.events and gets each
    of membership's twelve event types, as persistent JSON envelopes routed by event type."""
    with Connection(rabbit_config["AMQP_URI"]) as connection:
        channel = connection.channel()
        topology.events_exchange("membership")(channel).declare()
        channel.queue_declare("crm-sync", durable=True, auto_delete=False)
        channel.queue_bind("crm-sync", "membership.events", routing_key="#")
        start_service(MembershipService)
        m = cluster.membership

        def member(n, shares):
            who = m.apply({**applicant(n), "applied_on": "2026-01-05"})
            sub = m.subscribe_shares({"member_id": who["id"], "shares": shares, "effective_date": "2026-01-10"})
            m.record_share_payment({"member_id": who["id"], "reference": sub["reference"],
                                    "amount": sub["amount"], "effective_date": "2026-01-15"})
            m.admit({"member_id": who["id"], "admitted_on": "2026-01-20"})
            return who["id"]

        ada, bob, eve = member(1, 3), member(2, 1), member(3, 1)
        m.transfer_shares({"from_member_id": ada, "to_member_id": bob, "shares": 1, "effective_date": "2026-02-01"})
        m.request_redemption({"member_id": ada, "shares": 1, "effective_date": "2026-03-01"})
        m.suspend({"member_id": bob, "effective_date": "2026-04-01"})
        m.reinstate({"member_id": bob, "effective_date": "2026-04-15"})
        m.exclude({"member_id": bob, "effective_date": "2026-05-01"})
        m.resign({"member_id": eve, "requested_on": "2026-05-02", "effective_date": "2026-05-03"})
        m.request_redemption({"member_id": eve, "shares": 1, "effective_date": "2026-05-04"})
        m.erase_member(eve)
        m.grant_role({"member_id": ada, "role": "staff"})

        expected = {"member_applied", "shares_subscribed", "shares_paid", "member_admitted",
                    "shares_transferred", "shares_redeemed", "member_suspended", "member_reinstated",
                    "member_excluded", "member_resigned", "member_erased", "role_granted"}
        received = {}

        def drained():
            while (message := channel.basic_get("crm-sync", no_ack=True)) is not None:
                received.setdefault(message.delivery_info["routing_key"], []).append(message)
            return expected <= set(received)

        wait_until(drained, timeout=20, message=f"missing {expected - set(received)}")
    assert set(received) == expected
    for event_type, messages in received.items():
        for message in messages:
            envelope = json.loads(message.body)
            assert envelope["event_type"] == event_type and envelope["source"] == "membership"
            assert set(envelope) == {"event_id", "event_type", "schema_version", "occurred_at",
                                     "source", "correlation_id", "data"}
            assert message.properties["delivery_mode"] == 2
            assert message.properties["content_type"] == "application/json"
    erased = json.loads(received["member_erased"][0].body)["data"]
    assert erased == {"member_id": eve}
