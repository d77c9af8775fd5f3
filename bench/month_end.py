"""Month-end on PostgreSQL: activities closed per second by W billing processes.

    .venv/bin/python bench/month_end.py [--activities 20000] [--workers 1,2] [--chunk-size 250]
                                        [--max-workers 4] [--no-declarations]

For each W: a fresh PostgreSQL database and RabbitMQ vhost; N activities built with bulk
inserts, each with one monthly recurring invoice of two lines (21% and 6%) and some ledger
history (a turnover in the previous month, an expense in the period); W billing processes
(``nameko run``) and one declarations process. The run is started over RPC and followed with
``month_end_status``. Printed: activities/s for the run itself (start to the last chunk
committed), and end to end (up to the moment declarations has recorded every
``invoice_issued`` and the ``month_closed``), plus billing's, PostgreSQL's and declarations' CPU
per activity and the load averages (1, 5, 15 minutes) at the end of the run. Then the books
are checked: one statement per activity, one invoice per template, numbers gapless, and each
invoice booked once by declarations.
"""
import eventlet

eventlet.monkey_patch()

import argparse  # noqa: E402
import contextlib  # noqa: E402
import datetime as dt  # noqa: E402
import os  # noqa: E402
import signal  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from decimal import Decimal  # noqa: E402

import requests  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from nameko.standalone.rpc import ClusterRpcProxy  # noqa: E402
from sqlalchemy import func, insert, select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from bench.common import cpu_seconds  # noqa: E402
from services.billing.domain import clients  # noqa: E402
from services.billing.models import (  # noqa: E402
    Activity,
    Invoice,
    LedgerEntry,
    MemberStanding,
    PeriodStatement,
    RecurringInvoice,
    RecurringInvoiceLine,
)
from shared.clock import utcnow  # noqa: E402
from shared.db import inbox_table, make_engine  # noqa: E402
from shared.migrations import upgrade  # noqa: E402
from shared.testing import PG_ADMIN_URI, ServiceProcess, _pg_admin, _pg_uri  # noqa: E402

MANAGEMENT = "http://guest:guest@127.0.0.1:15672/api"


def make_vhost() -> tuple[str, str]:
    vhost = f"bench-month-end-{uuid.uuid4().hex[:8]}"
    requests.put(f"{MANAGEMENT}/vhosts/{vhost}", timeout=10).raise_for_status()
    requests.put(f"{MANAGEMENT}/permissions/{vhost}/guest", timeout=10,
                 json={"configure": ".*", "write": ".*", "read": ".*"}).raise_for_status()
    return vhost, f"amqp://guest:guest@127.0.0.1:5672/{vhost}"


def make_database(service: str) -> tuple[str, str]:
    name = f"coop_bench_{service}_{uuid.uuid4().hex[:8]}"
    _pg_admin(f'CREATE DATABASE "{name}"')
    uri = _pg_uri(name)
    upgrade(service, uri)
    return name, uri


