"""SQLAlchemy 2 for Nameko: engines, the unit of work, the outbox and the inbox tables.

``UnitOfWork`` is the only way a service touches its database. Each ``with self.uow() as tx``
is one transaction: ``tx.session`` for the domain, ``tx.emit(...)`` to publish an event,
which is written to the ``outbox`` table in that same transaction and relayed after commit.
In an event handler's worker the transaction also records ``(event_id, handler)`` in the
``inbox`` (a batch handler's worker: one row per event of its batch), so a redelivered event
has one effect.
"""
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any, Literal
from weakref import WeakKeyDictionary

import eventlet.patcher
from nameko.extensions import DependencyProvider
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
    exists,
    insert,
    select,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import DeclarativeBase, ORMExecuteState, Session, sessionmaker
from sqlalchemy.pool import QueuePool

from shared.clock import utcnow
from shared.contracts import make_envelope
from shared.errors import Conflict
from shared.messaging import ServiceMessaging
from shared.migrations import assert_at_head
from shared.outbox import OutboxRelay

log = logging.getLogger(__name__)

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def make_base() -> type[DeclarativeBase]:
    """A declarative base with its own metadata, holding the outbox and inbox tables."""

    class Base(DeclarativeBase):
        metadata = MetaData(naming_convention=NAMING)

    outbox_table(Base.metadata)
    inbox_table(Base.metadata)
    return Base


BigId = BigInteger().with_variant(Integer(), "sqlite")


