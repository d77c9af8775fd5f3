"""Booking figures for the resources service, in-process against a real database.

    python bench/booking.py [--backends postgresql,sqlite] [--bookings 10000]
                            [--queries 2000] [--books 1000] [--concurrency 10]

1. ``availability`` (the domain query and its dumped answer) on a resource holding
   ``--bookings`` bookings, half past and half to come, for random one-day and one-week
   windows: queries per second, p50 and p99 (target: p99 under 10 ms).
2. ``book``: bookings per second, each its own transaction with its event in the outbox, one
   caller after another and then ``--concurrency`` green threads at once (PostgreSQL).

PostgreSQL is used when reachable (a throwaway database), SQLite from a temporary file.
"""
import eventlet

eventlet.monkey_patch()

import argparse  # noqa: E402
import datetime as dt  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from contextlib import contextmanager  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from sqlalchemy import insert, text  # noqa: E402
from sqlalchemy.orm import sessionmaker  # noqa: E402

from bench.common import rate, throwaway_database  # noqa: E402
from services.resources import domain, schemas  # noqa: E402
from services.resources.models import Booking  # noqa: E402
from shared.contracts import make_envelope  # noqa: E402
from shared.contracts import resources as contract  # noqa: E402
from shared.db import make_engine, outbox_table  # noqa: E402

NOW = dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0)
RESOURCE = {"name": "Bench room", "kind": "room", "location": None, "capacity": 1, "units": 1,
            "price_per_hour": None, "price_per_day": None, "min_duration_minutes": None,
            "max_duration_minutes": None, "buffer_minutes": 15, "min_notice_minutes": 0,
            "max_notice_days": None, "approval_required": False, "training": None,
            "weekly_quota_hours": None, "cancellation_deadline_hours": 24,
            "late_cancellation_share": 0, "no_show_minutes": None}


@contextmanager
def database(backend: str):
    if backend == "postgresql":
        with throwaway_database("resources") as uri:
            yield uri
        return
    from shared.migrations import upgrade

    with tempfile.TemporaryDirectory() as directory:
        uri = f"sqlite:///{directory}/resources.db"
        upgrade("resources", uri)
        yield uri


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p50 = statistics.median(ordered)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return f"p50 {p50 * 1000:6.2f} ms  p99 {p99 * 1000:6.2f} ms"