def build(uri: str, count: int, period_start: dt.date) -> None:
    """N activities with a template each and ledger history, written with bulk inserts."""
    engine = make_engine(uri)
    now = utcnow()
    before = period_start - dt.timedelta(days=20)
    with Session(engine) as session, session.begin():
        client = clients.register(session, {"kind": "company", "name": "Client", "country": "BE",
                                            "vat_number": "BE0403019261"}, None)
        session.flush()
        for start in range(0, count, 5000):
            n = min(5000, count - start)
            member_ids = [str(uuid.uuid4()) for _ in range(n)]
            activity_ids = [str(uuid.uuid4()) for _ in range(n)]
            template_ids = [str(uuid.uuid4()) for _ in range(n)]
            session.execute(insert(MemberStanding), [
                {"member_id": m, "status": "admitted", "status_at": now, "paid_shares": 1,
                 "holdings_at": now} for m in member_ids])
            session.execute(insert(Activity), [
                {"id": a, "member_id": m, "name": f"Activity {start + i}", "status": "open",
                 "opened_on": dt.date(2026, 1, 5), "created_at": now}
                for i, (a, m) in enumerate(zip(activity_ids, member_ids, strict=False))])
            session.execute(insert(RecurringInvoice), [
                {"id": t, "activity_id": a, "member_id": m, "client_id": client.id, "frequency": "monthly",
                 "start_date": dt.date(2026, 1, 1), "created_at": now}
                for t, a, m in zip(template_ids, activity_ids, member_ids, strict=False)])
            session.execute(insert(RecurringInvoiceLine), [
                row for t in template_ids for row in (
                    {"template_id": t, "position": 1, "description": "Coaching", "quantity": Decimal("3"),
                     "unit_code": "HUR", "unit_price": Decimal("80.00"), "vat_category": "S",
                     "vat_rate": Decimal("21")},
                    {"template_id": t, "position": 2, "description": "Book", "quantity": Decimal("1.5"),
                     "unit_code": "C62", "unit_price": Decimal("33.33"), "vat_category": "S",
                     "vat_rate": Decimal("6")})])
            session.execute(insert(LedgerEntry), [
                row for i, a in enumerate(activity_ids) for row in (
                    {"activity_id": a, "entry_date": before, "kind": "turnover", "amount": Decimal("400.00"),
                     "reference": f"bench:{start + i}:t", "created_at": now},
                    {"activity_id": a, "entry_date": period_start + dt.timedelta(days=3), "kind": "expense",
                     "amount": Decimal("-35.10"), "reference": f"bench:{start + i}:e", "created_at": now})])
    engine.dispose()


def handled(uri: str, handler: str) -> int:
    engine = make_engine(uri)
    inbox = inbox_table_for()
    with engine.connect() as connection:
        found = connection.execute(select(func.count()).select_from(inbox).where(inbox.c.handler == handler)).scalar()
    engine.dispose()
    return found


def inbox_table_for():
    from sqlalchemy import MetaData
    return inbox_table(MetaData())


def check(uri: str, count: int, period: str) -> None:
    engine = make_engine(uri)
    with Session(engine) as session:
        statements = session.execute(select(func.count(func.distinct(PeriodStatement.activity_id)))
                                     .where(PeriodStatement.period == period)).scalar()
        sequences = session.execute(select(Invoice.sequence).order_by(Invoice.sequence)).scalars().all()
    engine.dispose()
    assert statements == count, f"{statements} statements for {count} activities"
    assert sequences == list(range(1, count + 1)), "invoice numbers are not 1..N"


def check_declarations(uri: str, count: int) -> None:
    """Every invoice booked once in the VAT return: its three grids (03, 01, 54) and no more."""
    from sqlalchemy import text

    engine = make_engine(uri)
    with engine.connect() as connection:
        documents, lines = connection.execute(text(
            "SELECT count(DISTINCT document_id), count(*) FROM declaration_lines"
            " WHERE document_kind = 'invoice'")).one()
    engine.dispose()
    assert (documents, lines) == (count, 3 * count), f"declarations booked {documents} invoices in {lines} lines"


