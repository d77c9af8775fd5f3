"""Test harness shared by every service's tests (a pytest plugin loaded by tests/conftest.py).

Policy: the broker and the databases are real. Each test gets a throwaway RabbitMQ vhost
(Nameko's ``rabbit_config``) and, per service, a fresh database cloned from a migrated
template: a copied file on SQLite, ``CREATE DATABASE ... TEMPLATE`` on PostgreSQL.
"""
import datetime
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import eventlet
import pytest
from kombu import Connection, Queue

from shared.config import ROOT, service_config

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from shared.clock import Clock

PG_ADMIN_URI = os.environ.get("TEST_PG_URI", "postgresql://postgres@127.0.0.1:5432/postgres")
BACKENDS = ("sqlite", "postgresql")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--backends", default=os.environ.get("TEST_BACKENDS", ",".join(BACKENDS)),
                     help="database backends to run against: sqlite,postgresql")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" in metafunc.fixturenames:
        chosen = [b for b in metafunc.config.getoption("backends").split(",") if b]
        metafunc.parametrize("backend", chosen, scope="function")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _pg_admin(sql: str) -> None:
    import psycopg2

    from shared.db import green_psycopg

    green_psycopg()
    connection = psycopg2.connect(PG_ADMIN_URI)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql)
    finally:
        connection.close()


def _pg_uri(database: str) -> str:
    return PG_ADMIN_URI.rsplit("/", 1)[0] + "/" + database


class DatabaseFactory:
    """Fresh, migrated databases per test; migrations run once per service and backend."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.run = uuid.uuid4().hex[:8]
        self.templates: dict[tuple[str, str], str] = {}
        self.created: list[str] = []
        self.pending: list[eventlet.greenthread.GreenThread] = []

    def template(self, service: str, backend: str) -> str:
        from shared.migrations import upgrade

        key = (service, backend)
        if key not in self.templates:
            if backend == "sqlite":
                path = self.workdir / f"template_{service}.db"
                upgrade(service, f"sqlite:///{path}")
                self.templates[key] = str(path)
            else:
                name = f"coop_tpl_{self.run}_{service}"
                _pg_admin(f'CREATE DATABASE "{name}"')
                self.created.append(name)
                upgrade(service, _pg_uri(name))
                self.templates[key] = name
        return self.templates[key]

    def create(self, service: str, backend: str) -> str:
        template = self.template(service, backend)
        if backend == "sqlite":
            path = self.workdir / f"{service}_{uuid.uuid4().hex[:10]}.db"
            shutil.copyfile(template, path)
            return f"sqlite:///{path}"
        name = f"coop_t_{self.run}_{uuid.uuid4().hex[:10]}"
        _pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        self.created.append(name)
        return _pg_uri(name)

    def drop_later(self, name: str) -> None:
        """Drop a test's database in the background: a drop waits for a checkpoint."""
        if name in self.created:
            self.created.remove(name)
            self.pending.append(eventlet.spawn(self._drop, name))

    @staticmethod
    def _drop(name: str) -> None:
        with suppress(Exception):
            _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def drop_all(self) -> None:
        for name in reversed(self.created):
            self.pending.append(eventlet.spawn(self._drop, name))
        for thread in self.pending:
            thread.wait()


@pytest.fixture(scope="session")
def db_factory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DatabaseFactory]:
    factory = DatabaseFactory(tmp_path_factory.mktemp("databases"))
    yield factory
    factory.drop_all()


@pytest.fixture
def make_db(db_factory: DatabaseFactory, backend: str) -> Iterator[Callable[[str], str]]:
    """``make_db("membership")`` returns the URI of a fresh migrated database."""
    made: list[str] = []

    def make(service: str) -> str:
        uri = db_factory.create(service, backend)
        made.append(uri)
        return uri

    yield make
    for uri in made:
        if uri.startswith("postgresql"):
            db_factory.drop_later(uri.rsplit("/", 1)[1])