def outbox_table(metadata: MetaData) -> Table:
    if "outbox" in metadata.tables:
        return metadata.tables["outbox"]
    return Table(
        "outbox", metadata,
        Column("id", BigId, primary_key=True, autoincrement=True),
        Column("event_id", String(36), nullable=False, unique=True),
        Column("event_type", String(80), nullable=False),
        Column("aggregate_id", String(64)),
        Column("envelope", Text, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("published_at", DateTime(timezone=True)),
        Column("unrouted", Boolean, nullable=False, default=False),
        Index("ix_outbox_pending", "published_at", "id"),
    )


def inbox_table(metadata: MetaData) -> Table:
    if "inbox" in metadata.tables:
        return metadata.tables["inbox"]
    return Table(
        "inbox", metadata,
        Column("event_id", String(36), primary_key=True),
        Column("handler", String(160), primary_key=True),
        Column("handled_at", DateTime(timezone=True), nullable=False),
    )


def is_sqlite(uri: str) -> bool:
    return uri.startswith("sqlite")


_psycopg_patched = False


def green_psycopg() -> None:
    """Make psycopg2 cooperative under eventlet (once per process)."""
    global _psycopg_patched
    if not _psycopg_patched and eventlet.patcher.is_monkey_patched("socket"):
        from psycogreen.eventlet import patch_psycopg
        patch_psycopg()
        _psycopg_patched = True


def normalise_uri(uri: str) -> str:
    """PostgreSQL goes through psycopg2 (green under eventlet), whatever the URI's scheme says."""
    for prefix in ("postgresql://", "postgres://"):
        if uri.startswith(prefix):
            return "postgresql+psycopg2://" + uri[len(prefix):]
    return uri


def make_engine(uri: str, pool_size: int = 10, pre_ping: bool = False, autocommit: bool = False) -> Engine:
    """An engine that behaves under eventlet: green psycopg2, or one serialised SQLite link."""
    uri = normalise_uri(uri)
    if is_sqlite(uri):
        path = uri.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # one connection per process: SQLite has one writer anyway, and a greenthread waiting
        # in SQLite's busy handler would block the whole hub; waiting for the pool does not
        engine = create_engine(uri, poolclass=QueuePool, pool_size=1, max_overflow=0,
                               pool_timeout=120, connect_args={"timeout": 60, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _on_begin(connection: Connection) -> None:
            # writers queue up at BEGIN instead of failing at their first write; reads don't lock
            if connection.get_execution_options().get("read_only"):
                connection.exec_driver_sql("BEGIN")
            else:
                connection.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    green_psycopg()
    # no pre-ping (a round trip per transaction): connections are recycled instead, and a
    # connection the server dropped fails one unit of work, which its caller retries
    options = {"isolation_level": "AUTOCOMMIT"} if autocommit else {}
    return create_engine(uri, pool_size=pool_size, max_overflow=pool_size, pool_recycle=600,
                         pool_pre_ping=pre_ping, pool_timeout=60, **options)


# PostgreSQL gives up one of two transactions that wait on each other (deadlock, 40P01) or
# that cannot be serialised (40001): for the loser, another transaction's change won
RACE_LOST = {"40P01", "40001"}


def _lost_a_race(exc: BaseException | None) -> bool:
    return isinstance(exc, OperationalError) and getattr(exc.orig, "pgcode", None) in RACE_LOST


class Transaction:
    """One unit of work: commit on success, roll back on any exception."""

    def __init__(self, provider: "UnitOfWork", worker_ctx: Any):
        self._provider = provider
        self._worker_ctx = worker_ctx
        self._rows: list[dict] = []
        self._session: Session | None = None

    @property
    def session(self) -> Session:
        """The transaction's session, opened by ``__enter__``."""
        if self._session is None:
            raise RuntimeError("a transaction's session exists once its `with` block has begun")
        return self._session

    @property
    def correlation_id(self) -> str | None:
        data = self._worker_ctx.data if self._worker_ctx is not None else {}
        return data.get("correlation_id") or (data.get("call_id_stack") or [None])[0]

    def emit(self, event_type: str, data: Any, aggregate_id: str | None = None) -> dict:
        """Write an event to the outbox in this transaction; it is published after commit.
        ``data`` is a dict or an object with the attributes the event's schema dumps."""
        envelope = make_envelope(self._provider.service, event_type, data, self.correlation_id)
        self._rows.append({
            "event_id": envelope["event_id"], "event_type": event_type,
            "aggregate_id": aggregate_id, "envelope": json.dumps(envelope),
            "created_at": utcnow(), "unrouted": False,
        })
        return envelope

    def __enter__(self) -> "Transaction":
        self._session = self._provider.sessions()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> Literal[False]:
        session = self.session
        try:
            if exc_type is not None:
                session.rollback()
                if isinstance(exc, IntegrityError):
                    raise Conflict("the change conflicts with existing data") from exc
                if _lost_a_race(exc):
                    raise Conflict("the change lost a race with a concurrent change; try again") from exc
                return False
            if self._rows:
                session.execute(insert(self._provider.outbox), self._rows)
            self._record_inbox(session)
            try:
                session.commit()
            except IntegrityError as error:
                session.rollback()
                raise Conflict("the change conflicts with a concurrent change") from error
            except OperationalError as error:
                session.rollback()
                if _lost_a_race(error):
                    raise Conflict("the change lost a race with a concurrent change; try again") from error
                raise
        finally:
            session.close()
        if self._rows:
            self._provider.relay.wake()
        return False


    def _record_inbox(self, session: Session) -> None:
        """In an event handler, the transaction that writes the event's effect also records the
        event in the inbox (once per worker): a read-only transaction records nothing, so a
        handler that reads first and fails later is retried, not skipped."""
        wrote = self._rows or session.new or session.dirty or session.deleted or session.info.get("wrote")
        if not wrote or self._worker_ctx in self._provider.inbox_recorded:
            return
        keys = self._provider.inbox_keys(self._worker_ctx)
        if keys:
            now = utcnow()
            # a batch handler's worker handles many events: one row each, in one statement
            session.execute(insert(self._provider.inbox), [
                {"event_id": event_id, "handler": handler, "handled_at": now} for event_id, handler in keys])
            self._provider.inbox_recorded[self._worker_ctx] = True


def _note_writes(session: sessionmaker[Session]) -> None:
    """Mark a session that wrote, by ORM flush or by a DML statement."""

    @event.listens_for(session, "after_flush")
    def _flushed(session: Session, _context: Any) -> None:
        session.info["wrote"] = True

    @event.listens_for(session, "do_orm_execute")
    def _executed(state: ORMExecuteState) -> None:
        if state.is_insert or state.is_update or state.is_delete:
            state.session.info["wrote"] = True


def unit_of_work_of(container: Any) -> "UnitOfWork | None":
    """The service's UnitOfWork, for the extensions that write through it (event handlers'
    inbox, group commit)."""
    return next((d for d in container.dependencies if isinstance(d, UnitOfWork)), None)


class TransactionFactory:
    def __init__(self, provider: "UnitOfWork", worker_ctx: Any):
        self._provider = provider
        self._worker_ctx = worker_ctx

    def __call__(self) -> Transaction:
        return Transaction(self._provider, self._worker_ctx)

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read-only Core connection for hot queries: on PostgreSQL an autocommit connection
        (a query is one round trip, no BEGIN or ROLLBACK), on SQLite a transaction that takes
        no write lock. No outbox, no inbox."""
        with self._provider.read_engine.connect().execution_options(read_only=True) as connection:
            yield connection

    @property
    def engine(self) -> Engine:
        return self._provider.engine


class UnitOfWork(DependencyProvider):
    """The service's database: engine, sessions, outbox relay and inbox."""

    messaging = ServiceMessaging()

    def __init__(self, metadata: MetaData):
        self.metadata = metadata

    def setup(self) -> None:
        config = self.container.config
        self.service = self.container.service_name
        self.uri = config["DB_URI"]
        self.engine = make_engine(self.uri, pool_size=int(config.get("max_workers", 10)) + 2)
        if config.get("DB_REQUIRE_MIGRATED", True):
            assert_at_head(self.engine, self.service)
        self.read_engine = self.engine if is_sqlite(self.uri) else make_engine(
            self.uri, pool_size=int(config.get("max_workers", 10)), autocommit=True)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        _note_writes(self.sessions)
        self.inbox_recorded: WeakKeyDictionary[Any, bool] = WeakKeyDictionary()
        self.outbox = outbox_table(self.metadata)
        self.inbox = inbox_table(self.metadata)
        self.relay = OutboxRelay(
            self.engine, self.outbox, self.service, self.messaging.publish,
            batch_size=int(config.get("OUTBOX_BATCH_SIZE", 500)),
            interval=float(config.get("OUTBOX_POLL_INTERVAL", 1.0)),
        )

    def start(self) -> None:
        self.container.spawn_managed_thread(self.relay.run, identifier="outbox-relay")

    def stop(self) -> None:
        self.relay.stop()
        self.engine.dispose()
        self.read_engine.dispose()

    def kill(self) -> None:
        self.relay.stop()

    def get_dependency(self, worker_ctx: Any) -> TransactionFactory:
        return TransactionFactory(self, worker_ctx)

    def inbox_keys(self, worker_ctx: Any) -> list[tuple[str, str]]:
        """The (event_id, handler) rows the worker's transaction records: none outside an event
        handler, one per event in it (a batch handler's worker handles several)."""
        entrypoint = getattr(worker_ctx, "entrypoint", None)
        keys_fn = getattr(entrypoint, "inbox_keys", None)
        return list(keys_fn(worker_ctx)) if keys_fn is not None else []

    def inbox_contains(self, event_id: str, handler: str) -> bool:
        with self.engine.connect() as connection:
            return bool(connection.execute(select(exists().where(
                self.inbox.c.event_id == event_id, self.inbox.c.handler == handler))).scalar())

    def inbox_handled(self, event_ids: list[str], handler: str) -> set[str]:
        """Which of these events ``handler`` has already recorded in the inbox (one query)."""
        if not event_ids:
            return set()
        with self.read_engine.connect().execution_options(read_only=True) as connection:
            return set(connection.execute(select(self.inbox.c.event_id).where(
                self.inbox.c.handler == handler, self.inbox.c.event_id.in_(event_ids))).scalars())
