"""Benchmark of a general assembly's vote: cast 20,000 ballots on one resolution through RPC,
then tally them.

    .venv/bin/python bench/assembly.py [--voters 20000] [--instances 1] [--max-workers 64]
                                       [--callers 4] [--concurrency 16]
                                       [--backend postgresql|sqlite] [--persistent-requests]

It makes a throwaway RabbitMQ vhost and a fresh migrated database, writes the members'
standing straight into governance's projection tables (the bench measures voting, not the
membership events), runs governance as separate ``nameko run`` processes, and casts from
several caller processes, each with a pool of green threads holding their own RPC
connection. Every ballot is a separate ``cast_vote`` call; inside governance, ballots that
arrive together share one transaction (group commit). It prints the casting rate, latencies,
the CPU each party spent per ballot (governance, callers, PostgreSQL, RabbitMQ), the SQL tally
time and the ``close_vote`` time.
"""
import eventlet

eventlet.monkey_patch()

import argparse  # noqa: E402
import datetime  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import broker_pids, cpu_seconds  # noqa: E402

MANAGEMENT = os.environ.get("RABBIT_MANAGEMENT", "http://guest:guest@127.0.0.1:15672")
AMQP_BASE = os.environ.get("AMQP_BASE", "amqp://guest:guest@127.0.0.1:5672")
PG_ADMIN = os.environ.get("TEST_PG_URI", "postgresql://postgres@127.0.0.1:5432/postgres")
CHOICES = ["for"] * 6 + ["against"] * 3 + ["abstain"]


# ---- infrastructure: a vhost, a database, service processes ----

def create_vhost() -> str:
    import requests

    name = f"coop_bench_{uuid.uuid4().hex[:8]}"
    requests.put(f"{MANAGEMENT}/api/vhosts/{name}", timeout=10).raise_for_status()
    requests.put(f"{MANAGEMENT}/api/permissions/{name}/guest", timeout=10,
                 json={"configure": ".*", "write": ".*", "read": ".*"}).raise_for_status()
    return name


def delete_vhost(name: str) -> None:
    import requests

    requests.delete(f"{MANAGEMENT}/api/vhosts/{name}", timeout=10)


def _pg(sql: str) -> None:
    import psycopg2

    connection = psycopg2.connect(PG_ADMIN)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql)
    finally:
        connection.close()


