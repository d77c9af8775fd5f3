"""What the benchmarks share: a throwaway vhost and PostgreSQL database, services in processes."""
import os
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager

import requests

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RABBIT_API = os.environ.get("RABBIT_API", "http://127.0.0.1:15672/api")
PG_ADMIN_URI = os.environ.get("BENCH_PG_URI", "postgresql://postgres@127.0.0.1:5432/postgres")


@contextmanager
def throwaway_vhost():
    vhost = f"bench_{uuid.uuid4().hex[:8]}"
    auth = ("guest", "guest")
    requests.put(f"{RABBIT_API}/vhosts/{vhost}", auth=auth).raise_for_status()
    requests.put(f"{RABBIT_API}/permissions/{vhost}/guest", auth=auth,
                 json={"configure": ".*", "write": ".*", "read": ".*"}).raise_for_status()
    try:
        yield f"amqp://guest:guest@127.0.0.1:5672/{vhost}"
    finally:
        requests.delete(f"{RABBIT_API}/vhosts/{vhost}", auth=auth)


@contextmanager
def throwaway_database(service: str):
    import psycopg2

    from shared.migrations import upgrade

    name = f"bench_{service}_{uuid.uuid4().hex[:8]}"

    def admin(sql):
        connection = psycopg2.connect(PG_ADMIN_URI)
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(sql)
        connection.close()

    admin(f'CREATE DATABASE "{name}"')
    uri = PG_ADMIN_URI.rsplit("/", 1)[0] + "/" + name
    try:
        upgrade(service, uri)
        yield uri
    finally:
        admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Process:
    def __init__(self, args, env):
        self.log = open(f"/tmp/bench-{uuid.uuid4().hex[:6]}.log", "wb")  # noqa: SIM115  (the child writes to it)
        self.proc = subprocess.Popen(args, cwd=ROOT, env={**os.environ, **env},
                                     stdout=self.log, stderr=subprocess.STDOUT)

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def run_service(module: str, config: str, env: dict) -> Process:
    return Process([sys.executable, "-m", "nameko", "run", "--config", config, module], env)


def wait_for_rpc(proxy_call, timeout=30):
    deadline = time.monotonic() + timeout
    while True:
        try:
            return proxy_call()
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def cpu_seconds(pid: int) -> float:
    """User + system CPU a process has used so far (Linux /proc); 0 once it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def broker_pids() -> list[int]:
    """The local RabbitMQ node's processes (none when the broker runs elsewhere)."""
    found = subprocess.run(["pgrep", "-f", "beam.smp"], capture_output=True, text=True).stdout.split()
    return [int(pid) for pid in found]


def rate(count: int, seconds: float) -> float:
    return count / seconds if seconds else float("inf")
