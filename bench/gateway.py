"""The HTTP gateway's read path next to a bare Nameko HTTP -> RPC echo, measured in the same run.

    python bench/gateway.py [--requests 5000] [--concurrency 50] [--backend postgresql|sqlite]

``GET /api/v1/members/{id}`` with a member's token (JWT check, object-level check, RPC with a
timeout to membership, a database read) against ``GET /echo/{id}`` on a bare service whose
``http`` entrypoint calls an ``rpc`` echo service. Everything runs with ``nameko run`` as
separate processes on a throwaway vhost; the load comes from green threads here, each with its
own HTTP session, ``--concurrency`` requests in flight. Prints requests per second, p50 and p99
latency and the ratio (target: ratio >= 0.6, p99 < 50 ms at 50 in flight).
"""
import eventlet

eventlet.monkey_patch()

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from contextlib import ExitStack, contextmanager  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import requests  # noqa: E402
from nameko.rpc import RpcProxy  # noqa: E402
from nameko.web.handlers import http  # noqa: E402
from werkzeug.wrappers import Response  # noqa: E402

from bench.common import ROOT, cpu_seconds, run_service, throwaway_database, throwaway_vhost  # noqa: E402


class HttpEcho:
    """The yardstick: Nameko's own HTTP entrypoint calling Nameko's own RPC, nothing else."""

    name = "http_echo"
    echo = RpcProxy("echo")

    @http("GET", "/echo/<value>")
    def get(self, request, value):
        return Response(json.dumps({"id": self.echo.echo(value)}), content_type="application/json")


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_http(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=2).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer")


@contextmanager
def sqlite_database(service: str):
    from shared.migrations import upgrade

    with tempfile.TemporaryDirectory() as directory:
        uri = f"sqlite:///{directory}/{service}.db"
        upgrade(service, uri)
        yield uri


