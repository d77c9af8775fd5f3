"""Payslips computed per second, in-process and over RPC.

    python bench/payslip.py [--seconds 2] [--calls 2000] [--concurrency 10] [--no-rpc]

In-process: the pure computation (``from_gross``, ``from_budget``) on the shipped parameters,
and the whole entrypoint body (input schema, computation, output schema) without a broker.
Over RPC: ``declarations.compute_payslip`` on the service started with ``nameko run`` as a
separate process, on a throwaway vhost and a throwaway PostgreSQL database; sequential calls,
then ``--concurrency`` callers; each next to a bare Nameko echo service measured in the same run.
"""
import eventlet

eventlet.monkey_patch()

import argparse  # noqa: E402
import datetime as dt  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from decimal import Decimal  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from nameko.standalone.rpc import ClusterRpcProxy  # noqa: E402

from bench.common import ROOT, rate, run_service, throwaway_database, throwaway_vhost, wait_for_rpc  # noqa: E402
from services.declarations import schemas  # noqa: E402
from services.declarations.domain.payslip import from_budget, from_gross  # noqa: E402
from services.declarations.models import shipped_parameters  # noqa: E402
from shared.contracts import declarations as contract  # noqa: E402
from shared.parameters import ParameterBook  # noqa: E402
from shared.schemas import load  # noqa: E402

REQUEST = {"gross": "3000.00", "worker_category": "employee", "pay_date": "2026-11-30"}
CATEGORIES = ("employee", "artist", "blue_collar", "student")


def per_second(fn, seconds: float) -> float:
    count, start = 0, time.perf_counter()
    deadline = start + seconds
    while time.perf_counter() < deadline:
        for _ in range(200):
            fn(count)
            count += 1
    return rate(count, time.perf_counter() - start)


def bench_in_process(seconds: float) -> dict:
    book = ParameterBook([(r["name"], r["value"], r["effective_from"]) for r in shipped_parameters()])
    pay_date = dt.date(2026, 11, 30)
    grosses = [Decimal(1500 + i) + Decimal("0.37") for i in range(1000)]
    request_in, slip_out = schemas.PayslipRequest(), contract.PayslipOut()

    def entrypoint_body(i):
        data = load(request_in, REQUEST)
        return slip_out.dump(from_gross(book, data["gross"], data["worker_category"], data["pay_date"]))

    return {
        "from_gross": per_second(lambda i: from_gross(book, grosses[i % 1000], CATEGORIES[i % 4], pay_date), seconds),
        "from_budget": per_second(lambda i: from_budget(book, grosses[i % 1000], CATEGORIES[i % 4], pay_date),
                                  seconds),
        "entrypoint_body": per_second(entrypoint_body, seconds),
    }


def measure_calls(clusters, call, count: int) -> float:
    share = count // len(clusters)

    def caller(cluster):
        for _ in range(share):
            call(cluster)

    start = time.perf_counter()
    pool = eventlet.GreenPool(len(clusters))
    for _ in pool.imap(caller, clusters):
        pass
    return rate(share * len(clusters), time.perf_counter() - start)


def bench_rpc(calls: int, concurrency: int) -> dict:
    """(payslips/s, bare echo calls/s) per load, measured one after the other in the same run."""
    with throwaway_vhost() as amqp_uri, throwaway_database("declarations") as db_uri:
        echo = run_service("bench.echo_service", os.path.join(ROOT, "bench/echo.yml"), {"AMQP_URI": amqp_uri})
        service = run_service("services.declarations.service",
                              os.path.join(ROOT, "services/declarations/config.yml"),
                              {"AMQP_URI": amqp_uri, "DECLARATIONS_DB_URI": db_uri,
                               "DECLARATIONS_METRICS_PORT": "0", "LOG_LEVEL": "WARNING"})
        proxies = [ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=30) for _ in range(concurrency)]
        clusters = [proxy.start() for proxy in proxies]
        payslip = lambda c: c.declarations.compute_payslip(REQUEST)  # noqa: E731
        bare = lambda c: c.echo.echo(REQUEST)  # noqa: E731
        try:
            slip = wait_for_rpc(lambda: payslip(clusters[0]))
            assert slip["employee_contributions"] == "392.10", slip
            wait_for_rpc(lambda: bare(clusters[0]))
            for cluster in clusters:  # warm up every proxy's reply queue
                for _ in range(10):
                    payslip(cluster), bare(cluster)
            results = {}
            for label, group in (("sequential", clusters[:1]), (f"{concurrency} callers", clusters)):
                results[label] = (measure_calls(group, payslip, calls), measure_calls(group, bare, calls))
            return results
        finally:
            for proxy in proxies:
                proxy.stop()
            service.stop()
            echo.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--no-rpc", action="store_true")
    args = parser.parse_args()
    for name, value in bench_in_process(args.seconds).items():
        print(f"in-process {name:<18} {value:>10,.0f} payslips/s")
    if not args.no_rpc:
        for name, (payslips, echoes) in bench_rpc(args.calls, args.concurrency).items():
            print(f"rpc        {name:<18} {payslips:>10,.0f} payslips/s   (bare Nameko echo: {echoes:,.0f} calls/s)")
    print("target: in-process >= 20,000 payslips/s")


if __name__ == "__main__":
    main()