class MigratedDatabase:
    """A fresh migrated database of one service, reached without a broker: its URI, an engine,
    ``session()`` and ``tx()`` (one transaction, committed unless it raises)."""

    def __init__(self, uri: str, expire_on_commit: bool = False, **engine_options: Any) -> None:
        from sqlalchemy.orm import sessionmaker

        from shared.db import make_engine

        self.uri = uri
        self.engine = make_engine(uri, **engine_options)
        self.sessions = sessionmaker(self.engine, expire_on_commit=expire_on_commit)

    def session(self) -> "Session":
        return self.sessions()

    @contextmanager
    def tx(self) -> Iterator["Session"]:
        with self.sessions.begin() as session:
            yield session

    def dispose(self) -> None:
        self.engine.dispose()


@pytest.fixture
def migrated_db(make_db: Callable[[str], str]) -> Iterator[Callable[..., MigratedDatabase]]:
    """``migrated_db("billing")``: a ``MigratedDatabase`` (or ``kind``, a subclass holding a test
    file's helpers) on a fresh migrated database of the test's backend; disposed afterwards."""
    opened: list[MigratedDatabase] = []

    def open_database(service: str, kind: type[MigratedDatabase] = MigratedDatabase,
                      **options: Any) -> MigratedDatabase:
        database = kind(make_db(service), **options)
        opened.append(database)
        return database

    yield open_database
    for database in opened:
        database.dispose()


@pytest.fixture
def db_session(migrated_db: Callable[..., MigratedDatabase]) -> Iterator[Callable[..., "Session"]]:
    """``db_session("governance")``: a session on a fresh migrated database, for rules that need a
    database and no broker; closed afterwards. ``expire_on_commit`` and engine options pass on."""
    sessions: list[Session] = []

    def open_session(service: str, **options: Any) -> "Session":
        session = migrated_db(service, **options).session()
        sessions.append(session)
        return session

    yield open_session
    for session in sessions:
        session.close()


@pytest.fixture
def fixed_clock() -> Iterator["Clock"]:
    """``shared.clock`` fixed at the current instant for the test (``fix``, ``advance``), for the
    test's code and the service containers it starts in this process; real again afterwards."""
    from shared.clock import CLOCK

    CLOCK.fix(CLOCK.now())
    yield CLOCK
    CLOCK.release()


def test_config(service: str, db_uri: str, amqp_uri: str, **overrides: Any) -> dict:
    """A service's own config.yml, pointed at the test's vhost and database, with fast retries."""
    config = service_config(service)
    config.update({
        "AMQP_URI": amqp_uri,
        "DB_URI": db_uri,
        "WEB_SERVER_ADDRESS": f"127.0.0.1:{free_port()}",
        "EVENT_RETRY_DELAYS": [0.1, 0.2],
        "OUTBOX_POLL_INTERVAL": 0.2,
        "DEAD_LETTER_POLL_INTERVAL": 0.5,
        "RPC_TIMEOUT": 10,
    })
    config.pop("LOGGING", None)
    config.update(overrides)
    return config


@pytest.fixture
def start_service(rabbit_config: dict, make_db: Callable[[str], str],
                  container_factory: Callable[..., Any]) -> Callable[..., Any]:
    """Start a service container in this process: ``start_service(Cls, db_uri=None, **config)``
    (``config_of``: take another service's config.yml, for test-only services)."""

    def start(service_cls: Any, db_uri: str | None = None, config_of: str | None = None,
              **overrides: Any) -> Any:
        name = config_of or service_cls.name
        config = test_config(name, db_uri or make_db(name), rabbit_config["AMQP_URI"], **overrides)
        container = container_factory(service_cls, config)
        container.start()
        return container

    return start


@pytest.fixture
def cluster(rabbit_config: dict) -> Iterator[Any]:
    """A standalone RPC proxy onto the test vhost; ``cluster.membership.get_member(...)``."""
    from nameko.standalone.rpc import ClusterRpcProxy

    with ClusterRpcProxy(rabbit_config, timeout=20) as proxy:
        yield proxy


