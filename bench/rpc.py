"""RPC and outbox relay throughput, each next to a bare yardstick measured in the same run.

    python bench/rpc.py [--calls 2000] [--concurrency 10] [--events 5000]

1. ``membership.get_member`` round trips per second against a bare Nameko echo service, both
   run with ``nameko run`` as separate processes on a throwaway vhost, membership on a
   throwaway PostgreSQL database; sequential calls and ``--concurrency`` callers.
2. The outbox relay's published events per second (rows written by transactions, published
   with confirms in batches, marked sent) against plain kombu publishing of the same
   envelopes with a confirm per message.
"""
import eventlet

eventlet.monkey_patch()

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from kombu import Connection, Producer  # noqa: E402
from nameko.standalone.rpc import ClusterRpcProxy  # noqa: E402

from bench.common import ROOT, rate, run_service, throwaway_database, throwaway_vhost, wait_for_rpc  # noqa: E402


def measure_calls(proxies, call, count):
    """``call(proxy)`` ``count`` times, spread over one green thread per proxy (a standalone
    proxy reads its reply queue from one green thread at a time)."""
    share = count // len(proxies)

    def caller(proxy):
        for _ in range(share):
            call(proxy)

    start = time.perf_counter()
    pool = eventlet.GreenPool(len(proxies))
    for _ in pool.imap(caller, proxies):
        pass
    return rate(share * len(proxies), time.perf_counter() - start)


def bench_rpc(amqp_uri, db_uri, calls, concurrency):
    echo = run_service("bench.echo_service", os.path.join(ROOT, "bench/echo.yml"), {"AMQP_URI": amqp_uri})
    membership = run_service("services.membership.service",
                             os.path.join(ROOT, "services/membership/config.yml"),
                             {"AMQP_URI": amqp_uri, "MEMBERSHIP_DB_URI": db_uri,
                              "MEMBERSHIP_METRICS_PORT": "0", "LOG_LEVEL": "WARNING"})
    results = {}
    proxies = [ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=30) for _ in range(concurrency)]
    clusters = [proxy.start() for proxy in proxies]
    try:
        cluster = clusters[0]
        wait_for_rpc(lambda: cluster.echo.echo(1))
        member = wait_for_rpc(lambda: cluster.membership.apply({
            "first_name": "Bench", "last_name": "Mark", "email": "bench@example.org",
            "member_class": "A"}))
        member_id = member["id"]
        for client in clusters:  # warm both up
            for _ in range(20):
                client.echo.echo(member_id)
                client.membership.get_member(member_id)
        for label, group in (("sequential", clusters[:1]), (f"{concurrency} callers", clusters)):
            # one after the other in the same run, so machine noise hits both alike
            echo_rate = measure_calls(group, lambda c: c.echo.echo(member_id), calls)
            member_rate = measure_calls(group, lambda c: c.membership.get_member(member_id), calls)
            results[label] = (member_rate, echo_rate)
    finally:
        for proxy in proxies:
            proxy.stop()
        echo.stop()
        membership.stop()
    return results


def bench_relay(amqp_uri, db_uri, events):
    import datetime as dt
    import uuid

    from sqlalchemy import insert

    from services.membership.models import Base
    from shared.amqp import ConfirmingPublisher
    from shared.contracts import make_envelope
    from shared.db import make_engine, outbox_table
    from shared.outbox import OutboxRelay
    from shared.topology import events_exchange

    engine = make_engine(db_uri)
    outbox = outbox_table(Base.metadata)
    with Connection(amqp_uri) as connection:
        channel = connection.channel()
        events_exchange("membership")(channel).declare()
        # a subscriber queue, so that messages are routed and persisted as in production
        channel.queue_declare("bench-subscriber", durable=True, auto_delete=False)
        channel.queue_bind("bench-subscriber", "membership.events", routing_key="#")

    def envelope(i):
        return make_envelope("membership", "member_applied", {
            "member_id": str(uuid.uuid4()), "number": i, "member_class": "A",
            "applied_on": dt.date(2026, 11, 2)})

    # plain kombu, a confirm per message (what Nameko's publisher does)
    bodies = [envelope(i) for i in range(events)]
    with Connection(amqp_uri, transport_options={"confirm_publish": True}) as connection:
        producer = Producer(connection.channel())
        start = time.perf_counter()
        for body in bodies:
            producer.publish(json.dumps(body), exchange="membership.events", routing_key="member_applied",
                             delivery_mode=2, content_type="application/json", mandatory=True)
        plain = rate(events, time.perf_counter() - start)

    # the outbox relay: rows committed by transactions, then drained
    rows = []
    for i in range(events):
        body = envelope(i)
        rows.append({"event_id": body["event_id"], "event_type": "member_applied", "aggregate_id": None,
                     "envelope": json.dumps(body), "created_at": dt.datetime.now(dt.UTC),
                     "unrouted": False})
    with engine.begin() as connection:
        connection.execute(insert(outbox), rows)
    publisher = ConfirmingPublisher(amqp_uri)
    relay = OutboxRelay(engine, outbox, "membership", publisher.publish_batch, batch_size=500)
    start = time.perf_counter()
    published = 0
    while True:
        count = relay.publish_pending()
        published += count
        if count == 0:
            break
    relayed = rate(published, time.perf_counter() - start)
    publisher.close()
    engine.dispose()
    assert published == events, (published, events)
    return relayed, plain


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--events", type=int, default=5000)
    args = parser.parse_args()
    with throwaway_vhost() as amqp_uri, throwaway_database("membership") as db_uri:
        rpc_results = bench_rpc(amqp_uri, db_uri, args.calls, args.concurrency)
        relayed, plain = bench_relay(amqp_uri, db_uri, args.events)
    print(f"RPC round trips per second ({args.calls} calls, PostgreSQL, separate processes)")
    print(f"{'':<14}{'get_member':>12}{'bare echo':>12}{'ratio':>8}")
    for label, (member_rate, echo_rate) in rpc_results.items():
        print(f"{label:<14}{member_rate:>12.0f}{echo_rate:>12.0f}{member_rate / echo_rate:>8.2f}")
    print(f"\nEvents published per second ({args.events} events, persistent, confirmed)")
    print(f"outbox relay (batched confirms, rows marked sent): {relayed:>8.0f}/s")
    print(f"plain kombu (a confirm per message):               {plain:>8.0f}/s")
    print(f"ratio relay/plain: {relayed / plain:.2f}")


if __name__ == "__main__":
    main()