def seed_bookings(sessions, resource_id: str, count: int, member) -> tuple[dt.datetime, dt.datetime]:
    """``count`` one-hour bookings every 90 minutes, half before now and half after."""
    first = NOW - dt.timedelta(minutes=90 * (count // 2))
    rows = []
    for i in range(count):
        start = first + dt.timedelta(minutes=90 * i)
        end = start + dt.timedelta(hours=1)
        rows.append({
            "id": str(uuid.uuid4()), "resource_id": resource_id, "unit": 1, "member_id": member[0],
            "activity_id": member[1], "series_id": None, "starts_at": start, "ends_at": end,
            "blocked_start": start, "blocked_end": end + dt.timedelta(minutes=15),
            "status": "completed" if end < NOW else "confirmed", "check_in_by": None,
            "free_cancellation_until": start - dt.timedelta(hours=24), "price_per_hour": None,
            "price_per_day": None, "late_cancellation_share": 0, "created_at": NOW,
            "late_cancellation": False,
        })
    with sessions.begin() as session:
        for chunk in range(0, len(rows), 1000):
            session.execute(insert(Booking.__table__), rows[chunk:chunk + 1000])
    return first, first + dt.timedelta(minutes=90 * count)


def new_member(sessions) -> tuple[str, str]:
    member = (str(uuid.uuid4()), str(uuid.uuid4()))
    with sessions.begin() as session:
        domain.apply_member_event(session, "member_admitted", member[0], NOW - dt.timedelta(days=1))
        domain.apply_activity_event(session, member[1], member[0], True, NOW - dt.timedelta(days=1))
    return member


def bench_availability(sessions, resource_id, first, last, queries, window):
    """Wall-clock per query, and this process's CPU per query (what the machine's other
    tenants cannot inflate: the database server's share is not in it)."""
    span = (last - first - window).total_seconds()
    samples, cpu = [], []
    for _ in range(queries):
        start = first + dt.timedelta(seconds=random.uniform(0, span))
        began, began_cpu = time.perf_counter(), time.process_time()
        with sessions() as session:
            contract.AvailabilityOut().dump(domain.availability(session, resource_id, start, start + window))
        samples.append(time.perf_counter() - began)
        cpu.append(time.process_time() - began_cpu)
    return rate(queries, sum(samples)), percentiles(samples), percentiles(cpu)


def book_once(sessions, outbox, resource_id, member, start):
    """What the service's ``book`` does: the rules, the booking, its event in the outbox."""
    began = time.perf_counter()
    with sessions.begin() as session:
        booking = domain.book(session, {"resource_id": resource_id, "member_id": member[0],
                                        "activity_id": member[1], "start": start,
                                        "end": start + dt.timedelta(hours=1)}, NOW)
        envelope = make_envelope("resources", "booking_confirmed", schemas.slot_event(booking))
        session.execute(insert(outbox), {"event_id": envelope["event_id"], "event_type": "booking_confirmed",
                                         "aggregate_id": booking.id, "envelope": str(envelope),
                                         "created_at": NOW, "unrouted": False})
    return time.perf_counter() - began


def bench_books(sessions, outbox, books, concurrency):
    cameras = add_resource(sessions, units=1)
    members = [new_member(sessions) for _ in range(max(concurrency, 20))]
    base = NOW + dt.timedelta(days=1)
    slots = iter(base + dt.timedelta(hours=2 * i) for i in range(10 * books))
    samples = [book_once(sessions, outbox, cameras, members[i % len(members)], next(slots))
               for i in range(books)]
    sequential = rate(books, sum(samples)), percentiles(samples)
    pool = eventlet.GreenPool(concurrency)
    began = time.perf_counter()
    timings = list(pool.imap(lambda i: book_once(sessions, outbox, cameras, members[i % len(members)],
                                                 next(slots)), range(books)))
    return sequential, (rate(books, time.perf_counter() - began), percentiles(timings))


def add_resource(sessions, **overrides) -> str:
    with sessions.begin() as session:
        return domain.add_resource(session, {**RESOURCE, **overrides}, NOW).id


def explain(sessions, resource_id):
    with sessions() as session:
        if session.get_bind().dialect.name != "postgresql":
            return
        plan = session.execute(text(
            "EXPLAIN SELECT unit, blocked_start, blocked_end FROM bookings WHERE resource_id = :r "
            "AND status IN ('pending', 'confirmed', 'checked_in', 'completed') "
            "AND tstzrange(blocked_start, blocked_end) && tstzrange(:a, :b)"),
            {"r": resource_id, "a": NOW, "b": NOW + dt.timedelta(days=1)}).scalars().all()
        print("    plan:", plan[0].strip())


def run(backend: str, args) -> None:
    with database(backend) as uri:
        engine = make_engine(uri, pool_size=args.concurrency + 2)
        sessions = sessionmaker(engine, expire_on_commit=False)
        outbox = outbox_table(Booking.metadata)
        room = add_resource(sessions)
        first, last = seed_bookings(sessions, room, args.bookings, new_member(sessions))
        with engine.begin() as connection:
            if backend == "postgresql":
                connection.execute(text("ANALYZE"))
        print(f"{backend}: resource with {args.bookings} bookings "
              f"({first:%Y-%m-%d} .. {last:%Y-%m-%d})")
        explain(sessions, room)
        for label, window in (("1 day", dt.timedelta(days=1)), ("1 week", dt.timedelta(days=7))):
            bench_availability(sessions, room, first, last, 50, window)   # warm up
            qps, pct, cpu = bench_availability(sessions, room, first, last, args.queries, window)
            print(f"  availability, {label:6} window: {qps:8.0f} queries/s  {pct}   (CPU here: {cpu})")
        concurrency = args.concurrency if backend == "postgresql" else 1
        (seq_rate, seq_pct), (par_rate, par_pct) = bench_books(sessions, outbox, args.books, concurrency)
        print(f"  book, one caller:          {seq_rate:8.0f} bookings/s  {seq_pct}")
        print(f"  book, {concurrency:2} green callers:    {par_rate:8.0f} bookings/s  {par_pct}")
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default="postgresql,sqlite")
    parser.add_argument("--bookings", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--books", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=10)
    args = parser.parse_args()
    # figures are wall-clock: read them next to how busy the machine was
    one, five, fifteen = os.getloadavg()
    print(f"load average: {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} CPUs")
    for backend in args.backends.split(","):
        if backend == "postgresql" and not postgres_reachable():
            print("postgresql: not reachable, skipped")
            continue
        run(backend, args)


def postgres_reachable() -> bool:
    import psycopg2

    from bench.common import PG_ADMIN_URI

    try:
        psycopg2.connect(PG_ADMIN_URI, connect_timeout=2).close()
        return True
    except psycopg2.OperationalError:
        return False


if __name__ == "__main__":
    main()