def postgres_cpu(database: str) -> float:
    """CPU time of the PostgreSQL backends connected to a database (billing's pooled
    connections live for the whole run, so their CPU is the run's)."""
    engine = make_engine(PG_ADMIN_URI)
    with engine.connect() as connection:
        pids = connection.exec_driver_sql(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s", (database,)).scalars().all()
    engine.dispose()
    total = 0.0
    for pid in pids:
        with contextlib.suppress(OSError):
            total += cpu_seconds(pid)
    return total


def measure(count: int, workers: int, args) -> dict:
    vhost, amqp_uri = make_vhost()
    billing_db, billing_uri = make_database("billing")
    declarations_db, declarations_uri = make_database("declarations")
    processes = []
    today = dt.date.today()
    period = f"{today.year:04d}-{today.month:02d}"
    try:
        started = time.monotonic()
        build(billing_uri, count, today.replace(day=1))
        print(f"  built {count} activities in {time.monotonic() - started:.1f} s", flush=True)
        env = {"BILLING_MAX_WORKERS": str(args.max_workers), "LOG_LEVEL": "WARNING",
               "BILLING_MONTH_END_CHUNK_SIZE": str(args.chunk_size)}
        billing = [ServiceProcess("billing", amqp_uri, billing_uri, env).start() for _ in range(workers)]
        processes += billing
        if args.declarations:
            processes.append(ServiceProcess("declarations", amqp_uri, declarations_uri,
                                            {"LOG_LEVEL": "WARNING"}).start())
        for process in processes:
            process.wait_ready(60)
        declarations = processes[len(billing):]
        cpu_before = sum(cpu_seconds(p.process.pid) for p in billing)
        declarations_cpu_before = sum(cpu_seconds(p.process.pid) for p in declarations)
        pg_before = postgres_cpu(billing_db)
        with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=120) as proxy:
            t0 = time.monotonic()
            status = proxy.billing.start_month_end({"period": period})
            while status["status"] != "finished":
                if status["chunks_failed"]:
                    raise AssertionError(f"chunks failed: {status}")
                time.sleep(0.1)
                status = proxy.billing.month_end_status(status["run_id"])
            run_wall = time.monotonic() - t0
        cpu = sum(cpu_seconds(p.process.pid) for p in billing) - cpu_before
        pg_cpu = postgres_cpu(billing_db) - pg_before
        result = {"run_rate": count / status["elapsed_seconds"], "run_seconds": status["elapsed_seconds"],
                  "wall": run_wall, "cpu_ms": cpu * 1000 / count, "pg_cpu_ms": pg_cpu * 1000 / count}
        print(f"  run over: {result['run_rate']:.1f} activities/s ({result['run_seconds']:.1f} s), billing CPU "
              f"{result['cpu_ms']:.2f} ms/activity, PostgreSQL CPU {result['pg_cpu_ms']:.2f} ms/activity", flush=True)
        if args.declarations:
            deadline = time.monotonic() + args.timeout
            while handled(declarations_uri, "declarations.on_invoice_issued") < count or \
                    handled(declarations_uri, "declarations.on_month_closed") < 1:
                if time.monotonic() > deadline:
                    raise AssertionError("declarations did not consume every event in time")
                time.sleep(0.2)
            result["e2e_seconds"] = time.monotonic() - t0
            result["e2e_rate"] = count / result["e2e_seconds"]
            result["declarations_cpu_ms"] = (sum(cpu_seconds(p.process.pid) for p in declarations)
                                             - declarations_cpu_before) * 1000 / count
        check(billing_uri, count, period)
        if args.declarations:
            check_declarations(declarations_uri, count)
        return result
    finally:
        for process in processes:
            process.terminate()
        requests.delete(f"{MANAGEMENT}/vhosts/{vhost}", timeout=10)
        for database in (billing_db, declarations_db):
            _pg_admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def main():
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--activities", type=int, default=20000)
    parser.add_argument("--workers", default="1,2", help="billing processes, e.g. 1,2")
    parser.add_argument("--chunk-size", type=int, default=250)
    parser.add_argument("--max-workers", type=int, default=4, help="nameko max_workers per billing process")
    parser.add_argument("--no-declarations", dest="declarations", action="store_false",
                        help="measure the run only")
    parser.add_argument("--timeout", type=float, default=900)
    args = parser.parse_args()
    print(f"PostgreSQL {PG_ADMIN_URI.rsplit('/', 1)[0]}, {args.activities} activities, "
          f"chunks of {args.chunk_size}, max_workers {args.max_workers}", flush=True)
    for workers in (int(w) for w in args.workers.split(",")):
        r = measure(args.activities, workers, args)
        e2e = f"   end to end {r['e2e_rate']:7.1f} activities/s ({r['e2e_seconds']:.1f} s)" if "e2e_rate" in r else ""
        declarations = f", declarations {r['declarations_cpu_ms']:.2f} ms" if "declarations_cpu_ms" in r else ""
        print(f"billing processes={workers}  run {r['run_rate']:7.1f} activities/s ({r['run_seconds']:.1f} s)"
              f"{e2e}   CPU/activity billing {r['cpu_ms']:.2f} ms, PostgreSQL {r['pg_cpu_ms']:.2f} ms{declarations}"
              f"   load {' '.join(f'{load:.2f}' for load in os.getloadavg())}"
              f"   (statements 1 per activity, numbers gapless{', invoices booked once' if args.declarations else ''})",
              flush=True)


if __name__ == "__main__":
    main()