@pytest.fixture
def member_cluster(rabbit_config: dict) -> Iterator[Callable[[dict | None], Any]]:
    """``member_cluster(auth)`` gives an RPC proxy that calls as the given identity."""
    from nameko.standalone.rpc import ClusterRpcProxy

    opened: list[Any] = []

    def open_as(auth: dict | None) -> Any:
        proxy = ClusterRpcProxy(rabbit_config, timeout=20, context_data={"auth": auth})
        opened.append(proxy)
        return proxy.start()

    yield open_as
    for proxy in opened:
        proxy.stop()


class EventRecorder:
    """A plain-AMQP subscriber (kombu, no Nameko) bound to ``<source>.events``."""

    def __init__(self, amqp_uri: str, source: str, routing_key: str = "#"):
        from shared.topology import events_exchange

        self.connection = Connection(amqp_uri)
        self.messages: list = []
        exchange = events_exchange(source)
        self.queue = Queue(f"test-recorder-{uuid.uuid4().hex[:8]}", exchange=exchange,
                           routing_key=routing_key, exclusive=True, auto_delete=True)
        channel = self.connection.channel()
        from kombu import Consumer

        self.consumer = Consumer(channel, queues=[self.queue], callbacks=[self._on_message],
                                 accept=["json"])
        self.consumer.consume()
        self._running = True
        self._thread = eventlet.spawn(self._drain)

    def _on_message(self, body: Any, message: Any) -> None:
        self.messages.append({"body": body, "properties": message.properties,
                              "delivery_info": message.delivery_info, "headers": message.headers})
        message.ack()

    def _drain(self) -> None:
        while self._running:
            with suppress(TimeoutError):
                self.connection.drain_events(timeout=0.1)

    @property
    def events(self) -> list[dict]:
        return [m["body"] for m in self.messages]

    def of_type(self, event_type: str) -> list[dict]:
        return [e for e in self.events if e.get("event_type") == event_type]

    def wait_for(self, event_type: str, count: int = 1, timeout: float = 10) -> list[dict]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.of_type(event_type)
            if len(found) >= count:
                return found
            eventlet.sleep(0.02)
        raise AssertionError(f"expected {count} {event_type} events, saw {self.of_type(event_type)}")

    def close(self) -> None:
        self._running = False
        self._thread.wait()
        self.connection.release()


@pytest.fixture
def record_events(rabbit_config: dict) -> Iterator[Callable[..., EventRecorder]]:
    recorders: list[EventRecorder] = []

    def record(source: str, routing_key: str = "#") -> EventRecorder:
        recorder = EventRecorder(rabbit_config["AMQP_URI"], source, routing_key)
        recorders.append(recorder)
        return recorder

    yield record
    for recorder in recorders:
        recorder.close()


T = TypeVar("T")


def wait_until(predicate: Callable[[], T], timeout: float = 10, interval: float = 0.05,
               message: str = "") -> T:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        eventlet.sleep(interval)
    raise AssertionError(message or f"condition not met within {timeout}s")