def create_database(backend: str, workdir: Path) -> tuple[str, callable]:
    from shared.migrations import upgrade

    if backend == "sqlite":
        uri = f"sqlite:///{workdir / 'governance_bench.db'}"
        upgrade("governance", uri)
        return uri, lambda: None
    name = f"coop_bench_governance_{uuid.uuid4().hex[:8]}"
    _pg(f'CREATE DATABASE "{name}"')
    uri = PG_ADMIN.rsplit("/", 1)[0] + "/" + name
    upgrade("governance", uri)
    return uri, lambda: _pg(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def seed_members(db_uri: str, count: int) -> list[str]:
    """Members admitted long ago with one paid share: written as the projection would hold them."""
    from sqlalchemy import insert

    from services.governance.models import MemberRecord, StandingChange
    from shared.db import make_engine

    ids = [str(uuid.uuid4()) for _ in range(count)]
    admitted = datetime.date(2025, 1, 6)
    members = [{"member_id": m, "number": n, "member_class": "A", "admitted_on": admitted}
               for n, m in enumerate(ids, start=1)]
    changes = []
    for m in ids:
        changes.append({"member_id": m, "kind": "status", "status": "admitted", "paid_shares": None,
                        "effective_date": admitted, "event_type": "member_admitted"})
        changes.append({"member_id": m, "kind": "shares", "status": None, "paid_shares": 1,
                        "effective_date": admitted, "event_type": "member_admitted"})
    engine = make_engine(db_uri)
    with engine.begin() as connection:
        for start in range(0, count, 5000):
            connection.execute(insert(MemberRecord), members[start:start + 5000])
        for start in range(0, len(changes), 5000):
            connection.execute(insert(StandingChange), changes[start:start + 5000])
    engine.dispose()
    return ids


def start_instances(count: int, amqp_uri: str, db_uri: str, workdir: Path, max_workers: int):
    from shared.testing import ServiceProcess

    processes = []
    for _ in range(count):
        process = ServiceProcess("governance", amqp_uri, db_uri, log_dir=workdir, env={
            "GOVERNANCE_MAX_WORKERS": str(max_workers), "LOG_LEVEL": "WARNING"})
        processes.append(process.start())
    for process in processes:
        process.wait_ready(60)
    return processes


def database_backend_pids(db_uri: str) -> list[int]:
    import psycopg2

    name = db_uri.rsplit("/", 1)[1]
    connection = psycopg2.connect(PG_ADMIN)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", (name,))
            return [row[0] for row in cursor.fetchall()]
    finally:
        connection.close()


# ---- a caller process: a pool of green threads, one RPC connection each ----

def run_caller(spec_path: str) -> None:
    from nameko.standalone.rpc import ClusterRpcProxy

    from shared.rpc import StandaloneRpc

    spec = json.loads(Path(spec_path).read_text())
    # as the gateway calls: transient requests (shared/rpc.py); nameko's default persists them
    proxy_cls = ClusterRpcProxy if spec["persistent_requests"] else StandaloneRpc
    voters = spec["voters"]
    queue = eventlet.queue.Queue()
    for voter in voters:
        queue.put(voter)
    latencies, errors = [], []

    def worker():
        with proxy_cls({"AMQP_URI": spec["amqp_uri"]}, timeout=60) as rpc:
            cast = rpc.governance.cast_vote
            ready.append(1)
            while time.time() < spec["start_at"]:
                eventlet.sleep(0.005)
            while True:
                try:
                    voter = queue.get_nowait()
                except eventlet.queue.Empty:
                    return
                began = time.perf_counter()
                try:
                    cast({"item_id": spec["item_id"], "voter_id": voter,
                          "choice": random.choice(CHOICES)})
                    latencies.append(time.perf_counter() - began)
                except Exception as error:  # counted and reported, never hidden
                    errors.append(type(error).__name__)

    ready = []
    pool = eventlet.GreenPool(spec["concurrency"])
    for _ in range(spec["concurrency"]):
        pool.spawn(worker)
    pool.waitall()
    print(json.dumps({"ok": len(latencies), "errors": errors[:20], "error_count": len(errors),
                      "finished_at": time.time(), "latencies": latencies,
                      "cpu_seconds": time.process_time()}))


def cast_all(voters, item_id, amqp_uri, callers, concurrency, workdir: Path,
             persistent_requests: bool = False) -> dict:
    slices = [voters[i::callers] for i in range(callers)]
    start_at = time.time() + 4 + 0.15 * concurrency * callers / 8
    processes = []
    for index, chunk in enumerate(slices):
        path = workdir / f"caller_{index}.json"
        path.write_text(json.dumps({"voters": chunk, "item_id": item_id, "amqp_uri": amqp_uri,
                                    "start_at": start_at, "concurrency": concurrency,
                                    "persistent_requests": persistent_requests}))
        processes.append(subprocess.Popen([sys.executable, __file__, "--caller", str(path)],
                                          cwd=ROOT, stdout=subprocess.PIPE, text=True))
    reports = [json.loads(p.communicate()[0].strip().splitlines()[-1]) for p in processes]
    latencies = sorted(x for r in reports for x in r["latencies"])
    return {
        "ok": sum(r["ok"] for r in reports),
        "errors": sum(r["error_count"] for r in reports),
        "error_kinds": sorted({e for r in reports for e in r["errors"]}),
        "seconds": max(r["finished_at"] for r in reports) - start_at,
        "caller_cpu": sum(r["cpu_seconds"] for r in reports),
        "p50_ms": 1000 * statistics.median(latencies) if latencies else None,
        "p95_ms": 1000 * latencies[int(len(latencies) * 0.95)] if latencies else None,
    }


def time_sql_tally(db_uri: str, item_id: str, rounds: int = 5) -> tuple[float, dict]:
    from sqlalchemy.orm import Session

    from services.governance.domain.voting import tally_resolution
    from shared.db import make_engine

    engine = make_engine(db_uri)
    timings = []
    with Session(engine) as session:
        for _ in range(rounds):
            began = time.perf_counter()
            tally = tally_resolution(session, item_id)
            timings.append(time.perf_counter() - began)
            session.rollback()
    engine.dispose()
    return statistics.median(timings), tally


def main() -> None:
    from nameko.standalone.rpc import ClusterRpcProxy

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voters", type=int, default=20000)
    # one process with many workers: on two cores a second process only adds its own hub and
    # halves the group-commit batches (run with --instances 2 to compare)
    parser.add_argument("--instances", type=int, default=1, help="governance processes")
    parser.add_argument("--max-workers", type=int, default=64, help="workers per governance process")
    parser.add_argument("--callers", type=int, default=4, help="caller processes")
    parser.add_argument("--concurrency", type=int, default=16, help="RPC connections per caller")
    parser.add_argument("--backend", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--persistent-requests", action="store_true",
                        help="publish the requests persistent (nameko's default), not as the gateway does")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="governance_bench_"))
    vhost = create_vhost()
    amqp_uri = f"{AMQP_BASE}/{vhost}"
    db_uri, drop_database = create_database(args.backend, workdir)
    instances = []
    try:
        began = time.perf_counter()
        voters = seed_members(db_uri, args.voters)
        print(f"seeded {len(voters)} members in good standing in {time.perf_counter() - began:.1f} s")
        instances = start_instances(args.instances, amqp_uri, db_uri, workdir, args.max_workers)
        meeting = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()
        with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=120) as rpc:
            assembly = rpc.governance.convene_assembly({
                "kind": "ordinary", "title": "Benchmark assembly", "meeting_date": meeting,
                "online": True, "agenda": [{"kind": "resolution", "title": "Approve the accounts"}]})
            item_id = assembly["agenda"][0]["id"]
            began = time.perf_counter()
            rpc.governance.open_vote(item_id)
            print(f"roll of {args.voters} frozen and vote opened in {time.perf_counter() - began:.2f} s")

            service_cpu = sum(cpu_seconds(p.process.pid) for p in instances)
            broker_cpu = sum(cpu_seconds(pid) for pid in broker_pids())
            cast = cast_all(voters, item_id, amqp_uri, args.callers, args.concurrency, workdir,
                            args.persistent_requests)
            rate = cast["ok"] / cast["seconds"]
            service_cpu = sum(cpu_seconds(p.process.pid) for p in instances) - service_cpu
            broker_cpu = sum(cpu_seconds(pid) for pid in broker_pids()) - broker_cpu
            database_cpu = (sum(cpu_seconds(pid) for pid in database_backend_pids(db_uri))
                            if args.backend == "postgresql" else 0.0)
            print(f"cast {cast['ok']} ballots through RPC in {cast['seconds']:.1f} s: {rate:.0f} votes/s "
                  f"({args.instances} governance process(es) x {args.max_workers} workers, "
                  f"{args.callers} caller processes x {args.concurrency} connections, {args.backend}); "
                  f"latency p50 {cast['p50_ms']:.0f} ms, p95 {cast['p95_ms']:.0f} ms; "
                  f"errors {cast['errors']} {cast['error_kinds']}")
            per_vote = {"governance": service_cpu, "callers": cast["caller_cpu"]}
            if args.backend == "postgresql":
                per_vote["postgresql"] = database_cpu
            if broker_cpu > 0:
                per_vote["rabbitmq"] = broker_cpu
            print("CPU per ballot: " + ", ".join(f"{name} {1000 * seconds / cast['ok']:.2f} ms"
                                                 for name, seconds in per_vote.items())
                  + f" (machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the end)")
            ceiling = os.cpu_count() / (sum(per_vote.values()) / cast["ok"])
            print(f"CPU-bound ceiling if these {os.cpu_count()} CPUs were ours alone: ~{ceiling:.0f} votes/s "
                  f"({'RabbitMQ counted' if broker_cpu > 0 else 'RabbitMQ not counted: not a local process'})")

            tally_seconds, tally = time_sql_tally(db_uri, item_id)
            print(f"tally in SQL (GROUP BY over {sum(tally['ballots'].values())} ballots): "
                  f"{1000 * tally_seconds:.1f} ms -> {tally['votes']}")
            began = time.perf_counter()
            result = rpc.governance.close_vote(item_id)["result"]
            print(f"close_vote through RPC (quorum, tally, majority, events): "
                  f"{1000 * (time.perf_counter() - began):.0f} ms -> adopted={result['adopted']}, "
                  f"votes cast {result['votes_cast']}, present {result['present']}")
        print(f"targets: casting >= 500 votes/s: {'met' if rate >= 500 else 'NOT met'}; "
              f"tally < 1 s: {'met' if tally_seconds < 1 else 'NOT met'}")
    finally:
        for process in instances:
            process.terminate()
        drop_database()
        delete_vhost(vhost)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--caller":
        run_caller(sys.argv[2])
    else:
        main()
