"""Invoices issued per second by billing on PostgreSQL, with one and with two processes.

    .venv/bin/python bench/billing.py [--invoices 3000] [--workers 1,2] [--modes rpc,rpc1,batch]
                                      [--clients 2] [--in-flight 32]

Three ways of issuing are measured, each against fresh billing processes (``nameko run``) on a
throwaway RabbitMQ vhost and a fresh PostgreSQL database:
- ``rpc``: per invoice, ``create_invoice`` (a draft with its line) then ``issue_invoice``,
  i.e. two RPC round trips, driven by client processes that keep many calls in flight;
- ``rpc1``: per invoice, one ``create_invoice`` call with ``"issue": true`` (create, line and
  issue in one transaction);
- ``batch``: ``create_and_issue_invoices`` with ``--batch`` (100) invoices per call: one
  transaction and one locked step of the number series per batch.
Afterwards the numbers are checked: 1..N in the series, no gap, no duplicate.
"""
import eventlet

eventlet.monkey_patch()

import argparse  # noqa: E402
import multiprocessing  # noqa: E402
import os  # noqa: E402
import signal  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402

import requests  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from nameko.standalone.rpc import ClusterRpcProxy  # noqa: E402
from sqlalchemy import select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from bench.common import cpu_seconds  # noqa: E402
from services.billing.domain import activities, clients, members  # noqa: E402
from services.billing.models import Invoice  # noqa: E402
from shared.clock import utcnow  # noqa: E402
from shared.db import make_engine  # noqa: E402
from shared.migrations import upgrade  # noqa: E402
from shared.testing import PG_ADMIN_URI, ServiceProcess, _pg_admin, _pg_uri  # noqa: E402

MANAGEMENT = "http://guest:guest@127.0.0.1:15672/api"
LINE = {"description": "Consulting", "quantity": "1.5", "unit_price": "80.00", "vat_category": "S",
        "vat_rate": "21"}


def make_vhost() -> tuple[str, str]:
    vhost = f"bench-billing-{uuid.uuid4().hex[:8]}"
    requests.put(f"{MANAGEMENT}/vhosts/{vhost}", timeout=10).raise_for_status()
    requests.put(f"{MANAGEMENT}/permissions/{vhost}/guest", timeout=10,
                 json={"configure": ".*", "write": ".*", "read": ".*"}).raise_for_status()
    return vhost, f"amqp://guest:guest@127.0.0.1:5672/{vhost}"


def make_database() -> tuple[str, str]:
    name = f"coop_bench_billing_{uuid.uuid4().hex[:8]}"
    _pg_admin(f'CREATE DATABASE "{name}"')
    uri = _pg_uri(name)
    upgrade("billing", uri)
    return name, uri


def seed(uri: str) -> tuple[str, str]:
    engine = make_engine(uri)
    with Session(engine) as session, session.begin():
        member_id = str(uuid.uuid4())
        members.apply_event(session, "member_admitted", {"member_id": member_id, "paid_shares": 1}, utcnow())
        session.flush()
        activity = activities.open_activity(session, member_id, "Bench", utcnow().date())
        client = clients.register(session, {"kind": "company", "name": "Client", "country": "BE",
                                            "vat_number": "BE0403019261"}, None)
        ids = activity.id, client.id
    engine.dispose()
    return ids


def rpc_client(amqp_uri, activity_id, client_id, count, in_flight, queue, one_call=False):
    """One client process: ``count`` invoices, each create then issue, ``in_flight`` calls at a
    time. One greenthread waits for the replies in order (a standalone proxy is not safe to wait
    on from several greenthreads at once)."""
    from collections import deque

    eventlet.monkey_patch()
    draft = {"activity_id": activity_id, "client_id": client_id, "lines": [LINE]}
    if one_call:
        draft["issue"] = True
    with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=120) as proxy:
        queue.put("ready")
        window, started, done = deque(), 0, 0
        while done < count:
            while started < count and len(window) < in_flight:
                window.append(("create", proxy.billing.create_invoice.call_async(draft)))
                started += 1
            stage, reply = window.popleft()
            result = reply.result()
            if stage == "create" and not one_call:
                window.append(("issue", proxy.billing.issue_invoice.call_async(result["id"])))
            else:
                done += 1
        queue.put(done)