class ServiceProcess:
    """A service run as its own OS process, the way operators run it (``nameko run``)."""

    def __init__(self, service: str, amqp_uri: str, db_uri: str, env: dict | None = None,
                 log_dir: Path | None = None):
        self.service = service
        self.metrics_port = free_port()
        self.env = dict(os.environ)
        self.env.update({
            "AMQP_URI": amqp_uri,
            f"{service.upper()}_DB_URI": db_uri,
            f"{service.upper()}_METRICS_PORT": str(self.metrics_port),
            "EVENT_RETRY_DELAYS": "[0.1, 0.2]",
            "OUTBOX_POLL_INTERVAL": "0.2",
        })
        if service == "gateway":  # the gateway serves /metrics on its API port
            self.env["GATEWAY_PORT"] = str(self.metrics_port)
        self.env.update(env or {})
        self.log_path = (log_dir or Path("/tmp")) / f"{service}-{uuid.uuid4().hex[:6]}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> "ServiceProcess":
        self._log = open(self.log_path, "ab")  # noqa: SIM115  (the child process writes to it)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "nameko", "run", "--config",
             str(ROOT / "services" / self.service / "config.yml"), f"services.{self.service}.service"],
            cwd=ROOT, env=self.env, stdout=self._log, stderr=subprocess.STDOUT)
        return self

    def wait_ready(self, timeout: float = 30) -> "ServiceProcess":
        import requests

        process = self.process
        assert process is not None, "start() the process first"

        def ready() -> bool:
            if process.poll() is not None:
                raise AssertionError(f"{self.service} exited: {self.log_path.read_text()[-3000:]}")
            try:
                return requests.get(f"http://127.0.0.1:{self.metrics_port}/metrics", timeout=1).ok
            except requests.RequestException:
                return False

        wait_until(ready, timeout, 0.2, f"{self.service} did not start: see {self.log_path}")
        if self.service != "gateway":
            wait_until(self._consuming_rpc, timeout, 0.2, f"{self.service} does not take RPC calls")
        return self

    def _consuming_rpc(self) -> bool:
        try:
            with Connection(self.env["AMQP_URI"]) as connection:
                return connection.default_channel.queue_declare(
                    f"rpc-{self.service}", passive=True).consumer_count > 0
        except Exception:
            return False

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def terminate(self, timeout: float = 20) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def wait_exit(self, timeout: float = 20) -> int:
        assert self.process is not None, "start() the process first"
        return self.process.wait(timeout)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@pytest.fixture
def service_process(rabbit_config: dict, tmp_path: Path) -> Iterator[Callable[..., ServiceProcess]]:
    processes: list[ServiceProcess] = []

    def spawn(service: str, db_uri: str, env: dict | None = None) -> ServiceProcess:
        process = ServiceProcess(service, rabbit_config["AMQP_URI"], db_uri, env, tmp_path)
        processes.append(process)
        return process.start()

    yield spawn
    for process in processes:
        process.kill()


def json_lines(text: str) -> list[dict]:
    out: list[dict] = []
    for line in text.splitlines():
        with suppress(ValueError):
            out.append(json.loads(line))
    return out


@pytest.fixture
def publish_event(rabbit_config: dict) -> Iterator[Callable[..., dict]]:
    """Publish an event as another service would (envelope built from its registered schema,
    or raw ``data`` when the source's schemas are not imported): ``publish_event(source, type, data)``."""
    from shared.amqp import ConfirmingPublisher, OutgoingMessage
    from shared.contracts import REGISTRY, make_envelope
    from shared.topology import events_exchange

    publisher = ConfirmingPublisher(rabbit_config["AMQP_URI"])
    publisher.declare(lambda channel: None)

    def publish(source: str, event_type: str, data: dict, event_id: str | None = None,
                validate: bool = True) -> dict:
        """``validate=False`` sends ``data`` as given, e.g. a malformed event."""
        with Connection(rabbit_config["AMQP_URI"]) as connection:
            events_exchange(source)(connection.default_channel).declare()
        if validate and (source, event_type) in REGISTRY:
            envelope = make_envelope(source, event_type, data)
        else:
            envelope = {"event_id": str(uuid.uuid4()), "event_type": event_type,
                        "schema_version": 1,
                        "occurred_at": datetime.datetime.now(datetime.UTC).isoformat(),
                        "source": source, "correlation_id": None, "data": data}
        if event_id:
            envelope["event_id"] = event_id
        publisher.publish_batch([OutgoingMessage(f"{source}.events", event_type, envelope,
                                                 message_id=envelope["event_id"])], mandatory=False)
        return envelope

    yield publish
    publisher.close()