def load(url: str, headers: dict, total: int, concurrency: int, pids) -> dict:
    """``total`` GETs with ``concurrency`` in flight: rate, latency percentiles, and the server
    processes' CPU per request (which the machine's other load does not inflate)."""
    latencies, errors = [], 0
    share = total // concurrency

    def worker(_):
        nonlocal errors
        session = requests.Session()
        for _ in range(share):
            start = time.perf_counter()
            response = session.get(url, headers=headers, timeout=30)
            latencies.append(time.perf_counter() - start)
            if response.status_code != 200:
                errors += 1

    pool = eventlet.GreenPool(concurrency)
    for _ in pool.imap(worker, range(concurrency)):  # warm up: connections, workers, caches
        pass
    latencies.clear()
    cpu, started = [cpu_seconds(pid) for pid in pids], time.perf_counter()
    for _ in pool.imap(worker, range(concurrency)):
        pass
    elapsed = time.perf_counter() - started
    cpu = [(cpu_seconds(pid) - before) / len(latencies) * 1000 for pid, before in zip(pids, cpu, strict=False)]
    latencies.sort()
    return {"rate": len(latencies) / elapsed, "p50": latencies[len(latencies) // 2] * 1000,
            "p99": latencies[int(len(latencies) * 0.99) - 1] * 1000, "errors": errors,
            "cpu_ms": sum(cpu), "cpu_split": "+".join(f"{ms:.2f}" for ms in cpu)}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--backend", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--workers", type=int, default=10,
                        help="max_workers of membership and of the echo service (config default: 10)")
    args = parser.parse_args()
    gateway_port, echo_port = free_port(), free_port()
    database = throwaway_database if args.backend == "postgresql" else sqlite_database
    quiet = {"LOG_LEVEL": "WARNING"}
    with throwaway_vhost() as amqp_uri, database("membership") as db_uri, ExitStack() as stack, \
            tempfile.NamedTemporaryFile("w", suffix=".yml") as http_config, \
            tempfile.NamedTemporaryFile("w", suffix=".yml") as rpc_config:
        http_config.write(f"AMQP_URI: {amqp_uri}\nWEB_SERVER_ADDRESS: 127.0.0.1:{echo_port}\nmax_workers: 50\n")
        rpc_config.write(f"AMQP_URI: {amqp_uri}\nmax_workers: {args.workers}\n")
        http_config.flush()
        rpc_config.flush()
        processes = [
            run_service("bench.echo_service", rpc_config.name, {}),
            run_service("bench.gateway:HttpEcho", http_config.name, {}),
            run_service("services.membership.service", os.path.join(ROOT, "services/membership/config.yml"),
                        {"AMQP_URI": amqp_uri, "MEMBERSHIP_DB_URI": db_uri, "MEMBERSHIP_METRICS_PORT": "0",
                         "MEMBERSHIP_MAX_WORKERS": str(args.workers), **quiet}),
            run_service("services.gateway.service", os.path.join(ROOT, "services/gateway/config.yml"),
                        {"AMQP_URI": amqp_uri, "GATEWAY_BIND": "127.0.0.1", "GATEWAY_PORT": str(gateway_port),
                         "RATE_LIMIT_PER_MINUTE": "100000000", **quiet}),
        ]
        for process in processes:
            stack.callback(process.stop)
        base = f"http://127.0.0.1:{gateway_port}"
        wait_http(f"{base}/api/v1/openapi.json")
        wait_http(f"http://127.0.0.1:{echo_port}/echo/ready")
        member, token = member_with_token(base, amqp_uri)
        results = {}
        # one after the other in the same run, so machine noise hits both alike
        echo, http_echo, membership, gateway = (p.proc.pid for p in processes)
        results["bare HTTP -> RPC echo"] = load(f"http://127.0.0.1:{echo_port}/echo/{member}", {},
                                                args.requests, args.concurrency, (http_echo, echo))
        results["GET /api/v1/members/{id}"] = load(f"{base}/api/v1/members/{member}",
                                                   {"Authorization": f"Bearer {token}"},
                                                   args.requests, args.concurrency, (gateway, membership))
    print(f"HTTP requests, {args.requests} at {args.concurrency} in flight, membership on {args.backend}, "
          f"{args.workers} RPC workers behind, every part its own process")
    print(f"{'':<28}{'req/s':>8}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}  server CPU ms/req (HTTP+RPC side)")
    for label, r in results.items():
        print(f"{label:<28}{r['rate']:>8.0f}{r['p50']:>9.1f}{r['p99']:>9.1f}{r['errors']:>8}  "
              f"{r['cpu_ms']:.2f} ({r['cpu_split']})")
    gateway, bare = results["GET /api/v1/members/{id}"], results["bare HTTP -> RPC echo"]
    print(f"ratio gateway/bare: {gateway['rate'] / bare['rate']:.2f} by rate, "
          f"{bare['cpu_ms'] / gateway['cpu_ms']:.2f} by server CPU (target >= 0.6); "
          f"gateway p99 {gateway['p99']:.1f} ms (target < 50 ms)")
    print(f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs "
          "(latency and rate suffer from other load; CPU per request much less)")


def member_with_token(base: str, amqp_uri: str) -> tuple[str, str]:
    application = {"first_name": "Bench", "last_name": "Mark", "email": "bench@example.org", "member_class": "A"}
    deadline = time.monotonic() + 60
    while True:  # 503 until membership has started
        created = requests.post(f"{base}/api/v1/members", json=application, timeout=30)
        if created.status_code != 503 or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    created.raise_for_status()
    member = created.json()["id"]
    with_password(amqp_uri, member)
    token = requests.post(f"{base}/api/v1/auth/token", json={
        "email": "bench@example.org", "password": "bench password 123"}, timeout=30)
    token.raise_for_status()
    return member, token.json()["access_token"]


def with_password(amqp_uri: str, member_id: str) -> None:
    """The operator sets the first password (an internal call: no auth context)."""
    from nameko.standalone.rpc import ClusterRpcProxy

    with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=30) as cluster:
        cluster.membership.set_password({"member_id": member_id, "password": "bench password 123"})


if __name__ == "__main__":
    main()