def run_rpc(amqp_uri, ids, total, clients_count, in_flight, one_call=False) -> float:
    queue = multiprocessing.Queue()
    share = total // clients_count
    procs = [multiprocessing.Process(target=rpc_client,
                                     args=(amqp_uri, *ids, share, in_flight, queue, one_call))
             for _ in range(clients_count)]
    for p in procs:
        p.start()
    for _ in procs:
        assert queue.get(timeout=60) == "ready"
    started = time.monotonic()
    done = sum(queue.get(timeout=600) for _ in procs)
    elapsed = time.monotonic() - started
    for p in procs:
        p.join()
    return done, elapsed


def run_batch(amqp_uri, ids, total, batch=100, in_flight=4) -> float:
    activity_id, client_id = ids
    payload = {"invoices": [{"activity_id": activity_id, "client_id": client_id, "lines": [LINE]}] * batch}
    with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=300) as proxy:
        started = time.monotonic()
        done, pending = 0, []
        for _ in range(total // batch):
            pending.append(proxy.billing.create_and_issue_invoices.call_async(payload))
            if len(pending) >= in_flight:
                done += len(pending.pop(0).result())
        done += sum(len(p.result()) for p in pending)
        return done, time.monotonic() - started


def check_gapless(uri: str, expected: int) -> None:
    engine = make_engine(uri)
    with Session(engine) as session:
        sequences = session.execute(select(Invoice.sequence).where(Invoice.series == "F")
                                    .order_by(Invoice.sequence)).scalars().all()
    engine.dispose()
    assert sequences == list(range(1, expected + 1)), "numbers are not 1..N"


def measure(mode: str, workers: int, args) -> tuple[float, float]:
    vhost, amqp_uri = make_vhost()
    database, uri = make_database()
    processes = []
    try:
        ids = seed(uri)
        processes = [ServiceProcess("billing", amqp_uri, uri, {
            "BILLING_MAX_WORKERS": str(args.max_workers), "LOG_LEVEL": "WARNING"}).start()
            for _ in range(workers)]
        for process in processes:
            process.wait_ready(60)
        cpu_before = sum(cpu_seconds(p.process.pid) for p in processes)
        if mode in ("rpc", "rpc1"):
            done, elapsed = run_rpc(amqp_uri, ids, args.invoices, args.clients, args.in_flight,
                                    one_call=mode == "rpc1")
        else:
            done, elapsed = run_batch(amqp_uri, ids, args.invoices, args.batch)
        cpu = sum(cpu_seconds(p.process.pid) for p in processes) - cpu_before
        check_gapless(uri, done)
        return done / elapsed, cpu * 1000 / done
    finally:
        for process in processes:
            process.terminate()
        requests.delete(f"{MANAGEMENT}/vhosts/{vhost}", timeout=10)
        _pg_admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def main():
    # a terminated bench still stops its billing processes and drops its vhost and database
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invoices", type=int, default=3000)
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--modes", default="rpc,rpc1,batch")
    parser.add_argument("--clients", type=int, default=2, help="client processes for the rpc mode")
    parser.add_argument("--in-flight", type=int, default=32, help="calls in flight per client process")
    parser.add_argument("--batch", type=int, default=100, help="invoices per call in the batch mode")
    parser.add_argument("--max-workers", type=int, default=20, help="nameko max_workers per process")
    args = parser.parse_args()
    print(f"PostgreSQL {PG_ADMIN_URI.rsplit('/', 1)[0]}, {args.invoices} invoices per run")
    for mode in args.modes.split(","):
        for workers in (int(w) for w in args.workers.split(",")):
            rate, cpu_ms = measure(mode, workers, args)
            load = os.getloadavg()[0]
            print(f"{mode:5s}  billing processes={workers}  {rate:8.1f} invoices issued/s   "
                  f"billing CPU {cpu_ms:5.2f} ms/invoice   load average {load:5.1f}   (numbers gapless)",
                  flush=True)


if __name__ == "__main__":
    main()
